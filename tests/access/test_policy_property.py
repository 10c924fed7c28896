"""Property: ``decide()`` and ``visible()`` never disagree, on a real database.

Hypothesis draws tickets (owners, organisations, installations, assignees, escalation,
sharing, participants), the subcontractors' agreements (signed, valid from/until, revoked,
all within seconds of the decision) and the moment of the decision; for every persona the
SQL filter must list exactly the tickets ``decide`` allows, to the second.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from sitrep.desk import policy
from sitrep.desk.auth import ANONYMOUS, Principal
from sitrep.desk.models.access import Agreement
from sitrep.desk.models.requests import Participant, Request
from sitrep.desk.models.servicedesk import RequestType, ServiceDesk
from sitrep.desk.services.agreements import agreement_is_valid

BASE = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
ACTIONS = ("request.view", "attachment.download", "request.comment.internal", "request.assign")
_keys = itertools.count(1)


@dataclass
class World:
    """The fixed cast: organisations, customers, installations and staff (ids)."""

    desk_id: int
    type_id: int
    orgs: list[int]
    customers: list[tuple[int, int]]  # (id, org id)
    installations: list[tuple[int, int]]
    staff: dict[str, Principal]


def _build_world(sessions) -> World:
    from sitrep.desk.db import transaction
    from sitrep.desk.seed import seed_defaults
    from sitrep.desk.services import identity

    with transaction(sessions) as s:
        seed_defaults(s)
        desk = s.scalars(select(ServiceDesk)).first()
        rtype = s.scalars(select(RequestType).where(RequestType.desk_id == desk.id)).first()
        acme, globex = (identity.get_or_create_org(session=s, name=n) for n in ("Acme", "Globex"))
        s.flush()
        customers = [
            identity.get_or_create_customer(session=s, email=e, org_id=o.id)
            for e, o in (
                ("a@acme.example", acme),
                ("b@acme.example", acme),
                ("c@g.example", globex),
            )
        ]
        installs = [
            identity.add_installation(session=s, org_name=n, app="x")[0] for n in ("Acme", "Globex")
        ]
        staff = {}
        for name, role, firm in (
            ("root", "admin", None),
            ("sam", "support", None),
            ("dev", "development", None),
            ("sub", "subcontractor", "Partner"),
            ("sub2", "subcontractor", "Partner"),
            ("exsub", "subcontractor", "Gone"),
        ):
            user, _ = identity.add_staff(session=s, email=f"{name}@v.example", role=role, firm=firm)
            staff[name] = Principal(kind="staff", id=user.id, role=role, firm=firm)
        s.flush()
        return World(
            desk.id,
            rtype.id,
            [acme.id, globex.id],
            [(c.id, c.org_id) for c in customers],
            [(i.id, i.org_id) for i in installs],
            staff,
        )


def _personas(world: World) -> list[Principal]:
    customers = [
        Principal(kind="customer", id=c, role="customer", org_id=o) for c, o in world.customers
    ]
    installs = [
        Principal(kind="installation", id=i, role="installation", org_id=o)
        for i, o in world.installations
    ]
    orgless = Principal(kind="customer", id=world.customers[0][0], role="customer")
    robot = Principal(kind="robot", id=1, role="robot")
    return [*world.staff.values(), *customers, *installs, orgless, robot, ANONYMOUS]


seconds = st.integers(-3, 3)
agreements = st.lists(
    st.tuples(
        st.sampled_from(["Partner", "Partner", "Gone"]),
        st.integers(-3, 1),  # valid_from
        st.integers(-1, 3),  # valid_until, mostly after valid_from
        st.none() | seconds,  # revoked_at
        st.sampled_from([-5, -5, None]) | seconds,  # signed_at
    ),
    max_size=3,
)
tickets = st.lists(
    st.tuples(
        st.integers(0, 2),  # reporter
        st.none() | st.integers(0, 1),  # installation
        st.booleans(),  # shared with the organisation
        st.sampled_from([None, "sub", "sub", "sub2", "exsub", "sam"]),  # assignee
        st.booleans(),  # escalated
        st.sets(st.integers(0, 2), max_size=2),  # participants
    ),
    min_size=1,
    max_size=4,
)


def _at(offset: int | None) -> datetime | None:
    return None if offset is None else BASE + timedelta(seconds=offset)


def _insert(session, world: World, agreement_rows, ticket_rows) -> list[tuple[Request, set[int]]]:
    for firm, start, end, revoked, signed in agreement_rows:
        session.add(
            Agreement(
                firm=firm,
                valid_from=_at(start),
                valid_until=_at(end),
                revoked_at=_at(revoked),
                signed_at=_at(signed),
            )
        )
    made = []
    for reporter, inst, shared, assignee, escalated, parts in ticket_rows:
        customer_id, org_id = world.customers[reporter]
        number = next(_keys)
        row = Request(
            desk_id=world.desk_id,
            request_type_id=world.type_id,
            number=number,
            key=f"P-{number}",
            summary="s",
            status="Waiting for support",
            reporter_id=customer_id,
            org_id=org_id,
            installation_id=None if inst is None else world.installations[inst][0],
            shared_with_org=shared,
            assignee_id=None if assignee is None else world.staff[assignee].id,
            escalated=escalated,
        )
        session.add(row)
        session.flush()
        ids = {world.customers[p][0] for p in parts}
        session.add_all(Participant(request_id=row.id, customer_id=c) for c in ids)
        made.append((row, ids))
    session.flush()
    return made


def _agree(session, who: Principal, made, now: datetime) -> None:
    """Assert that ``visible`` lists exactly what ``decide`` allows ``who`` at ``now``."""
    ids = [r.id for r, _ in made]
    clause = policy.visible(who, now)
    listed = set(session.scalars(select(Request.key).where(Request.id.in_(ids), clause)))
    for row, parts in made:
        seen = policy.decide(who, "request.view", row, now, participant_ids=parts)
        assert seen.allowed == (row.key in listed), (who, row.key, seen.rule)
        for action in ACTIONS:
            allowed = policy.decide(who, action, row, now, participant_ids=parts).allowed
            assert not allowed or row.key in listed, (who, action, row.key)
    if who.role == "subcontractor":  # An oracle independent of the SQL: the rows themselves.
        rows = session.scalars(select(Agreement).where(Agreement.firm == who.firm))
        bound = any(agreement_is_valid(a, now) for a in rows)
        mine = {r.key for r, _ in made if r.assignee_id == who.id}
        assert listed == (mine if bound else set()), (who.firm, now)


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_decide_and_visible_never_disagree(database_url):
    from sitrep.desk.db import make_engine, make_sessionmaker

    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    world = _build_world(sessions)
    personas = _personas(world)

    @settings(
        max_examples=100 if database_url.startswith("sqlite") else 40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(agreements, tickets, st.data())
    def check(agreement_rows, ticket_rows, data):
        # The moment is often exactly on, or a second before, an agreement's boundary.
        edges = {o + d for row in agreement_rows for o in row[1:] if o is not None for d in (-1, 0)}
        now_offset = data.draw(st.sampled_from(sorted(edges)) if edges else st.integers(-4, 4))
        now = BASE + timedelta(seconds=now_offset)
        with sessions() as session:
            made = _insert(session, world, agreement_rows, ticket_rows)
            for who in personas:
                _agree(session, who, made, now)
            session.rollback()

    try:
        check()
    finally:
        engine.dispose()


def test_a_subcontractor_loses_an_assigned_ticket_the_second_the_agreement_ends(database_url):
    from sitrep.desk.db import make_engine, make_sessionmaker

    engine = make_engine(database_url)
    world = _build_world(make_sessionmaker(engine))
    sub = world.staff["sub"]
    with make_sessionmaker(engine)() as session:
        ((row, parts),) = _insert(
            session,
            world,
            [("Partner", -10, 0, None, -10)],
            [(0, None, False, "sub", False, set())],
        )
        before, at = BASE - timedelta(seconds=1), BASE
        for now, expected in ((before, True), (at, False)):
            listed = session.scalars(select(Request.key).where(policy.visible(sub, now))).all()
            assert (row.key in listed) is expected
            assert policy.decide(sub, "request.view", row, now).allowed is expected
        session.rollback()
    engine.dispose()
