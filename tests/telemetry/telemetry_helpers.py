"""Helpers shared by the telemetry tests: the test allow-list, reports, a served app."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sitrep.telemetry.report import week_of

APP = "acme-reports"
MIN_CELL = 3

ALLOWLIST = f"""\
version: 2
app: {APP}
counters:
  - name: "export/format:{{csv,xlsx,pdf}}"
    description: Which export format people choose
    rate: 1.0
    chart: partition
  - name: "export/rows:{{<1000,<10000,>=10000}}"
    description: Rows per export
    rate: 1.0
    chart: histogram
  - name: "report/schedule:{{daily,weekly}}"
    description: Scheduled report frequency (sampled)
    rate: 0.5
    chart: partition
  - name: "dashboard/open"
    description: Dashboards opened
    rate: 1.0
    chart: count
"""


class Served:
    """A real uvicorn server on 127.0.0.1 in a thread, with a chosen log level."""

    def __init__(self, app: Any, log_level: str = "warning") -> None:
        import uvicorn

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level=log_level)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def last_week() -> str:
    """Return the ISO week that ended most recently."""
    return week_of(datetime.now(UTC).date() - timedelta(days=7))


def make_report(**overrides: Any) -> dict[str, Any]:
    """Return a valid report for last week, with ``overrides`` applied."""
    report = {
        "report_id": secrets.token_hex(16),
        "week": last_week(),
        "app": APP,
        "app_version": "2.4.1",
        "host_product": "jira",
        "host_version": "9.12",
        "x": 0.25,
        "allowlist_version": 2,
        "counters": {"export/format:csv": 3, "dashboard/open": 10},
    }
    report.update(overrides)
    return report


def stored_counters(app) -> dict[str, dict[str, int]]:
    """Return the counters stored with each report, by report id."""
    import json

    from sqlalchemy import text

    with app.state.engine.connect() as conn:
        rows = conn.execute(text("SELECT report_id, counters FROM telemetry_reports"))
        return {report_id: json.loads(counters) for report_id, counters in rows}


def table_counts(app) -> dict[str, int]:
    """Return the row count of every telemetry table of the desk."""
    from sqlalchemy import text

    tables = (
        "telemetry_reports",
        "telemetry_rollups",
        "telemetry_totals",
        "telemetry_weeks",
    )
    with app.state.engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}


class Recording:
    """ASGI wrapper that records every request's exact headers and body, then passes it on.

    ``fail_first`` answers that many requests with 503 first (a flaky network or desk).
    """

    def __init__(self, app: Any, fail_first: int = 0) -> None:
        self.app = app
        self.fail_first = fail_first
        self.requests: list[dict[str, Any]] = []

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        self.requests.append(
            {
                "method": scope["method"],
                "path": scope["path"],
                "query": scope["query_string"],
                "headers": list(scope["headers"]),
                "body": body,
            }
        )
        if self.fail_first > 0:
            self.fail_first -= 1
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b"busy"})
            return

        async def replay() -> dict:
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def wire(self) -> bytes:
        """Return every byte of every recorded request (headers and bodies)."""
        parts = []
        for r in self.requests:
            parts += [r["method"].encode(), r["path"].encode(), r["query"], r["body"]]
            parts += [k + b": " + v for k, v in r["headers"]]
        return b"\n".join(parts)


class Clock:
    """A settable clock for Telemetry(clock=...)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def monday_of(week: str) -> datetime:
    """Return 10:00 UTC on the Monday of ``week``."""
    from sitrep.telemetry.report import week_bounds

    monday, _ = week_bounds(week)
    return datetime.combine(monday, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
