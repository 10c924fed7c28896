"""The tamper-evident audit log: append, checkpoint, verify; release content only once recorded.

Each entry is canonical JSON (RFC 8785) of non-personal fields; its hash is
``sha256(prev_hash || canonical)``, so the entries form a chain from a genesis hash of zeros.
``seq`` is gapless. On SQLite it is taken from the one ``audit_head`` row inside the caller's
transaction (under the write lock); on PostgreSQL the caller's transaction queues the entry and
a sequencer pass chains it right after the commit (``_GroupCommit``, ``sequence_pending``).
Either way a rolled-back append leaves no hole. ``record`` appends in the caller's transaction;
``append`` in one of its own, which on PostgreSQL is a single autocommitted INSERT on a
connection kept for appends (``_Writers``): downloads use it.
Ed25519-signed checkpoints ``{seq, hash, signed_at}`` pin the chain; held outside the database
(``sitrep audit checkpoint --out FILE``) they also expose a truncated or rolled-back log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from json.encoder import encode_basestring as _jstr
from typing import Any, Required, TypedDict, Unpack, cast

import rfc8785
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from sitrep.desk.auth import Principal
from sitrep.desk.models.audit import (
    AuditEntry,
    AuditHead,
    AuditPrivate,
)
from sitrep.errors import SitrepError, ValidationError

log = logging.getLogger("sitrep.desk.audit")

GENESIS = "0" * 64
LOG_ID = "sitrep-audit/v1"
MIN_JUSTIFICATION = 10
_MAX_SAFE_INT = 2**53 - 1


class AuditUnavailable(SitrepError):
    """The audit entry could not be written, so the content was not released."""

    status_code = 503


# --- hashing ---------------------------------------------------------------------------


def canonical(fields: Mapping[str, str | int | None]) -> bytes:
    """Return the RFC 8785 canonical JSON of a flat dict of ASCII keys to str/int/None.

    For these types the C JSON encoder with sorted keys, no spaces and no ASCII escaping
    produces exactly RFC 8785's bytes (a hypothesis test checks it against ``rfc8785``);
    it is about four times faster, which keeps ``verify`` of a million entries in seconds.
    """
    for value in fields.values():
        if isinstance(value, int) and abs(value) > _MAX_SAFE_INT:
            raise ValidationError("Audit integers must fit in an IEEE double (RFC 8785).")
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("Audit fields must be valid Unicode text.") from None


def chain_hash(prev_hash: str, data: bytes) -> str:
    """Return ``sha256(prev_hash || data)`` in hex; ``prev_hash`` is the previous entry's hash."""
    return hashlib.sha256(bytes.fromhex(prev_hash) + data).hexdigest()


def format_ts(moment: datetime) -> str:
    """Return the fixed-width UTC form hashed into entries, e.g. ``2026-11-29T10:00:00.000000Z``."""
    if moment.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _entry_fields(row: Any) -> dict[str, str | int | None]:
    return {
        "v": 1,
        "seq": row.seq,
        "ts": row.ts,
        "actor": row.actor,
        "role": row.role,
        "action": row.action,
        "target": row.target,
        "ticket": row.ticket,
        "tenant": row.tenant,
        "outcome": row.outcome,
        "private": row.private_digest,
    }


# RFC 8785 orders keys by UTF-16 code units; for these ASCII keys that is plain sorted order.
_ENTRY_TEMPLATE = (
    '{"action":%s,"actor":%s,"outcome":%s,"private":%s,"role":%s,"seq":%d,'
    '"target":%s,"tenant":%s,"ticket":%s,"ts":%s,"v":1}'
)


