"""Fault test on the real download route: when the audit write fails, no byte leaves.

The fault is real, not mocked: the database itself refuses the audit insert with a trigger,
while the desk serves over uvicorn. On SQLite the entry goes straight into the chain
(``audit_entries``); on PostgreSQL it is first committed to the ``audit_pending`` queue that
the sequencer chains in batches, so that is the write that must fail.
"""

from __future__ import annotations

import base64
import os

import httpx
import pytest
from atlassian import ServiceDesk
from sqlalchemy import func, select, text

from sitrep.desk.models.audit import AuditEntry

SECRET = b"customer log line: password=hunter2\n" * 100

FAULTS = {
    "sqlite": [
        "CREATE TRIGGER audit_down BEFORE INSERT ON audit_entries "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION audit_down() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_down BEFORE INSERT ON audit_pending "
        "FOR EACH ROW EXECUTE FUNCTION audit_down()",
    ],
}


@pytest.fixture
def desk(database_url, tmp_path):
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
        master_key=base64.b64encode(os.urandom(32)).decode(),
    )
    app = create_app(settings, run_jobs=False)
    with transaction(app.state.sessions) as session:
        seed_defaults(session)
        _, sam = identity.add_staff(session=session, email="sam@v.example", role="support")
        _, acme = identity.add_installation(session=session, org_name="Acme", app="a")
    with LiveServer(app) as server:
        yield server, app, sam, acme
    app.state.engine.dispose()


def test_a_failing_audit_insert_releases_no_byte_of_the_attachment(desk, tmp_path):
    server, app, sam, acme = desk
    (tmp_path / "server.log").write_bytes(SECRET)
    client = ServiceDesk(url=server.url, token=acme)
    key = client.create_customer_request(
        "1", "1", {"summary": "Logs"}, raise_on_behalf_of="alice@acme.example"
    )["issueKey"]
    client.add_attachment(key, client.attach_temporary_file("1", str(tmp_path / "server.log")))
    staff = {"Authorization": f"Bearer {sam}"}
    [listed] = httpx.get(f"{server.url}/api/v1/requests/{key}/attachments", headers=staff).json()[
        "values"
    ]
    with app.state.engine.begin() as conn:
        for statement in FAULTS[app.state.engine.dialect.name]:
            conn.execute(text(statement))
        before = conn.scalar(select(func.count()).select_from(AuditEntry))
    response = httpx.get(
        f"{server.url}/api/v1/attachments/{listed['id']}/content",
        params={"justification": "Investigating the login failure"},
        headers=staff,
    )
    assert response.status_code == 503
    assert b"hunter2" not in response.content and b"customer log line" not in response.content
    assert "nothing was released" in response.json()["errorMessage"]
    with app.state.engine.begin() as conn:
        assert conn.scalar(select(func.count()).select_from(AuditEntry)) == before
        conn.execute(
            text(
                "DROP TRIGGER audit_down"
                + (" ON audit_pending" if app.state.engine.dialect.name == "postgresql" else "")
            )
        )
    again = httpx.get(
        f"{server.url}/api/v1/attachments/{listed['id']}/content",
        params={"justification": "Investigating the login failure"},
        headers=staff,
    )
    assert again.status_code == 200 and again.content == SECRET  # the fault was the only cause
