"""The authorization matrix over HTTP: personas x actions x ticket states, against a live desk.

One world per database (a real uvicorn on 127.0.0.1, real tokens and session cookies):
tickets owned by two customers, assigned to subcontractors with valid, expired, revoked and
about-to-end agreements, one unassigned, one escalated. Every case is one real HTTP call whose
expected status comes from the readable tables below, not from the policy module itself.
"""

from __future__ import annotations

import base64
import itertools
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import time_machine

#: Tickets: (name, reporter, assignee, escalated). Reporter "carol" is another customer.
TICKETS = [
    ("mine", "alice", "sub", False),  # alice's, assigned to the bound subcontractor
    ("unassigned", "alice", None, False),
    ("expired", "alice", "exsub", False),
    ("revoked", "alice", "revsub", False),
    ("edge", "alice", "endsub", False),  # its subcontractor's agreement ends at EDGE
    ("other", "carol", None, True),  # another customer's, escalated to development
]
STAFF = {"root", "sam", "dev", "sub", "exsub", "revsub", "endsub"}

#: Who can see which ticket (before the edge second). Everyone else gets 404.
SEES = {
    "root": {t[0] for t in TICKETS},
    "sam": {t[0] for t in TICKETS},
    "dev": {"other"},
    "sub": {"mine"},
    "exsub": set(),
    "revsub": set(),
    "endsub": {"edge"},
    "alice": {"mine", "unassigned", "expired", "revoked", "edge"},
    "carol": {"other"},
    "inst": {"mine", "unassigned", "expired", "revoked", "edge"},  # Acme's installation
}


@dataclass(frozen=True)
class Action:
    """One HTTP call on a ticket; ``who`` may do it once the ticket is visible."""

    name: str
    method: str
    path: str
    who: frozenset[str]
    ok: int = 200
    staff_only: bool = False  # a native route: non-staff callers get 403 before anything
    body: dict | None = None


EVERYONE = frozenset(SEES)
STAFFERS = frozenset(STAFF)
ACTIONS = [
    Action("jsm.view", "GET", "/rest/servicedeskapi/request/{key}", EVERYONE),
    Action("jsm.status", "GET", "/rest/servicedeskapi/request/{key}/status", EVERYONE),
    Action("jsm.comments", "GET", "/rest/servicedeskapi/request/{key}/comment", EVERYONE),
    Action("jsm.comment", "GET", "/rest/servicedeskapi/request/{key}/comment/{comment}", EVERYONE),
    Action("jsm.participants", "GET", "/rest/servicedeskapi/request/{key}/participant", EVERYONE),
    Action(
        "jsm.comment.add",
        "POST",
        "/rest/servicedeskapi/request/{key}/comment",
        EVERYONE,
        ok=201,
        body={"body": "matrix", "public": True},
    ),
    Action("jsm.attachments", "GET", "/rest/servicedeskapi/request/{key}/attachment", STAFFERS),
    Action("access.log", "GET", "/api/v1/requests/{key}/access-log", EVERYONE),
    Action("native.view", "GET", "/api/v1/requests/{key}", STAFFERS, staff_only=True),
    Action(
        "native.attachments",
        "GET",
        "/api/v1/requests/{key}/attachments",
        STAFFERS,
        staff_only=True,
    ),
    Action(
        "native.download",
        "GET",
        "/api/v1/attachments/{attachment}/content?justification=Matrix+case+for+{key}",
        STAFFERS,
        staff_only=True,
    ),
    Action(
        "native.comment",
        "POST",
        "/api/v1/requests/{key}/comments",
        STAFFERS,
        ok=201,
        staff_only=True,
        body={"body": "internal note"},
    ),
    Action(
        "native.assign",
        "POST",
        "/api/v1/requests/{key}/assign",
        frozenset({"root", "sam"}),
        staff_only=True,
        body={},
    ),
]
#: Callers that never get past authentication.
LOCKED_OUT = {"anonymous": 401, "stolen": 401}