def entry_canonical(
    seq: int,
    ts: str,
    actor: str,
    role: str,
    action: str,
    target: str,
    ticket: str | None,
    tenant: int | None,
    outcome: str,
    private: str | None,
) -> bytes:
    """Return ``canonical(_entry_fields(...))`` for one entry, about three times faster.

    ``encode_basestring`` is the C string encoder behind ``json.dumps(ensure_ascii=False)``;
    a hypothesis test checks this against the ``rfc8785`` reference.
    """
    return (
        _ENTRY_TEMPLATE
        % (
            _jstr(action),
            _jstr(actor),
            _jstr(outcome),
            "null" if private is None else _jstr(private),
            _jstr(role),
            seq,
            _jstr(target),
            "null" if tenant is None else int(tenant),
            "null" if ticket is None else _jstr(ticket),
            _jstr(ts),
        )
    ).encode("utf-8")


_BEFORE_SEQ, _AFTER_SEQ = _ENTRY_TEMPLATE.split("%d")


def entry_halves(
    ts: str,
    actor: str,
    role: str,
    action: str,
    target: str,
    ticket: str | None,
    tenant: int | None,
    outcome: str,
    private: str | None,
) -> tuple[bytes, bytes]:
    """Return an entry's canonical JSON before and after its ``seq``, which is set later.

    ``before + str(seq).encode() + after == entry_canonical(seq, ...)``: the PostgreSQL
    sequencer joins the halves with the ``seq`` it assigns (a hypothesis test checks this).
    """
    before = _BEFORE_SEQ % (
        _jstr(action),
        _jstr(actor),
        _jstr(outcome),
        "null" if private is None else _jstr(private),
        _jstr(role),
    )
    after = _AFTER_SEQ % (
        _jstr(target),
        "null" if tenant is None else int(tenant),
        "null" if ticket is None else _jstr(ticket),
        _jstr(ts),
    )
    return before.encode("utf-8"), after.encode("utf-8")


def private_digest(salt: str, payload: str) -> str:
    """Return the digest that binds an entry's private data; the salt hides short values."""
    return hashlib.sha256(bytes.fromhex(salt) + payload.encode("utf-8")).hexdigest()


# --- appending -------------------------------------------------------------------------


def actor_ref(actor: Principal) -> str:
    """Return the opaque, non-personal reference of a principal, e.g. ``staff:3``."""
    return f"{actor.kind}:{actor.id}" if actor.id is not None else actor.kind


def _private_payload(
    actor: Principal, justification: str | None, details: dict[str, Any] | None
) -> str | None:
    data = {"actor_display": actor.email, "justification": justification, "details": details}
    if not any(data.values()):
        return None
    if details is None:  # flat strings: the fast encoder gives the same bytes
        flat = {"actor_display": actor.email, "justification": justification, "details": None}
        return canonical(flat).decode()
    try:
        return rfc8785.dumps(data).decode("utf-8")
    except (rfc8785.CanonicalizationError, UnicodeError, TypeError) as exc:
        raise ValidationError(f"Audit details cannot be stored as JSON: {exc}") from None


HASHED_COLUMNS = (
    "seq",
    "ts",
    "actor",
    "role",
    "action",
    "target",
    "ticket",
    "tenant",
    "outcome",
    "private_digest",
)
# Typed as Table: the mapped classes' __table__ is declared as the wider FromClause.
_HEAD = cast(Table, AuditHead.__table__)
_ENTRIES = cast(Table, AuditEntry.__table__)
_PRIVATE = cast(Table, AuditPrivate.__table__)
# Statements are built once: constructing them per append cost more than the SQL itself.
_ADVANCE = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(seq=_HEAD.c.seq + 1)
    .returning(_HEAD.c.seq, _HEAD.c.hash)
)
_SET_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(hash=bindparam("new_hash"))
_INSERT_ENTRY = insert(_ENTRIES)
_INSERT_PRIVATE = insert(_PRIVATE)
_QUEUED_COLUMNS = (*HASHED_COLUMNS[1:], "before_seq", "after_seq", "salt", "payload")
# Driver SQL (PostgreSQL only): it skips SQLAlchemy's statement compilation and cache lookup,
# half the Python cost of this insert, which every access on PostgreSQL makes.
_INSERT_PENDING = "INSERT INTO audit_pending ({}) VALUES ({})".format(
    ", ".join(_QUEUED_COLUMNS), ", ".join(f"%({c})s" for c in _QUEUED_COLUMNS)
)
SEQUENCE_BATCH = 5000
_SEQUENCE = "SELECT sitrep_audit_sequence(%s)"


