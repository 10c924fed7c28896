"""Modes off | local | on with an as-of date: the vendor's default, the admin's choice,
DO_NOT_TRACK=1, and counts from before opting in never leaving the machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telemetry_helpers import Clock

from sitrep.config import load_settings
from sitrep.telemetry import Telemetry
from sitrep.telemetry.report import week_of

ARGS = {
    "app": "acme-reports",
    "app_version": "2.4.1",
    "host_product": "jira",
    "host_version": "9.12",
}


def _open(store, allowlist_file, dnt=False, **options):
    options.setdefault("flush_interval", None)
    return Telemetry(
        **ARGS,
        store=store,
        allowlist=allowlist_file,
        settings=load_settings(do_not_track=dnt),
        **options,
    )


def test_the_vendor_default_applies_until_the_admin_chooses(tmp_path, allowlist_file):
    store = f"sqlite:///{tmp_path / 'host.db'}"
    assert _open(store, allowlist_file).mode == "local"  # the SDK's default
    other = f"sqlite:///{tmp_path / 'other.db'}"
    vendor_on = _open(other, allowlist_file, default_mode="on")
    assert vendor_on.mode == "on"
    vendor_on.set_mode("off")
    # The admin's choice is stored and wins over the vendor default at every start.
    assert _open(other, allowlist_file, default_mode="on").mode == "off"


def test_do_not_track_means_off_whatever_is_stored(tmp_path, allowlist_file):
    store = f"sqlite:///{tmp_path / 'host.db'}"
    _open(store, allowlist_file, default_mode="on")
    t = _open(store, allowlist_file, dnt=True, endpoint="http://127.0.0.1:9")
    assert t.mode == "off"
    assert t.status()["reason"] == "DO_NOT_TRACK=1"
    t.counter("dashboard/open").inc()
    t.flush()
    today = datetime.now(UTC).date()
    assert t.store.counts("acme-reports", today - timedelta(days=1), today) == {}
    assert t.upload() == {}


def test_off_stops_counting_even_in_a_running_app(tmp_path, allowlist_file):
    store = f"sqlite:///{tmp_path / 'host.db'}"
    app = _open(store, allowlist_file)
    app.counter("dashboard/open").inc()
    app.flush()
    _open(store, allowlist_file).set_mode("off")  # the admin, from another process
    app.counter("dashboard/open").inc(10)
    app.flush()  # re-reads the mode and drops what was counted after `off`
    app.counter("dashboard/open").inc(10)
    app.flush()
    today = datetime.now(UTC).date()
    assert app.store.counts("acme-reports", today, today) == {"dashboard/open": 1}


def test_switching_on_keeps_the_first_as_of_date(tmp_path, allowlist_file):
    clock = Clock(datetime(2026, 11, 2, 9, tzinfo=UTC))
    t = _open(f"sqlite:///{tmp_path / 'host.db'}", allowlist_file, clock=clock)
    t.set_mode("on")
    clock.now += timedelta(days=3)
    t.set_mode("on")
    assert t.asof.isoformat() == "2026-11-02"


def test_counts_from_before_opting_in_are_never_reported(tmp_path, allowlist_file):
    now = datetime.now(UTC)
    week = week_of(now.date() - timedelta(days=7))
    from telemetry_helpers import monday_of

    monday = monday_of(week)
    clock = Clock(monday - timedelta(days=3))  # the Friday before: local mode
    t = _open(f"sqlite:///{tmp_path / 'host.db'}", allowlist_file, clock=clock)
    t.counter("export/format:pdf").inc(100)
    clock.now = monday + timedelta(days=1)  # Tuesday: local mode, then the admin opts in
    t.counter("export/format:xlsx").inc(50)
    t.set_mode("on")
    t.counter("export/format:xlsx").inc(7)  # the as-of day itself is left out too
    clock.now = monday + timedelta(days=2)  # Wednesday: counted after opting in
    t.counter("export/format:csv").inc(3)
    clock.now = now
    assert t.due_weeks() == [week]
    assert t.view(week)["counters"] == {"export/format:csv": 3}
    assert t.view(week_of(monday.date() - timedelta(days=3)))["counters"] == {}
