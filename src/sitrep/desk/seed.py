"""Seed data: the default desk every database gets, and the demo's people and tickets."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from sitrep.config import Settings
from sitrep.desk.auth import Principal
from sitrep.desk.models.identity import ApiToken, Installation, StaffUser
from sitrep.desk.services import activity, servicedesk
from sitrep.desk.services.identity import add_staff, get_or_create_org, hash_token
from sitrep.desk.services.requests import RequestIn, find_request, raise_request

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


DEMO_SPEC = """\
apiVersion: troubleshoot.sh/v1beta2
kind: SupportBundle
metadata:
  name: demo
spec:
  hostCollectors:
    - hostOS: {}
    - cpu: {}
    - memory: {}
    - copy:
        collectorName: logs
        path: "{logs}/*.log"
  hostAnalyzers:
    - textAnalyze:
        checkName: Export timeouts
        fileName: "logs/*"
        regex: "export timed out"
        outcomes:
          - warn:
              when: "true"
              message: PDF exports time out; see the renderer's time limit.
          - pass:
              when: "false"
              message: No export timeouts.
"""

DEMO_LOG = (
    "2026-11-29 09:12:01 INFO  export started by alice@acme.example\n"
    "2026-11-29 09:12:31 ERROR export timed out after 30s (renderer pid 4411)\n"
    "2026-11-29 09:12:31 DEBUG db connect password=hunter2 host=db.acme.internal\n"
)


def attach_demo_bundle(session: Session, *, settings: Settings, ticket: str, work: Path) -> str:
    """Collect a real (redacted) bundle from a small demo spec and attach it to ``ticket``.

    The bundle goes through the same validation as an upload, as the installation that
    raised the ticket. Returns the bundle's file name.
    """
    from sitrep.bundle import CollectOptions, collect
    from sitrep.bundle.spec import load_spec
    from sitrep.desk.services.uploads import store_temporary_file

    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "app.log").write_text(DEMO_LOG)
    spec_path = work / "demo-spec.yaml"
    spec_path.write_text(DEMO_SPEC.replace("{logs}", str(logs)))
    out = work / f"{ticket}-support.zip"
    out.unlink(missing_ok=True)
    collect(load_spec(spec_path), out, CollectOptions())
    request = find_request(session=session, ref=ticket)
    actor = Principal(
        kind="installation", id=request.installation_id, role="installation", org_id=request.org_id
    )
    temp = store_temporary_file(
        session=session, settings=settings, principal=actor, path=out, filename=out.name
    )
    activity.attach_files(
        session=session,
        actor=actor,
        request=request,
        temp_ids=[temp.id],
        public=True,
        comment="Support bundle collected by sitrep",
        settings=settings,
    )
    return out.name