def _advance_head(conn: Connection) -> tuple[int, str]:
    """Take the next ``seq`` under the head row's lock; the lock lasts until commit."""
    seq, prev = conn.execute(_ADVANCE).one()
    return int(seq), str(prev)


class EntryFields(TypedDict, total=False):
    """What a caller says about an entry (``record``, ``append``).

    ``target`` and ``ticket`` must be opaque references (``attachment:55``, ``SUP-12``), never
    names or emails: they are hashed into the chain. Personal or free text goes in
    ``justification`` and ``details``, which are stored beside the chain. ``tenant``
    defaults to the actor's organisation, ``outcome`` to ``allow``, ``now`` to the clock.
    """

    actor: Required[Principal]
    action: Required[str]
    target: Required[str]
    justification: str | None
    outcome: str
    details: dict[str, Any] | None
    ticket: str | None
    tenant: int | None
    now: datetime | None


def record(*, session: Session, **fields: Unpack[EntryFields]) -> None:
    """Append one entry in the caller's transaction; the caller commits."""
    entry = _entry(**fields)
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        _append(conn, entry)
        return
    # PostgreSQL: queue the entry in the caller's transaction and chain it right after that
    # commits. Holding the head lock until commit would serialise every writer's disk flush
    # (64 appends/s with 8 writers on the benchmark machine); queued rows commit in parallel
    # and one sequencer statement chains a whole batch. The entry is durable once the caller
    # commits, so "recorded before released" holds.
    conn.exec_driver_sql(_INSERT_PENDING, entry)
    session.info[_QUEUED] = conn


def append(*, engine: Engine, **fields: Unpack[EntryFields]) -> None:
    """Append one entry in a transaction of its own: committed and chained when this returns.

    On PostgreSQL this is one autocommitted INSERT on a connection kept for appends (no
    pool checkout, ping, BEGIN or COMMIT), then a sequencer pass shared with the other
    writers of this process: less than half the CPU of ``record`` in a session of its own
    (``benchmarks/audit.py``, 8 writers). A connection the server closed while it sat idle
    (a restart) is replaced and the INSERT sent once more; in the rare case that the server
    had committed it before the connection broke, the access is recorded twice, never not at
    all.
    """
    entry = _entry(**fields)
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            _append(conn, entry)
        return
    _writers(engine).append(engine, entry)


