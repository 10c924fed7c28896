"""Seed data: the default desk every database gets, and the demo's people and tickets."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from sitrep.desk.auth import Principal
from sitrep.desk.models.identity import ApiToken, Installation, StaffUser
from sitrep.desk.services import activity, servicedesk
from sitrep.desk.services.identity import add_staff, get_or_create_org, hash_token
from sitrep.desk.services.requests import RequestIn, raise_request

DEMO_ORG = "Acme Corp"
DEMO_STAFF = (
    ("root@vendor.example", "admin", None),
    ("sam@vendor.example", "support", None),
    ("dev@vendor.example", "development", None),
    ("sub@partner.example", "subcontractor", "Partner Ltd"),
)
DEMO_TICKETS = (
    (
        "alice@acme.example",
        "Export to PDF fails with a timeout",
        "Since 2.3 every PDF export of more than 50 pages stops after 30 seconds.",
    ),
    ("bob@acme.example", "How do I move the app's data to a new server?", "We migrate in May."),
    ("alice@acme.example", "Dashboard loads slowly", "Takes 20 seconds on Monday mornings."),
)


@dataclass
class DemoData:
    """What ``seed_demo`` made: tokens to print (shown once) and the tickets' keys."""

    staff_tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # email -> (role, token)
    installation_token: str = ""
    tickets: list[str] = field(default_factory=list)
    bundle_ticket: str | None = None


def seed_defaults(session: Session) -> None:
    """Create the default desk ``SUP`` with its request types where missing."""
    servicedesk.ensure_default_desk(session=session)


def _token(session: Session, **owner: int) -> str:
    """Issue a fresh token for an existing owner (a demo run prints new tokens each time)."""
    kind = "staff" if "staff_id" in owner else "installation"
    token = ("sst_" if kind == "staff" else "sit_") + secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=hash_token(token), kind=kind, **owner))
    session.flush()
    return token


def _staff(session: Session, data: DemoData) -> None:
    for email, role, firm in DEMO_STAFF:
        user = session.scalar(select(StaffUser).where(StaffUser.email == email))
        if user is None:
            user, token = add_staff(session=session, email=email, role=role, firm=firm)
        else:
            token = _token(session, staff_id=user.id)
        data.staff_tokens[email] = (role, token)


def _installation(session: Session) -> tuple[Installation, str]:
    org = get_or_create_org(session=session, name=DEMO_ORG)
    inst = session.scalar(select(Installation).where(Installation.org_id == org.id))
    if inst is None:
        inst = Installation(org_id=org.id, app="acme-reports")
        session.add(inst)
        session.flush()
    return inst, _token(session, installation_id=inst.id)


def seed_demo(session: Session) -> DemoData:
    """Seed staff, a customer organization with an installation and a few tickets.

    Running it again keeps the data and issues new tokens (the old ones stay valid).
    """
    data = DemoData()
    desk = servicedesk.ensure_default_desk(session=session)
    _staff(session, data)
    inst, data.installation_token = _installation(session)
    if desk.last_number > 0:
        return data  # tickets were seeded by an earlier run
    actor = Principal(kind="installation", id=inst.id, role="installation", org_id=inst.org_id)
    report_type = servicedesk.list_request_types(session=session, desk=desk)[0]
    for email, summary, description in DEMO_TICKETS:
        fields = {
            "summary": summary,
            "description": description,
            "appVersion": "2.3.1",
            "hostProduct": "Jira",
            "hostVersion": "9.12.4",
        }
        request, _ = raise_request(
            session=session,
            actor=actor,
            data=RequestIn(
                desk=desk.key,
                request_type=str(report_type.id),
                fields=fields,
                on_behalf_of=email,
                channel="installation",
            ),
        )
        data.tickets.append(request.key)
    sam = session.scalar(select(StaffUser).where(StaffUser.email == "sam@vendor.example"))
    staff = Principal(kind="staff", id=sam.id if sam else None, role="support")
    first, *_ = data.tickets
    from sitrep.desk.services.requests import find_request

    ticket = find_request(session=session, ref=first)
    activity.add_comment(
        session=session,
        actor=staff,
        request=ticket,
        public=True,
        body="Thanks, we are looking at the export timeout.",
    )
    activity.add_comment(
        session=session,
        actor=staff,
        request=ticket,
        public=False,
        body="Internal: probably the renderer's 30 s limit.",
    )
    return data


def attach_demo_bundle(session: Session, *, settings, ticket: str, bundle: Path) -> None:
    """Store ``bundle`` as a blob and attach it (internal) to ``ticket``."""
    from sitrep.desk.models.requests import Attachment
    from sitrep.desk.services.requests import find_request
    from sitrep.desk.storage import blobstore_from_settings, sha256_file

    request = find_request(session=session, ref=ticket)
    digest = sha256_file(bundle)
    key = blobstore_from_settings(settings).put_file(bundle)
    session.add(
        Attachment(
            request_id=request.id,
            filename=bundle.name,
            size=bundle.stat().st_size,
            sha256=digest,
            blob_key=key,
            content_type="application/zip",
            is_bundle=True,
            manifest=None,
            public=True,
            added_by="installation:0",
        )
    )
    session.flush()
