"""Tables pasted into logs, tickets and exports: CSV, TSV, ``;``, Markdown and Confluence.

A header row that names a secret column (``password``, ``api_token``), a user column
(``user``, ``login``, ``assigned_to``) or a host column (``hostname``, ``fqdn``) makes the
cells below it secrets, user names or host names, for as long as the
rows keep the header's number of cells. No rule can say this by itself: which column a cell
is in depends on the header line above it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from sitrep.redact.matcher import _UNANCHORED, MASKED, Edit, compile_pattern
from sitrep.redact.rules.credentials import key_strength
from sitrep.redact.rules.identity import SYSTEM_USERS
from sitrep.redact.rules.text import is_placeholder, looks_random

#: A header cell naming a secret or a user, bounded by separators or the line's ends. It is a
#: trigger of the candidate-line automaton too (``Matcher(extra_triggers=...)``), so a header
#: is looked for on candidate lines only, and logs without tables cost no pass of their own.
HEADER_TRIGGER = (
    r"(?im:(?:^|[,;|\t]|  )[ \t]*\"?(?:[\w ]*(?:password|passwd|pwd|secret|token|api[_ -]?key)"
    r"|user(?:[_ ]?name)?|login|usename|(?:full|display|real)[_ ]?name"
    # Person, host and secret columns of exports and sheets, also in German, Dutch, French,
    # Spanish, Italian and Polish.
    r"|assigned[_ ]to|caller(?:_id)?|owner|executed by|member|requester|reporter|assignee"
    r"|benutzer(?:name)?|gebruiker(?:snaam)?|utilisateur|usuario|utente|u(?:ż|z)ytkownik"
    r"|host(?:[_ ]?name)?|fqdn|computer(?:[_ ]?name)?|device[_ ]name|server[_ ]?name"
    r"|wachtwoord|passwort|kennwort|contrase(?:ñ|n)a|mot de passe|has(?:ł|l)o|senha"
    r"|e-?mail(?:[_ ]?address)?)"
    r"\"?(?:[ \t]*(?:[,;|\t]|$)|  ))"
)
_HEADER_CELL = compile_pattern(HEADER_TRIGGER, capture=False)
_SEPARATORS = b"|,;\t"
#: A column name: a short label, not a sentence.
_NAME = re.compile(rb"(?:[\w./()#%-]*[\w)#%](?: [\w./()#%-]*[\w)#%]){0,2})?")
#: PostgreSQL's pg_stat_activity calls its user column "usename"; exports name people.
_USER_COLUMNS = frozenset(
    b"user username user_name login samaccountname usename fullname full_name displayname"
    b" display_name realname real_name assigned_to caller caller_id owner member requester"
    b" reporter assignee benutzer benutzername gebruiker gebruikersnaam utilisateur usuario"
    b" utente accountname account_name serviceaccountname".split()
) | {
    b"user name",
    b"full name",
    b"display name",
    b"real name",
    b"assigned to",
    b"executed by",
    b"account name",
    "użytkownik".encode(),
}
#: Columns that hold a person's display name, never a login.
_PERSON_COLUMNS = frozenset(
    b"fullname full_name displayname display_name realname real_name".split()
) | {b"full name", b"display name", b"real name"}
_HOST_COLUMNS = frozenset(
    b"host hostname host_name fqdn computer computername computer_name device_name servername"
    b" server_name".split()
) | {b"host name", b"computer name", b"device name", b"server name"}
_SECRET_COLUMNS = frozenset(b"wachtwoord passwort kennwort contrasena haslo senha".split()) | {
    "contraseña".encode(),
    "hasło".encode(),
    b"mot de passe",
}
_EMAIL_COLUMNS = frozenset(b"email e-mail mail email_address emailaddress".split()) | {
    b"email address"
}
#: A label of a header aligned with spaces: words one space apart.
_LABEL = re.compile(rb"\S+(?: \S+)*")
#: A label of a header aligned with spaces: a word first, no value (an address, a path).
_ALIGNED_NAME = re.compile(rb"[a-z%#][\w ()#%-]*")
_HOST = re.compile(rb"[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9][A-Za-z0-9_-]*)*")
_LONG_HEX = re.compile(rb"[0-9a-fA-F]{16}")
#: A person's name in a column of names: two to four capitalised words, "Surname, Given".
_PERSON = re.compile(
    rb"[A-Z\x80-\xff][\w\x80-\xff'.-]*(?:,? (?:[A-Z\x80-\xff][\w\x80-\xff'.-]*"
    rb"|de|van|von|der|den|da|di|du|la|le|del|dos|ter|ten)){1,3}"
)
_ACRONYM = re.compile(rb"\b[A-Z]{2,}(?:\b|[a-z])")
#: Lower-case words only, two or more: a note in a password column ("zie kluis").
_WORDS = re.compile(rb"[a-z\x80-\xff]+(?: [a-z\x80-\xff-]+)+")
#: Owners that are teams, not people.
_TEAMS = frozenset(
    b"platform security network networking infra infrastructure ops devops sre finance hr it"
    b" support team backend frontend data dba qa".split()
)
_RULES = {
    "secret": "credentials.table-column",
    "user": "identity.table-column",
    "person": "identity.table-column",
    "host": "network.table-column",
}
#: Rows read below one header at most; a longer export is rare in a log or ticket.
MAX_ROWS = 10_000


def table_cells(
    buf: bytes, segments: list[tuple[int, int]] | None = None
) -> Iterator[tuple[str, int, int]]:
    """Yield ``(kind, start, end)`` for each ``secret``, ``user``, ``person`` or ``host`` cell.

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
        new = replace("user" if kind == "person" else kind, buf[start:end])
        if new is not None:
            rule = _RULES[kind]
            edits.append(Edit(start, end, new, rule, kind in MASKED))
    return edits


