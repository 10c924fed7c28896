"""Create staff, installations and customers; issue, resolve and revoke tokens.

Tokens are random, shown once, and stored only as their SHA-256: a high-entropy
token needs no slow hash, and a stolen database yields no usable token.

Changes to staff, roles and tokens are written to the audit log in the caller's
transaction; ``actor`` defaults to the operator running a server-side command.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from sitrep.desk import audit
from sitrep.desk.auth import OPERATOR, Principal
from sitrep.desk.models.identity import (
    ApiToken,
    Customer,
    Installation,
    Organization,
    StaffUser,
    utcnow,
)
from sitrep.errors import Conflict, NotFound, ValidationError

STAFF_ROLES = ("admin", "support", "development", "subcontractor")


def hash_token(token: str) -> str:
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(session: Session, *, kind: str, prefix: str, **owner: int) -> str:
    token = prefix + secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=hash_token(token), kind=kind, **owner))
    session.flush()
    return token


def normalise_email(email: str) -> str:
    """Return the canonical form of an email address, or raise ValidationError."""
    email = email.strip()
    local, _, domain = email.rpartition("@")
    if not local or "." not in domain or any(c.isspace() for c in email):
        raise ValidationError(f"'{email}' is not an email address.")
    return f"{local}@{domain.lower()}"


def add_staff(
    *,
    session: Session,
    email: str,
    role: str,
    firm: str | None = None,
    display_name: str = "",
    actor: Principal = OPERATOR,
) -> tuple[StaffUser, str]:
    """Create a staff user and return it with its first API token (shown once)."""
    if role not in STAFF_ROLES:
        raise ValidationError(
            f"Unknown role '{role}'.", fix=f"Use one of: {', '.join(STAFF_ROLES)}."
        )
    if role == "subcontractor" and not firm:
        raise ValidationError("A subcontractor needs --firm, the firm whose agreement covers them.")
    email = normalise_email(email)
    if session.scalar(select(StaffUser).where(StaffUser.email == email)):
        raise Conflict(f"A staff user {email} already exists.")
    user = StaffUser(email=email, role=role, firm=firm, display_name=display_name or email)
    session.add(user)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="staff.create",
        target=f"staff:{user.id}",
        details={"role": role, "firm": firm},
    )
    return user, issue_staff_token(session=session, user=user, actor=actor)


def issue_staff_token(*, session: Session, user: StaffUser, actor: Principal = OPERATOR) -> str:
    """Issue another API token for an existing staff user."""
    token = _issue(session, kind="staff", prefix="sst_", staff_id=user.id)
    audit.record(session=session, actor=actor, action="token.issue", target=f"staff:{user.id}")
    return token


def set_role(
    *, session: Session, email: str, role: str, firm: str | None = None, actor: Principal = OPERATOR
) -> StaffUser:
    """Change a staff user's role (and firm); audited. Takes effect on their next request."""
    if role not in STAFF_ROLES:
        raise ValidationError(
            f"Unknown role '{role}'.", fix=f"Use one of: {', '.join(STAFF_ROLES)}."
        )
    user = session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"No staff user {normalise_email(email)}.")
    if role == "subcontractor" and not (firm or user.firm):
        raise ValidationError("A subcontractor needs a firm, the firm whose agreement covers them.")
    before = user.role
    user.role, user.firm = role, firm or (user.firm if role == "subcontractor" else None)
    audit.record(
        session=session,
        actor=actor,
        action="staff.role.change",
        target=f"staff:{user.id}",
        details={"from": before, "to": role, "firm": user.firm},
    )
    return user


def get_or_create_org(*, session: Session, name: str) -> Organization:
    """Return the organization called ``name``, creating it if needed."""
    name = name.strip()
    if not name:
        raise ValidationError("An organization needs a name.")
    org = session.scalar(select(Organization).where(Organization.name == name))
    if org is None:
        org = Organization(name=name)
        session.add(org)
        session.flush()
    return org


def add_installation(
    *, session: Session, org_name: str, app: str = "", actor: Principal = OPERATOR
) -> tuple[Installation, str]:
    """Register an installation of ``app`` for an organization; return it and its token."""
    org = get_or_create_org(session=session, name=org_name)
    inst = Installation(org_id=org.id, app=app)
    session.add(inst)
    session.flush()
    token = _issue(session, kind="installation", prefix="sit_", installation_id=inst.id)
    audit.record(
        session=session,
        actor=actor,
        action="token.issue",
        target=f"installation:{inst.id}",
        tenant=org.id,
    )
    return inst, token


def get_or_create_customer(
    *, session: Session, email: str, display_name: str = "", org_id: int | None = None
) -> Customer:
    """Return the customer with this email, creating it (in ``org_id``) if needed."""
    email = normalise_email(email)
    customer = session.scalar(select(Customer).where(Customer.email == email))
    if customer is None:
        customer = Customer(email=email, display_name=display_name or email, org_id=org_id)
        session.add(customer)
        session.flush()
    elif customer.org_id is None and org_id is not None:
        customer.org_id = org_id
    return customer


def resolve_token(*, session: Session, token: str, email: str | None = None) -> Principal | None:
    """Return the principal a valid, unrevoked token stands for, or None.

    ``email`` is given for JSM-style Basic auth (``email:token``) and must match the
    staff user's address.
    """
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return None
    if row.kind == "staff" and row.staff_id is not None:
        user = session.get(StaffUser, row.staff_id)
        if user is None or not user.active:
            return None
        if email is not None and normalise_email(email) != user.email:
            return None
        return Principal(
            kind="staff",
            id=user.id,
            email=user.email,
            role=user.role,
            firm=user.firm,
            token_id=row.id,
        )
    if row.kind == "installation" and row.installation_id is not None and email is None:
        inst = session.get(Installation, row.installation_id)
        if inst is None:
            return None
        return Principal(
            kind="installation",
            id=inst.id,
            role="installation",
            org_id=inst.org_id,
            token_id=row.id,
        )
    return None


def revoke_token(*, session: Session, token: str, actor: Principal = OPERATOR) -> bool:
    """Revoke a token; return False when no such token exists. Effective on the next request."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    return _revoke(session, row, actor)


def revoke_token_id(*, session: Session, token_id: int, actor: Principal = OPERATOR) -> bool:
    """Revoke a token by its id (as listed to admins); return False when there is none."""
    return _revoke(session, session.get(ApiToken, token_id), actor)


def _revoke(session: Session, row: ApiToken | None, actor: Principal) -> bool:
    if row is None:
        return False
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session=session, actor=actor, action="token.revoke", target=f"token:{row.id}")
    return True
