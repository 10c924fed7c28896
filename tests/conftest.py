"""Shared fixtures: fresh real databases (SQLite always, PostgreSQL when reachable),
desk settings, an in-process app client and a live uvicorn server on 127.0.0.1.

Each test that asks for ``database_url`` runs twice, once per database. A migrated
template is built once per session and copied per test (a file copy on SQLite,
``CREATE DATABASE ... TEMPLATE`` on PostgreSQL), so every test starts from a clean,
fully migrated database without paying for the migrations each time.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

PG_URL = os.environ.get("SITREP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    """Return None when PostgreSQL answers, else the reason it does not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        conninfo = PG_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(conninfo, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure means: skip the PostgreSQL variants
        return f"PostgreSQL at {PG_URL} is not reachable ({type(exc).__name__})"
    return None


PG_SKIP_REASON = _pg_reachable()


def pytest_report_header(config: pytest.Config) -> str:
    if PG_SKIP_REASON:
        return f"sitrep: PostgreSQL tests SKIPPED: {PG_SKIP_REASON}"
    return f"sitrep: PostgreSQL tests enabled ({PG_URL})"


def _pg_admin():
    import psycopg

    conninfo = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(conninfo, autocommit=True)


def _pg_url_for(dbname: str) -> str:
    base, _, _ = PG_URL.rpartition("/")
    return f"{base}/{dbname}"


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Build one migrated template database per backend for this test session."""
    from sitrep.desk.migrate import upgrade

    templates: dict[str, str] = {}
    sqlite_file = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{sqlite_file}")
    templates["sqlite"] = str(sqlite_file)
    created: list[str] = []
    if not PG_SKIP_REASON:
        name = f"sitrep_tpl_{uuid.uuid4().hex[:10]}"
        with _pg_admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        upgrade(_pg_url_for(name))
        templates["postgres"] = name
    yield templates
    _drop_pg(created)


def _drop_pg(names: list[str]) -> None:
    if not names:
        return
    with _pg_admin() as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, _templates: dict[str, str]
) -> Iterator[str]:
    """Yield the URL of a fresh, migrated database; runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        target = tmp_path / "desk.db"
        shutil.copyfile(_templates["sqlite"], target)
        yield f"sqlite:///{target}"
        return
    if PG_SKIP_REASON:
        pytest.skip(PG_SKIP_REASON)
    name = f"sitrep_t_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_templates["postgres"]}"')
    try:
        yield _pg_url_for(name)
    finally:
        _drop_pg([name])


@pytest.fixture
def desk_settings(database_url: str, tmp_path: Path):
    """Settings for a desk on the fresh database, with blobs and data under tmp_path."""
    from sitrep.config import load_settings

    return load_settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        demo=True,
        secret_key="test-secret-key",
        smtp_url="console://",
        public_url="http://127.0.0.1",
    )


@pytest.fixture
def desk_app(desk_settings):
    """The desk's ASGI app on the fresh database (not served)."""
    from sitrep.desk.app import create_app

    app = create_app(desk_settings)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(desk_app):
    """An in-process HTTP client for quick API tests (use live_desk for real-network tests)."""
    from fastapi.testclient import TestClient

    with TestClient(desk_app) as test_client:
        yield test_client


def run_threads(work: Callable[[int], object], count: int) -> list[BaseException]:
    """Run ``work(i)`` for each i in ``range(count)``, all on threads at once; return what they
    raised, for the caller to assert on (an exception in a thread would otherwise be lost)."""
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            work(i)
        except BaseException as exc:  # returned to the caller
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """A real uvicorn server on 127.0.0.1 in a background thread."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_desk(desk_app) -> Iterator[LiveServer]:
    """A live desk served by uvicorn on 127.0.0.1, on the fresh database."""
    with LiveServer(desk_app) as server:
        yield server
