"""The issue's "done when" scenario, end to end on a live desk (real uvicorn):

a small host app counts on its SQLite DB; the counts show in `sitrep telemetry view`; the
admin opts in with `sitrep telemetry on`; once the week is over its report reaches the desk
and appears in the usage aggregates, where a cell from fewer than k installations is hidden.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine
from telemetry_helpers import MIN_CELL, Clock, last_week, monday_of
from typer.testing import CliRunner

from sitrep.cli.telemetry import app as cli
from sitrep.telemetry import Telemetry
from sitrep.telemetry.report import week_of


class HostApp:
    """A tiny host product feature: exporting reports, counted with the SDK."""

    def __init__(self, store: str, version: str, allowlist, endpoint: str, clock: Clock) -> None:
        self.telemetry = Telemetry(
            app="acme-reports",
            app_version=version,
            host_product="jira",
            host_version="9.12",
            store=store,
            allowlist=allowlist,
            endpoint=endpoint,
            clock=clock,
            flush_interval=1.0,
        )
        self.formats = {f: self.telemetry.counter(f"export/format:{f}") for f in ("csv", "pdf")}
        self.rows = self.telemetry.histogram("export/rows", buckets=[1000, 10000])

    def export(self, fmt: str, rows: int) -> str:
        self.formats[fmt].inc()
        self.rows.observe(rows)
        return f"{rows} rows as {fmt}"


def _install(
    tmp_path, i: int, version: str, allowlist, endpoint: str
) -> tuple[str, HostApp, Clock]:
    store = f"sqlite:///{tmp_path / f'host{i}.db'}"
    clock = Clock(monday_of(last_week()) - timedelta(days=2))  # the Saturday before
    return store, HostApp(store, version, allowlist, endpoint, clock), clock


def _cli(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.slow
def test_a_host_apps_weekly_report_reaches_the_dashboard_with_suppression(
    tmp_path, allowlist_file, telemetry_desk, staff_token, monkeypatch
):
    monkeypatch.delenv("DO_NOT_TRACK", raising=False)

    installs = [("2.4.1", i) for i in range(MIN_CELL)] + [("2.5.0", MIN_CELL)]
    for version, i in installs:
        store, host, clock = _install(tmp_path, i, version, allowlist_file, telemetry_desk.url)
        host.export("pdf", 50)  # local mode: counted, shown, never sent
        host.telemetry.flush()  # what the SDK's background thread does every second here
        saturday = week_of(clock.now.date())
        shown = json.loads(_cli("view", "--store", store, "--week", saturday))
        assert shown["counters"]["export/format:pdf"] == 1
        with time_machine.travel(monday_of(last_week()), tick=False):
            assert "mode:       on" in _cli("on", "--store", store)  # as of last Monday
        clock.now = monday_of(last_week()) + timedelta(days=1)
        host.export("csv", 20_000)
        host.export("csv", 10)
        host.telemetry.flush()
        clock.now = datetime.now(UTC)  # the week is over
        assert _cli("upload", "--store", store).strip() == f"{last_week()}: sent"

    usage = httpx.get(
        f"{telemetry_desk.url}/api/v1/telemetry/usage",
        params={"app": "acme-reports", "by": "app_version", "from": last_week(), "to": last_week()},
        headers={"Authorization": f"Bearer {staff_token}"},
    ).json()
    cells = {(v["app_version"], v["counter"]): (v["total"], v["reports"]) for v in usage["values"]}
    assert cells == {
        ("2.4.1", "export/format:csv"): (2 * MIN_CELL, MIN_CELL),
        ("2.4.1", "export/rows:<1000"): (MIN_CELL, MIN_CELL),
        ("2.4.1", "export/rows:>=10000"): (MIN_CELL, MIN_CELL),
    }
    assert usage["suppressed"] == 3  # the lone 2.5.0 installation's three cells
    # The pdf exports were counted before opting in: they never left any machine.
    assert not any("pdf" in v["counter"] for v in usage["values"])
