"""Compile rules into linear-time re2 automata and turn matches into edits.

Two automata per rule set, both re2 (linear time, so no input can make them backtrack):

* the trigger automaton joins every rule's small ``trigger`` pattern and has no capture
  groups, so re2 runs it as a pure DFA over the whole buffer. It yields candidate lines.
* the rule automaton joins the full rules with their capture groups. It is too large for
  re2's DFA cache, so it runs only on candidate lines.

On typical logs few lines are candidates and the cost is close to one DFA pass. Python runs
only on real matches: the rule's check, then the replacement.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable
from typing import Any, NamedTuple

import re2

from sitrep.errors import RedactionError
from sitrep.redact.rules import CheckContext, Rule

#: The last byte of a line whose value may follow on the next one ("password:",
#: "<Password>", "x = {", "key: |"); b"" is a trigger at the very end of its line.
_OPENS_VALUE = (b"", b":", b">", b"=", b"{", b"[", b"|", b"-")

#: Candidate segments closer than this are scanned as one: a rule automaton call costs
#: a few microseconds even when it finds nothing, more than its DFA spends on a short gap.
GAP = 1024
_GROUP = re.compile(r"\(\?P<(\w+?)(\d*)>")
_UNANCHORED = re2._Anchor.UNANCHORED


class Edit(NamedTuple):
    """Replace ``buf[start:end]`` by ``replacement``; ``rule`` names why (for the report).

    A named tuple: dense logs make one per redaction, and it is built about three times
    faster than a frozen dataclass.
    """

    start: int
    end: int
    replacement: bytes
    rule: str
    mask: bool


#: Called with (action, value) and returns the replacement, or None to keep the value.
Replace = Callable[[str, bytes], "bytes | None"]


def compile_pattern(pattern: bytes | str, *, capture: bool = True) -> re2._Regexp:
    """Compile a re2 pattern for raw bytes (Latin-1, so any byte sequence is valid input)."""
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    # The trigger automaton scans everything and gets the bigger DFA cache; rule automata
    # run on candidate lines only. Several automata per process: keep each bounded.
    options.max_mem = (8 << 20) if capture else (16 << 20)
    options.never_capture = not capture
    raw = pattern.encode() if isinstance(pattern, str) else pattern
    try:
        return re2.compile(raw, options)
    except re2.error as exc:
        raise RedactionError(f"Invalid redaction pattern: {exc}") from None


class RuleAutomaton:
    """Rules joined into one re2 alternation with capture groups (first rule wins ties)."""

    def __init__(self, rules: list[Rule]) -> None:
        parts = []
        for i, rule in enumerate(rules):
            body = _GROUP.sub(_renamer(i), rule.pattern)
            parts.append(f"(?P<r{i}>{body})")
        self._rx = compile_pattern("|".join(parts))
        index = {
            k.decode() if isinstance(k, bytes) else k: v for k, v in self._rx.groupindex.items()
        }
        self._table: list[_Entry] = []
        for i, rule in enumerate(rules):
            groups = []
            for name, idx in index.items():
                if name.startswith(f"g{i}_"):
                    full = name[len(f"g{i}_") :]
                    groups.append((idx, full, _action(full)))
            values = [(idx, action, action in MASKED) for idx, _, action in groups]
            self._table.append(
                _Entry(
                    index[f"r{i}"],
                    rule,
                    groups,
                    [value for value in values if value[1] in ACTIONS],
                )
            )

    def scan_segment(
        self, buf: bytes, pos: int, end: int, ctx: CheckContext, replace: Replace, edits: list[Edit]
    ) -> None:
        """Append the edits for ``buf[pos:end]`` to ``edits``."""
        match, table, add = self._rx._regexp.Match, self._table, edits.append
        while pos < end:
            spans = match(_UNANCHORED, buf, pos, end)
            start, stop = spans[0]
            if start < 0:
                break
            pos = stop if stop > start else start + 1
            for entry in table:
                if spans[entry.outer][0] >= 0:
                    break
            rule = entry.rule
            if rule.check is not None:
                found = {full: spans[idx] for idx, full, _ in entry.groups if spans[idx][0] >= 0}
                if not rule.check(buf, found, ctx):
                    pos = _resume(spans, entry.groups, start, stop)
                    if rule.skip:
                        pos = max(pos, _skip_run(buf, start, end, rule.skip))
                    continue
            for idx, action, masked in entry.values:
                s, e = spans[idx]
                if e > s >= 0:
                    old = buf[s:e]
                    new = replace(action, old)
                    if new is not None and new != old:
                        add(Edit(s, e, new, rule.name, masked))


class _Entry(NamedTuple):
    """One rule of an automaton: its outer group, its groups, and the groups it replaces."""

    outer: int
    rule: Rule
    groups: list[tuple[int, str, str]]
    values: list[tuple[int, str, bool]]


class Matcher:
    """A rule set: one trigger automaton, then one rule automaton per rule family.

    Families are compiled apart because together they overflow re2's DFA cache and fall
    back to its much slower NFA; apart, each stays a DFA. Overlaps between families are
    settled afterwards by ``resolve``.
    """

    def __init__(self, rules: list[Rule], extra_triggers: tuple[str, ...] = ()) -> None:
        """``extra_triggers`` make more lines candidates for passes outside the rules (the
        header of a table)."""
        self.rules = rules
        families: dict[str, list[Rule]] = {}
        for rule in rules:
            families.setdefault(_family(rule.name), []).append(rule)
        self._automata = [RuleAutomaton(group) for group in families.values()]
        triggers = [f"(?:{r.trigger or _GROUP.sub('(?:', r.pattern)})" for r in rules]
        triggers += [f"(?:{trigger})" for trigger in extra_triggers]
        self._trigger = compile_pattern("|".join(triggers), capture=False) if rules else None

    def scan(
        self,
        buf: bytes,
        ctx: CheckContext,
        replace: Replace,
        segments: list[tuple[int, int]] | None = None,
    ) -> list[Edit]:
        """Return the edits for ``buf`` in order of position; overlaps are resolved.

        ``segments`` are the candidate lines when already known (from a trigger automaton
        that is a superset of this one's).
        """
        if self._trigger is None:
            return []
        edits: list[Edit] = []
        for start, end in self.segments(buf) if segments is None else segments:
            for automaton in self._automata:
                automaton.scan_segment(buf, start, end, ctx, replace, edits)
        return resolve(edits)

    def segments(self, buf: bytes) -> list[tuple[int, int]]:
        """Return the line ranges where some trigger occurs; ranges under ``GAP`` apart merged."""
        if self._trigger is None:
            return []
        match, pos, end = self._trigger._regexp.Match, 0, len(buf)
        out: list[tuple[int, int]] = []
        while pos < end:
            hit_start, hit_end = match(_UNANCHORED, buf, pos, end)[0]
            if hit_start < 0:
                break
            first = buf.rfind(b"\n", 0, hit_start) + 1
            line_end = last = _line_end(buf, max(hit_end - 1, hit_start))
            if buf[hit_end:last].rstrip()[-1:] in _OPENS_VALUE:
                # A key at the end of its line ("password:", "<Password>", "x = {") may have its
                # value on the next line: keep that line in the segment (and still look
                # for triggers on it, which may extend the segment further).
                last = _line_end(buf, last)
            if buf.startswith(b"-----BEGIN", hit_start):
                # A key block spans lines: keep it with its END line in one segment.
                close = buf.find(b"-----END", hit_end)
                last = _line_end(buf, close) if close >= 0 else end
            if out and first <= out[-1][1] + GAP:
                out[-1] = (out[-1][0], max(last, out[-1][1]))
            else:
                out.append((first, last))
            pos = max(min(last, line_end), hit_start + 1)
        return out


class Candidates:
    """The candidate lines of each block of one file, found in discovery for the rewrite.

    The trigger automaton is the biggest single cost on logs with few matches, so it runs
    once per block, not once per pass. Ranges are kept flat (16 bytes each); past ``limit``
    ranges the store gives up and the rewrite finds them again, so memory stays bounded.
    """

    def __init__(self, limit: int = 250_000) -> None:
        self.blocks: list[array[int]] | None = []
        self.count, self.limit = 0, limit

    def add(self, segments: list[tuple[int, int]]) -> None:
        if self.blocks is None:
            return
        self.count += len(segments)
        if self.count > self.limit:
            self.blocks = None
            return
        self.blocks.append(array("q", [x for segment in segments for x in segment]))

    def get(self, index: int) -> list[tuple[int, int]] | None:
        """The ranges of block ``index``, or None when they were not kept."""
        if self.blocks is None or index >= len(self.blocks):
            return None
        flat = self.blocks[index]
        return list(zip(flat[::2], flat[1::2], strict=True))


#: Credential rules for rarer forms (directives, SQL-free tool flags, name/value pairs):
#: in the main credentials automaton they pushed its DFA past the cache on dense logs.
_RARE_CREDENTIALS = frozenset(
    {
        "credentials.api-key",
        "credentials.call-argument",
        "credentials.command-output",
        "credentials.changed-value",
        "credentials.config-file",
        "credentials.connection-string",
        "credentials.device-config",
        "credentials.directive",
        "credentials.generated-password",
        "credentials.jaas-user",
        "credentials.mail-login",
        "credentials.name-value",
        "credentials.oauth-code",
        "credentials.prose",
        "credentials.reset-token",
        "credentials.smtp-auth",
        "credentials.tool-output",
        "credentials.tool-password",
        "credentials.variable",
    }
)


def _family(name: str) -> str:
    """Group rules into automata small enough to stay DFAs.

    Addresses get automata of their own: a refused address skips its whole run of digits
    and dots, which must not hide a neighbour of another kind ("::ffff:10.0.0.1").
    ``identity.login`` (log phrases, access logs, prompts) is apart from the user keys, and the
    rarer credential forms from the key-value rules: together they overflowed the DFA cache on
    match-dense logs and ran 25-40 % slower.
    """
    if name in (
        "credentials.provider-token",
        "credentials.password-hash",
        "credentials.private-key",
        "credentials.jwt",
    ):
        return "shapes"
    if name in ("network.ipv4", "network.ipv6", "network.mac", "identity.login"):
        return name
    if name in _RARE_CREDENTIALS:
        return "credentials-rare"
    return name.split(".", 1)[0]


#: Group names that are replaced; everything else is context.
MASKED = frozenset({"secret", "path", "drop", "pem"})
ACTIONS = MASKED | {"user", "email", "ip4", "ip6", "mac", "host", "fqdn", "label", "word", "dc"}


#: A refused match shorter than this is rescanned from its value, so a token inside it (a
#: provider token after "credential ") is still found. Longer ones are not rescanned, which
#: keeps the scan linear: at most this many bytes are ever read twice per refusal.
RESCAN_LIMIT = 256


def _resume(spans: list[tuple[int, int]], groups: list[Any], start: int, stop: int) -> int:
    """Return where scanning continues after a refused match."""
    if stop - start > RESCAN_LIMIT:
        return stop
    values = [
        spans[idx][0] for idx, _, action in groups if action in ACTIONS and spans[idx][0] > start
    ]
    # From the value when there is context before it, else from the next byte: "::ffff:"
    # refused as IPv6 must still let "10.0.0.1" after it match.
    return min(values) if values else start + 1


def _renamer(index: int) -> Callable[[re.Match[str]], str]:
    """Prefix a rule's group names so they stay unique in the joined pattern."""

    def rename(match: re.Match[str]) -> str:
        return f"(?P<g{index}_{match.group(1)}{match.group(2)}>"

    return rename


_RUNS: dict[bytes, re.Pattern[bytes]] = {}


def _skip_run(buf: bytes, pos: int, end: int, chars: bytes) -> int:
    """Return the end of the run of ``chars`` that starts at ``pos`` (without copying)."""
    run = _RUNS.get(chars)
    if run is None:
        run = _RUNS[chars] = re.compile(b"[" + re.escape(chars) + b"]*")
    found = run.match(buf, pos, end)
    return found.end() if found else pos


def _line_end(buf: bytes, pos: int) -> int:
    """Return the offset just past the line that holds ``pos``."""
    nl = buf.find(b"\n", pos)
    return len(buf) if nl < 0 else nl + 1


def _action(group: str) -> str:
    """``secret2`` -> ``secret``; ``ip4`` is an action of its own."""
    return group if group in ACTIONS else group.rstrip("0123456789")


def resolve(edits: list[Edit]) -> list[Edit]:
    """Order edits and settle overlaps: a mask swallows what it overlaps, else the longer wins."""
    if len(edits) < 2:
        return edits
    edits.sort(key=lambda e: (e.start, -e.end))
    out = [edits[0]]
    for edit in edits[1:]:
        last = out[-1]
        if edit.start >= last.end:
            out.append(edit)
        elif edit.mask and not last.mask:
            out[-1] = Edit(last.start, max(last.end, edit.end), edit.replacement, edit.rule, True)
        elif last.mask and edit.end > last.end:
            out[-1] = Edit(last.start, edit.end, last.replacement, last.rule, True)
    return out


def apply(buf: bytes, edits: list[Edit]) -> bytes:
    """Return ``buf`` with ``edits`` (sorted, non-overlapping) applied."""
    if not edits:
        return buf
    parts, pos = [], 0
    for edit in edits:
        parts.append(buf[pos : edit.start])
        parts.append(edit.replacement)
        pos = edit.end
    parts.append(buf[pos:])
    return b"".join(parts)
