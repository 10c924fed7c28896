"""Load and validate bundle specs: troubleshoot.sh/v1beta2 host specs plus sitrep.dev/v1.

A spec file may hold several YAML documents. ``kind: SupportBundle`` (or ``HostCollector``)
documents contribute collectors and analyzers; ``kind: Redactor`` documents are handed to
the redaction engine. Everything is checked here, before anything is collected: a bad
spec raises ``SpecError`` naming the file, the line and the fix.

String values of collectors may refer to the environment of the customer's application:
``${NAME}`` (refused when unset) and ``${NAME:-default}``; ``$$`` is a literal ``$``.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sitrep.bundle.yamlines import LineDict, LineList, load_documents
from sitrep.errors import SpecError

TROUBLESHOOT = "troubleshoot.sh/v1beta2"
SITREP = "sitrep.dev/v1"
BUNDLE_KINDS = ("SupportBundle", "HostCollector")
DEFAULT_SPEC = Path(__file__).parent / "specs" / "java-tomcat.yaml"
COMMON_FIELDS: dict[str, Any] = {
    "collectorName": str,
    "exclude": (bool, str),
    "timeout": (str, int, float),
}
DEFAULT_TIMEOUT = 30.0

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_ENV_REF = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)?$")


@dataclass(frozen=True)
class CollectorSpec:
    """One collector to run: its kind, unique name, checked parameters and timeout."""

    kind: str
    name: str
    params: dict[str, Any]
    timeout: float
    file: str
    line: int


@dataclass(frozen=True)
class AnalyzerSpec:
    """One analyzer to run on the collected bundle."""

    kind: str
    name: str
    params: dict[str, Any]
    file: str
    line: int


@dataclass
class Spec:
    """Everything a bundle run needs from its spec files."""

    collectors: list[CollectorSpec] = field(default_factory=list)
    analyzers: list[AnalyzerSpec] = field(default_factory=list)
    redactors: list[dict[str, Any]] = field(default_factory=list)
    digest: str = ""
    sources: list[str] = field(default_factory=list)


class Where:
    """Raise SpecErrors that point at a line of one spec file."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, message: str, line: int | None, fix: str | None = None) -> SpecError:
        """Return (for ``raise``) an error at ``line`` of this file."""
        return SpecError(message, file=self.file, line=line, fix=fix)


def application_environment() -> Mapping[str, str]:
    """Return the environment that ``${NAME}`` and ``urlFromEnv`` refer to.

    Specs name variables of the customer's application (its database URL, its install
    directory), not Sitrep settings, so they cannot come from ``Settings``; this is the
    one place the bundle code reads the process environment.
    """
    return os.environ


def load_spec(paths: str | Path | list[str | Path], env: Mapping[str, str] | None = None) -> Spec:
    """Load, check and merge spec files; ``"default"`` names the packaged Java/Tomcat spec."""
    env = application_environment() if env is None else env
    spec = Spec()
    digest = hashlib.sha256()
    for raw in paths if isinstance(paths, list) else [paths]:
        path = DEFAULT_SPEC if str(raw) in ("", "default") else Path(raw)
        text = _read(path)
        digest.update(text.encode())
        spec.sources.append(str(path))
        for doc in _parse(text, Where(str(path))):
            _add_document(spec, doc, Where(str(path)), env)
    spec.digest = "sha256:" + digest.hexdigest()
    _check_unique_names(spec)
    return spec


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError("spec file not found", file=str(path), fix="Check the path.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read spec: {exc.__class__.__name__}", file=str(path)) from None


