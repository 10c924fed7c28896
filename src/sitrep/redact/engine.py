"""The redaction engine: discover, then rewrite, then check what is left.

``Redactor`` keeps what one run learns (secret values found under labelled keys, user and
host names) and applies it to every file, so a password found in a config file is also
removed where it was pasted into a log. Files are read in line-aligned blocks, so memory
stays bounded whatever the file size; ``redact_files`` spreads the work over processes.
"""

from __future__ import annotations

import functools
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sitrep.errors import RedactionError
from sitrep.redact.blocks import iter_blocks
from sitrep.redact.literals import LiteralSet
from sitrep.redact.matcher import Candidates, Edit, Matcher, apply, resolve
from sitrep.redact.pseudonym import PUBLIC_DOMAINS, Pseudonymizer, generate_key, registrable_index
from sitrep.redact.removals import SpecRedactor, parse_specs
from sitrep.redact.rules import PROFILES, CheckContext, Rule, default_rules
from sitrep.redact.rules.identity import SYSTEM_USERS
from sitrep.redact.rules.text import is_learnable
from sitrep.redact.structured import STRUCTURED_LIMIT, is_structured, structured_edits
from sitrep.redact.tables import HEADER_TRIGGER, table_edits

MASK = b"***HIDDEN***"
#: Discovery keeps at most this many values, so memory stays bounded on logs with a new
#: token on every line. Past it, values are still removed where they are labelled; the
#: report says so.
LEARN_LIMIT = 20_000


#: Candidate line ranges kept from discovery for the rewrite, over all files of one run
#: (16 bytes each).
CANDIDATE_LIMIT = 1_000_000

#: The report keeps at most this many line numbers per rule and file (the count stays
#: exact, and ``lines_truncated`` says so): one line number per hit grew to hundreds of MB on
#: dense logs.
REPORT_LINES = 1_000


@dataclass
class FileReport:
    """What was redacted in one file: rule -> count and line numbers. Never the values."""

    path: str
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, rule: str, line: int, count: int = 1) -> None:
        entry = self.rules.get(rule)
        if entry is None:
            entry = self.rules[rule] = {"count": 0, "lines": []}
        entry["count"] += count
        lines = entry["lines"]
        if lines and lines[-1] == line:
            return
        if len(lines) < REPORT_LINES:
            lines.append(line)
        else:
            entry["lines_truncated"] = True

    def merge(self, other: FileReport, line_offset: int = 0) -> None:
        """Add ``other`` (a later part of the same file) with its lines shifted."""
        for rule, entry in other.rules.items():
            for line in entry["lines"]:
                self.add(rule, line + line_offset, 0)
            mine = self.rules.setdefault(rule, {"count": 0, "lines": []})
            mine["count"] += entry["count"]
            if entry.get("lines_truncated"):
                mine["lines_truncated"] = True

    @property
    def total(self) -> int:
        return sum(int(r["count"]) for r in self.rules.values())


@dataclass
class Learned:
    """What discovery found; picklable so worker processes can share it."""

    secrets: set[bytes] = field(default_factory=set)
    users: set[bytes] = field(default_factory=set)
    hosts: set[bytes] = field(default_factory=set)
    domains: set[bytes] = field(default_factory=set)
    capped: bool = False

    def update(self, other: Learned) -> None:
        for name in ("secrets", "users", "hosts", "domains"):
            room = LEARN_LIMIT - len(self.secrets) - len(self.users) - len(self.hosts)
            mine, theirs = getattr(self, name), getattr(other, name)
            if len(theirs) > room and name != "domains":
                theirs = set(list(theirs)[: max(room, 0)])
                self.capped = True
            mine |= theirs
        self.capped = self.capped or other.capped


@functools.lru_cache(maxsize=8)
def shared_matcher(rules: tuple[Rule, ...]) -> Matcher:
    """One compiled matcher per rule set and process: re2 objects are thread-safe, and
    compiling the automata costs more than redacting a small file (bundles, tests)."""
    return Matcher(list(rules), (HEADER_TRIGGER,))