#: Routes without a ticket: (name, method, path, status per persona, default status).
GLOBAL = [
    ("health", "GET", "/healthz", {}, 200),
    ("telemetry.allowlist", "GET", "/api/v1/telemetry/allowlists/none", {}, 404),
    ("desk.info", "GET", "/rest/servicedeskapi/info", {"stolen": 401}, 200),
    ("audit.checkpoint", "GET", "/api/v1/audit/checkpoint", {"stolen": 401}, 200),
    (
        "telemetry.usage",
        "GET",
        "/api/v1/telemetry/usage?app=acme-reports",
        {"root": 200, "sam": 200, "dev": 200, "anonymous": 401, "stolen": 401},
        403,
    ),
    (
        "audit.entries",
        "GET",
        "/api/v1/audit/entries",
        {"root": 200, "anonymous": 401, "stolen": 401},
        403,
    ),
    (
        "agreements",
        "GET",
        "/api/v1/agreements",
        {"root": 200, "sam": 200, "anonymous": 401, "stolen": 401},
        403,
    ),
    (
        "queue",
        "GET",
        "/api/v1/requests",
        {**dict.fromkeys(STAFF - {"exsub", "revsub"}, 200), "anonymous": 401, "stolen": 401},
        403,
    ),
]


def expected(persona: str, action: Action, ticket: str) -> int:
    """Read the expected status off the tables above."""
    if persona in LOCKED_OUT:
        return LOCKED_OUT[persona]
    if action.staff_only and persona not in STAFF:
        return 403
    if ticket not in SEES[persona]:
        return 404
    return action.ok if persona in action.who else 403


@dataclass
class World:
    """The live desk and what the cases need: credentials and ids."""

    url: str
    edge: datetime
    auth: dict[str, dict] = field(default_factory=dict)  # persona -> httpx kwargs
    keys: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    attachments: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)


def _database(kind: str, tmp: Path, templates: dict[str, str]):
    """Yield a fresh migrated database URL (a module-wide copy of the session template)."""
    import shutil
    import uuid

    from tests.conftest import PG_SKIP_REASON, _pg_admin, _pg_url_for

    if kind == "sqlite":
        shutil.copyfile(templates["sqlite"], tmp / "matrix.db")
        return f"sqlite:///{tmp / 'matrix.db'}", None
    if PG_SKIP_REASON:
        pytest.skip(PG_SKIP_REASON)
    name = f"sitrep_m_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{templates["postgres"]}"')
    return _pg_url_for(name), name


def _people(session, edge: datetime) -> dict[str, dict]:
    """Create staff, agreements, the installation and customers; return credentials."""
    from sitrep.desk.auth import OPERATOR
    from sitrep.desk.services import identity
    from sitrep.desk.services.agreements import AgreementIn, add_agreement, revoke_agreements

    now, year = datetime.now(UTC), timedelta(days=365)
    for firm, start, end in (
        ("Partner", now - year, now + year),
        ("Gone", now - 2 * year, now - year),
        ("Pulled", now - year, now + year),
        ("Edge", now - year, edge),
    ):
        data = AgreementIn(firm, start, end, signed_at=now - 2 * year)
        add_agreement(session=session, data=data, actor=OPERATOR)
    revoke_agreements(session=session, firm="Pulled", actor=OPERATOR)
    roles = {
        "root": ("admin", None),
        "sam": ("support", None),
        "dev": ("development", None),
        "sub": ("subcontractor", "Partner"),
        "exsub": ("subcontractor", "Gone"),
        "revsub": ("subcontractor", "Pulled"),
        "endsub": ("subcontractor", "Edge"),
        "thief": ("support", None),
    }
    auth = {}
    for name, (role, firm) in roles.items():
        _, token = identity.add_staff(
            session=session, email=f"{name}@vendor.example", role=role, firm=firm
        )
        auth[name] = {"headers": {"Authorization": f"Bearer {token}"}}
    _, token = identity.add_installation(session=session, org_name="Acme", app="acme-reports")
    auth["inst"] = {"headers": {"Authorization": f"Bearer {token}"}}
    auth["anonymous"] = {}
    return auth