def _parse(text: str, where: Where) -> list[Any]:
    try:
        docs = load_documents(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or "malformed YAML"
        raise where.fail(
            f"malformed YAML: {problem}",
            mark.line + 1 if mark else None,
            fix="Check indentation, colons and quotes around this line.",
        ) from None
    if not docs:
        raise where.fail("the spec is empty", 1, fix="Add a `kind: SupportBundle` document.")
    return docs


def _add_document(spec: Spec, doc: Any, where: Where, env: Mapping[str, str]) -> None:
    if not isinstance(doc, LineDict):
        raise where.fail("a spec document must be a mapping", None, fix="Start with `apiVersion:`.")
    api = doc.get("apiVersion")
    if api not in (TROUBLESHOOT, SITREP):
        raise where.fail(
            f"unknown apiVersion {api!r}",
            doc.line_of("apiVersion"),
            fix=f"Use `apiVersion: {TROUBLESHOOT}` or `apiVersion: {SITREP}`.",
        )
    kind = doc.get("kind")
    body = _mapping(doc, "spec", where, required=True)
    if kind in BUNDLE_KINDS:
        _add_collectors(spec, body, api, where, env)
        _add_analyzers(spec, body, where)
    elif kind == "Redactor":
        spec.redactors.extend(_redactors(body, where))
    else:
        raise where.fail(
            f"unsupported kind {kind!r}",
            doc.line_of("kind"),
            fix="Use `kind: SupportBundle` (or HostCollector) or `kind: Redactor`.",
        )


def _mapping(parent: LineDict, key: str, where: Where, required: bool = False) -> LineDict:
    value = parent.get(key)
    if value is None and not required:
        return LineDict()
    if not isinstance(value, LineDict):
        raise where.fail(
            f"`{key}` must be a mapping", parent.line_of(key), fix=f"Add a `{key}:` block."
        )
    return value


def _list(parent: LineDict, key: str, where: Where) -> LineList:
    value = parent.get(key)
    if value is None:
        return LineList()
    if not isinstance(value, LineList):
        raise where.fail(
            f"`{key}` must be a list", parent.line_of(key), fix="Start each entry with `- `."
        )
    return value


def _single_entry(
    items: LineList, index: int, where: Where, what: str
) -> tuple[str, LineDict, int]:
    """Return (kind, params, line) of a list entry shaped like ``- kind: {params}``."""
    item, line = items[index], items.line_of(index)
    if not isinstance(item, LineDict) or len(item) != 1:
        raise where.fail(
            f"each {what} must be a single `kind: {{...}}` mapping",
            line,
            fix="See docs/bundles.md.",
        )
    kind = next(iter(item))
    params = item[kind] if item[kind] is not None else LineDict()
    if not isinstance(params, LineDict):
        raise where.fail(
            f"`{kind}` must be a mapping of fields", line, fix=f"Write `- {kind}: {{}}`."
        )
    return kind, params, line


def _add_collectors(
    spec: Spec, body: LineDict, api: str, where: Where, env: Mapping[str, str]
) -> None:
    from sitrep.bundle.collectors import REGISTRY

    entries = _list(body, "hostCollectors", where) + _list(body, "collectors", where)
    lines = _list(body, "hostCollectors", where).lines + _list(body, "collectors", where).lines
    merged = LineList(entries)
    merged.lines = lines
    for index in range(len(merged)):
        kind, params, line = _single_entry(merged, index, where, "collector")
        module = REGISTRY.get(kind)
        if module is None:
            raise where.fail(
                f"unknown collector `{kind}`",
                line,
                fix=f"Known collectors: {', '.join(sorted(REGISTRY))}.",
            )
        if module.EXTENSION and api != SITREP:
            raise where.fail(
                f"`{kind}` is a Sitrep extension",
                line,
                fix=f"Put it in an `apiVersion: {SITREP}` document.",
            )
        collector = _collector(kind, module, params, line, where, env)
        if collector is not None:
            spec.collectors.append(collector)


def _collector(
    kind: str, module: Any, params: LineDict, line: int, where: Where, env: Mapping[str, str]
) -> CollectorSpec | None:
    check_fields(params, {**COMMON_FIELDS, **module.FIELDS}, module.REQUIRED, kind, where)
    values = {k: substitute(v, env, where, params.line_of(k)) for k, v in params.items()}
    if str(values.get("exclude", False)).lower() == "true":
        return None
    if hasattr(module, "check"):
        module.check(values, params, where)
    name = values.get("collectorName") or ""
    if name and not _NAME.match(name):
        raise where.fail(
            f"bad collectorName {name!r}",
            params.line_of("collectorName"),
            fix="Use letters, digits, dot, dash and underscore (it becomes a folder name).",
        )
    timeout = parse_duration(
        values.get("timeout", module.DEFAULT_TIMEOUT), where, params.line_of("timeout")
    )
    return CollectorSpec(kind, name, values, timeout, where.file, line)


def check_fields(
    params: LineDict, fields: dict[str, Any], required: tuple[str, ...], kind: str, where: Where
) -> None:
    """Refuse unknown fields, missing required fields and values of the wrong type."""
    for key in params:
        if key not in fields:
            raise where.fail(
                f"unknown field `{key}` in `{kind}`",
                params.line_of(key),
                fix=f"Fields of `{kind}`: {', '.join(sorted(fields))}.",
            )
        expected = fields[key]
        if (
            not isinstance(params[key], expected)
            or isinstance(params[key], bool)
            and expected is int
        ):
            names = " or ".join(
                t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,))
            )
            raise where.fail(f"`{kind}.{key}` must be {names}", params.line_of(key))
    for key in required:
        if key not in params:
            raise where.fail(
                f"`{kind}` is missing the field `{key}`", params.line, fix=f"Add `{key}:`."
            )


