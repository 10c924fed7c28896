"""Benchmark `sitrep bundle collect` against `zip -r -6` on the same server-app logs.

Generates realistic Tomcat/Jira-style logs (default 1 GiB; ``--size-mb`` to shrink, or
``--quick`` for 64 MB), collects them with the default profile (redaction on) through the
real CLI in a child process, then zips the same files with ``zip -r -6`` in the same run.
Prints MB/s, wall times, the ratio to zip, the split between collection, redaction,
analysis and zipping, and peak RSS (largest single process, from ``getrusage``, and the
whole process tree, sampled with psutil when it is installed).

Goals (issue 2): peak RSS <= 200 MB and wall <= 1.5x zip -6 with redaction on.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

MB = 1024 * 1024
SITREP = Path(sys.executable).parent / "sitrep"

CLASSES = [
    "com.atlassian.jira.web.filters.ThreadLocalQueryProfiler",
    "com.atlassian.plugin.manager.DefaultPluginManager",
    "org.apache.catalina.core.StandardWrapperValve",
    "com.atlassian.jira.issue.index.DefaultIndexManager",
    "com.acme.reports.export.CsvExporter",
    "org.hibernate.engine.jdbc.spi.SqlExceptionHelper",
]
MESSAGES = [
    "Request processed in {n} ms for /rest/api/2/search?jql=project%3DACME",
    "User {user}@example.com logged in from {ip}",
    "Plugin [com.acme.reports] enabled in {n} ms",
    "Reindexing issue ACME-{n}",
    "Connection pool stats: active={a} idle={b} max=100",
    "Outgoing mail sent to {user}@customer.example via smtp://mail.customer.example:25",
    "Slow query ({n} ms): SELECT * FROM jiraissue WHERE project = {a}",
    "Session {hex} expired",
    "Export finished: {n} rows written to /var/atlassian/application-data/jira/export/{hex}.csv",
    "db url=jdbc:postgresql://db.customer.example:5432/jira user=jira password=Sup3rSecret2026",
]
LEVELS = ["INFO"] * 8 + ["WARN", "ERROR", "DEBUG"]
USERS = ["alice", "bob", "carol", "dave", "erin", "mallory", "trent"]
# One company's installation: a few hundred people behind a few dozen addresses.
CLIENT_IPS = [f"10.20.{i // 8}.{10 + i}" for i in range(40)]


def make_block(rng: random.Random, size: int) -> bytes:
    """Return about ``size`` bytes of log lines."""
    lines, total = [], 0
    while total < size:
        message = rng.choice(MESSAGES).format(
            n=rng.randint(1, 99999), user=rng.choice(USERS), ip=rng.choice(CLIENT_IPS),
            a=rng.randint(0, 255), b=rng.randint(0, 255), hex=f"{rng.getrandbits(64):016x}",
        )  # fmt: skip
        line = (
            f"2026-11-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
            f"{rng.randint(0, 59):02d},{rng.randint(0, 999):03d} {rng.choice(LEVELS):5} "
            f"[http-nio-8080-exec-{rng.randint(1, 200)}] {rng.choice(CLASSES)} {message}\n"
        )
        lines.append(line)
        total += len(line)
    return "".join(lines).encode()


def generate(folder: Path, size_mb: int, files: int = 8) -> int:
    """Write ``files`` logs totalling ``size_mb`` MB; return the byte count."""
    rng = random.Random(42)
    blocks = [make_block(rng, 4 * MB) for _ in range(4)]
    per_file = size_mb * MB // files
    names = ["catalina.out"] + [f"atlassian-jira.log.{i}" for i in range(1, files)]
    total = 0
    for name in names:
        with open(folder / name, "wb") as fh:
            written = 0
            while written < per_file:
                block = blocks[(written // (4 * MB)) % len(blocks)][: per_file - written]
                fh.write(block)
                written += len(block)
        total += written
    return total


class TreeSampler(threading.Thread):
    """Sample the summed RSS of a process and its children (needs psutil)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self) -> None:
        try:
            import psutil
        except ImportError:
            return
        try:
            root = psutil.Process(self.pid)
            while self.running:
                procs = [root, *root.children(recursive=True)]
                rss = 0
                for proc in procs:
                    try:
                        rss += proc.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, rss)
                time.sleep(0.05)
        except psutil.Error:
            return


