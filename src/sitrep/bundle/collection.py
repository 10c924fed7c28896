"""``collect()``: run a spec's collectors, redact, zip, analyse; and ``plan()`` for dry runs.

Raw data goes to a private temporary work folder, every file passes through the
redaction engine (discover over all files first, then rewrite, then the residual check),
and the zip is written to ``OUT.partial`` and renamed only when complete. The work folder
and any partial output are removed on success, on failure and on Ctrl-C.
"""

from __future__ import annotations

import errno
import os
import platform
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyrage

from sitrep import __version__
from sitrep.bundle.analyze import BundleFiles, Finding, exit_code, run_analyzers
from sitrep.bundle.archive import BundleWriter
from sitrep.bundle.collectors import REGISTRY
from sitrep.bundle.collectors.capture import Planned
from sitrep.bundle.collectors.context import (
    Budget,
    CollectorSkipped,
    CollectorTimeout,
    Context,
    Limits,
    Processes,
)
from sitrep.bundle.spec import CollectorSpec, Spec, application_environment
from sitrep.errors import BundleError
from sitrep.redact import Redactor

#: Called as ``progress(phase, done, total)`` with phase collect, redact or zip.
Progress = Callable[[str, int, int], None]
GRACE_SECONDS = 2.0
WORKERS = 4


@dataclass
class CollectOptions:
    """How to collect: redaction profile and key, caps, encryption."""

    profile: str = "standard"
    key: bytes | None = None
    limits: Limits = field(default_factory=Limits)
    encrypt_to: str | None = None
    env: Mapping[str, str] | None = None


@dataclass
class CollectorRun:
    """What happened to one collector: status ok|failed|timeout|skipped, seconds, error."""

    spec: CollectorSpec
    context: Context
    status: str = "pending"
    seconds: float = 0.0
    error: str | None = None
    started: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the manifest's ``collectors[]`` entry."""
        entry: dict[str, Any] = {
            "name": self.spec.name,
            "kind": self.spec.kind,
            "status": self.status,
        }
        entry["seconds"] = round(self.seconds, 3)
        if self.error:
            entry["error"] = self.error
        return entry


@dataclass
class BundleResult:
    """The outcome of one ``collect()``: where the bundle is and what went in."""

    path: Path | None
    files: list[dict[str, Any]]
    skipped: list[dict[str, str]]
    collectors: list[dict[str, Any]]
    redactions: int
    findings: list[Finding]
    timings: dict[str, float]

    @property
    def bytes(self) -> int:
        """Total uncompressed size of the collected files."""
        return sum(f["size"] for f in self.files if f.get("collector") != "sitrep")

    @property
    def exit_code(self) -> int:
        """0 pass, 3 fail, 4 warn (troubleshoot's convention)."""
        return exit_code(self.findings)


def collect(
    spec: Spec, out: Path | None, options: CollectOptions, progress: Progress | None = None
) -> BundleResult:
    """Collect, redact, zip and analyse; write ``out`` (None: analyse only, keep nothing)."""
    recipient = _recipient(options.encrypt_to)
    if out is not None:
        _check_output(out)
    work = Path(tempfile.mkdtemp(prefix="sitrep-bundle-"))
    processes = Processes()
    try:
        return _collect_in(work, spec, out, options, recipient, processes, progress or _quiet)
    except BaseException:
        processes.kill_all()
        raise
    finally:
        _remove_work(work)


def _remove_work(work: Path) -> None:
    """Remove the work folder; retry briefly while abandoned collector threads wind down."""
    for _ in range(50):
        shutil.rmtree(work, ignore_errors=True)
        if not work.exists():
            return
        time.sleep(0.05)


def _quiet(phase: str, done: int, total: int) -> None:  # noqa: ARG001
    """The default progress callback: say nothing."""


