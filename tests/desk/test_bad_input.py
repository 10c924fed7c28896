"""Bad input gets a JSM-shaped error with the right status, never a 500, and leaves nothing
half-written."""

from __future__ import annotations

import base64

import pytest

URL = "/rest/servicedeskapi/request"
GOOD = {
    "serviceDeskId": "1",
    "requestTypeId": "1",
    "raiseOnBehalfOf": "alice@acme.example",
    "requestFieldValues": {"summary": "Export fails"},
}


def assert_jsm_error(response, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"errorMessage", "i18nErrorMessage"}
    assert words in body["errorMessage"]


def request_count(desk_app) -> int:
    from sitrep.desk.models.requests import Request

    with desk_app.state.sessions() as session:
        return session.query(Request).count()


def test_malformed_json_is_a_400(client, people, desk_app):
    headers = {**people["sam"].headers, "Content-Type": "application/json"}
    response = client.post(URL, content=b'{"serviceDeskId": "1", ', headers=headers)
    assert_jsm_error(response, 400, "Invalid request")
    assert request_count(desk_app) == 0


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"serviceDeskId": "42"}, 404, "Service desk '42' does not exist"),
        ({"serviceDeskId": "NOPE"}, 404, "Service desk 'NOPE' does not exist"),
        ({"requestTypeId": "77"}, 404, "Request type '77' does not exist"),
        ({"requestFieldValues": {}}, 400, "'Summary' is required"),
        ({"requestFieldValues": {"summary": "x", "colour": "red"}}, 400, "'colour' is not a field"),
        ({"requestFieldValues": {"summary": ["x"]}}, 400, "must be text"),
        ({"requestFieldValues": {"summary": "x" * 256}}, 400, "at most 255"),
        ({"raiseOnBehalfOf": "not an email"}, 400, "is not an email address"),
        ({"raiseOnBehalfOf": "qm:customer:999"}, 400, "no customer has the accountId"),
    ],
)
def test_bad_request_bodies_get_clear_errors(client, people, desk_app, change, status, words):
    response = client.post(URL, json={**GOOD, **change}, headers=people["sam"].headers)
    assert_jsm_error(response, status, words)
    assert request_count(desk_app) == 0


def test_a_missing_required_property_is_named(client, people):
    body = {k: v for k, v in GOOD.items() if k != "serviceDeskId"}
    response = client.post(URL, json=body, headers=people["sam"].headers)
    assert_jsm_error(response, 400, "serviceDeskId")


def test_the_wrong_token_is_a_401(client):
    response = client.get(URL, headers={"Authorization": "Bearer sst_not-a-real-token"})
    assert_jsm_error(response, 401, "not valid")


def test_basic_auth_with_another_users_email_is_a_401(client, people):
    creds = base64.b64encode(f"root@vendor.example:{people['sam'].token}".encode()).decode()
    response = client.get(URL, headers={"Authorization": f"Basic {creds}"})
    assert_jsm_error(response, 401, "not valid")


def test_a_revoked_token_is_a_401(client, people, desk_app):
    from sitrep.desk.db import transaction
    from sitrep.desk.services.identity import revoke_token

    assert client.get(URL, headers=people["sam"].headers).status_code == 200
    with transaction(desk_app.state.sessions) as session:
        assert revoke_token(session=session, token=people["sam"].token)
    assert_jsm_error(client.get(URL, headers=people["sam"].headers), 401, "revoked")


def test_no_credentials_is_a_401(client):
    assert_jsm_error(client.post(URL, json=GOOD), 401, "credentials")


def test_a_negative_page_start_is_a_400(client, people):
    response = client.get(f"{URL}?start=-1", headers=people["sam"].headers)
    assert_jsm_error(response, 400, "start")


def test_an_unknown_transition_is_a_400_that_lists_the_available_ones(client, people):
    client.post(URL, json=GOOD, headers=people["sam"].headers)
    response = client.post(
        f"{URL}/SUP-1/transition", json={"id": "999"}, headers=people["sam"].headers
    )
    assert_jsm_error(response, 400, "11 (Start progress)")


def test_an_empty_comment_is_a_400(client, people):
    client.post(URL, json=GOOD, headers=people["sam"].headers)
    response = client.post(
        f"{URL}/SUP-1/comment", json={"body": "  "}, headers=people["sam"].headers
    )
    assert_jsm_error(response, 400, "needs text")


def test_an_unknown_participant_is_a_400_and_nothing_changes(client, people):
    client.post(URL, json=GOOD, headers=people["sam"].headers)
    response = client.post(
        f"{URL}/SUP-1/participant",
        json={"usernames": ["ghost@x.example"]},
        headers=people["sam"].headers,
    )
    assert_jsm_error(response, 400, "No customer 'ghost@x.example'")
