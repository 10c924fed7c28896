"""atlassian-python-api's ServiceDesk class, unchanged, drives the desk's JSM subset over a
real uvicorn server (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import time

import pytest
from atlassian import ServiceDesk
from requests import HTTPError


@pytest.fixture
def sd(live_desk, people) -> ServiceDesk:
    """The client as an agent, with JSM Cloud-style Basic email:token."""
    return ServiceDesk(
        url=live_desk.url, username=people["sam"].email, password=people["sam"].token
    )


def test_it_reports_info_desks_and_request_types(sd):
    assert sd.get_info()["version"]
    desks = sd.get_service_desks()
    assert [d["projectKey"] for d in desks] == ["SUP"]
    assert sd.get_service_desk_by_id("SUP")["id"] == desks[0]["id"] == "1"
    types = sd.get_request_types("1")["values"]
    assert [t["name"] for t in types] == ["Report a problem", "Question"]
    assert sd.get_request_type("1", types[1]["id"])["name"] == "Question"
    fields = sd.get_request_type_fields("1", types[0]["id"])
    summary = next(f for f in fields["requestTypeFields"] if f["fieldId"] == "summary")
    assert summary["required"] is True
    assert fields["canRaiseOnBehalfOf"] is True


def test_it_creates_customers_and_refuses_a_duplicate(sd):
    created = sd.create_customer("Fred F. User", "fred@example.com")
    assert created["emailAddress"] == "fred@example.com"
    assert created["displayName"] == "Fred F. User"
    assert created["accountId"].startswith("qm:customer:")
    with pytest.raises(HTTPError, match="already exists"):
        sd.create_customer("Fred again", "fred@example.com")


@pytest.mark.parametrize("form", ["email", "username", "accountId"])
def test_it_raises_a_request_on_behalf_of_a_customer_named_any_way(sd, form):
    customer = sd.create_customer("Fred", "fred@example.com")
    who = {
        "email": "fred@example.com",
        "username": "fred@example.com",
        "accountId": customer["accountId"],
    }[form]
    created = sd.create_customer_request(
        "1",
        "1",
        {"summary": "Crash on export", "description": "Stack trace attached"},
        raise_on_behalf_of=who,
    )
    assert created["issueKey"] == "SUP-1"
    assert created["reporter"]["emailAddress"] == "fred@example.com"
    values = {v["fieldId"]: v["value"] for v in created["requestFieldValues"]}
    assert values["summary"] == "Crash on export"
    assert created["currentStatus"]["status"] == "Waiting for support"
    assert set(created["createdDate"]) == {"iso8601", "jira", "friendly", "epochMillis"}


def test_it_creates_a_customer_when_raising_for_a_new_email(sd):
    created = sd.create_customer_request(
        "1", "2", {"summary": "How do I export?"}, raise_on_behalf_of="new@example.com"
    )
    assert created["reporter"]["emailAddress"] == "new@example.com"
    assert sd.get_customer_request(created["issueKey"])["issueId"] == created["issueId"]
    assert sd.get_customer_request(created["issueId"])["issueKey"] == created["issueKey"]


def test_it_runs_comments_transitions_status_and_participants(sd):
    key = sd.create_customer_request(
        "1", "1", {"summary": "Slow dashboard"}, raise_on_behalf_of="alice@acme.example"
    )["issueKey"]
    sd.create_customer("Bob", "bob@acme.example")

    public = sd.create_request_comment(key, "We are on it")
    internal = sd.create_request_comment(key, "Looks like the cache", public=False)
    assert public["public"] is True and internal["public"] is False
    bodies = [c["body"] for c in sd.get_request_comments(key)]
    assert bodies == ["We are on it", "Looks like the cache"]
    assert [c["body"] for c in sd.get_request_comments(key, internal=False)] == ["We are on it"]
    assert sd.get_request_comment_by_id(key, internal["id"])["body"] == "Looks like the cache"

    transitions = {t["name"]: t["id"] for t in sd.get_customer_transitions(key)["values"]}
    assert "Start progress" in transitions
    sd.perform_transition(key, transitions["Start progress"])
    sd.perform_transition(key, "51", comment="Fixed in 2.3.2")
    assert sd.get_customer_request_status(key) == "Resolved"
    history = sd.get(f"rest/servicedeskapi/request/{key}/status")["values"]
    assert [h["status"] for h in history] == ["Resolved", "In progress", "Waiting for support"]

    added = sd.add_request_participants(key, users_list=["bob@acme.example"])
    assert [p["emailAddress"] for p in added["values"]] == ["bob@acme.example"]
    assert len(sd.get_request_participants(key)) == 1
    sd.remove_request_participants(key, users_list=["bob@acme.example"])
    assert sd.get_request_participants(key) == []


def test_it_lists_my_requests_newest_first_with_paging(sd, live_desk, people):
    for n in range(3):
        sd.create_customer_request("1", "2", {"summary": f"Q{n}"}, raise_on_behalf_of="a@b.example")
    mine = sd.get_my_customer_requests()
    assert [r["issueKey"] for r in mine] == ["SUP-3", "SUP-2", "SUP-1"]
    first = sd.get("rest/servicedeskapi/request", params={"start": 0, "limit": 2})
    assert (first["size"], first["isLastPage"]) == (2, False)
    assert "start=2" in first["_links"]["next"]
    second = sd.get("rest/servicedeskapi/request", params={"start": 2, "limit": 2})
    assert (second["size"], second["isLastPage"]) == (1, True)
    assert second["values"][0]["issueKey"] == "SUP-1"


def test_the_client_reads_the_desks_error_messages(sd):
    with pytest.raises(HTTPError, match="Request type '99' does not exist"):
        sd.create_customer_request("1", "99", {"summary": "x"}, raise_on_behalf_of="a@b.example")
    with pytest.raises(HTTPError, match="SUP-404 does not exist"):
        sd.get_customer_request("SUP-404")


def test_a_bearer_token_works_as_well_as_basic_auth(live_desk, people):
    sd = ServiceDesk(url=live_desk.url, token=people["root"].token)
    assert sd.get_service_desks()[0]["projectKey"] == "SUP"


def test_it_lists_and_accepts_desk_customers(sd):
    sd.create_customer("Fred F. User", "fred@example.com")
    sd.create_customer("Wilma", "wilma@example.com")
    found = sd.get_customers("1", query="FRED")
    assert [c["emailAddress"] for c in found["values"]] == ["fred@example.com"]
    assert sd.add_customers("1", list_of_usernames=["wilma@example.com"]) is None
    with pytest.raises(HTTPError, match="No customer 'ghost@example.com'"):
        sd.add_customers("1", list_of_usernames=["ghost@example.com"])
    with pytest.raises(HTTPError, match="open access"):
        sd.remove_customers("1", list_of_usernames=["wilma@example.com"])


def test_the_status_date_moves_with_transitions_not_with_comments(sd):
    key = sd.create_customer_request("1", "2", {"summary": "Q"}, raise_on_behalf_of="a@b.example")[
        "issueKey"
    ]
    first = sd.get_customer_request(key)["currentStatus"]["statusDate"]["epochMillis"]
    time.sleep(0.01)
    sd.create_request_comment(key, "A reply")
    assert sd.get_customer_request(key)["currentStatus"]["statusDate"]["epochMillis"] == first
    sd.perform_transition(key, "11")
    moved = sd.get_customer_request(key)["currentStatus"]
    assert moved["status"] == "In progress" and moved["statusDate"]["epochMillis"] > first
