"""PII guard: canary personal data planted wherever a caller could put it (counter names,
bucket strings, environment, host name, other tables of the host DB) reaches neither the
wire, nor the desk's database, nor any log."""

from __future__ import annotations

import json
import logging
import platform
import socket
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, inspect, select, table, text
from telemetry_helpers import Clock, Recording, Served, last_week, monday_of

from sitrep.config import load_settings
from sitrep.errors import ValidationError
from sitrep.telemetry import Telemetry

CANARIES = [
    "canary.alice@pii.example",
    "canary-zebulon",
    "canary-host-7f3a",
    "canary-env-9d1c",
    "canary-db-row-c0ffee",
    "+49-170-canary",
]
ALLOWED_HEADERS = {
    b"host",
    b"accept",
    b"accept-encoding",
    b"connection",
    b"user-agent",
    b"content-type",
    b"content-length",
}


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.text: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.text.append(f"{record.name} {record.getMessage()} {record.exc_text or ''}")


def _plant_host_db(store: str) -> None:
    engine = create_engine(store)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE users (email TEXT, name TEXT, phone TEXT)"))
        conn.execute(
            text("INSERT INTO users VALUES (:e, :n, :p)"),
            {"e": CANARIES[0], "n": CANARIES[1], "p": CANARIES[5]},
        )
        conn.execute(text("CREATE TABLE notes (body TEXT)"))
        conn.execute(text("INSERT INTO notes VALUES (:b)"), {"b": CANARIES[4]})
    engine.dispose()


def _count_with_canaries(t: Telemetry) -> None:
    t.counter("export/format:csv").inc(2)  # a real, listed counter: the report is not empty
    for name in (f"user/{CANARIES[0]}", f"export/format:{CANARIES[0]}", f"contact:{CANARIES[5]} x"):
        with pytest.raises(ValidationError):
            t.counter(name)
    t.counter(f"user/{CANARIES[1]}").inc()  # valid charset, but not in the allow-list
    t.counter(f"export/format:{CANARIES[2]}").inc()  # an unlisted bucket
    t.histogram("export/rows", buckets=[10], unit=CANARIES[3]).observe(3)  # unlisted buckets


def _dump(engine) -> str:
    rows = []
    with engine.connect() as conn:
        for name in inspect(conn).get_table_names():
            rows += [
                repr(tuple(r)) for r in conn.execute(select(text("*")).select_from(table(name)))
            ]
    return "\n".join(rows)


def test_no_canary_reaches_the_wire_the_desk_db_or_the_logs(
    tmp_path, allowlist_file, telemetry_app, monkeypatch, capsys
):
    monkeypatch.setattr(socket, "gethostname", lambda: CANARIES[2])
    monkeypatch.setattr(socket, "getfqdn", lambda *a: CANARIES[2])
    monkeypatch.setattr(platform, "node", lambda: CANARIES[2])
    for var, value in {
        "USER": CANARIES[1],
        "HOSTNAME": CANARIES[2],
        "EMAIL": CANARIES[0],
        "SITREP_CANARY": CANARIES[3],
        "MAIL": CANARIES[0],
    }.items():
        monkeypatch.setenv(var, value)
    store = f"sqlite:///{tmp_path / 'host.db'}"
    _plant_host_db(store)
    logs = Everything()
    recorder = Recording(telemetry_app)
    for name in ("", "uvicorn", "uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).addHandler(logs)
    previous = logging.getLogger().level
    logging.getLogger().setLevel(logging.DEBUG)
    try:
        with Served(recorder, log_level="debug") as served:
            clock = Clock(monday_of(last_week()))
            t = Telemetry(
                app="acme-reports",
                app_version="2.4.1",
                host_product="jira",
                host_version="9.12",
                store=store,
                allowlist=allowlist_file,
                endpoint=served.url,
                clock=clock,
                default_mode="on",
                flush_interval=None,
                settings=load_settings(),
            )
            clock.now += timedelta(days=1)
            _count_with_canaries(t)
            clock.now += timedelta(days=7)
            assert t.upload(sleep=lambda s: None) == {last_week(): "sent"}
            sent = t.view(last_week())
    finally:
        for name in ("", "uvicorn", "uvicorn.access", "uvicorn.error"):
            logging.getLogger(name).removeHandler(logs)
        logging.getLogger().setLevel(previous)

    # The report went out, with the listed counter only (so this test can see a leak).
    assert sent["counters"] == {"export/format:csv": 2}
    wire = recorder.wire()
    assert json.dumps(sent, separators=(",", ":")).encode() in wire
    headers = {k for r in recorder.requests for k, _ in r["headers"]}
    assert headers <= ALLOWED_HEADERS, headers - ALLOWED_HEADERS
    desk_db = _dump(telemetry_app.state.engine)
    assert "export/format:csv" in desk_db  # the dump does see stored counters
    captured = capsys.readouterr()
    log_text = "\n".join(logs.text) + captured.out + captured.err
    assert "HTTP Request" in log_text or "uvicorn" in log_text or logs.text  # logging was live
    for canary in CANARIES:
        assert canary.encode() not in wire, canary
        assert canary not in desk_db, canary
        assert canary not in log_text, canary
    assert "127.0.0.1" not in desk_db  # no address is stored either
