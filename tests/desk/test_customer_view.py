"""The same JSM calls as a signed-in customer (web-session cookie from a magic link): they
see their own and shared requests, never internal comments, and may comment only publicly."""

from __future__ import annotations

import pytest
from atlassian import ServiceDesk
from requests import HTTPError


def customer_client(live_desk, desk_app, email: str) -> ServiceDesk:
    """Return an atlassian-python-api client carrying a real customer session cookie."""
    from sitrep.desk.auth import SESSION_COOKIE
    from sitrep.desk.db import transaction
    from sitrep.desk.models.identity import Customer
    from sitrep.desk.services.signin import open_session

    with transaction(desk_app.state.sessions) as session:
        customer = session.query(Customer).filter_by(email=email).one()
        cookie = open_session(session=session, customer_id=customer.id)
    sd = ServiceDesk(url=live_desk.url)
    sd._session.cookies.set(SESSION_COOKIE, cookie)  # what the browser holds after sign-in
    return sd


@pytest.fixture
def tickets(live_desk, people):
    agent = ServiceDesk(url=live_desk.url, token=people["sam"].token)
    own = agent.create_customer_request(
        "1", "1", {"summary": "Alice's problem"}, raise_on_behalf_of="alice@acme.example"
    )["issueKey"]
    other = agent.create_customer_request(
        "1", "1", {"summary": "Carol's problem"}, raise_on_behalf_of="carol@globex.example"
    )["issueKey"]
    agent.create_request_comment(own, "We are looking into it")
    agent.create_request_comment(own, "Internal: suspect the renderer", public=False)
    return agent, own, other


def test_a_customer_sees_only_their_own_requests(live_desk, desk_app, tickets):
    _, own, other = tickets
    alice = customer_client(live_desk, desk_app, "alice@acme.example")
    assert [r["issueKey"] for r in alice.get_my_customer_requests()] == [own]
    assert alice.get_customer_request(own)["reporter"]["emailAddress"] == "alice@acme.example"
    with pytest.raises(HTTPError, match="does not exist or is not visible"):
        alice.get_customer_request(other)


def test_a_customer_never_sees_internal_comments_and_comments_publicly(
    live_desk, desk_app, tickets
):
    agent, own, _ = tickets
    alice = customer_client(live_desk, desk_app, "alice@acme.example")
    assert [c["body"] for c in alice.get_request_comments(own)] == ["We are looking into it"]
    made = alice.create_request_comment(own, "It happens on every export", public=False)
    assert made["public"] is True  # customers' comments are always public
    assert [c["body"] for c in agent.get_request_comments(own)][-1] == "It happens on every export"


def test_a_customer_may_resolve_but_not_start_progress(live_desk, desk_app, tickets):
    _, own, _ = tickets
    alice = customer_client(live_desk, desk_app, "alice@acme.example")
    names = {t["name"]: t["id"] for t in alice.get_customer_transitions(own)["values"]}
    assert names == {"Resolve this issue": "51"}
    with pytest.raises(HTTPError, match="not available"):
        alice.perform_transition(own, "11")
    alice.perform_transition(own, "51")
    assert alice.get_customer_request_status(own) == "Resolved"


def test_a_participant_sees_the_request_too(live_desk, desk_app, tickets):
    agent, own, _ = tickets
    agent.create_customer("Bob", "bob@acme.example")
    bob = customer_client(live_desk, desk_app, "bob@acme.example")
    with pytest.raises(HTTPError):
        bob.get_customer_request(own)
    agent.add_request_participants(own, users_list=["bob@acme.example"])
    assert bob.get_customer_request(own)["issueKey"] == own