def run_sitrep(spec: Path, out: Path, size_mb: int) -> tuple[float, dict, int]:
    """Collect through the CLI; return (wall seconds, --json result, tree peak RSS)."""
    cap = str(size_mb + 64)
    command = [str(SITREP), "bundle", "collect", str(spec), "-o", str(out), "--json",
               "--max-file-mb", cap, "--max-total-mb", str(size_mb * 2 + 64)]  # fmt: skip
    started = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(child.pid)
    sampler.start()
    stdout, stderr = child.communicate()
    wall = time.monotonic() - started
    sampler.running = False
    if child.returncode not in (0, 3, 4):
        sys.exit(f"sitrep failed ({child.returncode}): {stderr.strip()[-2000:]}")
    return wall, json.loads(stdout), sampler.peak


def run_zip(folder: Path, out: Path) -> float:
    started = time.monotonic()
    subprocess.run(["zip", "-r", "-6", "-q", str(out), "."], cwd=folder, check=True)
    return time.monotonic() - started


def compare_deflate() -> None:
    """Compare stdlib zlib -6 with zlib-ng and isal (when installed) on 16 MB of the logs."""
    import zlib

    rng = random.Random(7)
    data = b"".join(make_block(rng, 4 * MB) for _ in range(4))
    engines = [("zlib -6 (used)", zlib, 6)]
    for module, name, level in (
        ("zlib_ng.zlib_ng", "zlib-ng -6", 6),
        ("isal.isal_zlib", "isal -2", 2),
    ):
        try:
            engines.append((name, __import__(module, fromlist=["x"]), level))
        except ImportError:
            package = module.split(".")[0].replace("_", "-")
            print(f"deflate: {name} not installed (pip install {package})")
    for name, lib, level in engines:
        started = time.process_time()
        packer = lib.compressobj(level, lib.DEFLATED, -15)
        packed = packer.compress(data) + packer.flush()
        seconds = time.process_time() - started
        print(f"deflate: {name:15} {len(data) / MB / seconds:6.0f} MB/s per core, "
              f"ratio {len(data) / len(packed):.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="log volume to generate (MB)")
    parser.add_argument("--quick", action="store_true", help="64 MB instead of the default")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--deflate", action="store_true", help="only compare deflate libraries")
    args = parser.parse_args()
    if args.deflate:
        compare_deflate()
        return
    size_mb = 64 if args.quick else args.size_mb
    if not shutil.which("zip"):
        sys.exit("`zip` is needed for the baseline (apt-get install zip).")
    work = Path(tempfile.mkdtemp(prefix="sitrep-bench-"))
    try:
        logs = work / "logs"
        logs.mkdir()
        total = generate(logs, size_mb)
        spec = work / "spec.yaml"
        spec.write_text(
            "apiVersion: sitrep.dev/v1\nkind: SupportBundle\nspec:\n  hostCollectors:\n"
            f"    - files: {{collectorName: logs, paths: ['{logs}/*']}}\n"
        )
        print(f"input: {total / MB:.0f} MB of server-app logs in 8 files")
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        wall, result, tree_peak = run_sitrep(spec, work / "sitrep.zip", size_mb)
        single_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        zip_wall = run_zip(logs, work / "baseline.zip")
        report(total, wall, result, single_peak if single_peak > before * 1024 else 0, tree_peak,
               zip_wall, work)  # fmt: skip
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(total: int, wall: float, result: dict, single_peak: int, tree_peak: int,
           zip_wall: float, work: Path) -> None:  # fmt: skip
    seconds = result.get("seconds", {})
    sitrep_size = (work / "sitrep.zip").stat().st_size
    zip_size = (work / "baseline.zip").stat().st_size
    print(f"sitrep bundle collect: {wall:6.1f} s  {total / MB / wall:7.1f} MB/s  "
          f"zip {sitrep_size / MB:.0f} MB  redactions {result['redactions']}")  # fmt: skip
    print(f"zip -r -6 (baseline):  {zip_wall:6.1f} s  {total / MB / zip_wall:7.1f} MB/s  "
          f"zip {zip_size / MB:.0f} MB")  # fmt: skip
    print(f"ratio sitrep/zip: {wall / zip_wall:.2f}x  (goal <= 1.5x)")
    split = ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items())
    print(f"split: {split}, start-up and the rest {wall - sum(seconds.values()):.1f} s")
    print(f"peak RSS, largest single process: {single_peak / MB:.0f} MB  (goal <= 200 MB)")
    if tree_peak:
        print(f"peak RSS, whole process tree (sampled): {tree_peak / MB:.0f} MB")


if __name__ == "__main__":
    main()
