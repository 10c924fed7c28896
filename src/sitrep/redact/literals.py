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
    """A set of ``(kind, value)`` literals; secrets match exactly, names as whole words.

    The values are kept flat, one slot each in two parallel lists, and the prefix search
    reports each value by its index: a group object with a list of tuples per prefix cost
    about 4.4 MB in every worker at the 20 000-value cap.
    """

    def __init__(self, items: Iterable[tuple[str, bytes]]) -> None:
        items = [item for item in items if item[1]]
        self.empty = not items
        self.has_secrets = any(kind == "secret" for kind, _ in items)
        self._kinds = [kind for kind, _ in items]
        # A secret is compared byte for byte; a name in any case, so it is kept lower-cased.
        self._values = [value if kind == "secret" else _lower(value) for kind, value in items]
        self._regex: tuple[Any, dict[bytes, list[int]], list[int]] | None = None
        self._automaton: Any = None
        if not items:
            return
        if len(items) <= REGEX_LIMIT:
            table: dict[bytes, list[int]] = {}
            for index, value in enumerate(self._values):
                table.setdefault(value[:REGEX_PREFIX].lower(), []).append(index)
            body = "|".join(_escape(k) for k in sorted(table, key=len, reverse=True))
            rx = compile_pattern(f"(?i:{body})", capture=False)
            self._regex = (rx, table, sorted({len(k) for k in table}))
            return
        # One pattern per value, in order: values that share a prefix are all reported.
        prefixes = (value[:PREFIX].lower() for value in self._values)
        self._automaton = ahocorasick_rs.BytesAhoCorasick(prefixes)

    def _starts(self, buf: bytes) -> Iterable[tuple[int, int, int]]:
        """Return ``(index, start, end)`` wherever the prefix of value ``index`` occurs."""
        if self._automaton is not None:
            # ASCII lower-casing keeps every offset.
            return self._automaton.find_matches_as_indexes(buf.lower(), overlapping=True)
        if self._regex is not None:
            return self._regex_starts(buf, *self._regex)
        return ()

    @staticmethod
    def _regex_starts(
        buf: bytes, rx: Any, table: dict[bytes, list[int]], sizes: list[int]
    ) -> Iterable[tuple[int, int, int]]:
        # Case-insensitive prefixes on the raw text: no lower-cased copy of the buffer.
        match, pos, end = rx._regexp.Match, 0, len(buf)
        while pos < end:
            start = match(_UNANCHORED, buf, pos, end)[0][0]
            if start < 0:
                return
            pos = start + 1  # every start is tried, so overlapping values are found
            head = buf[start : start + sizes[-1]].lower()
            for size in sizes:
                for index in table.get(head[:size], ()):
                    yield index, start, start + size

    def _occurs(self, buf: bytes, start: int, index: int) -> bytes | None:
        """Return value ``index`` as it occurs at ``start`` (a name in the text's case)."""
        value = self._values[index]
        if self._kinds[index] == "secret":
            return value if buf.startswith(value, start) else None
        end = start + len(value)
        found = buf[start:end]
        if found.lower() != value or (
            (start > 0 and _is_word(buf[start - 1]) and _is_word(value[0]))
            or (end < len(buf) and _is_word(buf[end]) and _is_word(value[-1]))
        ):
            return None
        return found

    def hits(self, buf: bytes) -> Iterable[tuple[int, int, str, bytes]]:
        """Yield ``(start, end, kind, value)`` for every occurrence in ``buf``, overlaps too."""
        for index, start, _ in self._starts(buf):
            value = self._occurs(buf, start, index)
            if value is not None:
                yield start, start + len(value), self._kinds[index], value

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
        values, kinds = self._values, self._kinds
        for index, at, _ in self._starts(buf):
            kind = kinds[index]
            i = bisect_right(starts, at) - 1
            if i >= 0:
                cover = done[i]
                # Most hits on dense logs: the value would end inside an edit that already
                # replaces it. Skipped before any comparison.
                if at + len(values[index]) <= cover.end and (cover.mask or kind != "secret"):
                    continue
            value = self._occurs(buf, at, index)
            if value is None:
                continue
            rule, action = KINDS[kind]
            new = replace(action, value)
            if new is not None and new != value:
                out.append(Edit(at, at + len(value), new, rule, action in MASKED))
        return out

    def first_secret(self, buf: bytes) -> bool:
        """True when ``buf`` holds any secret of the set (the residual check)."""
        if not self.has_secrets:
            return False
        values, kinds = self._values, self._kinds
        return any(
            kinds[index] == "secret" and buf.startswith(values[index], start)
            for index, start, _ in self._starts(buf)
        )


def _lower(value: bytes) -> bytes:
    """``value`` lower-cased; the same object when it already is (no second copy kept)."""
    low = value.lower()
    return value if low == value else low


def _escape(value: bytes) -> str:
    """Escape raw bytes for a Latin-1 re2 pattern (each byte stands for itself)."""
    return "".join(chr(b) if chr(b).isalnum() and b < 128 else f"\\x{b:02x}" for b in value)
