"""The public "report a problem" API: nothing is filed until the mailed link is opened;
rate limits per email and per client address; the address is never stored raw."""

from __future__ import annotations

import re

import pytest

from sitrep.desk.models.jobs import OutboundMail
from sitrep.desk.models.public_reports import PendingReport
from sitrep.desk.models.requests import Request

REPORT = {
    "email": "Alice@Acme.example",
    "summary": "Export fails",
    "description": "Timeout",
    "app": "acme-reports",
    "app_version": "2.3.1",
    "host_product": "Jira",
    "host_version": "9.12.4",
}


def confirmation_link(desk_app, email: str) -> str:
    with desk_app.state.sessions() as session:
        mail = session.query(OutboundMail).filter_by(to_addr=email, template="confirm").one()
        return re.search(r"(/api/v1/public/reports/confirm/\S+)", mail.body).group(1)


def test_a_report_becomes_a_request_only_after_the_link_is_opened(client, desk_app, people):
    response = client.post("/api/v1/public/reports", json=REPORT)
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    with desk_app.state.sessions() as session:
        assert session.query(Request).count() == 0
    link = confirmation_link(desk_app, "Alice@acme.example")

    confirmed = client.get(link)
    assert confirmed.status_code == 200 and confirmed.json()["issueKey"] == "SUP-1"
    assert client.post(link).json()["issueKey"] == "SUP-1"  # opening it again changes nothing
    detail = client.get("/api/v1/requests/SUP-1", headers=people["sam"].headers).json()
    assert (detail["reporter"], detail["channel"], detail["app_version"]) == (
        "Alice@acme.example",
        "public",
        "2.3.1",
    )
    with desk_app.state.sessions() as session:
        assert session.query(Request).count() == 1
        received = session.query(OutboundMail).filter_by(template="received").one()
        assert "SUP-1" in received.subject


def test_an_unknown_or_expired_link_is_a_404(client, desk_app):
    from datetime import timedelta

    from sitrep.desk.db import transaction

    assert client.get("/api/v1/public/reports/confirm/not-a-token").status_code == 404
    client.post("/api/v1/public/reports", json=REPORT)
    link = confirmation_link(desk_app, "Alice@acme.example")
    with transaction(desk_app.state.sessions) as session:
        pending = session.query(PendingReport).one()
        pending.expires_at = pending.created_at - timedelta(seconds=1)
    response = client.get(link)
    assert response.status_code == 404
    assert "expired" in response.json()["errorMessage"]


def test_reports_per_email_are_rate_limited(client):
    for _ in range(3):
        assert client.post("/api/v1/public/reports", json=REPORT).status_code == 202
    response = client.post("/api/v1/public/reports", json=REPORT)
    assert response.status_code == 429
    assert "Too many reports from this email address" in response.json()["errorMessage"]


def test_reports_per_client_address_are_rate_limited(client):
    for n in range(10):
        body = {**REPORT, "email": f"user{n}@acme.example"}
        assert client.post("/api/v1/public/reports", json=body).status_code == 202
    response = client.post("/api/v1/public/reports", json={**REPORT, "email": "x@acme.example"})
    assert response.status_code == 429
    assert "network address" in response.json()["errorMessage"]


def test_the_client_address_is_stored_only_as_a_daily_keyed_hash(live_desk, desk_app):
    import httpx

    from sitrep.desk.services.public_reports import address_hash

    assert httpx.post(f"{live_desk.url}/api/v1/public/reports", json=REPORT).status_code == 202
    with desk_app.state.sessions() as session:
        row = session.query(PendingReport).one()
        stored = repr({c.name: getattr(row, c.name) for c in PendingReport.__table__.columns})
        expected = address_hash(secret="test-secret-key", address="127.0.0.1", now=row.created_at)
    assert "127.0.0.1" not in stored
    assert row.addr_hash == expected
    tomorrow = address_hash(
        secret="test-secret-key",
        address="127.0.0.1",
        now=row.created_at.replace(day=row.created_at.day % 28 + 1),
    )
    assert tomorrow != expected


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"email": "nobody"}, "not an email address"),
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 300}, "summary"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_mailed(client, desk_app, change, words):
    response = client.post("/api/v1/public/reports", json={**REPORT, **change})
    assert response.status_code == 400
    assert words in response.json()["errorMessage"]
    with desk_app.state.sessions() as session:
        assert session.query(OutboundMail).count() == 0


def test_unconfirmed_reports_are_deleted_once_their_link_expired(client, desk_app):
    from datetime import timedelta

    from sitrep.desk.db import transaction

    client.post("/api/v1/public/reports", json=REPORT)
    with transaction(desk_app.state.sessions) as session:
        pending = session.query(PendingReport).one()
        pending.expires_at = pending.created_at - timedelta(seconds=1)
    client.post("/api/v1/public/reports", json={**REPORT, "email": "bob@acme.example"})
    with desk_app.state.sessions() as session:
        assert [p.email for p in session.query(PendingReport)] == ["bob@acme.example"]
