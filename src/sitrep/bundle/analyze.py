"""Analyzers: turn a collected bundle into pass / warn / fail findings.

Kinds (troubleshoot's names and outcome shape):

* ``textAnalyze``: ``fileName`` (a glob over bundle paths, ``*`` also crosses ``/``) and
  ``regex`` (outcome ``when: "true"`` / ``"false"``: matched or not) or ``regexGroups``
  (``when`` compares a named group, e.g. ``"count > 3"`` or ``"state == FAILED"``).
  Files are scanned in line-aligned 4 MB windows, so memory stays bounded.
* ``cpu``, ``memory``, ``diskUsage``: thresholds on the host facts, e.g.
  ``when: "used/total > 90%"``, ``"available < 2Gi"``, ``"loadAverage1/logicalCount > 2"``.
* ``tcpPortStatus``: ``when: "connection-refused"`` (equals the probed status).

The ``when`` grammar is one comparison: ``FIELD[/FIELD] OP VALUE`` with OP one of
``< <= > >= == !=`` and VALUE a number, a percentage (``90%`` = 0.9) or a size (``512Mi``,
``2G``). Outcomes are tried in order; the first whose ``when`` holds (or that has none)
is the finding. ``fail`` beats ``warn`` beats ``pass`` in the exit code: 3, 4, 0.
"""

from __future__ import annotations

import fnmatch
import json
import operator
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sitrep.errors import BundleError

if TYPE_CHECKING:
    from sitrep.bundle.spec import AnalyzerSpec, Where

