"""HostStore keeps Sitrep's rows in namespaced tables of the host DB, and stays correct when
several threads or processes write the same setting at once (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

from sqlalchemy import inspect
from tests.conftest import run_threads

from sitrep.client.hoststore import HostStore


def test_it_adds_only_namespaced_tables_to_the_host_db(database_url):
    from sqlalchemy import create_engine

    url = database_url.replace("postgresql://", "postgresql+psycopg://")
    plain = create_engine(url)
    before = set(inspect(plain).get_table_names())  # the host's own tables
    plain.dispose()
    store = HostStore(url)
    store.set("telemetry.acme.mode", "on 2026-11-02")
    assert store.get("telemetry.acme.mode") == "on 2026-11-02"
    added = set(inspect(store.engine).get_table_names()) - before
    assert added == {"sitrep_settings", "sitrep_counters", "sitrep_reports"}
    store.engine.dispose()


def test_concurrent_first_writes_of_one_setting_all_succeed(database_url):
    store = HostStore(database_url.replace("postgresql://", "postgresql+psycopg://"))
    start = threading.Barrier(8)

    def write(i: int) -> None:
        start.wait()
        store.set("telemetry.acme.product", f"writer {i}")

    assert run_threads(write, 8) == []
    assert store.get("telemetry.acme.product").startswith("writer ")
    store.engine.dispose()
