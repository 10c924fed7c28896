"""The ingest route leaves no trace of its caller in uvicorn's access log (real uvicorn)."""

from __future__ import annotations

import logging

import httpx
from telemetry_helpers import Served, make_report


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()}")


def test_reports_are_not_in_the_access_log_while_other_routes_are(telemetry_app):
    recorder = Recorder()
    with Served(telemetry_app, log_level="info") as served:
        # uvicorn configures its loggers when it starts; attach after that.
        logging.getLogger("uvicorn.access").addHandler(recorder)
        try:
            assert httpx.get(f"{served.url}/healthz").status_code == 200
            ok = httpx.post(f"{served.url}/api/v1/telemetry/reports", json=make_report())
            bad = httpx.post(f"{served.url}/api/v1/telemetry/reports", content=b"{oops")
        finally:
            logging.getLogger("uvicorn.access").removeHandler(recorder)
    assert (ok.status_code, bad.status_code) == (201, 400)
    # The control line proves the access log is on and captured.
    assert any("/healthz" in line and "127.0.0.1" in line for line in recorder.lines)
    assert not any("telemetry" in line for line in recorder.lines)