OUTCOMES = ("fail", "warn", "pass")
EXIT_CODES = {"fail": 3, "warn": 4, "pass": 0}
FACT_FILES = {
    "cpu": "cpu.json",
    "memory": "memory.json",
    "diskUsage": "disk_usage.json",
    "tcpPortStatus": "status.json",
}
WINDOW = 4 * 1024 * 1024
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le, ">=": operator.ge, "==": operator.eq,
    "!=": operator.ne, "<": operator.lt, ">": operator.gt,
}  # fmt: skip
_WHEN = re.compile(
    r"^\s*([A-Za-z_][\w]*)(?:\s*/\s*([A-Za-z_][\w]*))?\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$"
)
_SIZE = re.compile(r"^(-?\d+(?:\.\d+)?)\s*(%|[KMGTP]i?B?|B)?$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "p": 1e15}


@dataclass(frozen=True)
class Finding:
    """One analyzer's result as written to analysis.json."""

    name: str
    outcome: str
    message: str
    uri: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the analysis.json entry (``uri`` only when set)."""
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Condition:
    """A parsed ``when``: field (optionally divided by another) compared with a value."""

    left: str
    divisor: str | None
    op: str
    value: Any


def exit_code(findings: list[Finding]) -> int:
    """Return 3 if any finding failed, else 4 if any warned, else 0."""
    outcomes = {f.outcome for f in findings}
    return next((EXIT_CODES[o] for o in OUTCOMES if o in outcomes), 0)


# --- spec checking ------------------------------------------------------------------


def check_analyzer(kind: str, params: Any, where: Where, line: int) -> str:
    """Validate one analyzer entry and return its name; raise SpecError on mistakes."""
    from sitrep.bundle.spec import compile_regex

    if kind not in ("textAnalyze", *FACT_FILES):
        known = ", ".join(["textAnalyze", *FACT_FILES])
        raise where.fail(f"unknown analyzer `{kind}`", line, fix=f"Known analyzers: {known}.")
    groups: set[str] = set()
    if kind == "textAnalyze":
        if not isinstance(params.get("fileName"), str):
            raise where.fail(
                "`textAnalyze` is missing `fileName`", line, fix="Add `fileName: <glob>`."
            )
        if ("regex" in params) == ("regexGroups" in params):
            raise where.fail("`textAnalyze` needs exactly one of `regex` or `regexGroups`", line)
        key = "regex" if "regex" in params else "regexGroups"
        groups = set(compile_regex(params[key], where, params.line_of(key)).groupindex)
    _check_outcomes(kind, params, where, line, groups)
    return str(params.get("checkName") or kind)


def _check_outcomes(kind: str, params: Any, where: Where, line: int, groups: set[str]) -> None:
    outcomes = params.get("outcomes")
    if not isinstance(outcomes, list) or not outcomes:
        raise where.fail(
            f"`{kind}` needs a list of `outcomes`", line, fix="Add `outcomes: [- fail: {...}]`."
        )
    for index, item in enumerate(outcomes):
        o_line = outcomes.line_of(index) if hasattr(outcomes, "line_of") else line
        if not isinstance(item, dict) or len(item) != 1 or next(iter(item)) not in OUTCOMES:
            raise where.fail("each outcome must be one of `pass:`, `warn:` or `fail:`", o_line)
        body = next(iter(item.values())) or {}
        if not isinstance(body, dict) or not isinstance(body.get("message", ""), str):
            raise where.fail("an outcome needs a `message` string", o_line)
        if "when" in body:
            try:
                _parse_when(kind, str(body["when"]), params, groups)
            except ValueError as exc:
                raise where.fail(
                    f"bad `when` {body['when']!r}: {exc}", o_line, fix=_WHEN_FIX
                ) from None


_WHEN_FIX = 'Write one comparison such as "used/total > 90%", "available < 2Gi" or "true".'


def _parse_when(kind: str, when: str, params: Any, groups: set[str]) -> Condition | str:
    if kind == "textAnalyze" and "regex" in params:
        if when.strip().lower() not in ("true", "false"):
            raise ValueError('a `regex` outcome is "true" (matched) or "false"')
        return when.strip().lower()
    if kind == "tcpPortStatus":
        return when.strip()
    match = _WHEN.match(when)
    if not match:
        raise ValueError("expected FIELD OP VALUE")
    left, divisor, op, raw = match.groups()
    if groups and {left, divisor or left} - groups:
        raise ValueError(f"the regex has no group named {left if left not in groups else divisor}")
    return Condition(left, divisor, op, parse_value(raw, numeric=kind != "textAnalyze"))


def parse_value(raw: str, numeric: bool = True) -> Any:
    """Parse ``90%`` (0.9), ``2Gi`` (2*1024**3), ``1.5G`` or a number; strings when allowed."""
    match = _SIZE.match(raw)
    if not match:
        if numeric:
            raise ValueError(f"{raw!r} is not a number, percentage or size")
        return raw
    number, unit = float(match.group(1)), (match.group(2) or "")
    if unit == "%":
        return number / 100
    base = 1024 if unit[1:2].lower() == "i" else 1000
    power = "bkmgtp".index(unit[0].lower()) if unit else 0
    return number * base**power


# --- running --------------------------------------------------------------------------


class BundleFiles:
    """Read access to a bundle's files, from a staging folder or a finished zip."""

    def __init__(self, names: list[str], opener: Callable[[str], IO[bytes]]) -> None:
        self.names = sorted(names)
        self._opener = opener

    @classmethod
    def from_folder(cls, root: Path, names: list[str]) -> BundleFiles:
        """Files staged under ``root`` with bundle-relative ``names``."""
        return cls(names, lambda name: open(root / name, "rb"))

    @classmethod
    def from_zip(cls, archive: zipfile.ZipFile) -> BundleFiles:
        """Files inside a finished bundle zip."""
        names = [n for n in archive.namelist() if not n.endswith("/")]
        return cls(names, lambda name: archive.open(name))

    def open(self, name: str) -> IO[bytes]:
        """Open one file for streaming reads."""
        return self._opener(name)

    def facts(self, name: str) -> dict[str, Any] | None:
        """Return a small JSON fact file, or None when it is absent or unreadable."""
        if name not in self.names:
            return None
        with self.open(name) as fh:
            try:
                data = json.load(fh)
            except ValueError:
                return None
        return data if isinstance(data, dict) else None


def run_analyzers(analyzers: list[AnalyzerSpec], files: BundleFiles) -> list[Finding]:
    """Run every analyzer; an analyzer that cannot decide yields no finding."""
    findings = []
    for analyzer in analyzers:
        finding = _run_one(analyzer, files)
        if finding is not None:
            findings.append(finding)
    return findings


def _run_one(analyzer: AnalyzerSpec, files: BundleFiles) -> Finding | None:
    params = analyzer.params
    if analyzer.kind == "textAnalyze":
        names = [n for n in files.names if fnmatch.fnmatch(n, params["fileName"])]
        if not names and params.get("ignoreIfNoFiles"):
            return None
        subject: Any = _scan(params, names, files)
    else:
        collector = params.get("collectorName") or analyzer.kind
        subject = files.facts(f"{collector}/{FACT_FILES[analyzer.kind]}")
        if subject is None:
            return Finding(analyzer.name, "warn", f"no {analyzer.kind} facts were collected")
    for item in params["outcomes"]:
        outcome, body = next(iter(item.items()))
        body = body or {}
        if "when" not in body or _holds(analyzer, str(body["when"]), subject):
            return Finding(
                analyzer.name, outcome, _message(body.get("message", ""), subject), body.get("uri")
            )
    return None


def _message(template: str, subject: Any) -> str:
    """Fill ``{{ name }}`` placeholders from regex groups or facts (troubleshoot style)."""
    if not isinstance(subject, dict):
        return template
    return re.sub(
        r"\{\{\s*\.?(\w+)\s*\}\}", lambda m: str(subject.get(m.group(1), m.group(0))), template
    )


def _holds(analyzer: AnalyzerSpec, when: str, subject: Any) -> bool:
    regex_key = "regex" if "regex" in analyzer.params else "regexGroups"
    groups = (
        set(re.compile(analyzer.params[regex_key]).groupindex)
        if analyzer.kind == "textAnalyze"
        else set()
    )
    condition = _parse_when(analyzer.kind, when, analyzer.params, groups)
    if isinstance(condition, str):
        if analyzer.kind == "tcpPortStatus":
            return bool(subject.get("status") == condition)
        return (subject is not None) == (condition == "true")
    if not isinstance(subject, dict):
        return False
    return _compare(condition, subject)


def _compare(condition: Condition, subject: dict[str, Any]) -> bool:
    try:
        left = subject[condition.left]
        if condition.divisor:
            left = float(left) / float(subject[condition.divisor])
        if isinstance(condition.value, float):
            left = float(left)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return False
    return _OPS[condition.op](left, condition.value)


def _scan(params: dict[str, Any], names: list[str], files: BundleFiles) -> dict[str, Any] | None:
    """Return the first match's named groups (``{}`` for plain regex), or None."""
    pattern = re.compile((params.get("regex") or params["regexGroups"]).encode(), re.MULTILINE)
    for name in names:
        with files.open(name) as fh:
            for window in _windows(fh):
                match = pattern.search(window)
                if match:
                    return {k: _number_or_text(v) for k, v in match.groupdict().items()}
    return None


def _number_or_text(value: bytes | None) -> Any:
    text = (value or b"").decode("utf-8", errors="replace")
    try:
        return float(text)
    except ValueError:
        return text


def _windows(fh: IO[bytes]) -> Iterator[bytes]:
    """Yield line-aligned windows of about 4 MB."""
    rest = b""
    while chunk := fh.read(WINDOW):
        data = rest + chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            rest = data
            continue
        rest = data[cut:]
        yield data[:cut]
    if rest:
        yield rest


# --- whole bundles ---------------------------------------------------------------------


def analyze_zip(path: Path, analyzers: list[AnalyzerSpec] | None = None) -> list[Finding]:
    """Re-run ``analyzers`` on a bundle zip, or return the findings stored in it."""
    try:
        with zipfile.ZipFile(path) as archive:
            if analyzers is not None:
                return run_analyzers(analyzers, BundleFiles.from_zip(archive))
            stored = json.loads(archive.read("analysis.json"))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BundleError(
            f"{path} is not a readable Sitrep bundle ({exc.__class__.__name__}).",
            fix="Pass a zip made by `sitrep bundle collect`, or a spec file.",
        ) from None
    return [Finding(e["name"], e["outcome"], e.get("message", ""), e.get("uri")) for e in stored]
