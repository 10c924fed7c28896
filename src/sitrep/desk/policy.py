"""Who may do what: the one policy module (DESIGN §5).

``decide`` answers for one principal, action and resource; ``visible`` gives the SQL
filter for request lists. They must never disagree, so both are built from the same
rules below, and a test checks them against each other for every persona.

Deny is the default: an action not in ``ACTIONS`` is refused, and so is any principal
kind a rule does not name. Routes call ``check`` (or ``decide``) with the action they
declare in their ``openapi_extra`` marker, and invisible requests answer 404.

Subcontractors act only while their firm holds a signed, unrevoked agreement valid at
``now`` (``valid_from <= now < valid_until``): ``decide`` asks ``agreement_valid`` (through
the resource's session or the one passed in) and ``visible`` adds ``valid_clause``, so the
two agree to the second. Without a way to ask, a subcontractor is denied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session, object_session

from sitrep.desk.auth import Principal
from sitrep.desk.models.requests import Participant, Request
from sitrep.desk.services.agreements import agreement_valid, valid_clause
from sitrep.errors import Forbidden, NotFound, Unauthorized

#: Every action a route may declare, with who may do it once the request is visible.
#: "all" means every principal that can see the resource (or, without one, any caller).
ACTIONS: dict[str, frozenset[str]] = {
    "desk.info": frozenset({"all"}),
    "desk.view": frozenset({"all"}),
    "customer.create": frozenset({"admin", "support"}),
    "customer.view": frozenset({"admin", "support"}),
    "request.create": frozenset({"admin", "support", "installation", "customer"}),
    "request.list": frozenset({"all"}),
    "request.view": frozenset({"all"}),
    "request.contact.view": frozenset(
        {"admin", "support", "subcontractor", "customer", "installation"}
    ),
    "request.comment.public": frozenset(
        {"admin", "support", "development", "subcontractor", "customer", "installation"}
    ),
    "request.comment.internal": frozenset({"admin", "support", "development", "subcontractor"}),
    "request.transition": frozenset({"admin", "support", "subcontractor", "customer"}),
    "request.participants.manage": frozenset({"admin", "support", "customer"}),
    "request.assign": frozenset({"admin", "support"}),
    "request.edit": frozenset({"admin", "support"}),
    "attachment.add": frozenset({"admin", "support", "subcontractor", "customer", "installation"}),
    "attachment.list": frozenset({"admin", "support", "development", "subcontractor"}),
    "attachment.download": frozenset({"admin", "support", "development", "subcontractor"}),
    "queue.view": frozenset({"admin", "support", "development", "subcontractor"}),
    "public.report": frozenset({"all"}),
    "health.view": frozenset({"all"}),
    "telemetry.report.create": frozenset({"all"}),
    "telemetry.allowlist.view": frozenset({"all"}),
    "telemetry.usage.view": frozenset({"admin", "support", "development"}),
    "audit.read": frozenset({"admin"}),
    "audit.checkpoint.create": frozenset({"admin"}),
    "audit.checkpoint.view": frozenset({"all"}),
    "agreement.view": frozenset({"admin", "support"}),
    "agreement.manage": frozenset({"admin"}),
    "token.revoke": frozenset({"admin"}),
    "auth.signin": frozenset({"all"}),
}

#: Who the rules know; any other kind or role is denied everything.
KNOWN = frozenset({"admin", "support", "development", "subcontractor", "customer", "installation"})

#: Actions an anonymous caller may take (the public report page and the desk's info).
ANONYMOUS_ACTIONS = frozenset(
    {
        "public.report",
        "desk.info",
        "health.view",
        "telemetry.report.create",
        "telemetry.allowlist.view",
        "audit.checkpoint.view",
        "auth.signin",
    }
)


@dataclass(frozen=True)
class Decision:
    """The answer of the policy, and the rule that gave it (for the audit log)."""

    allowed: bool
    rule: str


def _who(principal: Principal) -> str:
    return principal.role if principal.kind == "staff" else principal.kind


def _sees(principal: Principal, request: Request, participant_ids: set[int]) -> Decision:
    """Return whether ``principal`` may see ``request`` at all; mirrors ``visible``."""
    who = _who(principal)
    if who in ("admin", "support"):
        return Decision(True, f"{who}-sees-all")
    if who == "development":
        return Decision(request.escalated, "development-sees-escalated")
    if who == "subcontractor":
        return Decision(request.assignee_id == principal.id, "subcontractor-sees-assigned")
    if who == "installation":
        return Decision(request.installation_id == principal.id, "installation-sees-own")
    if who == "customer":
        own = request.reporter_id == principal.id or principal.id in participant_ids
        shared = request.shared_with_org and principal.org_id is not None
        shared = shared and request.org_id == principal.org_id
        return Decision(bool(own or shared), "customer-sees-own-participating-or-shared")
    return Decision(False, "deny-by-default")


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def _bound(principal: Principal, resource: Any, now: datetime, session: Session | None) -> bool:
    """Return whether a subcontractor's firm holds an agreement valid at ``now``."""
    session = session or (object_session(resource) if isinstance(resource, Request) else None)
    if session is None:
        return False  # Nothing to ask: deny rather than guess.
    return agreement_valid(session=session, firm=principal.firm, now=now)