def substitute(value: Any, env: Mapping[str, str], where: Where, line: int) -> Any:
    """Replace ``${NAME}`` and ``${NAME:-default}`` in strings, recursively."""
    if isinstance(value, str):

        def _replace(match: re.Match[str]) -> str:
            if match.group(0) == "$$":
                return "$"
            name, default = match.group(1), match.group(2)
            if env.get(name):
                return env[name]
            if default is not None:
                return default
            raise where.fail(
                f"${{{name}}} is not set", line, fix=f"Set {name}, or write ${{{name}:-default}}."
            )

        return _ENV_REF.sub(_replace, value)
    if isinstance(value, list):
        return [substitute(v, env, where, line) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, env, where, line) for k, v in value.items()}
    return value


def parse_duration(value: Any, where: Where, line: int) -> float:
    """Parse ``30``, ``30s``, ``500ms``, ``2m`` or ``1h`` into seconds."""
    match = _DURATION.match(str(value).strip())
    if not match or float(match.group(1)) <= 0:
        raise where.fail(
            f"bad duration {value!r}", line, fix="Write a duration like 10s, 500ms or 2m."
        )
    factor = {"ms": 0.001, "s": 1, None: 1, "m": 60, "h": 3600}[match.group(2)]
    return float(match.group(1)) * factor


def compile_regex(pattern: Any, where: Where, line: int) -> re.Pattern[str]:
    """Compile a spec regex or refuse it with the compiler's reason."""
    if not isinstance(pattern, str):
        raise where.fail("a regex must be a string", line, fix="Quote the pattern.")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise where.fail(
            f"bad regex {pattern!r}: {exc.msg} at position {exc.pos}",
            line,
            fix="Fix the pattern (Python `re` syntax; quote it in single quotes in YAML).",
        ) from None


def _add_analyzers(spec: Spec, body: LineDict, where: Where) -> None:
    from sitrep.bundle.analyze import check_analyzer

    items = LineList(_list(body, "hostAnalyzers", where) + _list(body, "analyzers", where))
    items.lines = _list(body, "hostAnalyzers", where).lines + _list(body, "analyzers", where).lines
    for index in range(len(items)):
        kind, params, line = _single_entry(items, index, where, "analyzer")
        name = check_analyzer(kind, params, where, line)
        spec.analyzers.append(AnalyzerSpec(kind, name, _plain(params), where.file, line))


def _redactors(body: LineDict, where: Where) -> list[dict[str, Any]]:
    redactors = _list(body, "redactors", where)
    for index, item in enumerate(redactors):
        line = redactors.line_of(index)
        if not isinstance(item, LineDict) or not isinstance(item.get("removals"), LineDict):
            raise where.fail(
                "each redactor needs a `removals` mapping", line, fix="See docs/bundles.md."
            )
        removals = item["removals"]
        regexes = removals.get("regex") or []
        for r_index, rule in enumerate(regexes):
            r_line = regexes.line_of(r_index) if isinstance(regexes, LineList) else line
            if not isinstance(rule, LineDict) or "redactor" not in rule:
                raise where.fail("each removals.regex entry needs `redactor`", r_line)
            for key in ("selector", "redactor"):
                if key in rule:
                    compile_regex(rule[key], where, rule.line_of(key))
    return [_plain(item) for item in redactors]


def _plain(value: Any) -> Any:
    """Return ``value`` with LineDict/LineList turned into plain dicts and lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _check_unique_names(spec: Spec) -> None:
    """Give unnamed collectors their kind as name (``kind-2`` on repeats); refuse duplicates."""
    taken = {c.name for c in spec.collectors if c.name}
    seen: set[str] = set()
    named: list[CollectorSpec] = []
    for c in spec.collectors:
        name = c.name
        if name and name in seen:
            raise SpecError(
                f"collectorName {name!r} is used twice", file=c.file, line=c.line, fix="Rename one."
            )
        if not name:
            name, n = c.kind, 2
            while name in taken or name in seen:
                name, n = f"{c.kind}-{n}", n + 1
        seen.add(name)
        named.append(CollectorSpec(c.kind, name, c.params, c.timeout, c.file, c.line))
    spec.collectors = named
