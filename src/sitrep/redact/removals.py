"""Removals from ``kind: Redactor`` specs (troubleshoot.sh/v1beta2 compatible).

``spec.redactors[]`` entries have ``name``, ``fileSelector`` (``file`` or ``files``: globs on
the path inside the bundle) and ``removals``: ``values`` (literal strings), ``regex``
(``{selector?, redactor}``: with a selector, the redactor applies to the line after a line
that matches it) and ``yamlPath`` (dotted paths, ``*`` for any key or index). In a
redactor regex the named group ``mask`` is replaced, ``drop`` is deleted, otherwise the
whole match is replaced.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

import re2

from sitrep.errors import SpecError
from sitrep.redact.matcher import Edit, compile_pattern

MASK = b"***HIDDEN***"


@dataclass
class SpecRedactor:
    """One ``spec.redactors[]`` entry, compiled."""

    name: str
    files: list[str] = field(default_factory=list)
    values: list[bytes] = field(default_factory=list)
    regexes: list[tuple[Any, Any]] = field(default_factory=list)
    yaml_paths: list[list[str]] = field(default_factory=list)

    def applies(self, path: str) -> bool:
        """True when ``path`` (inside the bundle) matches the file selector."""
        return not self.files or any(
            fnmatch.fnmatchcase(path, glob) or fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], glob)
            for glob in self.files
        )

    def edits(self, buf: bytes) -> list[Edit]:
        """Return the edits for ``values`` and ``regex`` removals in ``buf``."""
        rule = f"spec.{self.name}"
        out = []
        for value in self.values:
            start = buf.find(value)
            while start >= 0:
                out.append(Edit(start, start + len(value), MASK, rule, True))
                start = buf.find(value, start + len(value))
        for selector, redactor in self.regexes:
            if selector is None:
                out.extend(_regex_edits(redactor, buf, 0, len(buf), rule))
            else:
                out.extend(_selected_edits(selector, redactor, buf, rule))
        return out


def _regex_edits(redactor: Any, buf: bytes, pos: int, end: int, rule: str) -> list[Edit]:
    out = []
    names = {(k.decode() if isinstance(k, bytes) else k): v for k, v in redactor.groupindex.items()}
    mask, drop = names.get("mask"), names.get("drop")
    for match in redactor.finditer(buf, pos, end):
        if mask is not None and match.start(mask) >= 0:
            out.append(Edit(match.start(mask), match.end(mask), MASK, rule, True))
        elif drop is not None and match.start(drop) >= 0:
            out.append(Edit(match.start(drop), match.end(drop), b"", rule, True))
        elif match.end() > match.start():
            out.append(Edit(match.start(), match.end(), MASK, rule, True))
    return out


def _selected_edits(selector: Any, redactor: Any, buf: bytes, rule: str) -> list[Edit]:
    """Apply ``redactor`` to each line that follows a line matching ``selector``."""
    out: list[Edit] = []
    for match in selector.finditer(buf):
        start = buf.find(b"\n", match.end())
        if start < 0:
            break
        end = buf.find(b"\n", start + 1)
        out.extend(_regex_edits(redactor, buf, start + 1, len(buf) if end < 0 else end, rule))
    return out


def parse_specs(specs: list[dict[str, Any]]) -> list[SpecRedactor]:
    """Compile Redactor documents or bare ``spec.redactors[]`` entries; refuse bad input."""
    entries: list[dict[str, Any]] = []
    for doc in specs:
        if not isinstance(doc, dict):
            raise SpecError("A redactor must be a mapping.")
        if doc.get("kind") == "Redactor":
            entries.extend((doc.get("spec") or {}).get("redactors") or [])
        else:
            entries.append(doc)
    return [_parse_entry(entry, i) for i, entry in enumerate(entries)]


def _parse_entry(entry: dict[str, Any], index: int) -> SpecRedactor:
    name = str(entry.get("name") or f"redactor-{index + 1}")
    selector = entry.get("fileSelector") or {}
    files = list(selector.get("files") or []) + ([selector["file"]] if selector.get("file") else [])
    removals = entry.get("removals") or {}
    if not isinstance(removals, dict):
        raise SpecError(f"redactor '{name}': removals must be a mapping.")
    spec = SpecRedactor(name=name, files=[str(f) for f in files])
    spec.values = [str(v).encode() for v in removals.get("values") or [] if str(v)]
    for item in removals.get("regex") or []:
        if not isinstance(item, dict) or not item.get("redactor"):
            raise SpecError(f"redactor '{name}': each regex needs a 'redactor' pattern.")
        sel = item.get("selector")
        spec.regexes.append(
            (_compile(name, sel) if sel else None, _compile(name, item["redactor"]))
        )
    spec.yaml_paths = [str(p).split(".") for p in removals.get("yamlPath") or []]
    return spec


def _compile(name: str, pattern: str) -> Any:
    try:
        re2.compile(pattern)
    except re2.error as exc:
        raise SpecError(
            f"redactor '{name}': invalid regex {pattern!r}: {exc}",
            fix="Use RE2 syntax (Go's regexp): no backreferences or lookaround.",
        ) from None
    return compile_pattern("(?m)" + pattern)
