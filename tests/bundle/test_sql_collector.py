"""The sql collector reads from a real SQLite file; the URL never enters the bundle."""

from __future__ import annotations

import json
import sqlite3

from .conftest import host_spec, member


def make_db(path):
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE plugins (key TEXT, enabled INTEGER)")
        conn.executemany("INSERT INTO plugins VALUES (?, ?)", [(f"p{i}", i % 2) for i in range(5)])
    return f"sqlite:///{path}"


def test_it_runs_the_dialect_query_and_keeps_the_url_out_of_the_bundle(bundle, tmp_path):
    url = make_db(tmp_path / "app-secret-name.db")
    spec = host_spec(
        "    - sql:\n        collectorName: db\n        urlFromEnv: APP_DB_URL\n"
        "        maxRows: 3\n        query:\n          postgresql: 'SELECT version()'\n"
        "          default: 'SELECT key FROM plugins ORDER BY key'\n"
    )
    result, out = bundle(spec, env={"APP_DB_URL": url})
    data = json.loads(member(out, "db/result.json"))
    assert data == {
        "dialect": "sqlite",
        "columns": ["key"],
        "rows": [["p0"], ["p1"], ["p2"]],
        "truncated": True,
    }
    with __import__("zipfile").ZipFile(out) as archive:
        for name in archive.namelist():
            assert b"app-secret-name" not in archive.read(name)


def test_the_session_is_read_only_even_for_a_sneaky_query(bundle, tmp_path):
    url = make_db(tmp_path / "app.db")
    # A CTE passes the SELECT-like check but SQLite's query_only pragma still refuses writes.
    spec = host_spec(
        "    - sql: {collectorName: db, urlFromEnv: APP_DB_URL,"
        " query: 'WITH x AS (SELECT 1) DELETE FROM plugins'}\n"
    )
    result, _ = bundle(spec, env={"APP_DB_URL": url})
    assert result.collectors[0]["status"] == "failed"
    assert "readonly" in result.collectors[0]["error"].lower()
    with sqlite3.connect(tmp_path / "app.db") as conn:
        assert conn.execute("SELECT count(*) FROM plugins").fetchone()[0] == 5


def test_an_unset_url_variable_skips_the_collector_with_a_reason(bundle):
    result, _ = bundle(host_spec("    - sql: {urlFromEnv: APP_DB_URL, query: 'SELECT 1'}\n"))
    assert result.collectors[0]["status"] == "skipped"
    assert result.skipped == [{"source": "sql:sql", "reason": "APP_DB_URL is not set"}]


def test_a_failing_connection_names_no_password(bundle, tmp_path):
    url = "postgresql+psycopg://app:S3cretPass@127.0.0.1:1/app"
    result, _ = bundle(
        host_spec("    - sql: {urlFromEnv: APP_DB_URL, query: 'SELECT 1', timeout: 5s}\n"),
        env={"APP_DB_URL": url},
    )
    assert result.collectors[0]["status"] == "failed"
    assert "S3cretPass" not in result.collectors[0]["error"]
