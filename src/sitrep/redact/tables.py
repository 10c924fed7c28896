"""Tables pasted into logs, tickets and exports: CSV, TSV, ``;`` and Markdown tables.

A header row that names a secret column (``password``, ``api_token``) or a user column
(``user``, ``login``) makes the cells below it secrets or user names, for as long as the
rows keep the header's number of cells. No rule can say this by itself: which column a cell
is in depends on the header line above it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from sitrep.redact.matcher import _UNANCHORED, MASKED, Edit, compile_pattern
from sitrep.redact.rules.credentials import key_strength
from sitrep.redact.rules.identity import SYSTEM_USERS
from sitrep.redact.rules.text import is_placeholder

#: A header cell naming a secret or a user, bounded by separators or the line's ends. It is a
#: trigger of the candidate-line automaton too (``Matcher(extra_triggers=...)``), so a header
#: is looked for on candidate lines only, and logs without tables cost no pass of their own.
HEADER_TRIGGER = (
    r"(?im:(?:^|[,;|\t])[ \t]*\"?(?:[\w ]*(?:password|passwd|pwd|secret|token|api[_ -]?key)"
    r"|user(?:[_ ]?name)?|login|usename|(?:full|display|real)[_ ]?name)\"?[ \t]*(?:[,;|\t]|$))"
)
_HEADER_CELL = compile_pattern(HEADER_TRIGGER, capture=False)
_SEPARATORS = b"|,;\t"
#: A column name: a short label, not a sentence.
_NAME = re.compile(rb"(?:[\w./()#-]*[\w)#](?: [\w./()#-]*[\w)#]){0,2})?")
#: PostgreSQL's pg_stat_activity calls its user column "usename"; exports name people.
_USER_COLUMNS = frozenset(
    b"user username user_name login samaccountname usename fullname full_name displayname"
    b" display_name realname real_name".split()
) | {b"user name", b"full name", b"display name", b"real name"}
#: Rows read below one header at most; a longer export is rare in a log or ticket.
MAX_ROWS = 10_000


def table_cells(
    buf: bytes, segments: list[tuple[int, int]] | None = None
) -> Iterator[tuple[str, int, int]]:
    """Yield ``(kind, start, end)`` for each secret (``secret``) or user (``user``) cell.

    ``segments`` are the candidate lines of a trigger automaton that holds ``HEADER_TRIGGER``:
    a header is looked for there only, not in the whole buffer.
    """
    for pos, end in [(0, len(buf))] if segments is None else segments:
        while pos < end:
            hit = _HEADER_CELL._regexp.Match(_UNANCHORED, buf, pos, end)[0][0]
            if hit < 0:
                break
            line_start = buf.rfind(b"\n", 0, hit + 1) + 1
            line_end = _line_end(buf, hit)
            yield from _column_cells(buf, line_start, line_end)
            pos = line_end + 1


def table_edits(
    buf: bytes,
    replace: Callable[[str, bytes], bytes | None],
    segments: list[tuple[int, int]] | None = None,
) -> list[Edit]:
    """Return the edits for the table cells of ``buf`` (masks and user pseudonyms)."""
    edits = []
    for kind, start, end in table_cells(buf, segments):
        new = replace(kind, buf[start:end])
        if new is not None:
            rule = "credentials.table-column" if kind == "secret" else "identity.table-column"
            edits.append(Edit(start, end, new, rule, kind in MASKED))
    return edits


def _column_cells(buf: bytes, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    header = buf[start:end]
    sep = max(_SEPARATORS, key=header.count)
    names = [buf[s:e].strip(b' \t"\r').lower() for s, e in _split(buf, start, end, sep)]
    if len(names) < 2 or not all(_NAME.fullmatch(name) for name in names):
        return  # "| password | string | The database password. |": a row, not a header
    if start > 0:
        above = buf.rfind(b"\n", 0, start - 1) + 1
        if sep in buf[above : start - 1] and len(_split(buf, above, start - 1, sep)) == len(names):
            return  # a row inside a table whose header names no secret
    columns = {i: kind for i, name in enumerate(names) if (kind := _kind(name))}
    if not columns:
        return
    row = end + 1
    for _ in range(MAX_ROWS):
        if row >= len(buf):
            return
        row_end = _line_end(buf, row)
        line = buf[row:row_end]
        if b"-" in line and not line.strip(b" \t|:+-\r"):  # |---|, psql's ---+---, MySQL's +---+
            row = row_end + 1
            continue
        cells = _split(buf, row, row_end, sep)
        if len(cells) != len(names):
            return
        for i, kind in columns.items():
            s, e = _trim(buf, *cells[i])
            value = buf[s:e]
            if e > s and not is_placeholder(value) and value.lower() not in SYSTEM_USERS:
                yield kind, s, e
        row = row_end + 1


def _kind(name: bytes) -> str | None:
    if name in _USER_COLUMNS:
        return "user"
    return "secret" if name and key_strength(name) == 2 else None


def _split(buf: bytes, start: int, end: int, sep: int) -> list[tuple[int, int]]:
    """Cell spans of ``buf[start:end]``; ``"a;b"`` is one cell (CSV quoting)."""
    cells, cell, quoted = [], start, False
    for i in range(start, end):
        c = buf[i]
        if c == 34:  # "
            quoted = not quoted
        elif c == sep and not quoted:
            cells.append((cell, i))
            cell = i + 1
    cells.append((cell, end))
    if sep == 124:  # Markdown: "| a | b |" has empty cells outside the first and last bar
        if cells and not buf[cells[0][0] : cells[0][1]].strip():
            cells = cells[1:]
        if cells and not buf[cells[-1][0] : cells[-1][1]].strip():
            cells = cells[:-1]
    return cells


def _trim(buf: bytes, start: int, end: int) -> tuple[int, int]:
    while start < end and buf[start] in b" \t\r":
        start += 1
    while end > start and buf[end - 1] in b" \t\r":
        end -= 1
    if end - start >= 2 and buf[start] == 34 and buf[end - 1] == 34:
        start, end = start + 1, end - 1
    return start, end


def _line_end(buf: bytes, pos: int) -> int:
    nl = buf.find(b"\n", pos)
    return len(buf) if nl < 0 else nl
