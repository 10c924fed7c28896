"""Benchmark: upload a large bundle through tus to a real desk, against a raw loopback copy.

Both servers run as uvicorn subprocesses on 127.0.0.1, one after the other:

* the desk (``sitrep.desk.app:create_app``, SQLite, filesystem BlobStore), fed by
  ``sitrep.client.upload.TusUploader`` (128 MiB PATCHes; the last PATCH carries the
  bundle digest, which the client takes from the headers and the manifest). The time runs
  from the tus POST to the temporary attachment id, so it includes the server-side checks
  (the file's SHA-256 for the blob key, every member hashed against the manifest, the
  bundle digest against the client's) and the move into the BlobStore. With
  ``--file-hash-too`` each round also uploads with the client hashing the whole file
  instead, as it does for files that are not bundles (how bundles went before);
* the baseline: a bare ASGI app under the same uvicorn that streams one plain HTTP PUT
  of the same bytes to a file. No protocol, no database, no validation.

The server's peak RSS is sampled with psutil every 20 ms. Goals (issue 4): tus
throughput >= 50% of the baseline, and desk RSS <= 200 MB during a 2 GiB upload.
Each round also prints the CPU seconds per GiB that client and server used together, and
the server's part: on a shared machine the wall-clock ratio moves with other people's
load, the CPU cost less.

    python benchmarks/upload.py              # 2 GiB, the issue's size, 3 rounds
    python benchmarks/upload.py --size-mb 256 --rounds 1   # or --quick (64 MiB)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import httpx
import psutil

MIB = 1024 * 1024
HERE = Path(__file__).resolve().parent


# --- the baseline server: a bare ASGI sink ---------------------------------------------------


async def sink_app(scope, receive, send):  # type: ignore[no-untyped-def]
    """Stream a request body to SINK_FILE and answer 204: the least an upload server can do."""
    assert scope["type"] == "http"
    with open(os.environ["SINK_FILE"], "wb") as out:
        more = True
        while more:
            message = await receive()
            out.write(message.get("body", b""))
            more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


# --- helpers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A uvicorn subprocess and a thread that records its peak RSS."""

    def __init__(self, target: list[str], env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            *target,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            "--lifespan",
            "off",
        ]
        self.process = subprocess.Popen(command, env={**os.environ, **env})
        self.peak_rss = 0
        self._stop = threading.Event()
        self._wait_until_up()
        threading.Thread(target=self._sample, daemon=True).start()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def _sample(self) -> None:
        proc = psutil.Process(self.process.pid)
        while not self._stop.is_set():
            try:
                self.peak_rss = max(self.peak_rss, proc.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.02)

    def stop(self) -> None:
        self._stop.set()
        self.process.terminate()
        self.process.wait(timeout=30)


def make_bundle(path: Path, size: int) -> Path:
    """Write a stored (uncompressed) bundle of about ``size`` bytes with a valid manifest."""
    block = os.urandom(64 * MIB)
    digest, written = hashlib.sha256(), 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        with zf.open("logs/big.bin", "w", force_zip64=True) as member:
            while written < size:
                piece = block[: min(len(block), size - written)]
                member.write(piece)
                digest.update(piece)
                written += len(piece)
        entry = {"path": "logs/big.bin", "size": written, "sha256": digest.hexdigest()}
        zf.writestr("manifest.json", json.dumps({"files": [entry]}))
    return path


