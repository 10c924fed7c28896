"""Audit log speed: appends/s with 1 and 8 writers, and `verify` time for a million entries.

Each figure comes with a baseline measured in the same run:
* appends: plain INSERT + COMMIT of a row of the same width into a table without the chain
  (what the chain, the head-row lock and the canonical JSON cost on top of a bare write);
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


def append_bench(engine: Engine, writers: int, per_writer: int) -> tuple[float, list[float]]:
    sessions = make_sessionmaker(engine)

    def one(i: int) -> None:
        with sessions.begin() as session:
            audit.record(
                session=session,
                actor=SAM,
                action="attachment.download",
                target=f"attachment:{i}",
                ticket="SUP-1",
                justification="SUP-1: reading the error log the customer sent",
            )

    return run_writers(writers, per_writer, one)


def plain_bench(engine: Engine, writers: int, per_writer: int) -> tuple[float, list[float]]:
    """The baseline: the same session and commit per row, one INSERT, no head lock, no chain."""
    sessions = make_sessionmaker(engine)
    insert = text(
        "INSERT INTO bench_plain (ts, actor, action, target, ticket, payload) VALUES "
        "(:ts, 'staff:3', 'attachment.download', :target, 'SUP-1', "
        "'SUP-1: reading the error log the customer sent')"
    )

    def one(i: int) -> None:
        with sessions.begin() as session:
            now = audit.format_ts(datetime.now(UTC))
            session.execute(insert, {"ts": now, "target": f"attachment:{i}"})

    return run_writers(writers, per_writer, one)


def load_average() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def pct(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 2 else float("nan")
    )


def bench_appends(urls: dict[str, str], per_writer_1: int, per_writer_8: int) -> None:
    print(f"== appends (each in its own committed transaction); {load_average()}")
    heads = ("audit/s", "p50 ms", "p99 ms", "plain/s", "ratio")
    print(f"{'db':22} {'writers':>7} " + " ".join(f"{h:>8}" for h in heads))
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
        for writers, per in ((1, per_writer_1), (8, per_writer_8)):
            rate, lat = append_bench(engine, writers, per)
            base, _ = plain_bench(engine, writers, per)
            print(
                f"{name:22} {writers:>7} {rate:>8.0f} {pct(lat, 50):>8.2f} {pct(lat, 99):>8.2f} "
                f"{base:>8.0f} {rate / base:>8.2f}"
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
