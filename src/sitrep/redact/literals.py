"""Find learned literal values (secrets, user and host names) wherever they appear.

Only a short prefix of each value is searched for; a hit is then compared in full.
Secrets must match byte for byte; names match in any case, as whole words. Two searches,
by the number of values (measured on 8 MB of logs, after warm-up):

* up to ``REGEX_LIMIT`` values, one case-insensitive re2 alternation of ``REGEX_PREFIX``-byte
  prefixes over the raw text: 400-580 MB/s. Its DFA is built lazily: the first few MB cost
  up to half a second at 2 500 random tokens, which a worker's hundreds of MB repay.
* past that, one Aho-Corasick automaton (the Rust ``aho-corasick`` crate, through
  ``ahocorasick_rs``) of ``PREFIX``-byte prefixes over the lower-cased text: 160-240 MB/s
  at 20 000 values, in a few MB. The re2 alternation slows to about 50 MB/s there, and
  pyahocorasick, used before, ran at about 70 MB/s in 8-18 MB per worker.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import ahocorasick_rs

from sitrep.redact.matcher import _UNANCHORED, MASKED, Edit, compile_pattern

#: Up to this many values, a re2 alternation of ``REGEX_PREFIX``-byte prefixes finds them.
REGEX_LIMIT = 2500
REGEX_PREFIX = 6
#: Bytes of each value that the Aho-Corasick automaton holds.
PREFIX = 12

#: Kind -> (rule name for the report, action for the replacement).
KINDS = {
    "secret": ("credentials.discovered-value", "secret"),
    "user": ("identity.discovered-user", "user"),
    "host": ("network.discovered-host", "host"),
    "word": ("custom.keyword", "word"),
}


def _is_word(c: int) -> bool:
    return c == 95 or 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122


class LiteralSet:
    """A set of ``(kind, value)`` literals; secrets match exactly, names as whole words."""

    def __init__(self, items: Iterable[tuple[str, bytes]]) -> None:
        items = [(kind, value) for kind, value in items if value]
        self.empty = not items
        self.has_secrets = any(kind == "secret" for kind, _ in items)
        short = len(items) <= REGEX_LIMIT
        size = REGEX_PREFIX if short else PREFIX
        grouped: dict[bytes, list[tuple[str, bytes, bytes]]] = {}
        for kind, value in items:
            low = value.lower()
            # A secret is compared byte for byte: it keeps no lower-cased copy.
            entry = (kind, value, value if kind == "secret" else low)
            grouped.setdefault(low[:size], []).append(entry)
        table = {key: _Group(entries) for key, entries in grouped.items()}
        self._regex: tuple[Any, dict[bytes, _Group], list[int]] | None = None
        self._automaton: Any = None
        if not items:
            return
        if short:
            body = "|".join(_escape(k) for k in sorted(table, key=len, reverse=True))
            rx = compile_pattern(f"(?i:{body})", capture=False)
            self._regex = (rx, table, sorted({len(k) for k in table}))
            return
        self._groups = list(table.values())
        self._automaton = ahocorasick_rs.BytesAhoCorasick(list(table))

    def _starts(self, buf: bytes) -> Iterable[tuple[int, _Group]]:
        """Yield ``(start, group)`` wherever a prefix occurs: values to verify there."""
        if self._regex is not None:
            # Case-insensitive prefixes on the raw text: no lower-cased copy of the buffer.
            rx, table, sizes = self._regex
            match, pos, end = rx._regexp.Match, 0, len(buf)
            while pos < end:
                start = match(_UNANCHORED, buf, pos, end)[0][0]
                if start < 0:
                    return
                pos = start + 1  # every start is tried, so overlapping values are found
                head = buf[start : start + sizes[-1]].lower()
                for size in sizes:
                    group = table.get(head[:size])
                    if group:
                        yield start, group
        elif self._automaton is not None:
            groups = self._groups
            # ASCII lower-casing keeps every offset.
            found = self._automaton.find_matches_as_indexes(buf.lower(), overlapping=True)
            for index, start, _end in found:
                yield start, groups[index]

    def hits(self, buf: bytes) -> Iterable[tuple[int, int, str, bytes]]:
        """Yield ``(start, end, kind, value)`` for every occurrence in ``buf``, overlaps too."""
        for start, group in self._starts(buf):
            yield from _verify(buf, start, group.entries)

    def edits(
        self,
        buf: bytes,
        replace: Callable[[str, bytes], bytes | None],
        done: Sequence[Edit] = (),
    ) -> list[Edit]:
        """Return the edits that replace every accepted occurrence.

        ``done`` are edits already made (sorted, not overlapping): an occurrence inside one
        needs no replacement of its own, unless it is a secret and that edit is no mask.
        On dense logs most learned names are met where a rule already replaced them.
        """
        out = []
        starts = [edit.start for edit in done]
        for at, group in self._starts(buf):
            i = bisect_right(starts, at) - 1
            if i >= 0:
                cover = done[i]
                # Most hits on dense logs: every value of the group would end inside an
                # edit that already replaces it. Skipped before any comparison.
                if at + group.longest <= cover.end and (cover.mask or not group.secrets):
                    continue
            for start, end, kind, value in _verify(buf, at, group.entries):
                if i >= 0 and cover.end >= end and (cover.mask or kind != "secret"):
                    continue
                rule, action = KINDS[kind]
                new = replace(action, value)
                if new is not None and new != value:
                    out.append(Edit(start, end, new, rule, action in MASKED))
        return out

    def first_secret(self, buf: bytes) -> bool:
        """True when ``buf`` holds any secret of the set (the residual check)."""
        if not self.has_secrets:
            return False
        for start, group in self._starts(buf):
            if group.secrets:
                secrets = [entry for entry in group.entries if entry[0] == "secret"]
                if any(True for _ in _verify(buf, start, secrets)):
                    return True
        return False


class _Group:
    """The values that share one searched prefix."""

    __slots__ = ("entries", "longest", "secrets")

    def __init__(self, entries: list[tuple[str, bytes, bytes]]) -> None:
        self.entries = entries
        self.longest = max(len(value) for _, value, _ in entries)
        self.secrets = any(kind == "secret" for kind, _, _ in entries)


def _verify(
    buf: bytes, start: int, entries: list[tuple[str, bytes, bytes]]
) -> Iterable[tuple[int, int, str, bytes]]:
    """Yield the values of ``entries`` (same prefix) that occur in full at ``start``."""
    for kind, value, low in entries:
        end = start + len(value)
        if kind == "secret":
            if buf.startswith(value, start):
                yield start, end, kind, value
        elif buf[start:end].lower() == low and not (
            (start > 0 and _is_word(buf[start - 1]) and _is_word(value[0]))
            or (end < len(buf) and _is_word(buf[end]) and _is_word(value[-1]))
        ):
            yield start, end, kind, buf[start:end]


def _escape(value: bytes) -> str:
    """Escape raw bytes for a Latin-1 re2 pattern (each byte stands for itself)."""
    return "".join(chr(b) if chr(b).isalnum() and b < 128 else f"\\x{b:02x}" for b in value)
