"""``sitrep redact`` and ``sitrep unmask``: the redaction engine on the command line."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import typer

from sitrep.cli.common import err_console, print_json
from sitrep.errors import RedactionError

PROFILE_HELP = "minimal (credentials), standard (+ pseudonymised identifiers) or paranoid."


def register(app: typer.Typer) -> None:
    """Add this module's top-level commands to the main app."""
    app.command("redact")(redact)
    app.command("unmask")(unmask)


def redact(
    paths: list[str] = typer.Argument(None, help="Files or directories; none or '-' reads stdin."),
    out_dir: Path | None = typer.Option(None, "-o", "--out", help="Directory for redacted copies."),
    profile: str = typer.Option("standard", "--profile", help=PROFILE_HELP),
    report: Path | None = typer.Option(None, "--report", help="Write the redaction report here."),
    key: Path | None = typer.Option(
        None, "--key", help="Customer key file (created if missing); keeps pseudonyms stable."
    ),
    keyword: list[str] = typer.Option([], "--keyword", help="Extra word to hide (paranoid)."),
    keyword_file: Path | None = typer.Option(None, "--keyword-file", help="One word per line."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Redact secrets and pseudonymise identifiers in files, directories or stdin."""
    from sitrep.redact import Redactor
    from sitrep.redact.pseudonym import load_key

    words = list(keyword) + (_read_words(keyword_file) if keyword_file else [])
    key_bytes = None
    if key is not None:
        key_bytes, created = load_key(key, create=True)
        if created:
            err_console.print(f"Created a new pseudonym key in {key} (keep it; do not send it).")
    redactor = Redactor(profile=profile, key=key_bytes, keywords=words)
    if not paths or paths == ["-"]:
        redactor.redact_stream(sys.stdin.buffer, sys.stdout.buffer, "<stdin>", learn=True)
        sys.stdout.buffer.flush()
        summary: dict[str, object] = {"files": 1, "bytes": None}
    else:
        summary = _redact_paths(redactor, paths, out_dir)
    _finish(redactor, key, report, summary, as_json)


def _read_words(path: Path) -> list[str]:
    try:
        return [w.strip() for w in path.read_text().splitlines() if w.strip()]
    except OSError as exc:
        raise RedactionError(f"Cannot read the keyword file {path}: {exc.strerror}.") from None


def _collect(paths: list[str], out_dir: Path) -> tuple[list[tuple[Path, Path, str]], list[str]]:
    """Map inputs to outputs keeping relative paths; return jobs and skipped binaries."""
    jobs, skipped = [], []
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            raise RedactionError(f"{raw} does not exist.", fix="Check the path and try again.")
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        base = root.parent if root.is_dir() else root.parent
        for src in files:
            if src.resolve().is_relative_to(out_dir.resolve()):
                continue
            name = src.relative_to(base).as_posix() if root.is_dir() else src.name
            if _is_binary(src):
                skipped.append(name)
                continue
            jobs.append((src, out_dir / name, name))
    names = [n for _, _, n in jobs]
    if len(set(names)) != len(names):
        raise RedactionError("Two inputs would be written to the same output path.")
    return jobs, skipped


def _is_binary(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return b"\0" in fh.read(8192)
    except OSError as exc:
        raise RedactionError(f"Cannot read {path}: {exc.strerror}.") from None


def _redact_paths(redactor: object, paths: list[str], out_dir: Path | None) -> dict[str, object]:
    if out_dir is None:
        raise RedactionError(
            "Redacting files needs an output directory.",
            fix="Add -o OUTDIR (inputs stay as they are).",
        )
    jobs, skipped = _collect(paths, out_dir)
    for _src, dst, _name in jobs:
        dst.parent.mkdir(parents=True, exist_ok=True)
    size = sum(src.stat().st_size for src, _, _ in jobs)
    started = time.perf_counter()
    if sys.stderr.isatty():
        with err_console.status(f"Redacting {len(jobs)} files ({size / 1e6:.1f} MB)..."):
            redactor.redact_files(jobs)  # type: ignore[attr-defined]
    else:
        redactor.redact_files(jobs)  # type: ignore[attr-defined]
    seconds = time.perf_counter() - started
    for name in skipped:
        err_console.print(f"Skipped {name}: binary file, not copied.", markup=False)
    return {"files": len(jobs), "bytes": size, "seconds": round(seconds, 3), "skipped": skipped}


def _finish(
    redactor: object, key: Path | None, report: Path | None, summary: dict, as_json: bool
) -> None:
    document = redactor.report()  # type: ignore[attr-defined]
    if report is not None:
        report.write_text(json.dumps(document, indent=2) + "\n")
    map_path = None
    if key is not None and redactor.mapping:  # type: ignore[attr-defined]
        map_path = key.with_name(key.name + ".map")
        redactor.save_map(map_path)  # type: ignore[attr-defined]
    summary = {
        **summary,
        "totals": document["totals"],
        "report": str(report) if report else None,
        "map": str(map_path) if map_path else None,
    }
    if as_json and summary.get("bytes") is not None:
        print_json(summary)
    elif summary.get("bytes") is not None or sys.stderr.isatty():
        _print_summary(summary)


def _print_summary(summary: dict) -> None:
    hidden = sum(
        n for rule, n in summary["totals"].items() if rule.startswith(("credentials", "spec"))
    )
    pseudo = sum(summary["totals"].values()) - hidden
    line = (
        f"Redacted {summary['files']} file(s): {hidden} secrets removed, "
        f"{pseudo} identifiers pseudonymised"
    )
    if summary.get("bytes"):
        line += f" ({summary['bytes'] / 1e6:.1f} MB in {summary['seconds']:.2f} s)"
    err_console.print(line + ".", markup=False)
    if summary.get("report"):
        err_console.print(f"Report: {summary['report']}", markup=False)
    if summary.get("map"):
        err_console.print(
            f"Pseudonym map (encrypted, keep it here): {summary['map']}", markup=False
        )


def unmask(
    source: str = typer.Argument(None, help="Text, or a file, to unmask; none or '-' reads stdin."),
    key: Path = typer.Option(..., "--key", help="The key file used by `sitrep redact --key`."),
    map_file: Path | None = typer.Option(None, "--map", help="Map file (default: KEY.map)."),
) -> None:
    """Turn pseudonyms written by support back into the real values (customer side only)."""
    from sitrep.redact.pseudonym import load_key, load_map, unmask_text

    key_bytes, _ = load_key(key)
    map_path = map_file or key.with_name(key.name + ".map")
    if not map_path.exists():
        raise RedactionError(
            f"No pseudonym map at {map_path}.",
            fix="Run `sitrep redact --key` with this key first, or pass --map.",
        )
    mapping = load_map(map_path, key_bytes)
    if source is None or source == "-":
        text = sys.stdin.read()
    elif Path(source).is_file():
        text = Path(source).read_text(errors="surrogateescape")
    else:
        text = source
    sys.stdout.write(unmask_text(text, mapping))
    if not text.endswith("\n"):
        sys.stdout.write("\n")