def _customers(session, auth: dict[str, dict]) -> None:
    from sitrep.desk.models.identity import Customer
    from sitrep.desk.services.signin import open_session

    for name in ("alice", "carol"):
        customer = session.query(Customer).filter_by(email=f"{name}@{name}.example").one()
        cookie = open_session(session=session, customer_id=customer.id)
        auth[name] = {"headers": {"Cookie": f"sitrep_session={cookie}"}}


def _tickets(world: World, tmp: Path) -> None:
    from atlassian import ServiceDesk

    log = tmp / "server.log"
    log.write_text("2026-06-01 ERROR export failed\n")
    sam = world.auth["sam"]
    for name, reporter, assignee, _ in TICKETS:
        body = {
            "serviceDeskId": "1",
            "requestTypeId": "1",
            "requestFieldValues": {"summary": f"Ticket {name}", "description": "d"},
            "raiseOnBehalfOf": f"{reporter}@{reporter}.example",
        }
        raiser = world.auth["inst"] if reporter == "alice" else sam  # alice is Acme's user
        made = httpx.post(f"{world.url}/rest/servicedeskapi/request", json=body, **raiser)
        assert made.status_code == 201, made.text
        key = world.keys[name] = made.json()["issueKey"]
        if assignee:
            r = httpx.post(
                f"{world.url}/api/v1/requests/{key}/assign",
                json={"assignee": f"{assignee}@vendor.example"},
                **sam,
            )
            assert r.status_code == 200, r.text
        comment = httpx.post(
            f"{world.url}/rest/servicedeskapi/request/{key}/comment",
            json={"body": "public words", "public": True},
            **sam,
        )
        world.comments[name] = str(comment.json()["id"])
        token = sam["headers"]["Authorization"].split()[1]
        desk = ServiceDesk(url=world.url, token=token)
        desk.add_attachment(key, desk.attach_temporary_file("1", str(log)))
        listed = httpx.get(f"{world.url}/api/v1/requests/{key}/attachments", **sam).json()
        world.attachments[name] = listed["values"][0]["id"]
    _escalate(world)


def _escalate(world: World) -> None:
    from sqlalchemy import update

    from sitrep.desk.db import transaction
    from sitrep.desk.models.requests import Request

    escalated = [world.keys[n] for n, _, _, e in TICKETS if e]
    with transaction(world.sessions) as session:  # type: ignore[attr-defined]
        session.execute(update(Request).where(Request.key.in_(escalated)).values(escalated=True))


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(request, tmp_path_factory, _templates):
    from tests.conftest import LiveServer, _drop_pg

    from sitrep.config import load_settings
    from sitrep.desk.app import create_app
    from sitrep.desk.db import transaction
    from sitrep.desk.seed import seed_defaults

    tmp = tmp_path_factory.mktemp(f"matrix-{request.param}")
    url, pg_name = _database(request.param, tmp, _templates)
    settings = load_settings(
        database_url=url,
        data_dir=tmp / "data",
        secret_key="k",
        smtp_url="console://",
        master_key=base64.b64encode(os.urandom(32)).decode(),  # a generated key, as in demos
    )
    app = create_app(settings, run_jobs=False)
    edge = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    with transaction(app.state.sessions) as session:
        seed_defaults(session)
        auth = _people(session, edge)
    try:
        with LiveServer(app) as server:
            w = World(url=server.url, edge=edge, auth=auth)
            w.sessions = app.state.sessions  # type: ignore[attr-defined]
            _tickets(w, tmp)
            with transaction(app.state.sessions) as session:
                _customers(session, w.auth)
            _steal(w)
            with httpx.Client(base_url=server.url, timeout=30) as w.http:  # type: ignore[attr-defined]
                yield w
    finally:
        app.state.engine.dispose()
        if pg_name:
            _drop_pg([pg_name])


def _steal(world: World) -> None:
    """The thief's token worked, then an admin revoked it: it must stop working at once."""
    thief = world.auth.pop("thief")
    assert httpx.get(f"{world.url}/api/v1/requests", **thief).status_code == 200
    from sqlalchemy import select

    from sitrep.desk.models.identity import ApiToken

    me = httpx.get(f"{world.url}/api/v1/signin/me", **thief).json()
    with world.sessions() as session:  # type: ignore[attr-defined]
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.staff_id == me["id"]))
    revoked = httpx.post(f"{world.url}/api/v1/tokens/{token_id}/revoke", **world.auth["root"])
    assert revoked.status_code == 204, revoked.text
    world.auth["stolen"] = thief


