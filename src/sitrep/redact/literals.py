"""Find many learned literal values at once with an Aho-Corasick automaton.

Discovery can learn thousands of values (every password, token and user name found under a
label). A regex alternation of that size overwhelms re2's DFA; Aho-Corasick matches any
number of literals in one pass over the text. Matching runs on the lower-cased text so user
and host names match in any case; secrets must then also match byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import ahocorasick

from sitrep.redact.matcher import MASKED, Edit

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
        self._automaton = ahocorasick.Automaton()
        table: dict[str, list[tuple[str, bytes]]] = {}
        for kind, value in items:
            if value:
                table.setdefault(value.lower().decode("latin-1"), []).append((kind, value))
        for key, entries in table.items():
            self._automaton.add_word(key, entries)
        self.empty = not table
        if not self.empty:
            self._automaton.make_automaton()

    def hits(self, buf: bytes) -> Iterable[tuple[int, int, str, bytes]]:
        """Yield ``(start, end, kind, value)`` for every accepted occurrence in ``buf``."""
        if self.empty:
            return
        text = buf.lower().decode("latin-1")  # ASCII lower-casing keeps every offset.
        for last, entries in self._automaton.iter(text):
            for kind, value in entries:
                start, end = last + 1 - len(value), last + 1
                if kind == "secret":
                    if buf[start:end] == value:
                        yield start, end, kind, value
                elif not (
                    (start > 0 and _is_word(buf[start - 1]) and _is_word(value[0]))
                    or (end < len(buf) and _is_word(buf[end]) and _is_word(value[-1]))
                ):
                    yield start, end, kind, buf[start:end]

    def edits(self, buf: bytes, replace: Callable[[str, bytes], bytes | None]) -> list[Edit]:
        """Return the edits that replace every accepted occurrence."""
        out = []
        for start, end, kind, value in self.hits(buf):
            rule, action = KINDS[kind]
            new = replace(action, value)
            if new is not None and new != value:
                out.append(Edit(start, end, new, rule, action in MASKED))
        return out

    def first_secret(self, buf: bytes) -> bool:
        """True when ``buf`` holds any secret of the set (the residual check)."""
        return any(kind == "secret" for _, _, kind, _ in self.hits(buf))
