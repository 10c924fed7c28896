"""Raising requests: channels, keys, versions from the report and Idempotency-Key."""

from __future__ import annotations

import concurrent.futures

import httpx

URL = "/rest/servicedeskapi/request"


def test_an_installation_raises_for_its_orgs_customer_who_joins_the_org(
    client, people, desk_app, raise_ticket
):
    from sitrep.desk.models.identity import Customer

    created = raise_ticket(
        client, people["acme"], appVersion="2.3.1", hostProduct="Jira", hostVersion="9.12.4"
    )
    assert created["issueKey"] == "SUP-1"
    assert created["reporter"]["emailAddress"] == "alice@acme.example"
    with desk_app.state.sessions() as session:
        customer = session.query(Customer).filter_by(email="alice@acme.example").one()
        assert customer.org_id == people["acme"].org_id
    detail = client.get("/api/v1/requests/SUP-1", headers=people["sam"].headers).json()
    assert (detail["app_version"], detail["host_product"], detail["host_version"]) == (
        "2.3.1",
        "Jira",
        "9.12.4",
    )
    assert detail["organization"] == "Acme Corp"
    assert detail["channel"] == "installation"


def test_an_installation_cannot_raise_for_another_orgs_customer(client, people, raise_ticket):
    raise_ticket(client, people["acme"], email="alice@acme.example")
    body = {
        "serviceDeskId": "1",
        "requestTypeId": "1",
        "raiseOnBehalfOf": "alice@acme.example",
        "requestFieldValues": {"summary": "x"},
    }
    response = client.post(URL, json=body, headers=people["globex"].headers)
    assert response.status_code == 403
    assert "own organization" in response.json()["errorMessage"]


def test_an_installation_must_name_the_customer(client, people):
    body = {"serviceDeskId": "1", "requestTypeId": "1", "requestFieldValues": {"summary": "x"}}
    response = client.post(URL, json=body, headers=people["acme"].headers)
    assert response.status_code == 400
    assert "raiseOnBehalfOf" in response.json()["errorMessage"]


def test_an_installation_sees_only_the_requests_it_raised(client, people, raise_ticket):
    raise_ticket(client, people["acme"])
    raise_ticket(client, people["globex"], email="carol@globex.example")
    assert client.get(f"{URL}/SUP-1", headers=people["acme"].headers).status_code == 200
    assert client.get(f"{URL}/SUP-2", headers=people["acme"].headers).status_code == 404
    mine = client.get(URL, headers=people["acme"].headers).json()["values"]
    assert [r["issueKey"] for r in mine] == ["SUP-1"]


def test_a_repeated_submission_with_an_idempotency_key_returns_the_same_request(client, people):
    body = {
        "serviceDeskId": "SUP",
        "requestTypeId": "1",
        "raiseOnBehalfOf": "alice@acme.example",
        "requestFieldValues": {"summary": "Export fails"},
    }
    headers = {**people["acme"].headers, "Idempotency-Key": "report-7f3a"}
    first = client.post(URL, json=body, headers=headers)
    again = client.post(URL, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["issueKey"] == again.json()["issueKey"] == "SUP-1"
    other = client.post(URL, json=body, headers={**headers, "Idempotency-Key": "report-other"})
    assert other.json()["issueKey"] == "SUP-2"


def test_concurrent_submissions_with_one_idempotency_key_create_one_request(live_desk, people):
    body = {
        "serviceDeskId": "1",
        "requestTypeId": "1",
        "raiseOnBehalfOf": "alice@acme.example",
        "requestFieldValues": {"summary": "Export fails"},
    }
    headers = {**people["acme"].headers, "Idempotency-Key": "same-key"}

    def submit(_: int) -> str:
        response = httpx.post(f"{live_desk.url}{URL}", json=body, headers=headers, timeout=60)
        assert response.status_code in (200, 201), response.text
        return response.json()["issueKey"]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(submit, range(8)))
    assert keys == {"SUP-1"}
    listing = httpx.get(f"{live_desk.url}{URL}", headers=people["root"].headers).json()
    assert listing["size"] == 1


def test_concurrent_creation_never_repeats_a_key(live_desk, people):
    body = {
        "serviceDeskId": "1",
        "requestTypeId": "2",
        "raiseOnBehalfOf": "bob@acme.example",
        "requestFieldValues": {"summary": "Question"},
    }

    def submit(_: int) -> str:
        response = httpx.post(
            f"{live_desk.url}{URL}", json=body, headers=people["sam"].headers, timeout=60
        )
        assert response.status_code == 201, response.text
        return response.json()["issueKey"]

    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        keys = list(pool.map(submit, range(40)))
    assert sorted(keys, key=lambda k: int(k.split("-")[1])) == [f"SUP-{n}" for n in range(1, 41)]


def test_staff_may_raise_without_naming_a_customer(client, people):
    body = {"serviceDeskId": "1", "requestTypeId": "2", "requestFieldValues": {"summary": "Note"}}
    created = client.post(URL, json=body, headers=people["sam"].headers).json()
    assert created["reporter"]["emailAddress"] == "sam@vendor.example"


def test_development_may_not_raise_requests(client, people):
    body = {"serviceDeskId": "1", "requestTypeId": "2", "requestFieldValues": {"summary": "x"}}
    response = client.post(URL, json=body, headers=people["dev"].headers)
    assert response.status_code == 403