def prepare_desk(workdir: Path) -> tuple[dict[str, str], str]:
    """Migrate a fresh SQLite desk and issue an installation token; return env and token."""
    from sitrep.desk.db import make_engine, make_sessionmaker
    from sitrep.desk.migrate import upgrade
    from sitrep.desk.services.identity import add_installation

    workdir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{workdir / 'desk.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        _, token = add_installation(session=session, org_name="Bench")
        session.commit()
    engine.dispose()
    env = {
        "SITREP_DATABASE_URL": url,
        "SITREP_DATA_DIR": str(workdir / "data"),
        "SITREP_DEMO": "1",
        "SITREP_SECRET_KEY": "bench",
        "SITREP_SMTP_URL": "console://",
    }
    return env, token


def file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(MIB):
            yield chunk


# --- the two runs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One upload: wall time, the server's peak RSS and the CPU both sides used."""

    seconds: float
    peak_rss: int
    cpu: float  # CPU seconds of client (this process) and server during the upload
    server_cpu: float  # the server's part of it


def cpu_seconds(pid: int) -> float:
    """Return the CPU seconds (user + system) the process has used so far."""
    return sum(psutil.Process(pid).cpu_times()[:2])


def timed(server: Server, send: Callable[[], object]) -> tuple[float, float, float]:
    """Call ``send``; return its wall time, and the CPU seconds of both sides and the server's."""
    client, desk = os.getpid(), server.process.pid
    before, start = (cpu_seconds(client), cpu_seconds(desk)), time.perf_counter()
    send()
    elapsed = time.perf_counter() - start
    client_cpu, server_cpu = cpu_seconds(client) - before[0], cpu_seconds(desk) - before[1]
    return elapsed, client_cpu + server_cpu, server_cpu


def run_baseline(bundle: Path, workdir: Path) -> Run:
    sink = workdir / "sink.bin"
    server = Server(["--app-dir", str(HERE), "upload:sink_app"], {"SINK_FILE": str(sink)})
    try:
        url = f"{server.url}/"
        measured = timed(server, lambda: httpx.put(url, content=file_chunks(bundle), timeout=600))
        assert sink.stat().st_size == bundle.stat().st_size
    finally:
        server.stop()
    sink.unlink()
    return Run(measured[0], server.peak_rss, *measured[1:])


def run_tus(bundle: Path, workdir: Path, *, file_hash: bool = False) -> Run:
    from sitrep.client.upload import TusUploader

    if file_hash:  # the client treats the bundle as any other file and hashes all of it
        with mock.patch("sitrep.client.upload.bundle_sha256", return_value=None):
            return run_tus(bundle, workdir)
    env, token = prepare_desk(workdir)
    server = Server(["--factory", "sitrep.desk.app:create_app"], env)
    try:
        uploader = TusUploader(
            f"{server.url}/api/v1/uploads", headers={"Authorization": f"Bearer {token}"}
        )
        results = []
        measured = timed(server, lambda: results.append(uploader.upload(bundle)))
        assert results[0].temporary_id and results[0].size == bundle.stat().st_size
    finally:
        server.stop()
    # Free the disk and page cache as the baseline frees its sink file, for the next round.
    shutil.rmtree(workdir)
    return Run(measured[0], server.peak_rss, *measured[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=2048, help="bundle size in MiB (2048)")
    parser.add_argument("--quick", action="store_true", help="a 64 MiB bundle, one round")
    parser.add_argument("--rounds", type=int, default=3, help="baseline/tus pairs to run (3)")
    parser.add_argument(
        "--file-hash-too",
        action="store_true",
        help="each round, also upload with the client hashing the whole file",
    )
    args = parser.parse_args()
    size = (64 if args.quick else args.size_mb) * MIB
    rounds = 1 if args.quick else args.rounds
    pairs: list[tuple[Run, Run]] = []
    hashed: list[tuple[Run, Run]] = []
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="sitrep-bench-upload-") as tmp:
        workdir = Path(tmp)
        bundle = make_bundle(workdir / "bundle.zip", size)
        total = bundle.stat().st_size
        print(f"bundle: {total / MIB:.0f} MiB (stored zip, one member, manifest)")
        # A first upload of 2 GiB on a fresh VM runs at half speed (the host backs the
        # guest's page cache as it is first touched); a plain PUT, not counted, takes that.
        warm = run_baseline(bundle, workdir)
        print(f"warm-up plain PUT (not counted): {total / MIB / warm.seconds:6.1f} MiB/s")
        # Run baseline and tus back to back in each round and compare within the round:
        # the machine is shared, so its load changes from one round to the next.
        for round_no in range(rounds):
            pair = run_baseline(bundle, workdir), run_tus(bundle, workdir / f"desk{round_no}")
            pairs.append(pair)
            print_round(round_no + 1, total, *pair)
            if args.file_hash_too:
                run = run_tus(bundle, workdir / f"hashed{round_no}", file_hash=True)
                hashed.append((pair[0], run))
                print_round(round_no + 1, total, pair[0], run, "client hashes the file")
    summarise(pairs)
    if hashed:
        ratios = sorted(base.seconds / tus.seconds for base, tus in hashed)
        print(f"  with the client hashing the file: median ratio {ratios[len(ratios) // 2]:.3f}")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def print_round(number: int, total: int, base: Run, tus: Run, label: str = "") -> None:
    gib = total / (1024 * MIB)
    label = f" ({label})" if label else ""
    print(
        f"round {number}{label}: baseline plain PUT {total / MIB / base.seconds:6.1f} MiB/s "
        f"(server RSS {base.peak_rss / MIB:5.1f} MiB, CPU {base.cpu / gib:4.1f} s/GiB, "
        f"server {base.server_cpu / gib:3.1f}) | "
        f"tus + validation {total / MIB / tus.seconds:6.1f} MiB/s "
        f"(desk RSS {tus.peak_rss / MIB:5.1f} MiB, CPU {tus.cpu / gib:4.1f} s/GiB, "
        f"desk {tus.server_cpu / gib:3.1f}) | "
        f"ratio {base.seconds / tus.seconds:.2f}"
    )


def summarise(pairs: list[tuple[Run, Run]]) -> None:
    ratios = sorted(base.seconds / tus.seconds for base, tus in pairs)
    median = ratios[len(ratios) // 2]
    peak = max(tus.peak_rss for _, tus in pairs)  # the memory goal must hold in every run
    verdict = "met" if median >= 0.5 else "MISSED"
    print(f"median throughput ratio tus/baseline: {median:.3f}  (goal >= 0.50: {verdict})")
    cpu = sorted(base.cpu / tus.cpu for base, tus in pairs)
    print(f"median CPU ratio baseline/tus (client + server CPU seconds): {cpu[len(cpu) // 2]:.2f}")
    verdict = "met" if peak <= 200 * MIB else "MISSED"
    print(f"desk peak RSS over all rounds: {peak / MIB:.1f} MiB  (goal <= 200 MiB: {verdict})")


if __name__ == "__main__":
    main()
