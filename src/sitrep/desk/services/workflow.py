"""The request status workflow: statuses, their JSM categories, and the transitions."""

from __future__ import annotations

from dataclasses import dataclass

WAITING_FOR_SUPPORT = "Waiting for support"
IN_PROGRESS = "In progress"
WAITING_FOR_CUSTOMER = "Waiting for customer"
ESCALATED = "Escalated"
RESOLVED = "Resolved"

#: Status name -> JSM status category.
STATUSES: dict[str, str] = {
    WAITING_FOR_SUPPORT: "NEW",
    IN_PROGRESS: "INDETERMINATE",
    WAITING_FOR_CUSTOMER: "INDETERMINATE",
    ESCALATED: "INDETERMINATE",
    RESOLVED: "DONE",
}

INITIAL_STATUS = WAITING_FOR_SUPPORT
_OPEN = frozenset(s for s, category in STATUSES.items() if category != "DONE")
_STAFF = frozenset({"admin", "support", "subcontractor"})
_CUSTOMER = frozenset({"customer"})


@dataclass(frozen=True)
class Transition:
    """A move from one of ``sources`` to ``target``, allowed for the roles in ``by``."""

    id: str
    name: str
    sources: frozenset[str]
    target: str
    by: frozenset[str]


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "11", "Start progress", frozenset({WAITING_FOR_SUPPORT, ESCALATED}), IN_PROGRESS, _STAFF
    ),
    Transition(
        "21",
        "Ask customer",
        frozenset({WAITING_FOR_SUPPORT, IN_PROGRESS, ESCALATED}),
        WAITING_FOR_CUSTOMER,
        _STAFF,
    ),
    Transition(
        "31",
        "Respond to support",
        frozenset({WAITING_FOR_CUSTOMER}),
        WAITING_FOR_SUPPORT,
        _CUSTOMER,
    ),
    Transition(
        "41",
        "Escalate to development",
        frozenset({WAITING_FOR_SUPPORT, IN_PROGRESS}),
        ESCALATED,
        frozenset({"admin", "support"}),
    ),
    Transition("51", "Resolve this issue", _OPEN, RESOLVED, _STAFF | _CUSTOMER),
    Transition("61", "Reopen", frozenset({RESOLVED}), WAITING_FOR_SUPPORT, _STAFF | _CUSTOMER),
)


def available(status: str, who: str) -> list[Transition]:
    """Return the transitions ``who`` (a staff role or "customer") may take from ``status``."""
    return [t for t in TRANSITIONS if status in t.sources and who in t.by]
