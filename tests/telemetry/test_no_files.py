"""Using the SDK creates no file outside the host DB: a host app runs in a subprocess with a
fresh working directory, HOME and TMPDIR, and those stay empty (SQLite file and PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HOST_APP = textwrap.dedent(
    """
    import sys
    from sitrep.telemetry import Telemetry

    store, allowlist = sys.argv[1], sys.argv[2]
    t = Telemetry(app="acme-reports", app_version="2.4.1", host_product="jira",
                  host_version="9.12", store=store, allowlist=allowlist,
                  endpoint="http://127.0.0.1:9", flush_interval=0.01)
    for _ in range(1000):
        t.counter("export/format:csv").inc()
    t.histogram("export/rows", buckets=[1000]).observe(5)
    t.flush()
    assert t.view()["counters"]["export/format:csv"] == 1000
    t.set_mode("on")
    t.upload(sleep=lambda s: None)  # nothing due yet; must not touch disk either
    t.counter("dashboard/open").inc()  # left for the at-exit flush
    print("ok", t.status()["mode"])
    """
)


def _listing(*roots: Path) -> set[str]:
    return {str(p) for root in roots for p in root.rglob("*")}


@pytest.mark.slow
def test_the_sdk_creates_no_file_outside_the_host_db(tmp_path, database_url, allowlist_file):
    sandbox = {name: tmp_path / "sandbox" / name for name in ("cwd", "home", "tmp")}
    for path in sandbox.values():
        path.mkdir(parents=True)
    script = tmp_path / "host_app.py"
    script.write_text(HOST_APP)
    db_dir = tmp_path  # the SQLite variant's host DB is tmp_path/desk.db
    before = _listing(*sandbox.values()), _listing(db_dir)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(sandbox["home"]),
        "TMPDIR": str(sandbox["tmp"]),
        "XDG_CACHE_HOME": str(sandbox["home"] / ".cache"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    result = subprocess.run(
        [sys.executable, str(script), database_url, str(allowlist_file)],
        cwd=sandbox["cwd"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok on", result.stderr
    assert _listing(*sandbox.values()) == before[0] == set()
    # Next to the SQLite host DB only SQLite's own companions of that DB may appear (this
    # DB is in WAL mode, so SQLite keeps -wal and -shm files while connections are open).
    new = _listing(db_dir) - before[1]
    assert new <= {str(db_dir / f"desk.db{suffix}") for suffix in ("-wal", "-shm", "-journal")}

    from sqlalchemy import create_engine, text

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        opened = conn.execute(
            text("SELECT n FROM sitrep_counters WHERE name = 'dashboard/open'")
        ).scalar()
    engine.dispose()
    assert opened == 1, result.stderr  # the at-exit flush wrote to the DB, not to a file