def decide(
    principal: Principal,
    action: str,
    resource: Any = None,
    now: datetime | None = None,
    *,
    participant_ids: set[int] | None = None,
    session: Session | None = None,
) -> Decision:
    """Return whether ``principal`` may take ``action`` on ``resource`` (a Request or None).

    ``now`` is the time of the decision (agreements depend on it; default: the clock);
    ``participant_ids`` are the customer ids participating in ``resource``, needed for
    customers; ``session`` answers agreement questions when ``resource`` is not a loaded row.
    """
    allowed_for = ACTIONS.get(action)
    if allowed_for is None:
        return Decision(False, f"unknown-action:{action}")
    if principal.kind == "anonymous":
        return Decision(action in ANONYMOUS_ACTIONS, "anonymous-public-only")
    who = _who(principal)
    if who not in KNOWN:
        return Decision(False, "deny-by-default")
    if action in ANONYMOUS_ACTIONS:  # Public: anyone may, so no agreement is needed.
        return Decision(True, f"{action}:public")
    if who == "subcontractor" and not _bound(principal, resource, _now(now), session):
        return Decision(False, "subcontractor-without-valid-agreement")
    if isinstance(resource, Request):
        seen = _sees(principal, resource, participant_ids or set())
        if not seen.allowed:
            return seen
    if "all" in allowed_for or who in allowed_for:
        return Decision(True, f"{action}:{who}")
    return Decision(False, f"{action}:not-for-{who}")


def visible(principal: Principal, now: datetime | None = None) -> ColumnElement[bool]:
    """Return the SQL filter on ``Request`` for what ``principal`` may list; mirrors ``decide``."""
    who = _who(principal)
    if principal.kind == "anonymous" or who not in KNOWN:
        return false()
    if who in ("admin", "support"):
        return true()
    if who == "development":
        return Request.escalated.is_(True)
    if who == "subcontractor":
        bound = valid_clause(principal.firm, _now(now))
        return and_(Request.assignee_id == principal.id, bound)  # type: ignore[arg-type]
    if who == "installation":
        return Request.installation_id == principal.id
    return _customer_clause(principal)


def _customer_clause(principal: Principal) -> ColumnElement[bool]:
    participating = exists(
        select(Participant.id).where(
            Participant.request_id == Request.id, Participant.customer_id == principal.id
        )
    )
    clauses = [Request.reporter_id == principal.id, participating]
    if principal.org_id is not None:
        clauses.append(and_(Request.shared_with_org.is_(True), Request.org_id == principal.org_id))
    return or_(*clauses)


def check(
    principal: Principal,
    action: str,
    resource: Any = None,
    now: datetime | None = None,
    *,
    participant_ids: set[int] | None = None,
    session: Session | None = None,
) -> Decision:
    """Like ``decide`` but raise: 404 for what the caller may not see, 401/403 otherwise."""
    ids = participant_ids or set()
    decision = decide(principal, action, resource, now, participant_ids=ids, session=session)
    if decision.allowed:
        return decision
    if isinstance(resource, Request):
        seen = _sees(principal, resource, ids)
        if not seen.allowed or decision.rule == "subcontractor-without-valid-agreement":
            raise NotFound(f"Request {resource.key} does not exist or is not visible to you.")
    if principal.kind == "anonymous":
        raise Unauthorized("This needs credentials: a staff, customer or installation token.")
    raise Forbidden(f"You may not do this ({action}).")


def route_action(action: str) -> dict[str, Any]:
    """Return route keyword arguments that declare ``action`` in the OpenAPI document.

    Every API route carries this marker, and a test fails if one does not.
    """
    if action not in ACTIONS:
        raise ValueError(f"undeclared policy action {action!r}")
    return {"openapi_extra": {"x-sitrep-action": action}}
