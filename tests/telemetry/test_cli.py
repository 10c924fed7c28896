"""`sitrep telemetry status|on|off|local|view|upload` act on the host DB's HostStore."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from telemetry_helpers import Clock, last_week, monday_of
from typer.testing import CliRunner

from sitrep.cli.telemetry import app
from sitrep.config import load_settings
from sitrep.telemetry import Telemetry

ARGS = {
    "app": "acme-reports",
    "app_version": "2.4.1",
    "host_product": "jira",
    "host_version": "9.12",
}


@pytest.fixture(autouse=True)
def _tracking_allowed(monkeypatch):
    for name in ("DO_NOT_TRACK", "SITREP_TELEMETRY_DEBUG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def host(tmp_path, allowlist_file):
    """A host app that counted a few things in its SQLite DB (local mode)."""
    store = f"sqlite:///{tmp_path / 'host.db'}"
    t = Telemetry(**ARGS, store=store, allowlist=allowlist_file, flush_interval=None)
    t.counter("export/format:csv").inc(4)
    t.histogram("export/rows", buckets=[1000, 10000]).observe(12)
    t.flush()
    return store, t


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_status_shows_the_mode_and_as_of_date(host):
    store, _ = host
    result = run("status", "--store", store)
    assert result.exit_code == 0, result.output
    today = datetime.now(UTC).date().isoformat()
    assert f"mode:       local (as of {today}; stored mode local)" in result.output
    as_json = json.loads(run("status", "--store", store, "--json").output)
    assert as_json["mode"] == "local" and as_json["due_weeks"] == []


def test_view_prints_exactly_the_report_the_sdk_would_send(host):
    store, t = host
    result = run("view", "--store", store)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed == t.view()
    assert printed["counters"] == {"export/format:csv": 4, "export/rows:<1000": 1}


def test_on_off_and_local_switch_the_stored_mode(host):
    store, t = host
    assert json.loads(run("on", "--store", store, "--json").output)["mode"] == "on"
    assert t.mode == "on"
    assert "mode:       off" in run("off", "--store", store).output
    assert t.mode == "off"
    run("local", "--store", store)
    assert t.mode == "local"


def test_do_not_track_wins_over_the_stored_mode(host, monkeypatch):
    store, _ = host
    run("on", "--store", store)
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    assert "off (as of" in run("status", "--store", store).output
    assert "DO_NOT_TRACK=1" in run("status", "--store", store).output


def test_upload_refuses_when_not_on(host):
    store, _ = host
    result = run("upload", "--store", store, "--endpoint", "http://127.0.0.1:9")
    assert result.exit_code == 1
    assert "Telemetry is local; nothing is sent." in result.output


def test_upload_sends_due_weeks_to_the_desk(tmp_path, allowlist_file, telemetry_desk):
    store = f"sqlite:///{tmp_path / 'host.db'}"
    clock = Clock(monday_of(last_week()))
    t = Telemetry(
        **ARGS,
        store=store,
        allowlist=allowlist_file,
        clock=clock,
        flush_interval=None,
        settings=load_settings(),
    )
    t.set_mode("on")
    clock.now += timedelta(days=2)
    t.counter("dashboard/open").inc()
    t.flush()
    result = run("upload", "--store", store, "--endpoint", telemetry_desk.url)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{last_week()}: sent"
    assert (
        "Nothing is due" in run("upload", "--store", store, "--endpoint", telemetry_desk.url).output
    )


def test_user_errors_are_one_message_and_exit_1(tmp_path, host):
    store, _ = host
    missing = run("status", "--store", f"sqlite:///{tmp_path / 'nope.db'}")
    assert (missing.exit_code, "There is no database" in missing.output) == (1, True)
    assert not (tmp_path / "nope.db").exists()
    bad_week = run("view", "--store", store, "--week", "week 48")
    assert bad_week.exit_code == 1 and "ISO week" in bad_week.output
    wrong_app = run("status", "--store", store, "--app", "other")
    assert wrong_app.exit_code == 1 and "No telemetry for app 'other'" in wrong_app.output
    assert "Traceback" not in missing.output + bad_week.output + wrong_app.output
