"""Batched ingest: the writer thread stores many reports per transaction, counts each
report once, answers only after the commit, and isolates a report the database refuses
(SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import text
from telemetry_helpers import make_report, stored_counters, table_counts

from sitrep.desk.services.telemetry import (
    IngestLimiter,
    IngestWriter,
    ReportIn,
    StoreUnavailable,
    store_reports,
)
from sitrep.errors import Conflict

URL = "/api/v1/telemetry/reports"


def _report(**overrides) -> ReportIn:
    return ReportIn.model_validate(make_report(**overrides))


def _rollups(app) -> dict[tuple[str, str], tuple[int, int, int]]:
    with app.state.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT app_version, counter, total, clamped, reports FROM telemetry_rollups")
        )
        return {(v, c): (t, cl, r) for v, c, t, cl, r in rows}


def _totals(app) -> dict[str, tuple[int, int]]:
    with app.state.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT counter, sum(total), sum(reports) FROM telemetry_totals GROUP BY counter")
        )
        return {c: (int(t), int(r)) for c, t, r in rows}


def test_one_batch_sums_its_reports_per_rollup_row_and_skips_replays(telemetry_app):
    first = _report(counters={"dashboard/open": 3, "export/format:csv": 20_000})
    with telemetry_app.state.engine.begin() as conn:
        assert store_reports(conn, [first]) == {first.report_id}
    again = _report(report_id=first.report_id, counters={"dashboard/open": 1000})
    other = _report(app_version="2.5.0", counters={"dashboard/open": 4})
    twin = _report(counters={"dashboard/open": 5})
    same_id = _report(report_id=twin.report_id, counters={"dashboard/open": 7000})
    with telemetry_app.state.engine.begin() as conn:
        stored = store_reports(conn, [again, other, twin, same_id])
    # The known id and the second report with one id in the batch store nothing.
    assert stored == {other.report_id, twin.report_id}
    assert stored_counters(telemetry_app) == {
        first.report_id: first.counters,
        other.report_id: other.counters,
        twin.report_id: twin.counters,
    }
    assert _rollups(telemetry_app) == {
        ("2.4.1", "dashboard/open"): (8, 8, 2),
        ("2.4.1", "export/format:csv"): (20_000, 10_000, 1),  # clamped at 10,000
        ("2.5.0", "dashboard/open"): (4, 4, 1),
    }
    assert _totals(telemetry_app) == {"dashboard/open": (12, 3), "export/format:csv": (20_000, 1)}
    with telemetry_app.state.engine.connect() as conn:
        weeks = dict(conn.execute(text("SELECT app_version, reports FROM telemetry_weeks")).all())
    assert weeks == {"2.4.1": 2, "2.5.0": 1}


def _submit_while_busy(writer: IngestWriter, reports: list[ReportIn]) -> list:
    """Submit ``reports`` while the writer's first transaction is held open by a lock."""
    gate = threading.Event()
    real_write = writer._write
    sizes: list[int] = []

    def write(conn, batch):
        gate.wait(10)
        sizes.append(len(batch))
        real_write(conn, batch)

    writer._write = write  # type: ignore[method-assign]
    futures = [writer.submit(report) for report in reports]
    time.sleep(0.05)
    gate.set()
    for future in futures:
        future.exception(timeout=30)
    writer.sizes = sizes  # type: ignore[attr-defined]
    return futures


def test_the_writer_stores_queued_reports_in_batches_and_answers_each(telemetry_app):
    writer = IngestWriter(telemetry_app.state.engine, max_batch=16)
    reports = [_report(counters={"dashboard/open": i + 1}) for i in range(40)]
    replay = _report(report_id=reports[3].report_id)
    # The replay lands in the same batch as the report it repeats.
    futures = _submit_while_busy(writer, [*reports[:5], replay, *reports[5:]])
    assert isinstance(futures.pop(5).exception(), Conflict)
    assert [f.exception() for f in futures] == [None] * 40
    # The 41 reports queued while the writer was busy went in batches of at most 16.
    assert max(writer.sizes) == 16 and sum(writer.sizes) == 41 and len(writer.sizes) >= 3
    assert table_counts(telemetry_app)["telemetry_reports"] == 40
    assert _rollups(telemetry_app) == {("2.4.1", "dashboard/open"): (820, 820, 40)}