def _call(world: World, action: Action, ticket: str, persona: str) -> httpx.Response:
    fill = {
        "key": world.keys[ticket],
        "comment": world.comments[ticket],
        "attachment": world.attachments[ticket],
    }
    path = action.path.format(**fill)
    kwargs = dict(world.auth[persona])
    if action.body is not None:
        kwargs["json"] = dict(action.body)
    if action.name == "native.assign":  # re-assign to the same person: the world stays as is
        assignee = next(a for t, _, a, _ in TICKETS if t == ticket)
        kwargs["json"] = {"assignee": f"{assignee}@vendor.example" if assignee else None}
    return world.http.request(action.method, path, **kwargs)


PERSONAS = [*SEES, *LOCKED_OUT]
CASES = [
    pytest.param(p, a, t, id=f"{p}-{a.name}-{t}")
    for p, a, (t, *_) in itertools.product(PERSONAS, ACTIONS, TICKETS)
]


@pytest.mark.parametrize(("persona", "action", "ticket"), CASES)
def test_matrix(world, persona, action, ticket):
    response = _call(world, action, ticket, persona)
    assert response.status_code == expected(persona, action, ticket), response.text[:300]
    if response.status_code >= 400:
        assert set(response.json()) >= {"errorMessage"}, response.text[:300]
        assert "public words" not in response.text and "export failed" not in response.text


@pytest.mark.parametrize(
    ("name", "method", "path", "special", "default"),
    [pytest.param(*g, id=g[0]) for g in GLOBAL],
)
@pytest.mark.parametrize("persona", PERSONAS)
def test_routes_without_a_ticket(world, persona, name, method, path, special, default):
    response = world.http.request(method, path, **world.auth[persona])
    assert response.status_code == special.get(persona, default), response.text[:300]


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_hold_exactly_what_the_persona_may_see(world, persona):
    response = httpx.get(
        f"{world.url}/rest/servicedeskapi/request?limit=100", **world.auth[persona]
    )
    if persona in LOCKED_OUT:
        assert response.status_code == 401
        return
    if persona in ("exsub", "revsub"):  # no valid agreement: refused, not an empty list
        assert response.status_code == 403
        return
    listed = {v["issueKey"] for v in response.json()["values"]}
    assert listed == {world.keys[t] for t in SEES[persona]}


@pytest.mark.parametrize("via", ["jsm", "native", "comment", "participants"])
def test_development_never_gets_contact_fields(world, via):
    key = world.keys["other"]
    paths = {
        "jsm": f"/rest/servicedeskapi/request/{key}",
        "native": f"/api/v1/requests/{key}",
        "comment": f"/rest/servicedeskapi/request/{key}/comment",
        "participants": f"/rest/servicedeskapi/request/{key}/participant",
    }
    seen_by_dev = world.http.get(paths[via], **world.auth["dev"])
    seen_by_sam = world.http.get(paths[via], **world.auth["sam"])
    assert seen_by_dev.status_code == seen_by_sam.status_code == 200
    assert "carol" not in seen_by_dev.text.lower()  # neither her address nor her name
    if via in ("jsm", "native"):
        assert "carol@carol.example" in seen_by_sam.text  # the field exists; dev lacks it


@pytest.mark.parametrize(
    ("offset", "status"), [(-2, 200), (0, 404), (1, 404)], ids=["before", "exact", "after"]
)
@pytest.mark.parametrize("via", ["jsm.view", "native.download", "jsm.comments"])
def test_access_ends_the_second_the_agreement_lapses(world, offset, status, via):
    action = next(a for a in ACTIONS if a.name == via)
    with time_machine.travel(world.edge + timedelta(seconds=offset), tick=True):
        response = _call(world, action, "edge", "endsub")
    assert response.status_code == status, response.text[:300]