def _entry(
    *,
    actor: Principal,
    action: str,
    target: str,
    justification: str | None = None,
    outcome: str = "allow",
    details: dict[str, Any] | None = None,
    ticket: str | None = None,
    tenant: int | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Check an entry; return it as a row of ``audit_pending`` (every column but ``id``)."""
    if not action or not target or len(action) > 64 or len(target) > 200:
        raise ValidationError("An audit entry needs an action (<= 64 chars) and a target (<= 200).")
    payload = _private_payload(actor, justification, details)
    salt = secrets.token_hex(16) if payload is not None else None
    # The hashed fields in HASHED_COLUMNS order after seq; a dict, not an AuditEntry: rows are
    # written with Core or driver SQL (the unit of work would add a flush per entry).
    fields: dict[str, Any] = {
        "ts": format_ts(now or datetime.now(UTC)),
        "actor": actor_ref(actor),
        "role": actor.role,
        "action": action,
        "target": target,
        "ticket": ticket,
        "tenant": tenant if tenant is not None else actor.org_id,
        "outcome": outcome,
        "private_digest": private_digest(salt, payload) if salt and payload is not None else None,
    }
    try:
        before, after = entry_halves(*fields.values())
    except UnicodeEncodeError:
        raise ValidationError("Audit fields must be valid Unicode text.") from None
    return {**fields, "before_seq": before, "after_seq": after, "salt": salt, "payload": payload}


def _append(conn: Connection, entry: dict[str, Any]) -> None:
    """Chain the entry now, under the head row's lock (SQLite: one writer at a time anyway)."""
    seq, prev = _advance_head(conn)
    fields = {column: entry[column] for column in HASHED_COLUMNS[1:]}
    digest = chain_hash(prev, entry_canonical(seq, *fields.values()))
    conn.execute(_INSERT_ENTRY, {"seq": seq, **fields, "hash": digest})
    if entry["payload"] is not None:
        conn.execute(
            _INSERT_PRIVATE, {"seq": seq, "salt": entry["salt"], "payload": entry["payload"]}
        )
    conn.execute(_SET_HEAD, {"new_hash": digest})


_QUEUED = "sitrep.audit.queued"


@event.listens_for(Session, "after_commit")
def _chain_after_commit(session: Session) -> None:
    """Chain what the session queued, on its own connection (idle now, not yet returned)."""
    conn = session.info.pop(_QUEUED, None)
    if conn is not None:
        _writers(conn.engine).group.chain_committed(conn.connection.dbapi_connection)


@event.listens_for(Session, "after_rollback")
def _forget_queued(session: Session) -> None:
    session.info.pop(_QUEUED, None)  # the entry was rolled back with the rest


class _GroupCommit:
    """This process's writers on one engine, chaining their queued entries in shared passes.

    A writer that has committed waits for a pass that *started* after its commit; if no pass
    is running it runs that pass itself, for everyone waiting, and one more if writers
    arrived meanwhile (so passes follow each other without a hand-over, yet no request runs
    more than two). So at most one pass per process runs at a time, each chains every entry
    queued before it began, and when ``commit()`` returns the entry is in the chain. Waiting
    costs no queries: eight writers that commit together cost one pass, not eight.

    Before a pass the leader waits up to ``GATHER_SECONDS`` for ``append`` calls whose
    INSERT is still committing (``inserting``): they would miss this pass and cost one of
    their own. Their commits usually share one disk flush with the leader's, so the wait is
    short, and a pass costs the database about 0.3 ms of CPU for one entry, little more for ten.
    """

    def __init__(self) -> None:
        lock = threading.Lock()
        self.cond = threading.Condition(lock)  # a pass has finished, or the leader stepped down
        self.quiet = threading.Condition(lock)  # no append is between its INSERT and commit
        self.inserting = 0
        self.running = False
        self.started = 0  # passes run one at a time, so they finish in the order they start
        self.finished = 0
        self.wanted = 0  # the latest pass a waiting writer needs

    def chain_committed(self, dbapi_connection: Any) -> None:
        """Return once a pass has chained what this writer committed; it may run that pass."""
        with self.cond:
            target = self.started + 1  # the running pass may have read the queue before us
            self.wanted = max(self.wanted, target)
            self.cond.wait_for(lambda: not self.running or self.finished >= target)
            if self.finished >= target:
                return
            self.running = True
        try:
            for _ in range(LEADER_PASSES):
                with self.cond:
                    self.quiet.wait_for(lambda: not self.inserting, timeout=GATHER_SECONDS)
                    self.started += 1
                    mine = self.started
                try:
                    _chain_queued(dbapi_connection)
                except Exception as exc:  # the entries are committed; a later pass chains them
                    log.error(
                        "audit sequencer failed (%s); entries stay queued", type(exc).__name__
                    )
                with self.cond:
                    self.finished = mine
                    if self.wanted <= mine:
                        break
                    self.cond.notify_all()
        finally:  # even if interrupted: a waiter takes over
            with self.cond:
                self.running = False
                self.cond.notify_all()


LEADER_PASSES = 2
GATHER_SECONDS = 0.002
APPEND_CONNECTIONS = 10  # per engine and process, as many as the engine's pool keeps


class _Writers:
    """This process's appends on one PostgreSQL engine: shared passes, connections for ``append``.

    ``append`` writes on autocommit connections taken from the engine (so with its settings)
    and detached from its pool, and keeps them between appends: no checkout, no ping and no
    BEGIN or COMMIT, so an append is one round trip before its pass. At most
    ``APPEND_CONNECTIONS`` appends write at once; more wait for a connection.
    """

    def __init__(self) -> None:
        self.group = _GroupCommit()
        self.lock = threading.Lock()
        self.idle: list[Any] = []
        self.pid = os.getpid()
        self.connections = threading.BoundedSemaphore(APPEND_CONNECTIONS)

    def append(self, engine: Engine, entry: dict[str, Any]) -> None:
        with self.connections:
            self._append(engine, entry)

    def _append(self, engine: Engine, entry: dict[str, Any]) -> None:
        group = self.group
        with group.cond:
            group.inserting += 1
        try:
            conn = self._insert(engine, entry)
        finally:
            with group.cond:
                group.inserting -= 1
                if not group.inserting:
                    group.quiet.notify()
        try:
            group.chain_committed(conn)
        except BaseException:
            conn.close()  # interrupted in its pass: the connection's state is unknown
            raise
        with self.lock:
            self.idle.append(conn)

    def _insert(self, engine: Engine, entry: dict[str, Any]) -> Any:
        """Queue the entry, autocommitted; return the connection that committed it."""
        conn = self._take()
        reused = conn is not None
        while True:
            conn = conn or _connect(engine)
            try:
                conn.execute(_INSERT_PENDING, entry, prepare=True)
                return conn
            except BaseException:
                lost = conn.broken
                conn.close()
                # An idle connection the server closed (a restart, a timeout) ran nothing:
                # send the entry once more on a new one. Any other failure is the caller's.
                if not (reused and lost):
                    raise
                conn, reused = None, False

    def _take(self) -> Any:
        with self.lock:
            if self.pid != os.getpid():  # a forked child must not share its parent's sockets
                self.idle, self.pid = [], os.getpid()
            return self.idle.pop() if self.idle else None

    def close_idle(self, _engine: Engine | None = None) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for conn in idle:
            conn.close()


def _connect(engine: Engine) -> Any:
    fairy = engine.raw_connection()
    fairy.detach()  # ours from now on: the pool neither counts, resets nor closes it
    conn: Any = fairy.dbapi_connection  # psycopg's own connection (the dialect adds no wrapper)
    conn.autocommit = True
    return conn


_WRITERS: weakref.WeakKeyDictionary[Engine, _Writers] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


def _writers(engine: Engine) -> _Writers:
    with _WRITERS_LOCK:
        writers = _WRITERS.get(engine)
        if writers is None:
            writers = _WRITERS[engine] = _Writers()
            event.listen(engine, "engine_disposed", writers.close_idle)
        return writers


def sequence_pending(engine: Engine) -> int:
    """Move every queued entry into the chain; return how many this call chained."""
    with engine.connect() as conn:
        return _chain_queued(conn.connection.dbapi_connection)


def _chain_queued(dbapi_connection: Any) -> int:
    """Run sequencer passes on an idle psycopg connection until the queue is empty.

    Each pass is one autocommitted call of ``sitrep_audit_sequence`` (migrations
    ``audit_0003`` and ``audit_0004``), which returns 0 at once if the queue is empty, else
    waits for the sequencer lock (other processes' passes), then chains up to
    ``SEQUENCE_BATCH`` entries in the order they were queued. It reads the queue after
    taking the lock, so it chains every entry committed before the call, whichever process
    wrote it: no entry is left behind, and concurrent passes (desk replicas) extend one
    linear chain. The raw driver connection saves a pool checkout and most of the Python
    per pass.
    """
    total = 0
    was_autocommit = dbapi_connection.autocommit
    if not was_autocommit:
        dbapi_connection.autocommit = True
    try:
        while True:
            (chained,) = dbapi_connection.execute(
                _SEQUENCE, (SEQUENCE_BATCH,), prepare=True
            ).fetchone()
            total += chained
            if chained < SEQUENCE_BATCH:
                return total
    finally:
        if not was_autocommit:
            dbapi_connection.autocommit = False


def audited_release(
    *,
    session: Session,
    actor: Principal,
    target: str,
    justification: str | None,
    open_body: Callable[[], Iterable[bytes]],
    ticket: str | None = None,
    tenant: int | None = None,
    action: str = "content.read",
    media_type: str = "application/octet-stream",
    filename: str | None = None,
) -> Any:
    """Record and COMMIT the access, then return a streaming response of ``open_body()``.

    The body is not even opened before the entry is committed: if the audit write fails,
    this raises ``AuditUnavailable`` (503) and not one byte of content leaves the desk.
    The session's own work is committed first; the entry is appended in a transaction of
    its own (``append``), the cheapest way to a committed entry on PostgreSQL.
    """
    from fastapi.responses import StreamingResponse

    if justification is None or len(justification.strip()) < MIN_JUSTIFICATION:
        raise ValidationError(
            f"Opening customer content needs a justification of at least {MIN_JUSTIFICATION} "
            "characters naming why (e.g. 'SUP-12: customer asked us to read the error log')."
        )
    try:
        session.commit()
        bind = session.get_bind()
        append(
            engine=bind if isinstance(bind, Engine) else bind.engine,
            actor=actor,
            action=action,
            target=target,
            ticket=ticket,
            tenant=tenant,
            justification=justification.strip(),
        )
    except Exception as exc:  # any failure to record means: release nothing
        session.rollback()
        log.error("audit write failed for %s (%s); content withheld", action, type(exc).__name__)
        raise AuditUnavailable(
            "The access could not be written to the audit log, so nothing was released.",
            fix="Try again later; the desk's operators should check the database.",
        ) from None
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else None
    return StreamingResponse(iter(open_body()), media_type=media_type, headers=headers)


def access_log(*, session: Session, tickets: list[str], limit: int = 500) -> list[dict[str, Any]]:
    """Return who did what to these tickets and why, newest first (for the customer's view)."""
    stmt = (
        select(AuditEntry, AuditPrivate.payload)
        .outerjoin(AuditPrivate, AuditPrivate.seq == AuditEntry.seq)
        .where(AuditEntry.ticket.in_(tickets))
        .order_by(AuditEntry.seq.desc())
        .limit(limit)
    )
    out = []
    for entry, payload in session.execute(stmt):
        private = json.loads(payload) if payload else {}
        out.append(
            {
                "seq": entry.seq,
                "at": entry.ts,
                "actor": entry.actor,
                "role": entry.role,
                "action": entry.action,
                "target": entry.target,
                "ticket": entry.ticket,
                "outcome": entry.outcome,
                "justification": private.get("justification"),
                "hash": entry.hash,
            }
        )
    return out


# Checkpoints and verification live in audit_verify, which builds on the functions above.
# They are served from here too (PEP 562), so callers need one import; a lazy lookup
# rather than an import avoids a cycle when a worker process imports audit_verify first.
_VERIFY_NAMES = frozenset(
    {
        "AuditTampered",
        "Checkpoint",
        "VerifyReport",
        "create_checkpoint",
        "key_id",
        "latest_checkpoint",
        "load_public_key",
        "load_signing_key",
        "public_key_b64",
        "sign_checkpoint",
        "verify_chain",
    }
)


def __getattr__(name: str) -> Any:
    if name in _VERIFY_NAMES:
        from sitrep.desk import audit_verify

        return getattr(audit_verify, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
