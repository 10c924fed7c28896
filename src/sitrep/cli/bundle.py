"""`sitrep bundle collect|inspect|analyze`: parse, call ``sitrep.bundle``, print."""

from __future__ import annotations

import json
import multiprocessing
import signal
import sys
import zipfile
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sitrep.bundle import CollectOptions, Limits, collect, load_spec, plan
from sitrep.bundle.analyze import Finding, analyze_zip, exit_code
from sitrep.bundle.collectors.context import MB
from sitrep.cli.common import console, make_app, print_json
from sitrep.errors import BundleError

app = make_app("Collect, inspect and analyse support bundles.")
OUTCOME_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red"}
PHASES = {"collect": "Collecting", "redact": "Redacting", "zip": "Zipping"}


@app.command("collect")
def collect_command(
    spec: str = typer.Argument("default", help="Spec file, or `default` for the Java/Tomcat spec."),
    out: Path = typer.Option(
        None, "-o", "--out", help="Output zip (default sitrep-bundle-<time>.zip)."
    ),
    profile: str = typer.Option(
        "standard", help="Redaction profile: minimal, standard or paranoid."
    ),
    since: float = typer.Option(None, help="Only files modified in the last DAYS days."),
    max_file_mb: float = typer.Option(100, help="Cap per file in MB (the newest lines are kept)."),
    max_total_mb: float = typer.Option(2048, help="Cap for all collected files together, in MB."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="List what would be collected; read nothing."
    ),
    encrypt_to: str = typer.Option(
        None, help="Encrypt the zip to this age public key (OUT.zip.age)."
    ),
    key: Path = typer.Option(None, help="File holding your pseudonym key (keep it; never sent)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Collect a support bundle: run the spec's collectors, redact, zip and analyse.

    Exits 0 when every analyzer passed, 3 when one failed and 4 when one warned.
    """
    loaded = load_spec(spec)
    limits = Limits(int(max_file_mb * MB), int(max_total_mb * MB), since)
    if dry_run:
        _print_plan(loaded, limits, as_json)
        return
    options = CollectOptions(
        profile=profile, key=_read_key(key), limits=limits, encrypt_to=encrypt_to
    )
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    target = out or Path(f"sitrep-bundle-{datetime.now():%Y%m%dT%H%M%S}.zip")
    with _progress(enabled=console.is_terminal and not as_json) as bar:
        result = collect(loaded, target, options, progress=bar)
    if as_json:
        print_json(_result_json(result))
    else:
        _print_summary(result)
    raise typer.Exit(result.exit_code)


def _interrupt(signum: int, frame: object) -> None:  # noqa: ARG001 (signal handler signature)
    """Stop now on Ctrl-C or SIGTERM (a service manager), then clean up as usual.

    The redaction engine's process pool would otherwise finish its current chunks (minutes
    for big logs) before the interrupt reaches ``collect()``'s clean-up, so its worker
    processes are killed first.
    """
    for child in multiprocessing.active_children():
        child.kill()
    raise KeyboardInterrupt


def _read_key(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BundleError(
            f"Cannot read the key file {path}: {exc.strerror}.", fix="Check --key."
        ) from None


class _Bar:
    """A Rich progress bar fed by ``collect()``'s progress callback."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<11}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, transient=True,
        )  # fmt: skip
        self.tasks: dict[str, Any] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase not in self.tasks:
            self.tasks[phase] = self.progress.add_task(PHASES.get(phase, phase), total=total)
        self.progress.update(self.tasks[phase], completed=done, total=total)

    def __enter__(self) -> _Bar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)


def _progress(enabled: bool) -> Any:
    return _Bar() if enabled else nullcontext(None)


def _print_plan(spec: Any, limits: Limits, as_json: bool) -> None:
    items = plan(spec, limits)
    if as_json:
        print_json([vars(item) for item in items])
        return
    table = Table("collector", "source", "size", "note", title="Would collect (nothing was read)")
    for item in items:
        table.add_row(item.collector, item.source, _size(item.size), item.note)
    console.print(table)
    known = sum(item.size or 0 for item in items if not item.note.startswith("skipped"))
    console.print(f"Files up to {_size(known)} in total, plus command and fact output.")


def _size(value: int | None) -> str:
    if value is None:
        return "-"
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024  # type: ignore[assignment]
    return str(value)


def _result_json(result: Any) -> dict[str, Any]:
    return {
        "path": str(result.path),
        "files": len(result.files),
        "bytes": result.bytes,
        "skipped": result.skipped,
        "collectors": result.collectors,
        "redactions": result.redactions,
        "findings": [f.as_dict() for f in result.findings],
        "exit_code": result.exit_code,
        "seconds": {phase: round(value, 3) for phase, value in result.timings.items()},
    }