class Redactor:
    """Redact files for one bundle (or one ``sitrep redact`` run).

    ``key`` is the customer's pseudonym key; without it a random key is used for this run
    only (pseudonyms are then consistent within the run but not across runs).
    """

    def __init__(
        self,
        profile: str = "standard",
        key: bytes | None = None,
        redactor_specs: list[dict[str, Any]] | None = None,
        keywords: Iterable[str] = (),
    ) -> None:
        if profile not in PROFILES:
            raise RedactionError(
                f"Unknown redaction profile '{profile}'.", fix="Use minimal, standard or paranoid."
            )
        self.profile = profile
        self.key = key
        self._key = key or generate_key()
        self.redactor_specs = redactor_specs or []
        self._specs: list[SpecRedactor] = parse_specs(self.redactor_specs)
        self.keywords = sorted({k.strip() for k in keywords if k.strip()})
        self.learned = Learned()
        # Without a customer key there is no map to save, so none is kept in memory.
        self._pseudo = Pseudonymizer(self._key, remember=key is not None)
        self._replacers = self._make_replacers()
        self._reports: dict[str, FileReport] = {}
        self._rules = [r for r in default_rules() if r.enabled_in(profile)]
        self._discovery = shared_matcher(
            tuple(r for r in self._rules if r.learn or r.name == "identity.email")
        )
        # Every rule of the profile; its trigger finds the candidate lines of both passes.
        self._all = shared_matcher(tuple(self._rules))
        self._stale = True
        self._candidates: dict[str, Candidates] = {}
        self._candidate_room = CANDIDATE_LIMIT
        self._literals = LiteralSet(())
        self.ctx = CheckContext()
        self.ctx.profile = profile
        if profile != "minimal":
            self._learn_local_host()

    # -- discovery -------------------------------------------------------------------
    def _learn_local_host(self) -> None:
        name = socket.gethostname().encode()
        if len(name) >= 3 and name.lower() not in (b"localhost", b"localhost.localdomain"):
            self.learned.hosts.add(name)

    def discover(self, src: Path, name: str) -> None:
        """Pass 1: learn secrets under labelled keys and the customer's user and host names."""
        with open(src, "rb") as fh:
            if is_structured(name) and Path(src).stat().st_size <= STRUCTURED_LIMIT:
                data = fh.read()
                self.learn_buffer(data)
                self._learn_edits(data, structured_edits(name, data, self._specs_for(name)))
                return
            found = Candidates(self._candidate_room)
            for block in iter_blocks(fh):
                found.add(self.learn_buffer(block))
            self.keep_candidates(name, found)

    def keep_candidates(self, name: str, found: Candidates) -> None:
        """Keep ``found`` for the rewrite of ``name`` (a file, or a piece of one)."""
        if found.blocks is not None and found.count <= self._candidate_room:
            self._candidates[name] = found
            self._candidate_room -= found.count

    def _take_candidates(self, name: str) -> Candidates | None:
        found = self._candidates.pop(name, None)
        if found is not None:
            self._candidate_room += found.count
        return found

    def learn_buffer(self, buf: bytes) -> list[tuple[int, int]]:
        """Learn from one buffer (discovery, streaming input); return its candidate lines."""
        segments = self._all.segments(buf)
        self._discovery.scan(buf, self.ctx, self._record, segments)
        self._invalidate()
        return segments

    def _record(self, action: str, value: bytes) -> None:
        learned = self.learned
        if len(learned.secrets) + len(learned.users) + len(learned.hosts) >= LEARN_LIMIT:
            learned.capped = True
            return
        if action == "secret" and is_learnable(value) and b"\n" not in value:
            learned.secrets.add(value)
        elif action == "user" and len(value) >= 3 and value.lower() not in SYSTEM_USERS:
            learned.users.add(value)
        elif action == "host" and (b"." in value or any(c in b"0123456789-" for c in value)):
            learned.hosts.add(value)
        elif action == "email":
            learned.domains.add(_registrable(value.rpartition(b"@")[2]))

    def _learn_edits(self, data: bytes, edits: list[Edit]) -> None:
        for edit in edits:
            value = data[edit.start : edit.end]
            if edit.mask and is_learnable(value) and b"\n" not in value:
                self.learned.secrets.add(value)
        self._invalidate()

    def _invalidate(self) -> None:
        self._stale = True

    # -- rewrite ---------------------------------------------------------------------
    def matcher(self) -> Matcher:
        """Return the rewrite matcher: the default rules of this profile."""
        if self._stale:
            domains = {
                d
                for d in self.learned.domains
                if d.decode("ascii", "replace") not in PUBLIC_DOMAINS
            }
            domains |= {_registrable(h) for h in self.learned.hosts if b"." in h}
            self.ctx.customer_domains = frozenset(d.lower() for d in domains)
            self._literals = LiteralSet(self._literal_items())
            self._stale = False
        return self._all

    def _literal_items(self) -> list[tuple[str, bytes]]:
        """Everything learned, as literals to replace wherever they appear."""
        items = [("secret", v) for v in self.learned.secrets]
        if self.profile != "minimal":
            items += [("user", v) for v in self.learned.users]
            items += [("host", v) for v in self.learned.hosts]
        if self.profile == "paranoid":
            items += [("word", k.encode()) for k in self.keywords]
        return items

    def _replace(self, action: str, value: bytes) -> bytes | None:
        replacer = self._replacers.get(action)
        return None if replacer is None else replacer(value)

    def _make_replacers(self) -> dict[str, Callable[[bytes], bytes]]:
        """Action -> replacement function for this profile (one lookup per redaction)."""
        replacers: dict[str, Callable[[bytes], bytes]] = {
            "secret": _mask,
            "path": _mask,
            "drop": lambda _value: b"",
            "pem": _mask_pem,
        }
        if self.profile == "minimal":
            return replacers
        pseudo = self._pseudo
        keep_public = self.profile != "paranoid"
        return replacers | {
            "user": pseudo.user,
            "email": pseudo.email,
            "ip4": pseudo.ipv4,
            "ip6": pseudo.ipv6,
            "mac": pseudo.mac,
            "host": lambda value: pseudo.host(value, keep_public=keep_public),
            "fqdn": lambda value: pseudo.host(value, keep_public=keep_public),
            "word": pseudo.word,
            "dc": self._replace_dc,
        }

    def _replace_dc(self, value: bytes) -> bytes:
        labels = re.findall(rb"=([^,\s]+)", value)
        new = iter(self._pseudo.host(b".".join(labels)).split(b"."))
        return re.sub(rb"=([^,\s]+)", lambda _m: b"=" + next(new), value)

    def redact_buffer(
        self,
        buf: bytes,
        name: str,
        report: FileReport,
        first_line: int = 1,
        segments: list[tuple[int, int]] | None = None,
    ) -> bytes:
        """Redact one line-aligned buffer; record rule hits in ``report`` from ``first_line``.

        ``segments`` are its candidate lines when discovery already found them.
        """
        edits = self._edits(buf, name, segments)
        _report_edits(buf, edits, report, first_line)
        return apply(buf, edits)

    def _edits(
        self,
        buf: bytes,
        name: str,
        segments: list[tuple[int, int]] | None = None,
        structured: Iterable[Edit] = (),
    ) -> list[Edit]:
        """All edits for ``buf``: rules, tables, learned values, ``structured``, spec removals."""
        if segments is None:
            segments = self.matcher().segments(buf)
        edits = self.matcher().scan(buf, self.ctx, self._replace, segments)
        # Table cells are replaced where the table is, not learned: finding tables in
        # discovery too cost match-sparse logs about a quarter more CPU. A header is a
        # trigger, so only candidate lines are searched for one.
        tables = table_edits(buf, self._replace, segments)
        if tables:
            edits = resolve(edits + tables)
        edits = resolve([*edits, *self._literals.edits(buf, self._replace, edits), *structured])
        for spec in self._specs_for(name):
            edits = resolve(edits + spec.edits(buf))
        return edits

    def redact_stream(
        self, fin: BinaryIO, fout: BinaryIO, name: str, *, learn: bool = False,
        check: bool = False,
    ) -> FileReport:  # fmt: skip
        """Redact ``fin`` into ``fout`` block by block; ``learn`` also learns as it goes.

        Learning while streaming cannot reach back: a value learned late is removed only
        from what follows. Files given by path get a full discovery pass first. ``check``
        runs the residual check on each output block before it is written (the same
        independent scan of the output bytes as ``check_residual``, without reading the
        output file back).
        """
        report = FileReport(path=name)
        line = 1
        found = self._take_candidates(name)
        for index, block in enumerate(iter_blocks(fin)):
            segments = found.get(index) if found else None
            if learn:
                segments = self.learn_buffer(block)
            out = self.redact_buffer(block, name, report, line, segments)
            if check:
                self.check_buffer(out, name)
            fout.write(out)
            line += block.count(b"\n")
        self._reports[name] = report
        return report

    def redact_file(self, src: Path, dst: Path, name: str, *, check: bool = False) -> FileReport:
        """Pass 2: write a redacted copy of ``src`` to ``dst`` and return what was removed.

        ``check`` also runs the residual check on the output as it is produced.
        """
        src, dst = Path(src), Path(dst)
        if is_structured(name) and src.stat().st_size <= STRUCTURED_LIMIT:
            return self._redact_whole(src, dst, name, check)
        with open(src, "rb") as fin, open(dst, "wb") as fout:
            return self.redact_stream(fin, fout, name, check=check)

    def _redact_whole(self, src: Path, dst: Path, name: str, check: bool) -> FileReport:
        """Structured files (YAML, .properties, .env, INI) are redacted as one buffer."""
        data = src.read_bytes()
        report = FileReport(path=name)
        edits = self._edits(
            data, name, structured=structured_edits(name, data, self._specs_for(name))
        )
        _report_edits(data, edits, report, 1)
        out = apply(data, edits)
        if check:
            self.check_buffer(out, name)
        dst.write_bytes(out)
        self._reports[name] = report
        return report

    def _specs_for(self, name: str) -> list[SpecRedactor]:
        return [spec for spec in self._specs if spec.applies(name)]

    # -- checks and results ----------------------------------------------------------
    def check_residual(self, dst: Path, name: str) -> None:
        """Fail closed if any discovered secret value is still in the redacted output."""
        with open(dst, "rb") as fh:
            for block in iter_blocks(fh):
                self.check_buffer(block, name)

    def check_buffer(self, buf: bytes, name: str) -> None:
        """Raise ``RedactionError`` when ``buf`` still holds a discovered secret."""
        if not self.learned.secrets:
            return
        # The literal set of the rewrite, asked about secrets only: one set per worker.
        self.matcher()
        if self._literals.first_secret(buf):
            raise RedactionError(
                f"A discovered secret survived redaction in {name}; the output was not kept.",
                fix="Report this as a bug; meanwhile exclude the file from the spec.",
            )

    def redact_files(
        self, jobs: list[tuple[Path, Path, str]], workers: int | None = None
    ) -> dict[str, FileReport]:
        """Discover over all ``(src, dst, name)`` jobs, rewrite them, check each output.

        Large inputs use a process pool (largest first, huge files in chunks); small ones
        run in this process. Raises ``RedactionError`` if a residual check fails.
        """
        from sitrep.redact.pool import redact_files

        return redact_files(self, jobs, workers)

    def record_report(self, report: FileReport) -> None:
        """Adopt a report made elsewhere (a worker process) for ``report()``."""
        self._reports[report.path] = report

    def report(self) -> dict[str, Any]:
        """Return the redaction-report.json document: per file, rule -> count and lines."""
        files = {n: r.rules for n, r in sorted(self._reports.items()) if r.rules}
        totals: dict[str, int] = {}
        for rules in files.values():
            for rule, entry in rules.items():
                totals[rule] = totals.get(rule, 0) + entry["count"]
        return {
            "profile": self.profile,
            "pseudonym_key": "customer" if self.key else "per-run",
            "discovery_capped": self.learned.capped,
            "totals": dict(sorted(totals.items())),
            "files": files,
        }

    @property
    def mapping(self) -> dict[str, str]:
        """Pseudonym -> original for this run. Customer side only; never put it in a bundle."""
        return self._pseudo.mapping

    def save_map(self, path: Path) -> None:
        """Merge this run's map into the encrypted map at ``path`` (needs the customer key)."""
        from sitrep.redact.pseudonym import save_map

        if self.key is None:
            raise RedactionError("No map is kept without a customer key.", fix="Pass --key FILE.")
        save_map(path, self.key, self.mapping)


def _mask(_value: bytes) -> bytes:
    return MASK


def _mask_pem(value: bytes) -> bytes:
    """Keep the line structure of a key block: BEGIN line, one masked line, END line."""
    body = value.strip()
    return value[: value.find(body[:1])] + MASK + value[len(value.rstrip()) :]


def _registrable(host: bytes) -> bytes:
    labels = host.lower().split(b".")
    return b".".join(labels[registrable_index(labels) :])


def _report_edits(buf: bytes, edits: list[Edit], report: FileReport, first_line: int) -> None:
    line, pos = first_line, 0
    for edit in edits:
        line += buf.count(b"\n", pos, edit.start)
        pos = edit.start
        report.add(edit.rule, line)
