"""Attachments: a temporary file becomes an attachment of a request, staff list it through
both APIs, and a download needs a justification that is audited before any byte leaves."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from atlassian import ServiceDesk


@pytest.fixture
def log_file(tmp_path):
    path = tmp_path / "server.log"
    path.write_bytes(b"2026-11-29 ERROR export timed out\n" * 100)
    return path


def test_an_agent_attaches_a_file_with_the_atlassian_client_and_it_is_internal(
    live_desk, people, log_file
):
    sd = ServiceDesk(url=live_desk.url, username=people["sam"].email, password=people["sam"].token)
    key = sd.create_customer_request(
        "1", "1", {"summary": "Logs"}, raise_on_behalf_of="alice@acme.example"
    )["issueKey"]
    result = sd.create_attachment("1", key, str(log_file), public=False, comment="Server log")
    assert result["attachments"]["values"][0]["filename"] == "server.log"
    assert result["comment"]["public"] is False
    listed = httpx.get(
        f"{live_desk.url}/api/v1/requests/{key}/attachments", headers=people["sam"].headers
    ).json()["values"]
    digest = hashlib.sha256(log_file.read_bytes()).hexdigest()
    assert [(a["filename"], a["sha256"], a["public"], a["is_bundle"]) for a in listed] == [
        ("server.log", digest, False, False)
    ]


def test_an_installation_adds_the_customers_file_which_is_public(live_desk, people, log_file):
    sd = ServiceDesk(url=live_desk.url, token=people["acme"].token)
    key = sd.create_customer_request(
        "1", "1", {"summary": "Logs"}, raise_on_behalf_of="alice@acme.example"
    )["issueKey"]
    sd.create_attachment("1", key, str(log_file), public=False)
    listed = httpx.get(
        f"{live_desk.url}/api/v1/requests/{key}/attachments", headers=people["sam"].headers
    ).json()["values"]
    assert [a["public"] for a in listed] == [True]
    jsm = httpx.get(
        f"{live_desk.url}/rest/servicedeskapi/request/{key}/attachment",
        headers=people["sam"].headers,
    ).json()
    assert jsm["values"][0]["_links"]["content"].endswith(
        f"/api/v1/attachments/{listed[0]['id']}/content"
    )


def test_a_download_is_audited_before_the_bytes_are_released(live_desk, people, log_file, desk_app):
    from sitrep.desk.models.audit import AuditEntry

    sd = ServiceDesk(url=live_desk.url, token=people["acme"].token)
    key = sd.create_customer_request(
        "1", "1", {"summary": "Logs"}, raise_on_behalf_of="alice@acme.example"
    )["issueKey"]
    sd.create_attachment("1", key, str(log_file))
    attachment_id = httpx.get(
        f"{live_desk.url}/api/v1/requests/{key}/attachments", headers=people["sam"].headers
    ).json()["values"][0]["id"]
    url = f"{live_desk.url}/api/v1/attachments/{attachment_id}/content"

    missing = httpx.get(url, headers=people["sam"].headers)
    assert missing.status_code == 400 and "justification" in missing.json()["errorMessage"]
    short = httpx.get(url, params={"justification": "because"}, headers=people["sam"].headers)
    assert short.status_code == 400
    with desk_app.state.sessions() as session:
        assert session.query(AuditEntry).filter_by(action="attachment.download").count() == 0

    why = f"{key}: customer asked us to read the export error"
    response = httpx.get(url, params={"justification": why}, headers=people["sam"].headers)
    assert response.status_code == 200
    assert response.content == log_file.read_bytes()
    assert response.headers["x-sitrep-sha256"] == hashlib.sha256(response.content).hexdigest()
    with desk_app.state.sessions() as session:
        entry = session.query(AuditEntry).filter_by(action="attachment.download").one()
        assert (entry.ticket, entry.target) == (key, f"attachment:{attachment_id}")


def test_development_cannot_download_from_an_unescalated_ticket(live_desk, people, log_file):
    sd = ServiceDesk(url=live_desk.url, token=people["acme"].token)
    key = sd.create_customer_request(
        "1", "1", {"summary": "Logs"}, raise_on_behalf_of="alice@acme.example"
    )["issueKey"]
    sd.create_attachment("1", key, str(log_file))
    attachment_id = httpx.get(
        f"{live_desk.url}/api/v1/requests/{key}/attachments", headers=people["sam"].headers
    ).json()["values"][0]["id"]
    response = httpx.get(
        f"{live_desk.url}/api/v1/attachments/{attachment_id}/content",
        params={"justification": "just looking around"},
        headers=people["dev"].headers,
    )
    assert response.status_code == 404


def test_a_temporary_id_cannot_be_attached_twice(live_desk, people, log_file):
    sd = ServiceDesk(url=live_desk.url, token=people["acme"].token)
    key = sd.create_customer_request(
        "1", "1", {"summary": "Logs"}, raise_on_behalf_of="alice@acme.example"
    )["issueKey"]
    temp_id = sd.attach_temporary_file("1", str(log_file))
    sd.add_attachment(key, temp_id)
    again = httpx.post(
        f"{live_desk.url}/rest/servicedeskapi/request/{key}/attachment",
        json={"temporaryAttachmentIds": [temp_id]},
        headers=people["acme"].headers,
    )
    assert again.status_code == 404
    assert set(again.json()) == {"errorMessage", "i18nErrorMessage"}