def _print_summary(result: Any) -> None:
    failed = [c for c in result.collectors if c["status"] not in ("ok",)]
    console.print(f"[bold]Wrote {result.path}[/]")
    console.print(
        f"{len(result.files)} files, {_size(result.bytes)} collected, "
        f"{len(result.skipped)} skipped, {result.redactions} redactions, "
        f"{len(result.findings)} findings"
    )
    for item in result.skipped:
        console.print(f"  skipped {item['source']}: {item['reason']}", markup=False)
    for c in failed:
        console.print(f"  collector {c['name']} {c['status']}: {c.get('error', '')}", markup=False)
    _print_findings(result.findings)


def _print_findings(findings: list[Finding]) -> None:
    if not findings:
        console.print("No analyzer produced a finding.")
        return
    table = Table("outcome", "check", "message")
    for f in findings:
        style = OUTCOME_STYLE[f.outcome]
        table.add_row(
            f"[{style}]{f.outcome}[/]", f.name, f.message + (f"\n{f.uri}" if f.uri else "")
        )
    console.print(table)


@app.command("inspect")
def inspect_command(
    bundle: Path = typer.Argument(..., help="A bundle zip made by `sitrep bundle collect`."),
    list_files: bool = typer.Option(False, "--list", help="List every file with size and sha256."),
    cat: str = typer.Option(None, help="Print one file of the bundle to stdout."),
    as_json: bool = typer.Option(
        False, "--json", help="Print manifest, redactions and findings as JSON."
    ),
) -> None:
    """Show what is in a bundle: manifest, files, redaction summary and findings."""
    with _open_bundle(bundle) as archive:
        if cat is not None:
            _cat(archive, cat)
            return
        manifest = json.loads(archive.read("manifest.json"))
        report = json.loads(archive.read("redaction-report.json"))
        analysis = json.loads(archive.read("analysis.json"))
    if as_json:
        print_json({"manifest": manifest, "redaction_report": report, "analysis": analysis})
    elif list_files:
        _print_files(manifest)
    else:
        _print_overview(manifest, report, analysis)


def _open_bundle(path: Path) -> zipfile.ZipFile:
    if path.suffix == ".age":
        raise BundleError(f"{path} is encrypted.", fix="Decrypt it with `age -d` first.")
    try:
        archive = zipfile.ZipFile(path)
        archive.getinfo("manifest.json")
        return archive
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        raise BundleError(
            f"{path} is not a readable Sitrep bundle ({exc.__class__.__name__}).",
            fix="Pass a zip made by `sitrep bundle collect`.",
        ) from None


def _cat(archive: zipfile.ZipFile, name: str) -> None:
    try:
        with archive.open(name) as fh:
            while chunk := fh.read(1024 * 1024):
                sys.stdout.buffer.write(chunk)
    except KeyError:
        raise BundleError(
            f"The bundle has no file {name}.", fix="See `--list` for its files."
        ) from None
    sys.stdout.buffer.flush()


def _print_files(manifest: dict[str, Any]) -> None:
    # One plain line per file (no table), so long paths stay whole and greppable.
    for entry in manifest["files"]:
        note = "  (truncated: newest lines kept)" if entry.get("truncated") else ""
        line = f"{entry['size']:>12}  {entry['sha256'][:16]}  {entry['path']}{note}"
        console.print(line, markup=False, soft_wrap=True)


def _print_overview(manifest: dict[str, Any], report: dict[str, Any], analysis: list[Any]) -> None:
    files = manifest["files"]
    console.print(
        f"Bundle made {manifest['created']} by sitrep {manifest['tool_version']}, "
        f"profile {manifest['profile']}, on {manifest['host']['os']} {manifest['host']['arch']}"
    )
    console.print(f"{len(files)} files, {_size(sum(f['size'] for f in files))}")
    table = Table("collector", "kind", "status", "seconds", "error")
    for c in manifest["collectors"]:
        table.add_row(
            c["name"], c.get("kind", ""), c["status"], f"{c['seconds']:.2f}", c.get("error", "")
        )
    console.print(table)
    for item in manifest["skipped"]:
        console.print(f"skipped {item['source']}: {item['reason']}", markup=False)
    redacted = {
        n: sum(r["count"] for r in rules.values()) for n, rules in report.get("files", {}).items()
    }
    console.print(f"{sum(redacted.values())} redactions in {len(redacted)} files")
    for name, count in redacted.items():
        console.print(f"  {name}: {count}", markup=False)
    _print_findings(
        [Finding(e["name"], e["outcome"], e.get("message", ""), e.get("uri")) for e in analysis]
    )


@app.command("analyze")
def analyze_command(
    target: Path = typer.Argument(
        ..., help="A bundle zip, or a spec to collect (nothing is kept)."
    ),
    spec: str = typer.Option(
        None, help="Run this spec's analyzers on the zip instead of its stored findings."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
) -> None:
    """Run analyzers; exit 0 when all pass, 3 when one fails, 4 when one warns."""
    if zipfile.is_zipfile(target):
        analyzers = load_spec(spec).analyzers if spec else None
        findings = analyze_zip(target, analyzers)
    else:
        findings = collect(load_spec(str(target)), None, CollectOptions()).findings
    if as_json:
        print_json([f.as_dict() for f in findings])
    else:
        _print_findings(findings)
    raise typer.Exit(exit_code(findings))
