"""The public "report a problem" channel: a report waits until its email is confirmed.

Nobody can file in someone else's name: the request is raised only when the link
mailed to the address is opened. Rate limits apply per email and per client address;
the address is kept only as HMAC(secret_key, day | address), so it cannot be read
back, and the salt changes daily so hashes cannot be linked across days.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sitrep.config import Settings
from sitrep.desk import mail
from sitrep.desk.auth import Principal
from sitrep.desk.models.identity import utcnow
from sitrep.desk.models.public_reports import PendingReport
from sitrep.desk.models.requests import Request
from sitrep.desk.services import servicedesk
from sitrep.desk.services.identity import get_or_create_customer, hash_token, normalise_email
from sitrep.desk.services.requests import RequestIn, raise_request
from sitrep.errors import NotFound, RateLimited, ValidationError

PER_EMAIL_PER_HOUR = 3
PER_ADDRESS_PER_HOUR = 10
LINK_VALID = timedelta(hours=24)
REPORT_TYPE = "Report a problem"


@dataclass
class PublicReportIn:
    """What the public page sends."""

    email: str
    summary: str
    description: str = ""
    app: str | None = None
    app_version: str | None = None
    host_product: str | None = None
    host_version: str | None = None


def address_hash(*, secret: str, address: str, now: datetime) -> str:
    """Return the stored form of a client address: HMAC with a salt that changes daily."""
    message = f"{now:%Y-%m-%d}|{address}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _check_rate(session: Session, column, value: str, limit: int, now: datetime, what: str) -> None:
    since = now - timedelta(hours=1)
    query = select(func.count(PendingReport.id)).where(
        column == value, PendingReport.created_at > since
    )
    if (session.scalar(query) or 0) >= limit:
        raise RateLimited(
            f"Too many reports from this {what} in the last hour.",
            fix="Try again in an hour, or write to the vendor's support address.",
        )


def submit_report(
    *,
    session: Session,
    settings: Settings,
    data: PublicReportIn,
    address: str,
    now: datetime | None = None,
) -> PendingReport:
    """Store a pending report and queue the confirmation mail; raise when rate-limited."""
    now = now or utcnow()
    email = normalise_email(data.email)
    if not data.summary.strip():
        raise ValidationError("summary: say in one line what went wrong.")
    if len(data.summary) > 255 or len(data.description) > 20000:
        raise ValidationError("summary is limited to 255 and description to 20000 characters.")
    addr = address_hash(secret=settings.require("secret_key"), address=address, now=now)
    purge_unconfirmed(session=session, now=now)
    _check_rate(session, PendingReport.email, email, PER_EMAIL_PER_HOUR, now, "email address")
    _check_rate(
        session, PendingReport.addr_hash, addr, PER_ADDRESS_PER_HOUR, now, "network address"
    )
    token = secrets.token_urlsafe(32)
    summary = data.summary.strip()
    fields = {
        "summary": summary,
        "description": data.description,
        "app": data.app,
        "appVersion": data.app_version,
        "hostProduct": data.host_product,
        "hostVersion": data.host_version,
    }
    report = PendingReport(
        token_hash=hash_token(token),
        email=email,
        addr_hash=addr,
        data={k: v for k, v in fields.items() if v},
        created_at=now,
        expires_at=now + LINK_VALID,
    )
    session.add(report)
    session.flush()
    link = f"{settings.public_url.rstrip('/')}/api/v1/public/reports/confirm/{token}"
    mail.queue_mail(session=session, to=email, template="confirm", summary=summary, link=link)
    return report


def purge_unconfirmed(*, session: Session, now: datetime) -> int:
    """Delete reports whose link expired unopened: their address and text must not linger."""
    result = session.execute(
        delete(PendingReport).where(
            PendingReport.request_id.is_(None), PendingReport.expires_at < now
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]  # DML results carry rowcount


def confirm_report(*, session: Session, token: str, now: datetime | None = None) -> Request:
    """Raise the request of a pending report; opening the link twice gives the same request."""
    now = now or utcnow()
    report = session.scalar(
        select(PendingReport).where(PendingReport.token_hash == hash_token(token))
    )
    expires = report.expires_at if report else None
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=now.tzinfo)
    if report is None or (report.request_id is None and expires is not None and expires <= now):
        raise NotFound(
            "This confirmation link is unknown or has expired.",
            fix="Report the problem again to get a new link.",
        )
    if report.request_id is not None:
        return session.get_one(Request, report.request_id)
    customer = get_or_create_customer(session=session, email=report.email)
    actor = Principal(
        kind="customer",
        id=customer.id,
        role="customer",
        email=customer.email,
        org_id=customer.org_id,
    )
    desk = servicedesk.ensure_default_desk(session=session)
    rtype = next(
        t
        for t in servicedesk.list_request_types(session=session, desk=desk)
        if t.name == REPORT_TYPE
    )
    data = RequestIn(
        desk=str(desk.id), request_type=str(rtype.id), fields=dict(report.data), channel="public"
    )
    request, _ = raise_request(session=session, actor=actor, data=data)
    report.request_id = request.id
    session.flush()
    return request
