"""Attachments are sealed at rest when claimed, and opened only by the audited download.

A real desk (uvicorn on 127.0.0.1) with a generated master key; files go in through the JSM
temporary-file API and come out through the native download, as in production.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import httpx
import pytest
from atlassian import ServiceDesk
from sqlalchemy import select, update
from typer.testing import CliRunner

from sitrep.desk.models.access import DataKey
from sitrep.desk.models.requests import Attachment
from sitrep.desk.storage import blobstore_from_settings

SECRET = b"2026-06-01 ERROR db password rejected for jdbc:postgresql://db.acme.internal\n" * 50


@pytest.fixture
def master_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def sealed_desk(database_url, tmp_path, master_key):
    """A live desk with a generated master key, a support user and two installations."""
    from tests.conftest import LiveServer

    from sitrep.config import load_settings
    from sitrep.desk.app import create_app
    from sitrep.desk.db import transaction
    from sitrep.desk.seed import seed_defaults
    from sitrep.desk.services import identity

    settings = load_settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_key="k",
        smtp_url="console://",
        master_key=master_key,
    )
    app = create_app(settings, run_jobs=False)
    with transaction(app.state.sessions) as session:
        seed_defaults(session)
        _, sam = identity.add_staff(session=session, email="sam@v.example", role="support")
        _, acme = identity.add_installation(session=session, org_name="Acme", app="a")
        _, globex = identity.add_installation(session=session, org_name="Globex", app="a")
    with LiveServer(app) as server:
        yield server, app, {"sam": sam, "acme": acme, "globex": globex}
    app.state.engine.dispose()


def _attach(url: str, token: str, email: str, path: Path) -> str:
    desk = ServiceDesk(url=url, token=token)
    key = desk.create_customer_request("1", "1", {"summary": "Logs"}, raise_on_behalf_of=email)
    desk.add_attachment(key["issueKey"], desk.attach_temporary_file("1", str(path)))
    return key["issueKey"]


def _download(url: str, token: str, attachment_id: int) -> httpx.Response:
    return httpx.get(
        f"{url}/api/v1/attachments/{attachment_id}/content",
        params={"justification": "Investigating the database error"},
        headers={"Authorization": f"Bearer {token}"},
    )


def _rows(app) -> list[Attachment]:
    with app.state.sessions() as session:
        return list(session.scalars(select(Attachment).order_by(Attachment.id)))


def test_an_attachment_is_stored_only_as_ciphertext_bound_to_its_ticket(sealed_desk, tmp_path):
    server, app, tokens = sealed_desk
    (tmp_path / "server.log").write_bytes(SECRET)
    key = _attach(server.url, tokens["acme"], "alice@acme.example", tmp_path / "server.log")
    [row] = _rows(app)
    store = blobstore_from_settings(app.state.settings)
    stored = store.open(row.blob_key).read()
    assert b"password" not in stored and SECRET[:40] not in stored
    assert row.sha256 == hashlib.sha256(SECRET).hexdigest() != row.blob_key
    assert not store.exists(row.sha256)  # the plaintext blob is gone
    with app.state.sessions() as session:
        data_key = session.scalar(
            select(DataKey).where(DataKey.object_id == f"attachment:{row.id}")
        )
    assert (data_key.ticket, data_key.tenant) == (key, str(row and _org_of(app, key)))
    response = _download(server.url, tokens["sam"], row.id)
    assert response.status_code == 200 and response.content == SECRET


def _org_of(app, key: str) -> int:
    from sitrep.desk.models.requests import Request

    with app.state.sessions() as session:
        return session.scalar(select(Request.org_id).where(Request.key == key))


def test_the_same_bytes_from_two_tenants_share_no_blob(sealed_desk, tmp_path):
    server, app, tokens = sealed_desk
    (tmp_path / "server.log").write_bytes(SECRET)
    _attach(server.url, tokens["acme"], "alice@acme.example", tmp_path / "server.log")
    _attach(server.url, tokens["globex"], "carol@globex.example", tmp_path / "server.log")
    first, second = _rows(app)
    assert first.sha256 == second.sha256
    assert first.blob_key != second.blob_key  # content addressing reveals nothing across tenants


def test_a_ciphertext_moved_to_another_ticket_is_refused_and_releases_nothing(
    sealed_desk, tmp_path
):
    server, app, tokens = sealed_desk
    (tmp_path / "a.log").write_bytes(SECRET)
    (tmp_path / "b.log").write_bytes(b"harmless\n")
    _attach(server.url, tokens["acme"], "alice@acme.example", tmp_path / "a.log")
    _attach(server.url, tokens["globex"], "carol@globex.example", tmp_path / "b.log")
    acme_row, globex_row = _rows(app)
    with app.state.sessions.begin() as session:  # an insider repoints Globex's file at Acme's blob
        session.execute(
            update(Attachment)
            .where(Attachment.id == globex_row.id)
            .values(blob_key=acme_row.blob_key)
        )
    response = _download(server.url, tokens["sam"], globex_row.id)
    assert response.status_code == 409
    assert b"password" not in response.content and "failed authentication" in response.text


def test_a_production_desk_without_a_master_key_refuses_to_store_attachments(
    desk_app, database_url, tmp_path
):
    from fastapi.testclient import TestClient

    from sitrep.desk.db import transaction
    from sitrep.desk.services import identity

    settings = desk_app.state.settings.model_copy(update={"demo": False, "master_key": None})
    desk_app.state.settings = settings
    with transaction(desk_app.state.sessions) as session:
        _, token = identity.add_installation(session=session, org_name="Acme", app="a")
    headers = {"Authorization": f"Bearer {token}", "X-Atlassian-Token": "no-check"}
    with TestClient(desk_app) as client:
        body = {
            "serviceDeskId": "1",
            "requestTypeId": "1",
            "requestFieldValues": {"summary": "Logs"},
            "raiseOnBehalfOf": "alice@acme.example",
        }
        key = client.post("/rest/servicedeskapi/request", json=body, headers=headers).json()
        temp = client.post(
            "/rest/servicedeskapi/servicedesk/1/attachTemporaryFile",
            files={"file": ("server.log", SECRET)},
            headers=headers,
        ).json()["temporaryAttachments"][0]["temporaryAttachmentId"]
        refused = client.post(
            f"/rest/servicedeskapi/request/{key['issueKey']}/attachment",
            json={"temporaryAttachmentIds": [temp]},
            headers=headers,
        )
    assert refused.status_code == 503 and "SITREP_MASTER_KEY" in refused.text
    assert _rows(desk_app) == []  # no half-written attachment


def test_rotating_the_master_key_keeps_real_attachments_readable(
    sealed_desk, tmp_path, master_key, database_url
):
    from sitrep.cli import keys
    from sitrep.cli.common import make_app

    server, app, tokens = sealed_desk
    (tmp_path / "server.log").write_bytes(SECRET)
    _attach(server.url, tokens["acme"], "alice@acme.example", tmp_path / "server.log")
    [row] = _rows(app)
    new_key = base64.b64encode(os.urandom(32)).decode()
    (tmp_path / "new.key").write_text(new_key)
    cli = make_app("desk")
    keys.register(cli)
    env = {
        "SITREP_DATABASE_URL": database_url,
        "SITREP_DATA_DIR": str(tmp_path / "data"),
        "SITREP_MASTER_KEY": master_key,
    }
    result = CliRunner().invoke(
        cli, ["rotate-master-key", "--new-key-file", str(tmp_path / "new.key")], env=env
    )
    assert result.exit_code == 0, result.output
    assert "Rewrapped 1 data keys" in result.output
    old_answer = _download(server.url, tokens["sam"], row.id)  # still runs with the old key
    assert old_answer.status_code == 409 and b"password" not in old_answer.content
    app.state.settings = app.state.settings.model_copy(update={"master_key": new_key})
    response = _download(server.url, tokens["sam"], row.id)
    assert response.status_code == 200 and response.content == SECRET
