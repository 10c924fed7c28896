"""Outbound mail goes through the database queue to a real SMTP server (aiosmtpd on
127.0.0.1), and mail queued while the server is down is delivered once it is back."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
import pytest
from aiosmtpd.controller import Controller

from sitrep.desk.app import create_app


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode()))
        return "250 OK"


def start_smtp(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


@pytest.fixture
def smtp_port(port_factory):
    return port_factory()


@dataclass
class MailDesk:
    url: str
    people: dict
    app: object


@pytest.fixture
def mail_desk(desk_settings, smtp_port, people_factory, serve_app):
    """A live desk whose mail goes to smtp://127.0.0.1:<smtp_port>."""
    settings = desk_settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{smtp_port}"})
    app = create_app(settings)
    with serve_app(app) as url:
        yield MailDesk(url=url, people=people_factory(app), app=app)
    app.state.engine.dispose()


def _subjects(inbox: Inbox) -> list[str]:
    return [
        next(line for line in body.splitlines() if line.startswith("Subject:"))
        for _, body in inbox.messages
    ]


def test_received_comment_and_status_mails_reach_the_smtp_server(mail_desk, smtp_port):
    controller, inbox = start_smtp(smtp_port)
    try:
        sam = mail_desk.people["sam"].headers
        base = f"{mail_desk.url}/rest/servicedeskapi/request"
        body = {
            "serviceDeskId": "1",
            "requestTypeId": "1",
            "raiseOnBehalfOf": "alice@acme.example",
            "requestFieldValues": {"summary": "Export fails"},
        }
        assert httpx.post(base, json=body, headers=sam).status_code == 201
        httpx.post(
            f"{base}/SUP-1/comment", json={"body": "Which version?", "public": True}, headers=sam
        )
        httpx.post(
            f"{base}/SUP-1/comment", json={"body": "secret note", "public": False}, headers=sam
        )
        httpx.post(f"{base}/SUP-1/transition", json={"id": "21"}, headers=sam)
        wait_for(lambda: len(inbox.messages) >= 3)
        time.sleep(1.0)  # a fourth mail (for the internal note) must not follow
    finally:
        controller.stop()
    assert {tuple(rcpt) for rcpt, _ in inbox.messages} == {("alice@acme.example",)}
    assert sorted(_subjects(inbox)) == [
        "Subject: [SUP-1] New reply on your request",
        "Subject: [SUP-1] Status: Waiting for customer",
        "Subject: [SUP-1] We received your request",
    ]
    assert not any("secret note" in body for _, body in inbox.messages)


@pytest.mark.slow
def test_mail_queued_while_the_server_is_down_is_delivered_when_it_is_back(mail_desk, smtp_port):
    from sitrep.desk.models.jobs import Job, OutboundMail

    body = {
        "serviceDeskId": "1",
        "requestTypeId": "2",
        "raiseOnBehalfOf": "bob@acme.example",
        "requestFieldValues": {"summary": "Question"},
    }
    response = httpx.post(
        f"{mail_desk.url}/rest/servicedeskapi/request",
        json=body,
        headers=mail_desk.people["sam"].headers,
    )
    assert response.status_code == 201

    def failed_once() -> bool:
        with mail_desk.app.state.sessions() as session:
            job = session.query(Job).filter_by(kind="mail.send").one()
            return job.attempts >= 1 and job.status == "queued"

    wait_for(failed_once)
    with mail_desk.app.state.sessions() as session:
        job = session.query(Job).filter_by(kind="mail.send").one()
        assert job.last_error in ("ConnectionRefusedError", "SMTPServerDisconnected")
        assert session.query(OutboundMail).one().status == "queued"

    controller, inbox = start_smtp(smtp_port)
    try:
        wait_for(lambda: len(inbox.messages) == 1, timeout=30)
    finally:
        controller.stop()

    def recorded_as_sent() -> bool:  # the runner commits just after the SMTP server answers
        with mail_desk.app.state.sessions() as session:
            mail_row = session.query(OutboundMail).one()
            job_row = session.query(Job).filter_by(kind="mail.send").one()
            return (mail_row.status, job_row.status) == ("sent", "done")

    wait_for(recorded_as_sent)
    assert len(inbox.messages) == 1
