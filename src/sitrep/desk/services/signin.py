"""Sign-in: staff passwords (argon2id), server-side web sessions, customer magic links.

Every token here (session cookie, magic link) is random, shown once, and stored only as its
SHA-256. Logins and failed logins are written to the audit log; a failed attempt is
committed even though the caller's request fails, so it cannot be erased by the rollback.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sitrep.desk import audit
from sitrep.desk.auth import ANONYMOUS, Principal
from sitrep.desk.models.access import MagicLink, WebSession
from sitrep.desk.models.audit import AuditEntry
from sitrep.desk.models.identity import Customer, StaffUser
from sitrep.desk.services.identity import hash_token, normalise_email
from sitrep.errors import NotFound, RateLimited, Unauthorized, ValidationError

SESSION_HOURS = 12
MAGIC_LINK_MINUTES = 15
#: Failed password logins per account within ``LOCKOUT_WINDOW`` before further tries are refused.
MAX_FAILURES = 10
LOCKOUT_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 12

_hasher = PasswordHasher()  # argon2id with the library's current RFC 9106 defaults
# Verified against when the account does not exist, so both cases take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _rowcount(result: Any) -> int:
    # UPDATE results carry rowcount (CursorResult); the Result type the session declares does not.
    return int(result.rowcount or 0)


def _as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored here is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def staff_principal(user: StaffUser, token_id: int | None = None) -> Principal:
    """Return the principal of a staff user."""
    return Principal(
        kind="staff",
        id=user.id,
        role=user.role,
        email=user.email,
        firm=user.firm,
        token_id=token_id,
    )


def customer_principal(customer: Customer) -> Principal:
    """Return the principal of a customer signed in to the portal."""
    return Principal(
        kind="customer",
        id=customer.id,
        role="customer",
        email=customer.email,
        org_id=customer.org_id,
    )


# --- passwords -------------------------------------------------------------------------


def set_password(*, session: Session, email: str, password: str, actor: Principal) -> StaffUser:
    """Set a staff user's password and sign out their web sessions; audited."""
    if len(password) < MIN_PASSWORD or len(password) > 1024:
        raise ValidationError(f"A password needs {MIN_PASSWORD} to 1024 characters.")
    user = session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"No staff user {normalise_email(email)}.")
    user.password_hash = _hasher.hash(password)
    revoke_sessions(session=session, staff_id=user.id)
    audit.record(
        session=session, actor=actor, action="staff.password.set", target=f"staff:{user.id}"
    )
    return user


def _recent_failures(session: Session, target: str, now: datetime) -> int:
    since = audit.format_ts(now - LOCKOUT_WINDOW)
    stmt = select(func.count()).where(
        AuditEntry.target == target,
        AuditEntry.action == "auth.login.failed",
        AuditEntry.ts >= since,
    )
    return int(session.scalar(stmt) or 0)


def _fail(session: Session, target: str, method: str, reason: str, now: datetime) -> None:
    """Record a failed login, commit it, and raise Unauthorized with a neutral message."""
    audit.record(
        session=session,
        actor=ANONYMOUS,
        action="auth.login.failed",
        target=target,
        outcome="deny",
        details={"method": method, "reason": reason},
        now=now,
    )
    session.commit()


def password_login(
    *, session: Session, email: str, password: str, now: datetime | None = None
) -> tuple[Principal, str]:
    """Check a staff password; return the principal and a new web-session token."""
    now = _now(now)
    try:
        address = normalise_email(email)
    except ValidationError:
        address = ""
    # Match the address case-insensitively: people type their own address in many ways.
    match = func.lower(StaffUser.email) == address.lower()
    user = session.scalar(select(StaffUser).where(match)) if address else None
    target = f"staff:{user.id}" if user else "staff:unknown"
    if user is not None and _recent_failures(session, target, now) >= MAX_FAILURES:
        _fail(session, target, "password", "locked", now)
        raise RateLimited("Too many failed sign-ins for this account; wait 15 minutes.")
    if not _password_matches(user, password):
        _fail(session, target, "password", "bad-credentials", now)
        raise Unauthorized("Wrong email or password.")
    assert user is not None and user.password_hash is not None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    principal = staff_principal(user)
    token = open_session(session=session, staff_id=user.id, now=now)
    audit.record(
        session=session,
        actor=principal,
        action="auth.login",
        target=target,
        details={"method": "password"},
        now=now,
    )
    return principal, token


def _password_matches(user: StaffUser | None, password: str) -> bool:
    usable = user is not None and user.active and user.password_hash
    stored = user.password_hash if usable and user and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    return stored is not _DUMMY_HASH


# --- web sessions ----------------------------------------------------------------------


