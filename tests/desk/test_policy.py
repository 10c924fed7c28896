"""The policy: deny by default, decide() and visible() never disagree, invisible is 404,
and every API route declares the action it asks the policy about."""

from __future__ import annotations

import itertools

import pytest

from sitrep.desk import policy
from sitrep.desk.auth import ANONYMOUS, Principal


def _seed(client, people, desk_app, raise_ticket):
    """Five requests with different owners, orgs, assignees and escalation."""
    from sitrep.desk.db import transaction
    from sitrep.desk.models.requests import Participant, Request

    raise_ticket(client, people["acme"], email="alice@acme.example")  # SUP-1
    raise_ticket(client, people["acme"], email="bob@acme.example")  # SUP-2
    raise_ticket(client, people["globex"], email="carol@globex.example")  # SUP-3
    raise_ticket(client, people["sam"], email="alice@acme.example")  # SUP-4
    raise_ticket(client, people["sam"], email="dave@acme.example")  # SUP-5
    with transaction(desk_app.state.sessions) as session:
        rows = {r.key: r for r in session.query(Request)}
        rows["SUP-2"].shared_with_org = True
        rows["SUP-3"].escalated = True
        rows["SUP-4"].assignee_id = people["sub"].id
        session.add(Participant(request_id=rows["SUP-5"].id, customer_id=rows["SUP-1"].reporter_id))


def _principals(people, desk_app) -> dict[str, Principal]:
    from sitrep.desk.models.identity import Customer

    with desk_app.state.sessions() as session:
        alice = session.query(Customer).filter_by(email="alice@acme.example").one()
        carol = session.query(Customer).filter_by(email="carol@globex.example").one()
        customers = {
            "alice": Principal(kind="customer", id=alice.id, role="customer", org_id=alice.org_id),
            "carol": Principal(kind="customer", id=carol.id, role="customer", org_id=carol.org_id),
        }
    staff = {
        name: Principal(kind="staff", id=people[name].id, role=role, firm=firm)
        for name, role, firm in (
            ("root", "admin", None),
            ("sam", "support", None),
            ("dev", "development", None),
            ("sub", "subcontractor", "Partner Ltd"),
        )
    }
    inst = {
        name: Principal(
            kind="installation", id=people[name].id, role="installation", org_id=people[name].org_id
        )
        for name in ("acme", "globex")
    }
    return {**customers, **staff, **inst, "anonymous": ANONYMOUS}


EXPECTED = {
    "root": {"SUP-1", "SUP-2", "SUP-3", "SUP-4", "SUP-5"},
    "sam": {"SUP-1", "SUP-2", "SUP-3", "SUP-4", "SUP-5"},
    "dev": {"SUP-3"},
    "sub": {"SUP-4"},
    "acme": {"SUP-1", "SUP-2"},
    "globex": {"SUP-3"},
    "alice": {"SUP-1", "SUP-2", "SUP-4", "SUP-5"},
    "carol": {"SUP-3"},
    "anonymous": set(),
}


def test_decide_and_visible_agree_for_every_persona(client, people, desk_app, raise_ticket):
    from sqlalchemy import select

    from sitrep.desk.models.requests import Request
    from sitrep.desk.services.requests import participant_ids

    _seed(client, people, desk_app, raise_ticket)
    with desk_app.state.sessions() as session:
        requests = list(session.scalars(select(Request)))
        for name, who in _principals(people, desk_app).items():
            listed = set(session.scalars(select(Request.key).where(policy.visible(who))))
            decided = {
                r.key
                for r in requests
                if policy.decide(
                    who,
                    "request.view",
                    r,
                    participant_ids=participant_ids(session=session, request=r),
                ).allowed
            }
            assert listed == decided == EXPECTED[name], name


def test_invisible_requests_answer_404_and_visible_ones_200(client, people, desk_app, raise_ticket):
    _seed(client, people, desk_app, raise_ticket)
    for name, key in itertools.product(
        ("dev", "sub", "acme", "globex"), ("SUP-1", "SUP-3", "SUP-4")
    ):
        response = client.get(f"/rest/servicedeskapi/request/{key}", headers=people[name].headers)
        assert response.status_code == (200 if key in EXPECTED[name] else 404), (name, key)


def test_development_sees_escalated_tickets_without_contact_details(
    client, people, desk_app, raise_ticket
):
    _seed(client, people, desk_app, raise_ticket)
    reporter = client.get("/rest/servicedeskapi/request/SUP-3", headers=people["dev"].headers)
    assert "emailAddress" not in reporter.json()["reporter"]
    assert "carol" not in reporter.text
    queue = client.get("/api/v1/requests", headers=people["dev"].headers).json()
    assert [(r["key"], r["reporter"]) for r in queue["values"]] == [("SUP-3", None)]


def test_deny_is_the_default_for_unknown_actions_and_anonymous_callers():
    root = Principal(kind="staff", id=1, role="admin")
    assert policy.decide(root, "request.delete.everything") == policy.Decision(
        False, "unknown-action:request.delete.everything"
    )
    assert not policy.decide(ANONYMOUS, "request.view").allowed
    assert not policy.decide(Principal(kind="robot", id=1), "request.list").allowed
    assert policy.decide(ANONYMOUS, "public.report").allowed


def test_customers_comment_only_in_public_and_cannot_assign(client, people, desk_app, raise_ticket):
    _seed(client, people, desk_app, raise_ticket)
    alice = _principals(people, desk_app)["alice"]
    from sitrep.desk.models.requests import Request

    with desk_app.state.sessions() as session:
        own = session.query(Request).filter_by(key="SUP-1").one()
        assert policy.decide(alice, "request.comment.public", own).allowed
        assert not policy.decide(alice, "request.comment.internal", own).allowed
        assert not policy.decide(alice, "request.assign", own).allowed


def test_every_api_route_declares_a_known_policy_action(desk_app):
    operations = [
        (path, method, op)
        for path, item in desk_app.openapi()["paths"].items()
        if path.startswith(
            ("/rest/servicedeskapi", "/api/v1/requests", "/api/v1/attachments", "/api/v1/public")
        )
        for method, op in item.items()
    ]
    assert len(operations) >= 25
    missing = [(p, m) for p, m, op in operations if op.get("x-sitrep-action") not in policy.ACTIONS]
    assert missing == []


def test_declaring_an_unknown_action_fails_at_import_time():
    with pytest.raises(ValueError, match="undeclared"):
        policy.route_action("request.teleport")


@pytest.mark.parametrize(
    "path", ["/api/v1/requests", "/api/v1/requests/SUP-1", "/api/v1/requests/SUP-1/attachments"]
)
def test_native_staff_routes_refuse_installation_tokens(client, people, path, raise_ticket):
    raise_ticket(client, people["acme"])
    response = client.get(path, headers=people["acme"].headers)
    assert response.status_code == 403
    assert client.get(path).status_code == 401
