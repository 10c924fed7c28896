"""The redaction engine: discover, then rewrite, then check what is left.

TODO(redaction issue): this is the minimal rule set (``password=``, tokens in URLs, PEM
blocks) behind the final interface; the redaction issue replaces the internals with
the full rule families, profiles, pseudonyms and the fast multi-pattern matcher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitrep.errors import RedactionError

MASK = b"***HIDDEN***"

# Each rule: name -> pattern with a group "secret" that is replaced.
_LINE_RULES: dict[str, re.Pattern[bytes]] = {
    "credentials.password-assignment": re.compile(
        rb"(?i)\b(?:password|passwd|pwd)\s*[=:]\s*(?P<secret>[^\s&;,'\"]+)"
    ),
    "credentials.url-userinfo": re.compile(rb"[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:(?P<secret>[^/\s@]+)@"),
    "credentials.url-token": re.compile(
        rb"(?i)[?&](?:token|access_token|api_key|apikey|key|secret)=(?P<secret>[^&\s#]+)"
    ),
}
_PEM_BEGIN = re.compile(rb"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
_PEM_END = re.compile(rb"-----END [A-Z0-9 ]*PRIVATE KEY-----")


@dataclass
class FileReport:
    """What was redacted in one file: rule -> count and line numbers. Never the values."""

    path: str
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, rule: str, line: int) -> None:
        entry = self.rules.setdefault(rule, {"count": 0, "lines": []})
        entry["count"] += 1
        if not entry["lines"] or entry["lines"][-1] != line:
            entry["lines"].append(line)

    @property
    def total(self) -> int:
        return sum(int(r["count"]) for r in self.rules.values())


class Redactor:
    """Redact files for one bundle (or one ``sitrep redact`` run)."""

    def __init__(
        self,
        profile: str = "standard",
        key: bytes | None = None,
        redactor_specs: list[dict[str, Any]] | None = None,
    ) -> None:
        if profile not in ("minimal", "standard", "paranoid"):
            raise RedactionError(
                f"Unknown redaction profile '{profile}'.", fix="Use minimal, standard or paranoid."
            )
        self.profile = profile
        self.key = key
        self.redactor_specs = redactor_specs or []
        self._discovered: set[bytes] = set()
        self._reports: dict[str, FileReport] = {}

    def discover(self, src: Path, name: str) -> None:  # noqa: ARG002 (name used by the full engine)
        """Pass 1: remember secret values found under labelled keys in ``src``."""
        with open(src, "rb") as fh:
            for line in fh:
                for pattern in _LINE_RULES.values():
                    for match in pattern.finditer(line):
                        value = match.group("secret")
                        if len(value) >= 6:
                            self._discovered.add(value)

    def redact_file(self, src: Path, dst: Path, name: str) -> FileReport:
        """Pass 2: write a redacted copy of ``src`` to ``dst`` and return what was removed."""
        report = FileReport(path=name)
        in_pem = False
        with open(src, "rb") as fin, open(dst, "wb") as fout:
            for lineno, line in enumerate(fin, start=1):
                if in_pem or _PEM_BEGIN.search(line):
                    in_pem = not _PEM_END.search(line)
                    report.add("credentials.pem-block", lineno)
                    fout.write(b"-----SCRUBBED PEM LINE-----" + (b"\n" if line.endswith(b"\n") else b""))
                    continue
                fout.write(self._redact_line(line, lineno, report))
        self._reports[name] = report
        return report

    def _redact_line(self, line: bytes, lineno: int, report: FileReport) -> bytes:
        for rule, pattern in _LINE_RULES.items():

            def _mask(match: re.Match[bytes], rule: str = rule) -> bytes:
                report.add(rule, lineno)
                start, end = match.span("secret")
                whole = match.group(0)
                offset = match.start()
                return whole[: start - offset] + MASK + whole[end - offset :]

            line = pattern.sub(_mask, line)
        for value in self._discovered:
            if value in line:
                report.add("credentials.discovered-value", lineno)
                line = line.replace(value, MASK)
        return line

    def check_residual(self, dst: Path, name: str) -> None:
        """Fail closed if any discovered secret value is still in the redacted output."""
        data = Path(dst).read_bytes()
        for value in self._discovered:
            if value in data:
                raise RedactionError(
                    f"A discovered secret survived redaction in {name}; the bundle was not written.",
                    fix="Report this as a bug; meanwhile exclude the file from the spec.",
                )

    def report(self) -> dict[str, Any]:
        """Return the redaction-report.json document: per file, rule -> count and lines."""
        return {
            "profile": self.profile,
            "files": {
                name: report.rules for name, report in sorted(self._reports.items()) if report.rules
            },
        }
