"""Redaction throughput and memory on generated server-app logs.

Generates N MB of logs in two variants (match-sparse: about 1 line in 200 holds something to
redact; match-dense: every line holds two to four), then measures in the same run:

* a plain read of the same files (the floor) and a read+write copy;
* the candidate scan alone with Python's ``re``, google-re2 and (if installed) hyperscan;
* the full engine (``Redactor.redact_files``: discovery, rewrite, residual check) over a
  process pool: MB/s and peak RSS of the whole process tree;
* ``sos clean`` on a small sample of each variant, when sosreport is installed: MB/s, and
  what it left that sitrep removes (counted in both outputs).

The comparisons run in a child process, so this one, measured in the next variant's full run,
carries nothing from them.

    python benchmarks/redaction.py [--size-mb 1024] [--workers 2] [--quick]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import psutil

from sitrep.redact import Redactor
from sitrep.redact.matcher import _UNANCHORED, Matcher, RuleAutomaton
from sitrep.redact.rules import CheckContext, default_rules

CLASSES = [
    "com.atlassian.jira.web.action.issue.ViewIssue",
    "com.acme.reports.export.CsvExporter",
    "org.apache.catalina.core.StandardWrapperValve",
    "com.atlassian.crowd.manager.DirectoryManager",
    "org.springframework.jdbc.datasource.DataSourceUtils",
    "com.acme.sync.worker.BatchWorker",
    "com.atlassian.jira.index.DefaultIndexManager",
    "org.hibernate.engine.jdbc.spi.SqlExceptionHelper",
]
MESSAGES = [
    "Processed request id={n} in {ms} ms",
    "Reindexed {n} issues in project ABC in {ms} ms",
    "Cache hit ratio {pct}% for region com.acme.reports.cache",
    "GC pause {ms}ms heap 2048m used {pct}%",
    "Export job {uuid} finished: {n} rows, {ms} ms",
    "Scheduled task CaesiumScheduler-{n} completed",
    "GET /rest/api/2/issue/ABC-{n}?expand=changelog 200 {ms}ms",
    "Plugin com.acme.reports version 4.2.{n} enabled",
    "Query took {ms} ms: SELECT id FROM jiraissue",
    "at com.atlassian.jira.web.action.issue.ViewIssue.execute(ViewIssue.java:{n})",
]
SENSITIVE = [
    "user={user} logged in from {ip}",
    "Sent notification to {user}@{company}.com",
    "client {ip} -> /rest/auth/1/session user={user}",
    "Authorization: Bearer {token}",
    "password={token} accepted for {user}",
    "Connecting to jdbc:postgresql://db{n}.{company}.corp:5432/jira",
    "remote_addr={ip} mac={mac}",
    "Accepted publickey for {user} from {ip} port {n} ssh2",
]


def _line(rng: random.Random, n: int, dense: bool) -> str:
    fields = {
        "n": n,
        "ms": rng.randint(1, 5000),
        "pct": rng.randint(0, 100),
        "uuid": f"{rng.getrandbits(128):032x}",
        "user": f"user{rng.randint(1, 5000)}",
        "ip": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "company": rng.choice(["acme", "globex", "initech"]),
        "token": f"{rng.getrandbits(160):040x}",
        "mac": ":".join(f"{rng.randint(0, 255):02x}" for _ in range(6)),
    }
    prefix = (
        f"2026-11-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
        f"{rng.randint(0, 59):02d},{rng.randint(0, 999):03d} "
        f"{rng.choice(['INFO', 'WARN', 'DEBUG'])} "
        f"[http-nio-8080-exec-{rng.randint(1, 40)}] {rng.choice(CLASSES)} "
    )
    if dense:
        parts = rng.sample(SENSITIVE, rng.randint(1, 2))
        return prefix + " ; ".join(p.format(**fields) for p in parts) + "\n"
    if rng.random() < 0.005:
        return prefix + rng.choice(SENSITIVE).format(**fields) + "\n"
    return prefix + rng.choice(MESSAGES).format(**fields) + "\n"


def generate(directory: Path, size_mb: int, dense: bool, files: int = 8) -> list[Path]:
    """Write ``size_mb`` MB of logs as ``files`` files, from 64 distinct 1 MB blocks."""
    rng = random.Random(7 if dense else 3)
    blocks = []
    for b in range(64):
        lines, size = [], 0
        while size < 1 << 20:
            lines.append(_line(rng, b * 100000 + len(lines), dense))
            size += len(lines[-1])
        blocks.append("".join(lines).encode())
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    per_file = max(size_mb // files, 1)
    for i in range(files):
        path = directory / f"app-{i}.log"
        with open(path, "wb") as fh:
            for _ in range(per_file):
                fh.write(rng.choice(blocks))
        paths.append(path)
    return paths


def total_mb(paths: list[Path]) -> float:
    return sum(p.stat().st_size for p in paths) / 1e6


def plain_read(paths: list[Path]) -> float:
    started = time.perf_counter()
    for path in paths:
        with open(path, "rb") as fh:
            while fh.read(1 << 20):
                pass
    return time.perf_counter() - started


def plain_copy(paths: list[Path], out: Path) -> float:
    started = time.perf_counter()
    for path in paths:
        shutil.copyfile(path, out / path.name)
    return time.perf_counter() - started


class TreeRss:
    """Sample the RSS of this process and its children; keep the peaks."""

    def __init__(self) -> None:
        self.peak_total = self.peak_one = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            try:
                procs = [me, *me.children(recursive=True)]
                rss = [p.memory_info().rss for p in procs]
            except psutil.Error:
                continue
            self.peak_total = max(self.peak_total, sum(rss))
            self.peak_one = max(self.peak_one, max(rss))
            time.sleep(0.05)

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def in_child(fn: Callable[..., Any], *args: Any) -> Any:
    """Return ``fn(*args)`` run in a fresh process, so this one does not grow with it."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def engine_scan(path: Path) -> list[tuple[str, float, str]]:
    """Find candidate matches in the first 32 MB of ``path`` (no replacement) with each engine;
    MB/s on one core."""
    with open(path, "rb") as fh:
        sample = fh.read(32 << 20)
    rules = [r for r in default_rules() if r.enabled_in("standard")]
    ctx, keep = CheckContext(), (lambda _action, _value: None)
    mb, results = len(sample) / 1e6, []
    started = time.perf_counter()
    Matcher(rules).scan(sample, ctx, keep)
    results.append(("re2 triggers + rule families", mb / (time.perf_counter() - started), "kept"))
    small = sample[: 8 << 20]
    started = time.perf_counter()
    calls = _match_calls(Matcher(rules), small)
    seconds = time.perf_counter() - started
    results.append(
        ("re2 rule automata alone", len(small) / 1e6 / seconds, f"{calls} match calls, no Python")
    )
    small = sample[: max(len(sample) // 8, 1 << 20)]
    started = time.perf_counter()
    RuleAutomaton(rules).scan_segment(small, 0, len(small), ctx, keep, [])
    seconds = time.perf_counter() - started
    results.append(("re2 one automaton, no triggers", len(small) / 1e6 / seconds, "DFA overflows"))
    py = re.compile("|".join(f"(?:{_python_syntax(r.pattern)})" for r in rules).encode())
    small = sample[: 1 << 20]
    started = time.perf_counter()
    count = sum(1 for _ in py.finditer(small))
    seconds = time.perf_counter() - started
    results.append(("python re, one pattern", len(small) / 1e6 / seconds, f"{count} candidates"))
    results.append(_hyperscan(rules, sample))
    return results


def _match_calls(matcher: Matcher, buf: bytes) -> int:
    """Run every rule automaton of ``matcher`` over ``buf`` and do nothing with the matches.

    The floor of the rewrite: what re2 itself costs, through its Python binding, before any
    check or replacement runs. On match-dense logs it bounds the whole engine.
    """
    calls = 0
    for automaton in matcher._automata:
        match, pos, end = automaton._rx._regexp.Match, 0, len(buf)
        while pos < end:
            start, stop = match(_UNANCHORED, buf, pos, end)[0]
            calls += 1
            if start < 0:
                break
            pos = stop if stop > start else start + 1
    return calls


def _python_syntax(pattern: str) -> str:
    """re2 named groups repeat across rules; Python's re needs them unique, so drop names."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


def _hyperscan(rules: list, sample: bytes) -> tuple[str, float, str]:
    try:
        import hyperscan
    except ImportError:
        return ("hyperscan", 0.0, "not installed (pip install hyperscan)")
    db = hyperscan.Database()
    exprs = [_python_syntax(r.pattern).encode() for r in rules]
    try:
        db.compile(
            expressions=exprs,
            ids=list(range(len(exprs))),
            elements=len(exprs),
            flags=[hyperscan.HS_FLAG_ALLOWEMPTY] * len(exprs),
        )
    except hyperscan.error as exc:
        return ("hyperscan", 0.0, f"cannot compile the rule set: {exc}")
    hits = []
    started = time.perf_counter()
    db.scan(sample, match_event_handler=lambda *args: hits.append(args[0]) and None)
    return (
        "hyperscan (match ends only)",
        len(sample) / 1e6 / (time.perf_counter() - started),
        f"{len(hits)} raw events",
    )


def _cpu_seconds() -> float:
    """User + system CPU of this process and its finished children (the pool's workers)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def full_run(paths: list[Path], out: Path, workers: int) -> tuple[float, float, TreeRss, Redactor]:
    # No customer key, as in `sitrep redact` without --key: no reverse map is kept.
    redactor = Redactor(profile="standard")
    jobs = [(p, out / p.name, p.name) for p in paths]
    with TreeRss() as rss:
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        redactor.redact_files(jobs, workers=workers)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    return seconds, cpu, rss, redactor


def long_line() -> str:
    """Time one 5 MB and one 10 MB single line; linear time means a ratio near 2."""
    unit = b"ts=1 user=jdoe ip=10.1.2.3 key=value 1.2.3.4.5 a:b:c token=" + b"abcd" * 16 + b" "
    times = []
    for size in (5, 10):
        data = unit * (size * 1_000_000 // len(unit)) + b"\n"
        started = time.perf_counter()
        Redactor().redact_stream(io.BytesIO(data), io.BytesIO(), "line.log")
        times.append(time.perf_counter() - started)
    return (
        f"single line: 5 MB in {times[0]:.2f} s, 10 MB in {times[1]:.2f} s, "
        f"ratio {times[1] / times[0]:.2f} (2.0 is linear)"
    )


#: Values the generated logs hold that sitrep removes, counted in each redacted copy (IPv4
#: and MAC addresses are left out: both tools replace them).
LEFTOVERS = {
    "password values": rb"password=[0-9a-f]{40}\b",
    "Bearer tokens": rb"Bearer [0-9a-f]{40}\b",
    "user names": rb"\buser\d+\b",
    "e-mail addresses": rb"@(?:acme|globex|initech)\.com\b",
    "host names": rb"\bdb\d+\.(?:acme|globex|initech)\.corp\b",
}


def leftovers(redacted: bytes, original: bytes) -> str:
    """Say how many of each kind of value in ``original`` are still in ``redacted``."""
    return ", ".join(
        f"{name} {len(re.findall(pattern, redacted))}/{len(re.findall(pattern, original))}"
        for name, pattern in LEFTOVERS.items()
    )


def sos_clean(src: Path, tmp: Path, sample_mb: int) -> list[str]:
    """Run ``sos clean`` and sitrep on the first ``sample_mb`` MB of ``src``; report lines."""
    sos = shutil.which("sos")
    if sos is None:
        return ["sos clean: not installed (apt-get install -y sosreport); skipped"]
    with open(src, "rb") as fh:
        sample = fh.read(sample_mb << 20)
    mb = len(sample) / 1e6
    cleaned, seconds, note = _run_sos(sos, sample, tmp)
    if cleaned is None:
        return [f"sos clean: failed ({note})"]
    lines = [
        f"sos clean {note}".ljust(20)
        + f"{mb / seconds:9.2f} MB/s   {mb:.1f} MB in {seconds:.1f} s; left in place: "
        + leftovers(cleaned, sample)
    ]
    (tmp / "app.log").write_bytes(sample)
    started = time.perf_counter()
    Redactor(profile="standard").redact_files([(tmp / "app.log", tmp / "out.log", "app.log")])
    seconds = time.perf_counter() - started
    lines.append(
        "sitrep, same sample".ljust(20)
        + f"{mb / seconds:9.2f} MB/s   one process; left in place: "
        + leftovers((tmp / "out.log").read_bytes(), sample)
    )
    return lines


def _run_sos(sos: str, sample: bytes, tmp: Path) -> tuple[bytes | None, float, str]:
    """Return what ``sos clean`` made of ``sample``, its seconds, and its version or error.

    sos 4.0 cleans a directory only if it looks like an sos report (it holds sos_logs), and
    then moves it into --tmp-dir and cleans it there; later versions write an archive there.
    With --no-update and a map file of our own it writes nothing to /etc/sos.
    """
    target, work = tmp / "sos-sample", tmp / "sos-tmp"
    (target / "sos_logs").mkdir(parents=True)
    work.mkdir()
    (target / "app.log").write_bytes(sample)
    usage = subprocess.run([sos, "clean", "--help"], capture_output=True, text=True).stdout
    map_flag = "--map-file" if "--map-file" in usage else "--map"
    options = ["--batch", "--tmp-dir", str(work), map_flag, str(work / "map.json")]
    options += [flag for flag in ("--no-update", "--keep-binary-files") if flag in usage]
    started = time.perf_counter()
    proc = subprocess.run(
        [sos, "clean", str(target), *options], capture_output=True, text=True, timeout=1800
    )
    seconds = time.perf_counter() - started
    cleaned = _sos_output(work) if proc.returncode == 0 else None
    if cleaned is None:
        return None, seconds, (proc.stdout + proc.stderr).strip()[-300:]
    version = re.search(r"version ([\d.]+)", proc.stdout)
    return cleaned, seconds, version.group(1) if version else ""


def _sos_output(work: Path) -> bytes | None:
    """The cleaned app.log: in the cleaned directory (sos 4.0) or in an archive (later)."""
    for path in sorted(work.rglob("*")):
        if path.name == "app.log":
            return path.read_bytes()
        if path.is_file() and tarfile.is_tarfile(path):
            with tarfile.open(path) as archive:
                for member in archive.getmembers():
                    if member.name.endswith("/app.log"):
                        data = archive.extractfile(member)
                        return data.read() if data else None
    return None


def run_variant(name: str, tmp: Path, size_mb: int, workers: int) -> dict:
    paths = generate(tmp / name, size_mb, dense=(name == "dense"))
    mb = total_mb(paths)
    read_s = plain_read(paths)
    copy_dir = tmp / f"{name}-copy"
    copy_dir.mkdir()
    copy_s = plain_copy(paths, copy_dir)
    shutil.rmtree(copy_dir)
    out = tmp / f"{name}-out"
    out.mkdir()
    seconds, cpu, rss, redactor = full_run(paths, out, workers)
    totals = redactor.report()["totals"]
    shutil.rmtree(out)
    return {
        "name": name,
        "paths": paths,
        "mb": mb,
        "read": mb / read_s,
        "copy": mb / copy_s,
        "mbps": mb / seconds,
        "cpu": cpu,
        "seconds": seconds,
        "rss_total": rss.peak_total / 1e6,
        "rss_one": rss.peak_one / 1e6,
        "hits": sum(totals.values()),
        "scan": in_child(engine_scan, paths[0]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="per variant (default 1 GiB)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--quick", action="store_true", help="64 MB per variant")
    parser.add_argument("--sos-sample-mb", type=int, default=2)
    parser.add_argument("--variant", choices=["sparse", "dense", "both"], default="both")
    args = parser.parse_args()
    size = 64 if args.quick else args.size_mb
    print(
        f"redaction benchmark: {size} MB per variant, {args.workers} workers, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start"
    )
    with tempfile.TemporaryDirectory(prefix="sitrep-bench-") as raw:
        tmp = Path(raw)
        variants = ("sparse", "dense") if args.variant == "both" else (args.variant,)
        for variant in variants:
            r = run_variant(variant, tmp, size, args.workers)
            goal = 100 if variant == "sparse" else 30
            print(f"\n== match-{variant}: {r['mb']:.0f} MB, {r['hits']} redactions")
            print(f"  plain read          {r['read']:9.0f} MB/s   (baseline)")
            print(f"  plain copy          {r['copy']:9.0f} MB/s")
            print(
                f"  sitrep redact       {r['mbps']:9.1f} MB/s   {r['seconds']:.1f} s, "
                f"{r['mbps'] / r['read'] * 100:.1f}% of plain read; goal >= {goal} MB/s: "
                f"{'ok' if r['mbps'] >= goal else 'BELOW GOAL'}"
            )
            print(
                f"  CPU                 {r['cpu']:9.1f} s (parent and workers) = "
                f"{r['mb'] / r['cpu']:.1f} MB per CPU-second; on {args.workers} idle cores "
                f"at most {r['mb'] / r['cpu'] * args.workers:.0f} MB/s"
            )
            print(
                f"  peak RSS            {r['rss_total']:9.0f} MB all processes, "
                f"{r['rss_one']:.0f} MB largest; goal <= 200 MB: "
                f"{'ok' if r['rss_total'] <= 200 else 'BELOW GOAL'}"
            )
            for engine, mbps, note in r["scan"]:
                print(f"  scan only: {engine:<28} {mbps:8.1f} MB/s on one core  ({note})")
            sos_dir = tmp / f"{variant}-sos"
            for line in in_child(sos_clean, r["paths"][0], sos_dir, args.sos_sample_mb):
                print("  " + line)
            shutil.rmtree(tmp / variant)
    print("\n" + long_line())
    print(f"load average at end: {os.getloadavg()[0]:.1f} (other processes share the 2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