def open_session(
    *,
    session: Session,
    staff_id: int | None = None,
    customer_id: int | None = None,
    now: datetime | None = None,
) -> str:
    """Create a web session and return its cookie token (shown once)."""
    token = "sws_" + secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=hash_token(token),
            kind="staff" if staff_id else "customer",
            staff_id=staff_id,
            customer_id=customer_id,
            created_at=_now(now),
            expires_at=_now(now) + timedelta(hours=SESSION_HOURS),
        )
    )
    session.flush()
    return token


def resolve_session(
    *, session: Session, token: str, now: datetime | None = None
) -> Principal | None:
    """Return the principal of a live, unrevoked session token, or None."""
    row = session.scalar(select(WebSession).where(WebSession.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or _as_utc(row.expires_at) <= _now(now):
        return None
    if row.staff_id is not None:
        user = session.get(StaffUser, row.staff_id)
        return staff_principal(user) if user is not None and user.active else None
    customer = session.get(Customer, row.customer_id) if row.customer_id else None
    return customer_principal(customer) if customer is not None else None


def sign_out(*, session: Session, token: str, actor: Principal) -> bool:
    """Revoke one session token; audited. Return False when it was not a live session."""
    stmt = (
        update(WebSession)
        .where(WebSession.token_hash == hash_token(token), WebSession.revoked_at.is_(None))
        .values(revoked_at=_now(None))
    )
    if _rowcount(session.execute(stmt)) == 0:
        return False
    audit.record(session=session, actor=actor, action="auth.logout", target=audit.actor_ref(actor))
    return True


def revoke_sessions(
    *, session: Session, staff_id: int | None = None, customer_id: int | None = None
) -> int:
    """Revoke every open session of a staff user or customer; return how many."""
    owner = WebSession.staff_id == staff_id if staff_id else WebSession.customer_id == customer_id
    stmt = (
        update(WebSession)
        .where(owner, WebSession.revoked_at.is_(None))
        .values(revoked_at=_now(None))
    )
    return _rowcount(session.execute(stmt))


# --- customer magic links --------------------------------------------------------------


def request_magic_link(
    *, session: Session, email: str, public_url: str, now: datetime | None = None
) -> str | None:
    """Queue a single-use sign-in link to a known customer; return the link (None if unknown).

    Callers must answer the same way in both cases, so the page reveals no addresses.
    """
    from sitrep.desk import mail

    now = _now(now)
    customer = session.scalar(select(Customer).where(Customer.email == normalise_email(email)))
    if customer is None:
        return None
    token = "sml_" + secrets.token_urlsafe(32)
    session.add(
        MagicLink(
            token_hash=hash_token(token),
            customer_id=customer.id,
            created_at=now,
            expires_at=now + timedelta(minutes=MAGIC_LINK_MINUTES),
        )
    )
    link = f"{public_url.rstrip('/')}/api/v1/signin/magic?token={token}"
    mail.TEMPLATES.setdefault("signin", SIGNIN_TEMPLATE)
    mail.queue_mail(
        session=session,
        to=customer.email,
        template="signin",
        link=link,
        minutes=str(MAGIC_LINK_MINUTES),
    )
    audit.record(
        session=session,
        actor=ANONYMOUS,
        action="auth.magic_link.sent",
        target=f"customer:{customer.id}",
        tenant=customer.org_id,
        now=now,
    )
    return link


#: The sign-in mail, registered with the desk's mail templates on first use.
SIGNIN_TEMPLATE = (
    "Your sign-in link",
    "Open this link within {minutes} minutes to see your requests:\n\n  {link}\n\n"
    "It works once. If you did not ask for it, ignore this mail.\n",
)


def redeem_magic_link(
    *, session: Session, token: str, now: datetime | None = None
) -> tuple[Principal, str]:
    """Use a magic link once; return the customer principal and a new web-session token."""
    now = _now(now)
    row = session.scalar(select(MagicLink).where(MagicLink.token_hash == hash_token(token)))
    # Mark it used with a conditional UPDATE, so two simultaneous clicks cannot both win.
    claimed = False
    if row is not None and _as_utc(row.expires_at) > now:
        used = update(MagicLink).where(MagicLink.id == row.id, MagicLink.used_at.is_(None))
        claimed = _rowcount(session.execute(used.values(used_at=now))) == 1
    customer = session.get(Customer, row.customer_id) if claimed and row else None
    if customer is None:
        target = f"customer:{row.customer_id}" if row else "customer:unknown"
        _fail(session, target, "magic-link", "invalid-used-or-expired", now)
        raise Unauthorized(
            "This sign-in link is not valid, was already used, or has expired.",
            fix="Ask for a new link on the sign-in page.",
        )
    principal = customer_principal(customer)
    session_token = open_session(session=session, customer_id=customer.id, now=now)
    audit.record(
        session=session,
        actor=principal,
        action="auth.login",
        target=f"customer:{customer.id}",
        details={"method": "magic-link"},
        now=now,
    )
    return principal, session_token
