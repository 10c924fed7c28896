"""Subcontractor agreements: a firm's staff may act only while its agreement is valid.

Valid means signed, ``valid_from <= now < valid_until``, and not revoked at ``now``. Access
ends at the exact second an agreement lapses or is revoked: the policy reads this on every
request (never a cached claim). Every change is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sitrep.desk import audit
from sitrep.desk.auth import Principal
from sitrep.desk.models.access import Agreement
from sitrep.errors import NotFound, ValidationError

MAX_SCOPE = 200


def as_utc(moment: datetime) -> datetime:
    """Return ``moment`` in UTC; naive values (from SQLite, or typed dates) are taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class AgreementIn:
    """What an admin enters for a new agreement."""

    firm: str
    valid_from: datetime
    valid_until: datetime
    signed_at: datetime | None = None
    scope: str = "support"


def _validate(data: AgreementIn) -> AgreementIn:
    firm = data.firm.strip()
    if not firm or len(firm) > 200:
        raise ValidationError("An agreement needs a firm name of 1 to 200 characters.")
    if not data.scope.strip() or len(data.scope) > MAX_SCOPE:
        raise ValidationError(f"The scope must be 1 to {MAX_SCOPE} characters.")
    start, end = as_utc(data.valid_from), as_utc(data.valid_until)
    if end <= start:
        raise ValidationError("valid_until must be after valid_from.")
    signed = as_utc(data.signed_at) if data.signed_at else None
    return AgreementIn(firm, start, end, signed, data.scope.strip())


def add_agreement(
    *, session: Session, data: AgreementIn, actor: Principal, now: datetime | None = None
) -> Agreement:
    """Record a firm's agreement; ``signed_at`` defaults to now. Audited."""
    data = _validate(data)
    row = Agreement(
        firm=data.firm,
        scope=data.scope,
        signed_at=data.signed_at or as_utc(now or datetime.now(UTC)),
        valid_from=data.valid_from,
        valid_until=data.valid_until,
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="agreement.add",
        target=f"agreement:{row.id}",
        details=agreement_dict(row),
    )
    return row


def revoke_agreements(
    *, session: Session, firm: str, actor: Principal, now: datetime | None = None
) -> list[Agreement]:
    """Revoke every unrevoked agreement of ``firm`` from ``now``; audited. NotFound if none."""
    moment = as_utc(now or datetime.now(UTC))
    rows = session.scalars(
        select(Agreement).where(Agreement.firm == firm.strip(), Agreement.revoked_at.is_(None))
    ).all()
    if not rows:
        raise NotFound(f"No unrevoked agreement for firm '{firm.strip()}'.")
    for row in rows:
        row.revoked_at = moment
        audit.record(
            session=session,
            actor=actor,
            action="agreement.revoke",
            target=f"agreement:{row.id}",
            now=moment,
        )
    session.flush()
    return list(rows)


def revoke_agreement(
    *, session: Session, agreement_id: int, actor: Principal, now: datetime | None = None
) -> Agreement:
    """Revoke one agreement by id from ``now``; audited."""
    row = session.get(Agreement, agreement_id)
    if row is None:
        raise NotFound(f"No agreement {agreement_id}.")
    if row.revoked_at is None:
        row.revoked_at = as_utc(now or datetime.now(UTC))
        audit.record(
            session=session, actor=actor, action="agreement.revoke", target=f"agreement:{row.id}"
        )
    session.flush()
    return row


def list_agreements(*, session: Session, firm: str | None = None) -> list[Agreement]:
    """Return agreements, newest first, optionally for one firm."""
    stmt = select(Agreement).order_by(Agreement.valid_from.desc(), Agreement.id.desc())
    if firm:
        stmt = stmt.where(Agreement.firm == firm.strip())
    return list(session.scalars(stmt))


def valid_clause(firm: object, now: datetime) -> object:
    """Return the SQL condition "``firm`` has an agreement valid at ``now``" (for list filters)."""
    moment = as_utc(now)
    return (
        select(Agreement.id)
        .where(
            Agreement.firm == firm,
            Agreement.signed_at.is_not(None),
            Agreement.signed_at <= moment,
            Agreement.valid_from <= moment,
            Agreement.valid_until > moment,
            or_(Agreement.revoked_at.is_(None), Agreement.revoked_at > moment),
        )
        .exists()
    )


def agreement_is_valid(row: Agreement, now: datetime) -> bool:
    """Return whether this one agreement is valid at ``now``; the same rule as ``valid_clause``."""
    moment = as_utc(now)
    signed = row.signed_at is not None and as_utc(row.signed_at) <= moment
    revoked = row.revoked_at is not None and as_utc(row.revoked_at) <= moment
    return signed and as_utc(row.valid_from) <= moment < as_utc(row.valid_until) and not revoked


def agreement_valid(*, session: Session, firm: str | None, now: datetime) -> bool:
    """Return True when ``firm`` holds a signed agreement valid at ``now`` (to the second)."""
    if not firm:
        return False
    return bool(session.scalar(select(valid_clause(firm, now))))  # type: ignore[call-overload]


def agreement_dict(row: Agreement) -> dict[str, object]:
    """Return the public shape of an agreement (ISO times in UTC)."""

    def iso(moment: datetime | None) -> str | None:
        return as_utc(moment).isoformat() if moment else None

    return {
        "id": row.id,
        "firm": row.firm,
        "scope": row.scope,
        "signed_at": iso(row.signed_at),
        "valid_from": iso(row.valid_from),
        "valid_until": iso(row.valid_until),
        "revoked_at": iso(row.revoked_at),
    }