def _collect_in(
    work: Path, spec: Spec, out: Path | None, options: CollectOptions, recipient: Any,
    processes: Processes, progress: Progress,
) -> BundleResult:  # fmt: skip
    timings: dict[str, float] = {}
    clock = time.monotonic()
    runs = run_collectors(spec, work / "raw", options, processes, progress)
    timings["collect"] = time.monotonic() - clock
    names = _collected_names(work / "raw", runs)
    redactor = Redactor(profile=options.profile, key=options.key, redactor_specs=spec.redactors)
    clock = time.monotonic()
    _redact_all(redactor, work, names, progress)
    timings["redact"] = time.monotonic() - clock
    clock = time.monotonic()
    findings = run_analyzers(spec.analyzers, BundleFiles.from_folder(work / "staged", names))
    timings["analyze"] = time.monotonic() - clock
    report = redactor.report()
    result = BundleResult(
        path=None, files=[], skipped=[s for r in runs for s in r.context.skipped],
        collectors=[r.as_dict() for r in runs], redactions=_count(report), findings=findings,
        timings=timings,
    )  # fmt: skip
    if out is not None:
        clock = time.monotonic()
        _write_zip(out, work, names, runs, spec, options, result, report, progress)
        timings["zip"] = time.monotonic() - clock
        result.path = _encrypt(out, recipient) if recipient else out
    return result


# --- collectors -------------------------------------------------------------------------


def run_collectors(
    spec: Spec, root: Path, options: CollectOptions, processes: Processes, progress: Progress
) -> list[CollectorRun]:
    """Run every collector in a thread (at most ``WORKERS`` at once), each with its timeout."""
    env = options.env if options.env is not None else application_environment()
    budget = Budget(options.limits.max_total_bytes)
    runs = [
        CollectorRun(c, Context(c.name, root, options.limits, budget, env, c.timeout, processes))
        for c in spec.collectors
    ]
    slots = threading.BoundedSemaphore(WORKERS)
    for run in runs:
        threading.Thread(target=_run_one, args=(run, slots), daemon=True).start()
    _wait_for(runs, progress)
    return runs


def _run_one(run: CollectorRun, slots: threading.BoundedSemaphore) -> None:
    with slots:
        run.started = time.monotonic()
        try:
            run.context.prepare()
            REGISTRY[run.spec.kind].collect(run.spec.params, run.context)
            status, error = "ok", None
        except CollectorSkipped as exc:
            status, error = "skipped", str(exc)
            run.context.skip(f"{run.spec.kind}:{run.spec.name}", str(exc))
        except CollectorTimeout as exc:
            status, error = "timeout", str(exc)
        except Exception as exc:  # a failing collector is recorded, never fatal
            status, error = _failure(exc)
        if run.status == "pending":
            run.seconds = time.monotonic() - run.started
            run.status, run.error = status, error


def _failure(exc: Exception) -> tuple[str, str]:
    """Return (status, message) for a collector exception, without tracebacks or paths."""
    if exc.__class__.__name__ in (
        "TimeoutExpired",
        "TimeoutException",
        "ReadTimeout",
        "ConnectTimeout",
    ):
        return "timeout", f"timed out ({exc.__class__.__name__})"
    if isinstance(exc, OSError):
        return "failed", f"{exc.__class__.__name__}: {exc.strerror or exc}"
    return "failed", str(exc) if isinstance(
        exc, RuntimeError
    ) else f"{exc.__class__.__name__}: {exc}"


def _wait_for(runs: list[CollectorRun], progress: Progress) -> None:
    """Poll until every collector is done or past its timeout (polling lets Ctrl-C in)."""
    while True:
        now = time.monotonic()
        for run in runs:
            if (
                run.status == "pending"
                and run.started
                and now - run.started > run.spec.timeout + GRACE_SECONDS
            ):
                run.status, run.seconds = "timeout", now - run.started
                run.error = f"did not finish within {run.spec.timeout:g}s; its output was dropped"
        done = sum(run.status != "pending" for run in runs)
        progress("collect", done, len(runs))
        if done == len(runs):
            return
        time.sleep(0.05)


def _collected_names(root: Path, runs: list[CollectorRun]) -> list[str]:
    """Return the bundle paths of every file kept (dropped collectors contribute none)."""
    names: list[str] = []
    for run in runs:
        if run.status == "timeout" and run.error and "dropped" in run.error:
            continue
        for folder, _dirs, files in os.walk(run.context.folder):
            names.extend(str(Path(folder, f).relative_to(root)) for f in files)
    return sorted(names)


# --- redaction, zip, encryption -------------------------------------------------------------


