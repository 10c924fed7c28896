"""Fixtures for the access area: a real engine and session factory on each database, keys."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from sitrep.desk.auth import Principal
from sitrep.desk.db import make_engine, make_sessionmaker

SAM = Principal(kind="staff", id=3, role="support", email="sam@vendor.example", token_id=1)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def signing_key_b64() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def sam() -> Principal:
    return SAM


@pytest.fixture
def append(sessions: sessionmaker[Session]):
    """Return ``append(count, **fields)``, which writes entries like real routes do."""
    return lambda count, **kwargs: append_entries(sessions, count, **kwargs)


@pytest.fixture
def tamper(engine: Engine):
    """Return ``tamper(*sql)``, which runs statements with the append-only triggers bypassed."""
    return lambda *statements: tamper_with(engine, *statements)


def append_entries(sessions: sessionmaker[Session], count: int, **kwargs) -> None:
    """Append ``count`` entries, each in its own committed transaction."""
    from sitrep.desk.audit import record

    for i in range(count):
        with sessions.begin() as session:
            record(
                session=session,
                actor=kwargs.get("actor", SAM),
                action=kwargs.get("action", "attachment.read"),
                target=f"attachment:{i + 1}",
                ticket=kwargs.get("ticket", "SUP-1"),
                justification=kwargs.get(
                    "justification", f"SUP-1: reading log {i + 1} to find the crash"
                ),
            )


def tamper_with(engine: Engine, *statements: str) -> None:
    """Run statements as a database superuser would, with the append-only triggers bypassed.

    PostgreSQL: ``session_replication_role = replica`` skips ordinary triggers. SQLite has no
    such switch, so the attacker drops the triggers, as anyone holding the file can.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            names = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type='trigger' AND name LIKE 'audit_%'")
            ).scalars()
            for name in list(names):
                conn.execute(text(f'DROP TRIGGER "{name}"'))
        for statement in statements:
            conn.execute(text(statement))


@pytest.fixture
def staff(desk_app):
    """Return ``staff(email, role, password=None, firm=None) -> token``, created in the app's DB."""
    from sitrep.desk.services.identity import add_staff
    from sitrep.desk.services.signin import set_password

    def make(email: str, role: str, password: str | None = None, firm: str | None = None) -> str:
        with desk_app.state.sessions.begin() as session:
            _, token = add_staff(session=session, email=email, role=role, firm=firm)
            if password:
                set_password(session=session, email=email, password=password, actor=SAM)
        return token

    return make


@pytest.fixture
def raise_request(desk_app, live_desk):
    """Return ``raise_request(org, email) -> key``: a ticket raised by an installation token."""
    import httpx

    from sitrep.desk.services.identity import add_installation

    def make(org: str, email: str) -> str:
        with desk_app.state.sessions.begin() as session:
            _, token = add_installation(session=session, org_name=org, app="acme-reports")
        body = {
            "serviceDeskId": "1",
            "requestTypeId": "1",
            "raiseOnBehalfOf": email,
            "requestFieldValues": {"summary": "Export fails", "description": "Timeout"},
        }
        response = httpx.post(
            f"{live_desk.url}/rest/servicedeskapi/request",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.text
        return response.json()["issueKey"]

    return make


@pytest.fixture
def quick_argon2(monkeypatch):
    """Use light argon2id parameters: the RFC 9106 defaults cost ~0.3 s per hash here.

    The desk itself keeps argon2-cffi's defaults (checked in ``test_keys_cli.py``).
    """
    from argon2 import PasswordHasher

    from sitrep.desk.services import signin

    light = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(signin, "_hasher", light)
    monkeypatch.setattr(signin, "_DUMMY_HASH", light.hash("not a password"))


def refuse_inserts(engine: Engine, table: str) -> None:
    """Make every INSERT into ``table`` fail for real, as a full disk would."""
    with engine.begin() as conn:
        if conn.dialect.name != "postgresql":
            conn.execute(
                text(
                    f"CREATE TRIGGER refuse BEFORE INSERT ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
                )
            )
            return
        conn.execute(
            text(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
            )
        )
        conn.execute(
            text(
                f"CREATE TRIGGER refuse BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        )