def _column_cells(buf: bytes, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    header = buf[start:end]
    sep = max(_SEPARATORS, key=header.count)
    if header.count(sep) == 0:
        yield from _aligned_cells(buf, start, end)
        return
    labels = [buf[s:e].strip(b' \t"\r') for s, e in _split(buf, start, end, sep)]
    if any(looks_random(label, min_len=12, min_entropy=3.0) for label in labels):
        return  # "| p12_password | LuK3WEgdUrLHwsKs |": a row of values, not a header
    names = [label.lower() for label in labels]
    if sep == 124 and b"||" in header:
        names = [name for name in names if name]  # Confluence wiki: ||Name||Password||
    if len(names) < 2 or not all(_NAME.fullmatch(name) for name in names):
        return  # "| password | string | The database password. |": a row, not a header
    if start > 0:
        above = buf.rfind(b"\n", 0, start - 1) + 1
        if sep in buf[above : start - 1] and len(_split(buf, above, start - 1, sep)) == len(names):
            return  # a row inside a table whose header names no secret
    columns = _columns(names)
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
            if e > s and _is_value(kind, value):
                yield kind, s, e
        row = row_end + 1


def _aligned_cells(buf: bytes, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """Cells of a table aligned with spaces (CLI output, PowerShell's Format-Table, a team
    list): columns start where the header's labels do, two spaces or more apart."""
    labels = [(m.start(), m.group().lower()) for m in _LABEL.finditer(buf, start, end)]
    if len(labels) < 3 or not all(_ALIGNED_NAME.fullmatch(name) for _, name in labels):
        return  # "host  all  all  127.0.0.1/32  scram-sha-256" (pg_hba.conf) is a row
    columns = _columns([name for _, name in labels])
    if not columns:
        return
    offsets = [pos - start for pos, _ in labels] + [1 << 30]
    row = end + 1
    for _ in range(MAX_ROWS):
        if row >= len(buf):
            return
        row_end = _line_end(buf, row)
        line = buf[row:row_end].rstrip(b"\r")
        if not line.strip():
            return
        if not line.strip(b" \t-="):  # ----  ------- under the labels
            row = row_end + 1
            continue
        starts = sum(
            1
            for offset in offsets[:-1]
            if offset < len(line) and line[offset] != 32 and (not offset or line[offset - 1] == 32)
        )
        if starts < 2:
            return  # not a row of this table
        for i, kind in columns.items():
            first, last = offsets[i], min(offsets[i + 1], len(line))
            if first >= len(line) or (first and line[first - 1 : first] != b" "):
                return  # the row does not keep the header's columns: the table ended
            cell = line[first:last]
            value = cell.split(b"  ")[0].strip()
            s = row + first + (len(cell) - len(cell.lstrip()))
            if value and line[first : first + 1] != b" " and _is_value(kind, value):
                yield kind, s, s + len(value)
        row = row_end + 1


def _is_value(kind: str, value: bytes) -> bool:
    """A cell that holds a value: no placeholder, note ("(SSO)", "_see vault_"), sentence
    ("zie kluis") or team ("Platform"); a host cell holds a host name, and a person's name
    looks like one ("Windows Remote Management (WS-Management)" names a service)."""
    if is_placeholder(value) or value.lower() in SYSTEM_USERS or value.lower() in _TEAMS:
        return False
    if value[:1] + value[-1:] in (b"()", b"__", b"**") or _WORDS.fullmatch(value):
        return False
    if kind == "host":
        return (
            _HOST.fullmatch(value) is not None
            and value.lower() != b"localhost"
            and not _LONG_HEX.search(value)  # naa.600508b1001c4d9f: a disk, not a host
        )
    if kind == "person":
        return _PERSON.fullmatch(value) is not None and not _ACRONYM.search(value)
    return kind != "user" or b" " not in value or _PERSON.fullmatch(value) is not None


def _columns(names: list[bytes]) -> dict[int, str]:
    """Column index -> kind; a "Name" column beside an e-mail or host column names people or
    hosts."""
    columns = {i: kind for i, name in enumerate(names) if (kind := _kind(name))}
    if b"name" in names:
        if _EMAIL_COLUMNS.intersection(names):
            columns[names.index(b"name")] = "user"
        elif "host" in columns.values():
            columns[names.index(b"name")] = "host"
    return columns


def _kind(name: bytes) -> str | None:
    if name in _PERSON_COLUMNS:
        return "person"
    if name in _USER_COLUMNS:
        return "user"
    if name in _HOST_COLUMNS:
        return "host"
    if name in _SECRET_COLUMNS:
        return "secret"
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
