"""Increments are cheap, thread-safe and process-safe: nothing is lost or doubled when
threads and processes count into the same host DB (SQLite file and PostgreSQL)."""

from __future__ import annotations

import multiprocessing
import os
import threading
from datetime import UTC, datetime

import pytest

from sitrep.config import load_settings
from sitrep.telemetry import Telemetry

APP_ARGS = {
    "app": "acme-reports",
    "app_version": "2.4.1",
    "host_product": "jira",
    "host_version": "9.12",
}


def _telemetry(store: str, **options) -> Telemetry:
    options.setdefault("flush_interval", None)
    return Telemetry(**APP_ARGS, store=store, settings=load_settings(do_not_track=False), **options)


def _total(t: Telemetry, name: str) -> int:
    today = datetime.now(UTC).date()
    return t.store.counts("acme-reports", today, today).get(name, 0)


def test_threads_counting_at_once_lose_nothing(database_url):
    t = _telemetry(database_url, flush_interval=0.01)  # flush concurrently with the increments
    counter = t.counter("export/format:csv")

    def work() -> None:
        for _ in range(5000):
            counter.inc()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    t.flush()
    assert _total(t, "export/format:csv") == 40_000


def _count_in_child(store: str, times: int) -> None:
    t = _telemetry(store, flush_interval=0.005)
    for _ in range(times):
        t.counter("dashboard/open").inc()
    t.flush()


@pytest.mark.slow
def test_processes_counting_into_one_host_db_lose_nothing(database_url):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_count_in_child, args=(database_url, 3000)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert _total(_telemetry(database_url), "dashboard/open") == 12_000


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_flush_its_parents_counts_again(database_url):
    t = _telemetry(database_url)
    t.counter("dashboard/open").inc(5)  # buffered, not yet flushed
    t.store.engine.dispose()  # a forked child must not share the parent's connections
    pid = os.fork()
    if pid == 0:
        try:
            t.store.engine.dispose(close=False)
            t.counter("dashboard/open").inc(2)
            t.flush()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    t.flush()
    assert _total(t, "dashboard/open") == 7


def test_counts_survive_a_failed_flush_and_are_written_by_the_next(database_url, monkeypatch):
    t = _telemetry(database_url)
    t.counter("dashboard/open").inc(3)
    real = t.store.add_counts

    def broken(*args, **kwargs):
        raise OSError("database went away")

    monkeypatch.setattr(t.store, "add_counts", broken)
    with pytest.raises(OSError):
        t.flush()
    monkeypatch.setattr(t.store, "add_counts", real)
    t.flush()
    assert _total(t, "dashboard/open") == 3


def test_increments_must_be_positive_ints(tmp_path):
    t = _telemetry(f"sqlite:///{tmp_path / 'host.db'}")
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            t.counter("dashboard/open").inc(bad)


def test_an_invalid_name_raises_and_records_nothing(tmp_path):
    from sitrep.errors import ValidationError

    t = _telemetry(f"sqlite:///{tmp_path / 'host.db'}")
    with pytest.raises(ValidationError):
        t.counter("user:bob@example.com").inc()
    t.flush()
    today = datetime.now(UTC).date()
    assert t.store.counts("acme-reports", today, today) == {}


def test_a_histogram_counts_each_value_in_its_bucket(tmp_path):
    t = _telemetry(f"sqlite:///{tmp_path / 'host.db'}")
    rows = t.histogram("export/rows", buckets=[1000, 10000])
    for value in (0, 999, 1000, 9999, 10000, 10**9):
        rows.observe(value)
    t.flush()
    today = datetime.now(UTC).date()
    assert t.store.counts("acme-reports", today, today) == {
        "export/rows:<1000": 2,
        "export/rows:<10000": 2,
        "export/rows:>=10000": 2,
    }
