"""Audit log speed: appends/s with 1 and 8 writers, and `verify` time for a million entries.

Each figure comes with a baseline measured in the same run:
* appends, two ways: ``append`` (a download's entry, in a transaction of its own) and
  ``record`` (in a session the caller commits, as sign-ins and agreement changes do). Each
  has as baseline one INSERT of a row of the same width, into a table without the chain,
  reaching the database the same way (an autocommitted INSERT on a kept connection, or the
  same session and commit): what the chain and the canonical JSON cost on top of a bare
  write. CPU per append adds this process's CPU time and, on PostgreSQL, that of the
  database's backends (read from /proc: the server must run on this machine);
* verify: re-hashing the same entries from memory with no database (what fetching rows and
  checking the chain cost on top of the hashing alone). Every entry has a justification
  beside the chain, as a download does, so verify also joins and checks its digest.

The machine's load average is printed with the figures: other work on it slows them.

Goals (issue 5): >= 2,000 appends/s on PostgreSQL; verify 1M entries in < 10 s.

    .venv/bin/python benchmarks/audit.py            # full size: 1M entries to verify
    .venv/bin/python benchmarks/audit.py --quick    # small sizes, a few seconds
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, text

from sitrep.desk import audit
from sitrep.desk.auth import Principal
from sitrep.desk.db import make_engine, make_sessionmaker
from sitrep.desk.migrate import upgrade

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
SAM = Principal(kind="staff", id=3, role="support", email="sam@vendor.example")
# The baseline row: the same columns as an entry, an auto-generated key, no chain.
BASELINE_DDL = (
    "CREATE TABLE bench_plain (id {key}, ts VARCHAR(32), actor VARCHAR(64), "
    "action VARCHAR(64), target VARCHAR(200), ticket VARCHAR(64), payload TEXT)"
)


@contextmanager
def databases(which: list[str]) -> Iterator[dict[str, str]]:
    """Yield URLs of fresh, migrated databases (a temp SQLite file, a temp PostgreSQL db)."""
    urls: dict[str, str] = {}
    created: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        if "sqlite" in which:
            urls["sqlite"] = f"sqlite:///{Path(tmp) / 'bench.db'}"
        if "postgres" in which:
            import psycopg

            name = f"sitrep_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            created.append(name)
            urls["postgres"] = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        try:
            for url in urls.values():
                upgrade(url)
            yield urls
        finally:
            if created:
                import psycopg

                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    for name in created:
                        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_writers(
    writers: int, per_writer: int, one: Callable[[int], None]
) -> tuple[float, list[float]]:
    """Run ``one(i)`` ``per_writer`` times in ``writers`` threads; return (rate, latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()

    def work(w: int) -> None:
        mine = []
        for i in range(per_writer):
            start = time.perf_counter()
            one(w * per_writer + i)
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return writers * per_writer / (time.perf_counter() - start), latencies


JUSTIFICATION = "SUP-1: reading the error log the customer sent"
# An entry as a download writes it; each gets its own target.
ENTRY = {"actor": SAM, "action": "attachment.download", "ticket": "SUP-1"}


def append_one(engine: Engine) -> Callable[[int], None]:
    """What a download does: ``audit.append``, committed and chained in its own transaction."""

    def one(i: int) -> None:
        audit.append(engine=engine, target=f"attachment:{i}", justification=JUSTIFICATION, **ENTRY)

    return one


def record_one(engine: Engine) -> Callable[[int], None]:
    """What a sign-in or an agreement change does: ``audit.record`` in a session it commits."""
    sessions = make_sessionmaker(engine)

    def one(i: int) -> None:
        with sessions.begin() as session:
            audit.record(
                session=session, target=f"attachment:{i}", justification=JUSTIFICATION, **ENTRY
            )

    return one


PLAIN_INSERT = (
    "INSERT INTO bench_plain (ts, actor, action, target, ticket, payload) VALUES "
    "({ts}, 'staff:3', 'attachment.download', {target}, 'SUP-1', '" + JUSTIFICATION + "')"
)


def plain_session_one(engine: Engine) -> Callable[[int], None]:
    """Baseline of ``record``: the same session and commit per row, one INSERT, no chain."""
    sessions = make_sessionmaker(engine)
    insert = text(PLAIN_INSERT.format(ts=":ts", target=":target"))

    def one(i: int) -> None:
        with sessions.begin() as session:
            now = audit.format_ts(datetime.now(UTC))
            session.execute(insert, {"ts": now, "target": f"attachment:{i}"})

    return one


def plain_direct_one(engine: Engine) -> Callable[[int], None]:
    """Baseline of ``append``: one INSERT in its own transaction the cheapest way, no chain.

    PostgreSQL: an autocommitted, prepared INSERT on a connection kept by each writer, as
    ``append`` keeps them. SQLite: ``engine.begin()``, as ``append`` does there.
    """
    if engine.dialect.name != "postgresql":
        return plain_session_one(engine)
    local = threading.local()
    opened: list[object] = []
    sql = PLAIN_INSERT.format(ts="%s", target="%s")

    def one(i: int) -> None:
        conn = getattr(local, "conn", None)
        if conn is None:
            fairy = engine.raw_connection()
            fairy.detach()
            conn = local.conn = fairy.dbapi_connection
            conn.autocommit = True  # type: ignore[union-attr]
            opened.append(conn)
        now = audit.format_ts(datetime.now(UTC))
        conn.execute(sql, (now, f"attachment:{i}"), prepare=True)  # type: ignore[union-attr]

    one.opened = opened  # type: ignore[attr-defined]
    return one


TICK = os.sysconf("SC_CLK_TCK")


def database_cpu(engine: Engine) -> dict[int, float]:
    """Return CPU seconds used so far by each PostgreSQL backend of this database, by pid.

    Read from /proc, so only for a server on this machine; SQLite runs inside this process.
    """
    if engine.dialect.name != "postgresql":
        return {}
    with engine.connect() as conn:
        pids = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
        used = {}
        for pid in pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            used[pid] = (int(stat[11]) + int(stat[12])) / TICK
    return used


def measure(
    engine: Engine, writers: int, per_writer: int, one: Callable[[int], None]
) -> tuple[float, list[float], float]:
    """Return (rate, latencies, CPU us per call of this process and the database's backends)."""
    db_before = database_cpu(engine)
    cpu_before = time.process_time()
    rate, latencies = run_writers(writers, per_writer, one)
    cpu = time.process_time() - cpu_before
    db_after = database_cpu(engine)
    cpu += sum(used - db_before.get(pid, 0.0) for pid, used in db_after.items())
    for conn in getattr(one, "opened", []):
        conn.close()
    return rate, latencies, cpu * 1e6 / (writers * per_writer)


def load_average() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def pct(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 2 else float("nan")
    )


# (name, how an entry is written, its baseline)
PATHS = (
    ("append", append_one, plain_direct_one),
    ("record", record_one, plain_session_one),
)


def bench_appends(urls: dict[str, str], per_writer_1: int, per_writer_8: int) -> None:
    print(f"== appends (each in its own committed transaction); {load_average()}")
    print("   cpu: microseconds of CPU per append, this process plus PostgreSQL's backends")
    heads = ("audit/s", "p50 ms", "p99 ms", "cpu us", "plain/s", "cpu us", "ratio")
    print(f"{'db':24} {'path':6} {'writers':>7} " + " ".join(f"{h:>8}" for h in heads))
    configs = [(name, url, {}) for name, url in urls.items()]
    if "postgres" in urls:
        # The same server with synchronous_commit=off: shows the code path's own ceiling
        # once the disk's flush latency is taken out (a crash may then lose the last
        # fraction of a second of entries, so this is not the recommended setting).
        options = {"connect_args": {"options": "-c synchronous_commit=off"}}
        configs.append(("postgres (async commit)", urls["postgres"], options))
    for name, url, options in configs:
        engine = make_engine(url, **options)
        key = "INTEGER PRIMARY KEY" if name == "sqlite" else "BIGSERIAL PRIMARY KEY"
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS bench_plain"))
            conn.execute(text(BASELINE_DDL.format(key=key)))
        for path, entry, baseline in PATHS:
            for writers, per in ((1, per_writer_1), (8, per_writer_8)):
                rate, lat, cpu = measure(engine, writers, per, entry(engine))
                base, _, base_cpu = measure(engine, writers, per, baseline(engine))
                print(
                    f"{name:24} {path:6} {writers:>7} {rate:>8.0f} {pct(lat, 50):>8.2f} "
                    f"{pct(lat, 99):>8.2f} {cpu:>8.0f} {base:>8.0f} {base_cpu:>8.0f} "
                    f"{rate / base:>8.2f}"
                )
        with make_sessionmaker(engine)() as session:
            report = audit.verify_chain(session=session)
            assert report.ok, report.problem
        engine.dispose()


def private_row(seq: int) -> tuple[str, str]:
    """Return the (salt, payload) stored beside entry ``seq``: who, and why, as a download."""
    payload = audit.canonical(
        {
            "actor_display": f"staff{seq % 7 + 1}@vendor.example",
            "justification": f"SUP-{seq % 5000}: reading the error log the customer sent",
            "details": None,
        }
    )
    return f"{seq:032x}", payload.decode()


def chain_rows(count: int) -> Iterator[tuple[object, ...]]:
    """Yield ``count`` entries (``COLUMNS`` order, then salt and payload) with a correct chain."""
    prev = audit.GENESIS
    for seq in range(1, count + 1):
        hour, minute, second = seq // 3_600_000 % 24, seq // 60_000 % 60, seq // 1000 % 60
        ts = f"2026-11-29T{hour:02d}:{minute:02d}:{second:02d}.{seq % 1000:06d}Z"
        salt, payload = private_row(seq)
        hashed = (
            seq,
            ts,
            f"staff:{seq % 7 + 1}",
            "support",
            "attachment.download",
            f"attachment:{seq}",
            f"SUP-{seq % 5000}",
            seq % 300,
            "allow",
            audit.private_digest(salt, payload),
        )
        prev = audit.chain_hash(prev, audit.entry_canonical(*hashed))  # type: ignore[arg-type]
        yield (*hashed, prev, salt, payload)


COLUMNS = (*audit.HASHED_COLUMNS, "hash")


def bulk_load(engine: Engine, count: int) -> str:
    """Insert ``count`` chained entries and their private rows as fast as the database allows."""
    entries = f"audit_entries ({', '.join(COLUMNS)})"
    privates = ((seq, *private_row(seq)) for seq in range(1, count + 1))
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cur.copy(f"COPY {entries} FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in chain_rows(count):
                    copy.write_row(row[:-2])
            with cur.copy("COPY audit_private (seq, salt, payload) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for private in privates:
                    copy.write_row(private)
        else:
            for sql, rows in (
                (
                    f"INSERT INTO {entries} VALUES ({', '.join('?' * len(COLUMNS))})",
                    chain_rows(count),
                ),
                ("INSERT INTO audit_private (seq, salt, payload) VALUES (?, ?, ?)", privates),
            ):
                while batch := [r[: len(COLUMNS)] for r in itertools.islice(rows, 50_000)]:
                    cur.executemany(sql, batch)
        cur.execute("SELECT hash FROM audit_entries ORDER BY seq DESC LIMIT 1")
        last = str(cur.fetchone()[0])
        placeholder = "%s" if engine.dialect.name == "postgresql" else "?"
        cur.execute(
            f"UPDATE audit_head SET seq = {placeholder}, hash = {placeholder} WHERE id = 1",
            (count, last),
        )
        raw.commit()
    finally:
        raw.close()
    return last


def hashing_only(count: int) -> float:
    """Return seconds to encode and chain-hash ``count`` in-memory entries, and check digests."""
    rows = [(r[:10], r[-2], r[-1]) for r in chain_rows(count)]
    start = time.perf_counter()
    prev = bytes(32)
    for hashed, salt, payload in rows:
        prev = hashlib.sha256(prev + audit.entry_canonical(*hashed)).digest()  # type: ignore[arg-type]
        assert audit.private_digest(salt, payload) == hashed[9]  # type: ignore[arg-type]
    return time.perf_counter() - start


def bench_verify(urls: dict[str, str], count: int, workers: int) -> None:
    print(f"== verify {count:,} entries (each configuration twice); {load_average()}")
    for name, url in urls.items():
        engine = make_engine(url)
        start = time.perf_counter()
        bulk_load(engine, count)
        if engine.dialect.name == "postgresql":  # as autovacuum leaves a real log
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE audit_entries, audit_private"))
        print(f"{name}: bulk load of the test data took {time.perf_counter() - start:.1f} s")
        base = hashing_only(count)
        print(f"{name}: baseline, encode + SHA-256 from memory, no database: {base:.2f} s")
        for procs in sorted({1, workers}) * 2:
            with make_sessionmaker(engine)() as session:
                start = time.perf_counter()
                report = audit.verify_chain(session=session, workers=procs)
                took = time.perf_counter() - start
            assert report.ok and report.entries == count, report.problem
            per_million = took * 1_000_000 / count
            print(
                f"{name:9} workers={procs}: {took:6.2f} s ({count / took:,.0f} entries/s, "
                f"{took / base:.2f}x the hashing baseline); {per_million:.1f} s per 1M: "
                f"goal < 10 s {'met' if per_million < 10 else 'MISSED'}; {load_average()}"
            )
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (seconds, not minutes)")
    parser.add_argument(
        "--verify-size", type=int, default=None, help="entries to verify (default 1M)"
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--only", choices=["appends", "verify"], help="run one half only")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="verify processes")
    args = parser.parse_args(argv)
    which = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    per1, per8 = (200, 50) if args.quick else (2000, 500)
    verify_size = args.verify_size or (20_000 if args.quick else 1_000_000)
    if args.only != "verify":
        with databases(which) as urls:
            bench_appends(urls, per1, per8)
    if args.only != "appends":
        with databases(which) as urls:
            bench_verify(urls, verify_size, args.workers)
    print(f"== done; {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
