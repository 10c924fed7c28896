"""Find learned literal values (secrets, user and host names) wherever they appear.

An re2 alternation of up to a few hundred literals stays a small DFA and scans at 400-600
MB/s; one of thousands overwhelms re2's DFA. So up to ``REGEX_LIMIT`` literals are split
into alternations of ``REGEX_CHUNK`` (one kind each) run in turn: four such passes still
beat one Aho-Corasick pass (about 70 MB/s with pyahocorasick). Past that, an Aho-Corasick
automaton matches any number of literals in one pass, on the lower-cased text so names
match in any case (secrets must then also match byte for byte).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import ahocorasick

from sitrep.redact.matcher import _UNANCHORED, MASKED, Edit, compile_pattern

#: Bytes of each value that go into the Aho-Corasick trie.
PREFIX = 12
#: Up to this many values, a re2 alternation of ``REGEX_PREFIX``-byte prefixes finds them.
PREFIX_REGEX_LIMIT = 2500
REGEX_PREFIX = 6
#: Literals per re2 alternation (each stays a small DFA).
REGEX_CHUNK = 300
#: Above this many literals the Aho-Corasick automaton replaces the re2 alternations.
REGEX_LIMIT = 1200

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
        self._regexes = _chunks(items) if len(items) <= REGEX_LIMIT else []
        self._prefixes: tuple[Any, dict[bytes, list[Any]], list[int]] | None = None
        self._automaton = ahocorasick.Automaton()
        if self._regexes or not items:
            return
        # Past REGEX_LIMIT only a prefix of each value is searched for, and the rest is
        # compared at a hit. Up to PREFIX_REGEX_LIMIT values, one re2 alternation of short
        # lower-cased prefixes stays a small DFA (several times faster than pyahocorasick);
        # past that, an Aho-Corasick trie of longer prefixes (the full values made a trie
        # of about 30 MB per worker at 20 000 values).
        short = len(items) <= PREFIX_REGEX_LIMIT
        size = REGEX_PREFIX if short else PREFIX
        table: dict[bytes, list[tuple[str, bytes, bytes]]] = {}
        for kind, value in items:
            low = value.lower()
            table.setdefault(low[:size], []).append((kind, value, low))
        if short:
            body = "|".join(_escape(k) for k in sorted(table, key=len, reverse=True))
            rx = compile_pattern(body, capture=False)
            self._prefixes = (rx, table, sorted({len(k) for k in table}))
            return
        for key, entries in table.items():
            self._automaton.add_word(key.decode("latin-1"), (len(key), entries))
        self._automaton.make_automaton()

    def hits(self, buf: bytes) -> Iterable[tuple[int, int, str, bytes]]:
        """Yield ``(start, end, kind, value)`` for every accepted occurrence in ``buf``."""
        if self.empty:
            return
        if self._regexes:
            for regex in self._regexes:
                yield from _regex_hits(regex, buf)
            return
        lower = buf.lower()  # ASCII lower-casing keeps every offset.
        if self._prefixes is not None:
            rx, table, sizes = self._prefixes
            match, pos, end = rx._regexp.Match, 0, len(buf)
            while pos < end:
                start = match(_UNANCHORED, lower, pos, end)[0][0]
                if start < 0:
                    return
                pos = start + 1  # every start is tried, so overlapping values are found
                for size in sizes:
                    entries = table.get(lower[start : start + size])
                    if entries:
                        yield from _verify(buf, lower, start, entries)
            return
        for last, (size, entries) in self._automaton.iter(lower.decode("latin-1")):
            yield from _verify(buf, lower, last + 1 - size, entries)

    def edits(self, buf: bytes, replace: Callable[[str, bytes], bytes | None]) -> list[Edit]:
        """Return the edits that replace every accepted occurrence."""
        out = []
        for start, end, kind, value in self.hits(buf):
            rule, action = KINDS[kind]
            new = replace(action, value)
            if new is not None and new != value:
                out.append(Edit(start, end, new, rule, action in MASKED))
        return out

    def secrets_only(self) -> LiteralSet | None:
        """Return a set of just the secrets, or None when this one can serve as it is.

        The Aho-Corasick automaton reports every occurrence, overlapping or not, so the
        residual check can reuse it (one automaton per worker, not two). An alternation
        holds one kind, so a name cannot hide a secret either; only its name passes are
        dropped.
        """
        if not self._regexes:
            return None
        clone = LiteralSet(())
        clone._regexes = [r for r in self._regexes if r[1][0][1] == "secret"]
        clone.empty = not clone._regexes
        return clone

    def first_secret(self, buf: bytes) -> bool:
        """True when ``buf`` holds any secret of the set (the residual check)."""
        return any(kind == "secret" for _, _, kind, _ in self.hits(buf))


def _verify(
    buf: bytes, lower: bytes, start: int, entries: list[tuple[str, bytes, bytes]]
) -> Iterable[tuple[int, int, str, bytes]]:
    """Yield the values of ``entries`` (same prefix) that occur in full at ``start``."""
    for kind, value, low in entries:
        end = start + len(value)
        if kind == "secret":
            if buf.startswith(value, start):
                yield start, end, kind, value
        elif lower.startswith(low, start) and not (
            (start > 0 and _is_word(buf[start - 1]) and _is_word(value[0]))
            or (end < len(buf) and _is_word(buf[end]) and _is_word(value[-1]))
        ):
            yield start, end, kind, buf[start:end]


def _regex_hits(regex: tuple[Any, Any], buf: bytes) -> Iterable[tuple[int, int, str, bytes]]:
    rx, kinds = regex
    match, pos, end = rx._regexp.Match, 0, len(buf)
    while pos < end:
        spans = match(_UNANCHORED, buf, pos, end)
        if spans[0][0] < 0:
            return
        pos = max(spans[0][1], spans[0][0] + 1)
        for index, kind in kinds:
            start, stop = spans[index]
            if start >= 0:
                yield start, stop, kind, buf[start:stop]
                break


def _chunks(items: list[tuple[str, bytes]]) -> list[tuple[Any, list[tuple[int, str]]]]:
    """One alternation per kind and ``REGEX_CHUNK`` literals."""
    by_kind: dict[str, list[bytes]] = {}
    for kind, value in items:
        by_kind.setdefault(kind, []).append(value)
    out = []
    for kind, values in by_kind.items():
        unique = sorted(set(values))
        for i in range(0, len(unique), REGEX_CHUNK):
            out.append(_regex([(kind, v) for v in unique[i : i + REGEX_CHUNK]]))
    return out


def _regex(items: list[tuple[str, bytes]]) -> tuple[Any, list[tuple[int, str]]]:
    """One re2 alternation: a group per kind, longest literals first, names as whole words."""
    by_kind: dict[str, list[bytes]] = {}
    for kind, value in items:
        by_kind.setdefault(kind, []).append(value)
    parts = []
    for kind, values in by_kind.items():
        body = "|".join(_escape(v) for v in sorted(set(values), key=len, reverse=True))
        if kind == "secret":
            parts.append(f"(?P<{kind}>{body})")
        else:
            parts.append(rf"\b(?P<{kind}>(?i:{body}))\b")
    rx = compile_pattern("|".join(parts))
    index = {(k.decode() if isinstance(k, bytes) else k): v for k, v in rx.groupindex.items()}
    return rx, [(index[kind], kind) for kind in by_kind]


def _escape(value: bytes) -> str:
    """Escape raw bytes for a Latin-1 re2 pattern (each byte stands for itself)."""
    return "".join(chr(b) if chr(b).isalnum() and b < 128 else f"\\x{b:02x}" for b in value)