def test_a_report_the_database_refuses_fails_alone(telemetry_app):
    writer = IngestWriter(telemetry_app.state.engine)
    good = [_report() for _ in range(5)]
    # Past the checks (built without validation), a count no BIGINT holds fails the INSERT.
    poison = ReportIn.model_construct(**(make_report(counters={"dashboard/open": 2**64})))
    futures = _submit_while_busy(writer, [good[0], *good[1:3], poison, *good[3:]])
    outcomes = [f.exception() for f in futures]
    assert [o is None for o in outcomes] == [True, True, True, False, True, True]
    # A 503 whose message quotes nothing (the database's error text quotes the batch).
    assert isinstance(outcomes[3], StoreUnavailable) and outcomes[3].status_code == 503
    assert "dashboard" not in str(outcomes[3])
    assert table_counts(telemetry_app)["telemetry_reports"] == 5
    assert _rollups(telemetry_app)[("2.4.1", "dashboard/open")] == (50, 50, 5)


def test_a_report_given_up_while_queued_is_not_stored(telemetry_app):
    writer = IngestWriter(telemetry_app.state.engine)
    reports = [_report() for _ in range(4)]
    gate = threading.Event()
    real_write = writer._write
    writer._write = lambda conn, batch: (gate.wait(10), real_write(conn, batch))  # type: ignore[method-assign]
    futures = [writer.submit(report) for report in reports]
    assert futures[2].cancel()  # as asyncio does when the request task is cancelled
    gate.set()
    assert [f.result(timeout=30) for f in futures[:2] + futures[3:]] == [None] * 3
    writer.submit(_report()).result(timeout=30)  # the writer is still alive
    assert table_counts(telemetry_app)["telemetry_reports"] == 4


def _unreachable():
    from sqlalchemy import create_engine

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/none")


def test_when_the_database_cannot_be_reached_waiting_reports_fail_and_the_next_one_retries(
    telemetry_app,
):
    writer = IngestWriter(_unreachable())
    failed = writer.submit(_report())
    assert isinstance(failed.exception(timeout=30), StoreUnavailable)
    writer.engine = telemetry_app.state.engine  # the database is back
    writer.submit(_report()).result(timeout=30)
    assert table_counts(telemetry_app)["telemetry_reports"] == 1


def test_the_writer_thread_ends_when_idle_and_starts_again(telemetry_app):
    writer = IngestWriter(telemetry_app.state.engine, idle_seconds=0.05)
    writer.submit(_report()).result(timeout=30)
    deadline = time.monotonic() + 10
    while writer._thread is not None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert writer._thread is None
    writer.submit(_report()).result(timeout=30)
    assert table_counts(telemetry_app)["telemetry_reports"] == 2


@pytest.mark.timeout(120)
def test_concurrent_posts_over_http_are_each_counted_once(telemetry_desk, telemetry_app):
    # All these come from one address: the per-sender rate limit would refuse most of them.
    telemetry_app.state.telemetry_limiter = IngestLimiter(per_source=None)
    reports = [make_report(counters={"dashboard/open": 1 + i % 7}) for i in range(120)]
    replays = reports[:20]

    with httpx.Client(base_url=telemetry_desk.url, timeout=60) as client:

        def post(report):
            return client.post(URL, json=report).status_code

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(post, reports + replays))
            # Once a report's answer arrived, its rows are committed: replaying it is a 409.
            late = list(pool.map(post, replays))
    assert answers.count(201) == 120
    assert answers.count(201) + answers.count(409) == 140
    assert late == [409] * 20
    assert table_counts(telemetry_app)["telemetry_reports"] == 120
    expected = sum(r["counters"]["dashboard/open"] for r in reports)
    assert _totals(telemetry_app)["dashboard/open"] == (expected, 120)


def test_over_http_an_unreachable_database_answers_503_and_logs_no_report(
    telemetry_client, telemetry_app, caplog
):
    telemetry_app.state.telemetry_writer = IngestWriter(_unreachable())
    report = make_report(host_version="9.12-canary")
    with caplog.at_level(logging.DEBUG):
        response = telemetry_client.post(URL, json=report)
    assert response.status_code == 503
    assert "retry later" in response.json()["errorMessage"]
    assert "OperationalError" in caplog.text  # operators learn what failed...
    assert "canary" not in caplog.text and report["report_id"] not in caplog.text  # not what