def _redact_all(redactor: Redactor, work: Path, names: list[str], progress: Progress) -> None:
    """Discover over every file, then rewrite each into staging and check what is left."""
    raw, staged = work / "raw", work / "staged"
    for name in names:
        (staged / name).parent.mkdir(parents=True, exist_ok=True)
    if hasattr(redactor, "redact_files"):
        # The engine's own pool runs both passes and the residual check on all cores.
        progress("redact", 0, len(names))
        redactor.redact_files([(raw / name, staged / name, name) for name in names])
        progress("redact", len(names), len(names))
        return
    for name in names:
        redactor.discover(raw / name, name)
    for index, name in enumerate(names, start=1):
        target = staged / name
        redactor.redact_file(raw / name, target, name)
        redactor.check_residual(target, name)
        (raw / name).unlink()
        progress("redact", index, len(names))


def _count(report: dict[str, Any]) -> int:
    return sum(
        rule["count"] for rules in report.get("files", {}).values() for rule in rules.values()
    )


def _write_zip(
    out: Path, work: Path, names: list[str], runs: list[CollectorRun], spec: Spec,
    options: CollectOptions, result: BundleResult, report: dict[str, Any], progress: Progress,
) -> None:  # fmt: skip
    partial = out.with_name(out.name + ".partial")
    truncated = {f"{r.spec.name}/{t}" for r in runs for t in r.context.truncated}
    kind_of = {r.spec.name: r.spec.kind for r in runs}
    try:
        writer = BundleWriter(partial)
        try:
            for index, name in enumerate(names, start=1):
                collector = name.split("/", 1)[0]
                extra: dict[str, Any] = {"collector": collector, "kind": kind_of.get(collector)}
                if name in truncated:
                    extra["truncated"] = True
                writer.add_file(name, work / "staged" / name, **extra)
                progress("zip", index, len(names))
            writer.add_json("analysis.json", [f.as_dict() for f in result.findings])
            writer.add_json("redaction-report.json", report)
            result.files = sorted(writer.entries, key=lambda e: e["path"])
            writer.add_json("manifest.json", _manifest(spec, options, result), listed=False)
        finally:
            writer.abort()
        os.replace(partial, out)
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise BundleError(
                f"No space left on the device while writing {out}; nothing was written.",
                fix="Free some space, write to another disk with -o, or lower --max-file-mb.",
            ) from None
        raise


def _manifest(spec: Spec, options: CollectOptions, result: BundleResult) -> dict[str, Any]:
    """Return manifest.json (DESIGN §3.3): versions, host summary, files, skipped, collectors."""
    return {
        "format": "sitrep-bundle/1",
        "tool_version": __version__,
        "spec_digest": spec.digest,
        "profile": options.profile,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": {
            "os": platform.system(),
            "kernel": platform.release(),
            "arch": platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "files": result.files,
        "skipped": result.skipped,
        "collectors": result.collectors,
    }


def _recipient(key: str | None) -> Any:
    """Parse an age (``age1...``) or SSH public key before anything is collected."""
    if key is None:
        return None
    try:
        if key.startswith(("ssh-", "ecdsa-")):
            return pyrage.ssh.Recipient.from_str(key)
        return pyrage.x25519.Recipient.from_str(key)
    except pyrage.RecipientError:
        raise BundleError(
            "--encrypt-to is not an age or SSH public key.",
            fix="Pass the vendor's public key, e.g. age1... (see `age-keygen -y`).",
        ) from None


def _encrypt(out: Path, recipient: Any) -> Path:
    """Encrypt the finished zip to ``OUT.age`` and remove the plaintext zip."""
    target = out.with_name(out.name + ".age")
    partial = target.with_name(target.name + ".partial")
    try:
        pyrage.encrypt_file(str(out), str(partial), [recipient])
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        out.unlink(missing_ok=True)
    return target


def _check_output(out: Path) -> None:
    """Refuse an output in a missing or read-only folder before collecting anything."""
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise BundleError(
            f"The folder for {out} does not exist.", fix="Create it or choose another -o."
        )
    if not os.access(folder, os.W_OK):
        raise BundleError(f"Cannot write to {folder}.", fix="Choose another -o.")


def plan(spec: Spec, limits: Limits) -> list[Planned]:
    """Return what a collection would read, with sizes, without reading any content."""
    planned: list[Planned] = []
    for c in spec.collectors:
        module = REGISTRY[c.kind]
        if hasattr(module, "plan"):
            planned.extend(module.plan(c.params, c.name, limits))
        else:
            planned.append(Planned(c.name, f"{c.kind} facts", None))
    return planned
