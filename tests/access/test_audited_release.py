"""Content is released only after its audit entry is committed; a failed audit write releases none.

A minimal route in this test uses ``audited_release`` the way attachment and bundle routes do;
it is served by a real uvicorn on 127.0.0.1. The audit insert is made to fail for real, with a
database trigger that rejects it (no mocks).
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import Depends
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.access.conftest import refuse_inserts

from sitrep.desk.audit import audited_release
from sitrep.desk.auth import Principal, require_staff
from sitrep.desk.deps import get_session
from sitrep.desk.models.audit import AuditEntry, AuditPrivate
from sitrep.desk.services.identity import add_staff

SECRET_CONTENT = b"customer log line: database password rotated\n" * 1000


@pytest.fixture
def served(desk_app, request):
    opened: list[str] = []

    @desk_app.get("/test-only/content/{name}")
    def content(
        name: str,
        justification: str | None = None,
        session: Session = Depends(get_session),
        principal: Principal = Depends(require_staff),
    ):
        def open_body():
            opened.append(name)
            yield SECRET_CONTENT

        return audited_release(
            session=session,
            actor=principal,
            target=f"attachment:{name}",
            ticket="SUP-7",
            justification=justification,
            open_body=open_body,
        )

    with desk_app.state.sessions.begin() as session:
        _, token = add_staff(session=session, email="sam@vendor.example", role="support")
    # Start the live server only now, after the test route was added to the app.
    server = request.getfixturevalue("live_desk")
    return server, token, opened


def _fail_audit_inserts(engine) -> None:
    # record() writes to audit_pending on PostgreSQL (chained after commit) and straight
    # into audit_entries on SQLite: make that first write fail.
    postgres = engine.dialect.name == "postgresql"
    refuse_inserts(engine, "audit_pending" if postgres else "audit_entries")


def test_it_streams_content_after_committing_the_audit_entry(served, desk_app):
    server, token, opened = served
    response = httpx.get(
        f"{server.url}/test-only/content/55",
        headers={"Authorization": f"Bearer {token}"},
        params={"justification": "SUP-7: customer asked why the import fails"},
    )
    assert response.status_code == 200 and response.content == SECRET_CONTENT
    with desk_app.state.sessions() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "content.read"))
        assert (entry.actor, entry.target, entry.ticket) == ("staff:1", "attachment:55", "SUP-7")
        payload = session.scalar(select(AuditPrivate.payload).where(AuditPrivate.seq == entry.seq))
        assert "customer asked why the import fails" in payload
    assert opened == ["55"]


def test_a_failed_audit_write_releases_no_byte(served, desk_app):
    server, token, opened = served
    _fail_audit_inserts(desk_app.state.engine)
    response = httpx.get(
        f"{server.url}/test-only/content/55",
        headers={"Authorization": f"Bearer {token}"},
        params={"justification": "SUP-7: customer asked why the import fails"},
    )
    assert response.status_code == 503
    assert b"customer log line" not in response.content
    assert "nothing was released" in response.json()["errorMessage"]
    assert opened == []


def test_it_refuses_without_a_justification_and_opens_nothing(served, desk_app):
    server, token, opened = served
    for params in ({}, {"justification": "because"}):
        response = httpx.get(
            f"{server.url}/test-only/content/55",
            headers={"Authorization": f"Bearer {token}"},
            params=params,
        )
        assert response.status_code == 400 and "justification" in response.json()["errorMessage"]
    with desk_app.state.sessions() as session:
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "content.read")) is None
    assert opened == []
