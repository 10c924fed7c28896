"""Ticket create and read throughput of the desk, against a bare FastAPI endpoint.

Each server (the desk on SQLite, the desk on PostgreSQL, and a bare FastAPI app) runs as
its own `uvicorn` process on 127.0.0.1 with the same settings (one worker); the load comes
from this process, with 50 concurrent httpx clients. The servers take turns in rounds, so
a change in the machine's load (other work on a shared box) affects them alike. Creates
raise a request on behalf of a customer through the JSM API (which also queues the
"request received" mail); reads GET a random existing request. The bare endpoints do no
work at all, so the ratio is the share of raw framework throughput the desk keeps.

    python benchmarks/desk.py            # 50 clients, 1000 creates and 3000 reads per database
    python benchmarks/desk.py --quick    # 50 clients, 200 creates and 600 reads
    python benchmarks/desk.py --db sqlite --creates 500 --reads 2000

Goal (issue 4): reads >= 30% of the bare endpoint's throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
READ_GOAL = 0.30


@dataclass
class Result:
    """Throughput and latency of one phase."""

    name: str
    count: int
    seconds: float
    latencies: list[float]
    errors: int = 0

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bare_app():  # pragma: no cover - served by uvicorn in a child process
    """A FastAPI app with endpoints that do nothing: the baseline."""
    from fastapi import FastAPI

    app = FastAPI()
    ticket = {"issueKey": "SUP-1", "issueId": "1", "summary": "Export fails", "status": "Waiting"}

    @app.get("/bare/{key}")
    def read(key: str) -> dict:
        return {**ticket, "issueKey": key}

    @app.post("/bare", status_code=201)
    def create(body: dict) -> dict:
        return {**ticket, "summary": str(body.get("summary", ""))}

    return app


@contextmanager
def served(args: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    """Run a server process and yield its URL once /docs answers."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, proc)
            yield url
        except BaseException:
            log.seek(0)
            sys.stderr.write(f"server log (tail):\n{log.read().decode()[-3000:]}\n")
            raise
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def _wait_ready(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("server failed to start")
        try:
            if httpx.get(f"{url}/docs").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not start")


async def load(name: str, total: int, clients: int, send: Callable, first: int = 0) -> Result:
    """Send ``total`` requests from ``clients`` concurrent connections; time each one."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(first, first + total))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:

        async def worker() -> None:
            nonlocal errors
            for n in counter:
                started = time.perf_counter()
                try:
                    response = await send(client, n)
                except httpx.TransportError:
                    # Counted and reported, not retried: a dropped connection is a result too.
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - started)
                if response.status_code >= 400:
                    raise SystemExit(f"{name}: {response.status_code} {response.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        seconds = time.perf_counter() - started
        return Result(name, len(latencies), seconds, latencies, errors)


def desk_env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    env.update(
        SITREP_DATABASE_URL=database_url,
        SITREP_DATA_DIR=str(data_dir),
        SITREP_SMTP_URL="console://",
        SITREP_SECRET_KEY="benchmark-secret",
    )
    return env


def prepare(database_url: str) -> str:
    """Migrate the database and return a support engineer's token."""
    from sitrep.desk.db import make_engine, make_sessionmaker, transaction
    from sitrep.desk.migrate import upgrade
    from sitrep.desk.services.identity import add_staff

    upgrade(database_url)
    engine = make_engine(database_url)
    with transaction(make_sessionmaker(engine)) as session:
        _, token = add_staff(session=session, email="bench@vendor.example", role="support")
    engine.dispose()
    return token


@contextmanager
def database(kind: str, tmp: Path) -> Iterator[str]:
    """Yield the URL of a fresh database of ``kind``; drop it afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    import psycopg

    name = f"sitrep_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Target:
    """A server under test and how to create and read a ticket on it."""

    name: str
    create: Callable
    read: Callable
    made: int = 0  # tickets created so far (desk keys SUP-1..SUP-made exist)


@contextmanager
def desk_target(kind: str) -> Iterator[Target]:
    """Serve the desk on a fresh database of ``kind``."""
    with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as url:
        headers = {"Authorization": f"Bearer {prepare(url)}"}
        port = free_port()
        args = [str(Path(sys.executable).parent / "sitrep"), "desk", "serve", "--port", str(port)]
        with served(args, desk_env(url, Path(tmp) / "data"), port) as base:

            async def create(client: httpx.AsyncClient, n: int) -> httpx.Response:
                body = {
                    "serviceDeskId": "1",
                    "requestTypeId": "1",
                    "raiseOnBehalfOf": f"user{n % 200}@acme.example",
                    "requestFieldValues": {
                        "summary": f"Export fails {n}",
                        "description": "Timeout after 30 s",
                    },
                }
                return await client.post(
                    f"{base}/rest/servicedeskapi/request", json=body, headers=headers
                )

            async def read(client: httpx.AsyncClient, _n: int) -> httpx.Response:
                key = f"SUP-{random.randint(1, max(1, target.made))}"
                return await client.get(
                    f"{base}/rest/servicedeskapi/request/{key}", headers=headers
                )

            target = Target(kind, create, read)
            yield target


@contextmanager
def bare_target() -> Iterator[Target]:
    """Serve the bare FastAPI app the same way (one uvicorn process)."""
    port = free_port()
    here = str(Path(__file__).parent)
    args = [sys.executable, "-m", "uvicorn", "--factory", "desk:bare_app", "--app-dir", here,
            "--port", str(port), "--log-level", "warning"]  # fmt: skip
    with served(args, dict(os.environ), port) as base:

        async def create(client: httpx.AsyncClient, n: int) -> httpx.Response:
            return await client.post(f"{base}/bare", json={"summary": f"Export fails {n}"})

        async def read(client: httpx.AsyncClient, n: int) -> httpx.Response:
            return await client.get(f"{base}/bare/SUP-{n}")

        yield Target("bare", create, read)


#: The targets, visible to forked load processes (closures cannot be pickled).
_TARGETS: list[Target] = []


def _load_child(job: tuple[int, str, int, int, int]) -> Result:
    index, phase, total, clients, first = job
    target = _TARGETS[index]
    send = getattr(target, phase)
    return asyncio.run(load(f"{target.name} {phase}", total, clients, send, first))


def load_in_processes(index: int, phase: str, total: int, opts: argparse.Namespace) -> Result:
    """Run one load from ``opts.procs`` forked processes (one httpx client cannot saturate
    even the bare endpoint); the rate is over the wall time of the whole run."""
    procs = max(1, opts.procs)
    jobs = [(index, phase, total // procs, max(1, opts.clients // procs), i * total) for i in
            range(procs)]  # fmt: skip
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        runs = pool.map(_load_child, jobs)
    merged = merge(runs[0].name, runs)
    merged.seconds = time.perf_counter() - started
    return merged


def run_phase(targets: list[Target], phase: str, opts: argparse.Namespace) -> dict[str, Result]:
    """Load every target in turns (round-robin), so a change in machine load hits all alike."""
    _TARGETS[:] = targets
    parts: dict[str, list[Result]] = {t.name: [] for t in targets}
    per_round = max(1, getattr(opts, phase + "s") // opts.rounds)
    for _ in range(opts.rounds):
        for index, target in enumerate(targets):
            result = load_in_processes(index, phase, per_round, opts)
            parts[target.name].append(result)
            if phase == "create":
                target.made += result.count
    return {name: merge(f"{name} {phase}", runs) for name, runs in parts.items()}


def merge(name: str, runs: list[Result]) -> Result:
    """Return one Result for several runs: summed counts and times, all latencies."""
    return Result(
        name,
        sum(r.count for r in runs),
        sum(r.seconds for r in runs),
        [x for r in runs for x in r.latencies],
        sum(r.errors for r in runs),
    )


def report(creates: dict[str, Result], reads: dict[str, Result]) -> bool:
    """Print the table; return whether every database meets the read goal."""
    print(
        f"{'phase':<20}{'requests':>9}{'errors':>7}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'vs bare':>9}"
    )
    ok = True
    for results in (creates, reads):
        for result in results.values():
            ratio = result.rate / results["bare"].rate
            print(
                f"{result.name:<20}{result.count:>9}{result.errors:>7}{result.rate:>9.0f}"
                f"{result.pct(0.5):>9.1f}{result.pct(0.99):>9.1f}{ratio:>8.0%}"
            )
    for name, result in reads.items():
        if name == "bare":
            continue
        ratio = result.rate / reads["bare"].rate
        ok = ok and ratio >= READ_GOAL
        verdict = "meets" if ratio >= READ_GOAL else "MISSES"
        print(
            f"  -> {name} reads: {ratio:.0%} of the bare endpoint; "
            f"{verdict} the {READ_GOAL:.0%} goal"
        )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small run (200 creates, 600 reads)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--creates", type=int, default=None)
    parser.add_argument("--reads", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=3, help="turns each server gets per phase")
    parser.add_argument("--procs", type=int, default=2, help="load-generating processes")
    opts = parser.parse_args()
    opts.creates = opts.creates or (200 if opts.quick else 1000)
    opts.reads = opts.reads or (600 if opts.quick else 3000)
    kinds = ["sqlite", "postgres"] if opts.db == "both" else [opts.db]
    print(
        f"{opts.clients} concurrent clients from {opts.procs} processes, {opts.creates} creates, "
        f"{opts.reads} reads per server in {opts.rounds} alternating rounds; "
        f"{os.cpu_count()} CPUs"
    )
    with ExitStack() as stack:
        targets = [stack.enter_context(bare_target())]
        targets += [stack.enter_context(desk_target(kind)) for kind in kinds]
        creates = run_phase(targets, "create", opts)
        reads = run_phase(targets, "read", opts)
    report(creates, reads)


if __name__ == "__main__":
    main()
