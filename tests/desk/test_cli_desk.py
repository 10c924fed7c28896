"""`sitrep desk migrate`, `user add`, `installation add` and `demo` (seeding and serving)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from sitrep.cli import app

runner = CliRunner()


@pytest.fixture
def env(database_url, tmp_path, monkeypatch):
    """Point the CLI at the test's database through the environment, as a user would."""
    monkeypatch.setenv("SITREP_DATABASE_URL", database_url)
    monkeypatch.setenv("SITREP_DATA_DIR", str(tmp_path / "data"))
    return {"SITREP_DATABASE_URL": database_url}


def test_migrate_is_repeatable_and_leaves_exactly_one_default_desk(env, database_url):
    from sitrep.desk.db import make_engine, make_sessionmaker
    from sitrep.desk.models.servicedesk import RequestType, ServiceDesk

    for _ in range(2):
        result = runner.invoke(app, ["desk", "migrate"])
        assert result.exit_code == 0, result.output
    assert "is up to date" in result.output and "SUP (Support)" in result.output
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        assert [d.key for d in session.query(ServiceDesk)] == ["SUP"]
        names = sorted(t.name for t in session.query(RequestType))
        assert names == ["Question", "Report a problem"]
    engine.dispose()


def test_migrate_creates_a_fresh_sqlite_database_under_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("SITREP_DATABASE_URL", raising=False)
    monkeypatch.setenv("SITREP_DATA_DIR", str(tmp_path / "fresh"))
    result = runner.invoke(app, ["desk", "migrate"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fresh" / "sitrep.db").is_file()


def test_user_add_prints_a_working_token_once(env, database_url):
    from sitrep.desk.db import make_engine, make_sessionmaker
    from sitrep.desk.services.identity import resolve_token

    result = runner.invoke(
        app, ["desk", "user", "add", "Sam@Vendor.example", "--role", "support", "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["email"], out["role"]) == ("Sam@vendor.example", "support")
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        who = resolve_token(session=session, token=out["token"])
        assert (who.kind, who.role) == ("staff", "support")
    engine.dispose()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["x@vendor.example", "--role", "boss"], "Unknown role 'boss'"),
        (["x@vendor.example", "--role", "subcontractor"], "needs --firm"),
        (["not-an-email", "--role", "admin"], "is not an email address"),
    ],
)
def test_user_add_refuses_bad_input_with_one_clear_message(env, args, words):
    result = runner.invoke(app, ["desk", "user", "add", *args])
    assert result.exit_code == 1
    assert words in result.output
    assert "Traceback" not in result.output


def test_user_add_refuses_a_duplicate(env):
    assert (
        runner.invoke(app, ["desk", "user", "add", "a@v.example", "--role", "admin"]).exit_code == 0
    )
    again = runner.invoke(app, ["desk", "user", "add", "a@v.example", "--role", "admin"])
    assert again.exit_code == 1 and "already exists" in again.output


def test_installation_add_prints_an_installation_token(env, database_url):
    from sitrep.desk.db import make_engine, make_sessionmaker
    from sitrep.desk.services.identity import resolve_token

    result = runner.invoke(
        app, ["desk", "installation", "add", "Acme Corp", "--app", "acme-reports", "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["organization"] == "Acme Corp" and out["token"].startswith("sit_")
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        assert resolve_token(session=session, token=out["token"]).kind == "installation"
    engine.dispose()
    text = runner.invoke(app, ["desk", "installation", "add", "Acme Corp"])
    assert "Installation token (shown once" in text.output


def test_demo_without_serving_seeds_the_current_directory_and_prints_logins(tmp_path, monkeypatch):
    for name in ("SITREP_DATA_DIR", "SITREP_DATABASE_URL", "SITREP_SMTP_URL", "SITREP_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["desk", "demo", "--no-serve", "--port", "18000"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".sitrep-demo" / "sitrep.db").is_file()
    for role in ("admin", "support", "development", "subcontractor"):
        assert re.search(rf"{role}\s+\S+@\S+\s+sst_", result.output), role
    assert re.search(r"Installation token of 'Acme Corp': sit_", result.output)
    assert "Tickets: SUP-1, SUP-2, SUP-3" in result.output
    assert "Attached the support bundle SUP-1-support.zip to SUP-1." in result.output
    again = runner.invoke(app, ["desk", "demo", "--no-serve", "--port", "18000"])
    assert again.exit_code == 0 and "Tickets:" not in again.output  # data kept, new tokens


@pytest.mark.slow
def test_demo_serves_until_interrupted(tmp_path, port_factory):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    port = port_factory()
    log = tmp_path / "demo.out"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "sitrep"), "desk", "demo", "--port", str(port)],
            cwd=tmp_path,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = _wait_for_url(log, proc)
        token = re.search(r"admin\s+\S+\s+(sst_\S+)", log.read_text()).group(1)
        _wait_healthy(url)
        queue = httpx.get(f"{url}/api/v1/requests", headers={"Authorization": f"Bearer {token}"})
        assert [r["key"] for r in queue.json()["values"]] == ["SUP-3", "SUP-2", "SUP-1"]
        files = httpx.get(
            f"{url}/api/v1/requests/SUP-1/attachments", headers={"Authorization": f"Bearer {token}"}
        ).json()["values"]
        assert [f["is_bundle"] for f in files] == [True]
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) in (0, 130)


def _wait_for_url(log: Path, proc: subprocess.Popen) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        match = re.search(r"Sitrep desk demo on (http://\S+)", log.read_text())
        if match:
            return match.group(1)
        assert proc.poll() is None, log.read_text()
        time.sleep(0.2)
    raise AssertionError("the demo did not print its URL:\n" + log.read_text())


def _wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the demo server did not answer")


def test_serve_refuses_a_database_that_was_not_migrated(tmp_path, monkeypatch):
    monkeypatch.setenv("SITREP_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = runner.invoke(app, ["desk", "serve", "--port", "1"])
    assert result.exit_code == 1
    assert "has no desk tables" in result.output and "sitrep desk migrate" in result.output
