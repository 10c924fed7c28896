"""The tamper-evident audit log: append, checkpoint, verify; release content only once recorded.

Each entry is canonical JSON (RFC 8785) of non-personal fields; its hash is
``sha256(prev_hash || canonical)``, so the entries form a chain from a genesis hash of zeros.
``seq`` is gapless: it is taken from the one ``audit_head`` row inside the caller's transaction
(a row lock on PostgreSQL, the write lock on SQLite), so a rolled-back append leaves no hole.
Ed25519-signed checkpoints ``{seq, hash, signed_at}`` pin the chain; held outside the database
(``sitrep audit checkpoint --out FILE``) they also expose a truncated or rolled-back log.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from json.encoder import encode_basestring as _jstr  # type: ignore[attr-defined]
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from sitrep.config import Settings
from sitrep.desk.auth import Principal
from sitrep.desk.models.audit import (
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    AuditPending,
    AuditPrivate,
)
from sitrep.errors import ConfigError, SitrepError, ValidationError

log = logging.getLogger("sitrep.desk.audit")

GENESIS = "0" * 64
LOG_ID = "sitrep-audit/v1"
#: A checkpoint is due after this many entries (``ensure_checkpoint``).
CHECKPOINT_EVERY = 1000
MIN_JUSTIFICATION = 10
_MAX_SAFE_INT = 2**53 - 1


class AuditUnavailable(SitrepError):
    """The audit entry could not be written, so the content was not released."""

    status_code = 503


# --- hashing ---------------------------------------------------------------------------


def canonical(fields: dict[str, str | int | None]) -> bytes:
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
    try:
        return rfc8785.dumps(data).decode("utf-8")
    except (rfc8785.CanonicalizationError, UnicodeError, TypeError) as exc:
        raise ValidationError(f"Audit details cannot be stored as JSON: {exc}") from None


_HEAD = AuditHead.__table__
# Statements are built once: constructing them per append cost more than the SQL itself.
_ADVANCE = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(seq=_HEAD.c.seq + 1)
    .returning(_HEAD.c.seq, _HEAD.c.hash)
)
_SET_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(hash=bindparam("new_hash"))
_INSERT_ENTRY = insert(AuditEntry.__table__)
_INSERT_PRIVATE = insert(AuditPrivate.__table__)
_INSERT_PENDING = insert(AuditPending.__table__)
#: Key of the PostgreSQL advisory lock that serialises sequencers. An advisory lock (unlike
#: a row lock) gives a transaction that finds nothing to do no xid, so it needs no flush.
SEQUENCER_LOCK = 0x5175_6974
SEQUENCE_BATCH = 5000
_PENDING_BATCH = select(AuditPending.__table__).order_by(AuditPending.id).limit(SEQUENCE_BATCH)


def _advance_head(conn: Connection) -> tuple[int, str]:
    """Take the next ``seq`` under the head row's lock; the lock lasts until commit."""
    seq, prev = conn.execute(_ADVANCE).one()
    return int(seq), str(prev)


def record(
    *,
    session: Session,
    actor: Principal,
    action: str,
    target: str,
    justification: str | None = None,
    outcome: str = "allow",
    details: dict[str, Any] | None = None,
    ticket: str | None = None,
    tenant: int | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction and return it; the caller commits.

    ``target`` and ``ticket`` must be opaque references (``attachment:55``, ``SUP-12``), never
    names or emails: they are hashed into the chain. Personal or free text goes in
    ``justification`` and ``details``, which are stored beside the chain.
    """
    if not action or not target or len(action) > 64 or len(target) > 200:
        raise ValidationError("An audit entry needs an action (<= 64 chars) and a target (<= 200).")
    payload = _private_payload(actor, justification, details)
    salt = secrets.token_hex(16) if payload is not None else None
    entry = AuditEntry(
        ts=format_ts(now or datetime.now(UTC)),
        actor=actor_ref(actor),
        role=actor.role,
        action=action,
        target=target,
        ticket=ticket,
        tenant=tenant if tenant is not None else actor.org_id,
        outcome=outcome,
        private_digest=private_digest(salt, payload) if salt and payload is not None else None,
    )
    try:
        entry_canonical(0, *(getattr(entry, c) for c in _HASHED[1:]))
    except UnicodeEncodeError:
        raise ValidationError("Audit fields must be valid Unicode text.") from None
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        _queue(session, conn, entry, salt, payload)
    else:
        _append(conn, entry, salt, payload)
    return entry


def _append(conn: Connection, entry: AuditEntry, salt: str | None, payload: str | None) -> None:
    """Chain the entry now, under the head row's lock (SQLite: one writer at a time anyway)."""
    entry.seq, prev = _advance_head(conn)
    entry.hash = chain_hash(prev, entry_canonical(*(getattr(entry, c) for c in _HASHED)))
    # Core INSERTs rather than session.add: appends are hot, and the unit of work would add
    # a flush per entry. The returned entry is a detached record of what was written.
    conn.execute(_INSERT_ENTRY, {c: getattr(entry, c) for c in _STORED})
    if salt and payload is not None:
        conn.execute(_INSERT_PRIVATE, {"seq": entry.seq, "salt": salt, "payload": payload})
    conn.execute(_SET_HEAD, {"new_hash": entry.hash})


def _queue(
    session: Session, conn: Connection, entry: AuditEntry, salt: str | None, payload: str | None
) -> None:
    """Queue the entry in the caller's transaction; chain it right after that commits.

    Holding the head lock until commit would serialise every writer's disk flush (64
    appends/s with 8 writers on the benchmark machine); queued rows commit in parallel and
    one sequencer transaction chains a whole batch. The entry is durable once the caller
    commits, so "recorded before released" holds; ``seq`` and ``hash`` are set by the
    sequencer, so the returned entry has them as None.
    """
    values = {c: getattr(entry, c) for c in _HASHED[1:]}
    conn.execute(_INSERT_PENDING, {**values, "salt": salt, "payload": payload})
    if not session.info.get("audit_sequencer"):
        session.info["audit_sequencer"] = True
        event.listen(session, "after_commit", _sequence_after_commit, once=True)


def _sequence_after_commit(session: Session) -> None:
    session.info.pop("audit_sequencer", None)
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    try:
        sequence_pending(engine)
    except Exception as exc:  # the entry is committed; the next sequencer run chains it
        log.error("audit sequencer failed (%s); entries stay queued", type(exc).__name__)


def sequence_pending(engine: Engine, *, wait: bool = False) -> int:
    """Move queued entries into the chain in batches; return how many this call chained.

    Writers call it with ``wait=False`` after they commit: when another sequencer holds
    the lock they return at once instead of queueing behind it, so their commits keep
    running in parallel. No entry is stranded: a holder re-checks the queue after releasing
    the lock, and any entry committed while it held the lock is visible to that re-check.
    """
    total = 0
    while True:
        with engine.begin() as conn:
            if not _lock_sequencer(conn, wait):
                return total
            rows = conn.execute(_PENDING_BATCH).all()
            if rows:
                _chain_batch(conn, rows)
        total += len(rows)
        if len(rows) < SEQUENCE_BATCH and not _queue_has_rows(engine):
            return total


def _lock_sequencer(conn: Connection, wait: bool) -> bool:
    if conn.dialect.name != "postgresql":
        return True  # SQLite writes one transaction at a time anyway
    if wait:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEQUENCER_LOCK})
        return True
    return bool(
        conn.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": SEQUENCER_LOCK}
        ).scalar()
    )


def _queue_has_rows(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(AuditPending.id).limit(1)).first() is not None


def _chain_batch(conn: Connection, rows: list[Any]) -> None:
    head = conn.execute(select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1)).one()
    seq, prev = int(head.seq), str(head.hash)
    entries, privates = [], []
    for row in rows:
        seq += 1
        values = {c: getattr(row, c) for c in _HASHED[1:]}
        prev = chain_hash(prev, entry_canonical(seq, *values.values()))
        entries.append({"seq": seq, **values, "hash": prev})
        if row.payload is not None:
            privates.append({"seq": seq, "salt": row.salt, "payload": row.payload})
    conn.execute(_INSERT_ENTRY, entries)
    if privates:
        conn.execute(_INSERT_PRIVATE, privates)
    pending = AuditPending.__table__
    conn.execute(delete(pending).where(pending.c.id.in_([row.id for row in rows])))
    conn.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=seq, hash=prev))


_HASHED = (
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
_STORED = (*_HASHED, "hash")


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
    """
    from fastapi.responses import StreamingResponse

    if justification is None or len(justification.strip()) < MIN_JUSTIFICATION:
        raise ValidationError(
            f"Opening customer content needs a justification of at least {MIN_JUSTIFICATION} "
            "characters naming why (e.g. 'SUP-12: customer asked us to read the error log')."
        )
    try:
        record(
            session=session,
            actor=actor,
            action=action,
            target=target,
            ticket=ticket,
            tenant=tenant,
            justification=justification.strip(),
        )
        session.commit()
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


# --- checkpoints -----------------------------------------------------------------------


def load_signing_key(settings: Settings) -> Ed25519PrivateKey:
    """Return the Ed25519 checkpoint key from ``SITREP_AUDIT_SIGNING_KEY`` (base64 of 32 bytes)."""
    raw = settings.require("audit_signing_key")
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(raw, validate=True))
    except (binascii.Error, ValueError):
        raise ConfigError(
            "SITREP_AUDIT_SIGNING_KEY is not base64 of 32 raw bytes.",
            fix="Generate one with: openssl rand -base64 32",
        ) from None


def load_public_key(text: str) -> Ed25519PublicKey:
    """Return an Ed25519 public key from base64 of its 32 raw bytes."""
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text.strip(), validate=True))
    except (binascii.Error, ValueError):
        raise ValidationError("The public key is not base64 of 32 raw bytes.") from None


def public_key_b64(key: Ed25519PublicKey) -> str:
    """Return the base64 of a public key's raw bytes (what customers pin)."""
    return base64.b64encode(key.public_bytes_raw()).decode()


def key_id(key: Ed25519PublicKey) -> str:
    """Return a short fingerprint of a public key."""
    return hashlib.sha256(key.public_bytes_raw()).hexdigest()[:16]


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement that the log had ``seq`` entries, the last one hashing to ``hash``."""

    seq: int
    hash: str
    signed_at: str
    key_id: str
    signature: str

    def message(self) -> bytes:
        """Return the exact bytes that are signed."""
        return rfc8785.dumps(
            {"log": LOG_ID, "seq": self.seq, "hash": self.hash, "signed_at": self.signed_at}
        )

    def valid_under(self, key: Ed25519PublicKey) -> bool:
        """Return True when the signature verifies under ``key``."""
        try:
            key.verify(base64.b64decode(self.signature), self.message())
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True

    def to_dict(self) -> dict[str, Any]:
        return {"log": LOG_ID, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Checkpoint:
        try:
            return cls(
                **{name: data[name] for name in ("seq", "hash", "signed_at", "key_id", "signature")}
            )
        except (KeyError, TypeError):
            raise ValidationError(
                "Not a Sitrep audit checkpoint (needs seq, hash, signed_at, key_id, signature)."
            ) from None

    @classmethod
    def from_file(cls, path: Path) -> Checkpoint:
        """Read a checkpoint exported by ``sitrep audit checkpoint --out``."""
        try:
            return cls.from_dict(json.loads(path.read_text()))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValidationError(f"Cannot read checkpoint file {path}: {exc}") from None


def sign_checkpoint(key: Ed25519PrivateKey, seq: int, hash_: str, now: datetime) -> Checkpoint:
    """Return a checkpoint over ``(seq, hash)`` signed now."""
    unsigned = Checkpoint(seq, hash_, format_ts(now), key_id(key.public_key()), "")
    signature = base64.b64encode(key.sign(unsigned.message())).decode()
    return Checkpoint(seq, hash_, unsigned.signed_at, unsigned.key_id, signature)


def latest_checkpoint(session: Session) -> Checkpoint | None:
    """Return the newest stored checkpoint, or None."""
    row = session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1))
    return _from_row(row) if row else None


def _from_row(row: AuditCheckpoint) -> Checkpoint:
    return Checkpoint(row.seq, row.hash, row.signed_at, row.key_id, row.signature)


def create_checkpoint(
    *, session: Session, key: Ed25519PrivateKey, now: datetime | None = None
) -> Checkpoint | None:
    """Verify the entries since the last checkpoint, then sign and store a new one.

    Returns None for an empty log. Refuses (``AuditTampered``) to sign over a broken chain,
    so a checkpoint never vouches for tampered entries.
    """
    _sequence_queue(session)
    previous = latest_checkpoint(session)
    if previous is not None and not previous.valid_under(key.public_key()):
        raise AuditTampered(previous.seq, f"checkpoint at entry {previous.seq} has a bad signature")
    start = (previous.seq, previous.hash) if previous else (0, GENESIS)
    walk = _walk(session, start=start, marks={})
    if walk.problem:
        raise AuditTampered(walk.bad_seq, walk.problem)
    if walk.last_seq == 0 or (previous and previous.seq == walk.last_seq):
        return previous
    checkpoint = sign_checkpoint(key, walk.last_seq, walk.last_hash, now or datetime.now(UTC))
    session.add(AuditCheckpoint(**asdict(checkpoint)))
    session.flush()
    return checkpoint


def _sequence_queue(session: Session) -> None:
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        sequence_pending(bind.engine if isinstance(bind, Connection) else bind, wait=True)


def ensure_checkpoint(
    *, session: Session, key: Ed25519PrivateKey, every: int = CHECKPOINT_EVERY
) -> Checkpoint | None:
    """Create a checkpoint when ``every`` or more entries were appended since the last one."""
    previous = latest_checkpoint(session)
    head = session.scalar(select(AuditHead.seq).where(AuditHead.id == 1)) or 0
    if head - (previous.seq if previous else 0) < every:
        return previous
    return create_checkpoint(session=session, key=key)


# --- verifying -------------------------------------------------------------------------


class AuditTampered(SitrepError):
    """The chain does not verify; ``seq`` names the first bad entry."""

    status_code = 409

    def __init__(self, seq: int | None, problem: str) -> None:
        super().__init__(f"Audit log verification failed: {problem}")
        self.seq = seq


@dataclass
class _Walk:
    last_seq: int = 0
    last_hash: str = GENESIS
    entries: int = 0
    erased: int = 0
    bad_seq: int | None = None
    problem: str | None = None


_WALK_SQL = (
    "SELECT e.seq, e.ts, e.actor, e.role, e.action, e.target, e.ticket, e.tenant, e.outcome, "
    "e.private_digest, e.hash, p.salt, p.payload FROM audit_entries e "
    "LEFT OUTER JOIN audit_private p ON p.seq = e.seq "
    "WHERE e.seq > {ph} AND e.seq <= {ph} ORDER BY e.seq"
)
#: Below this many entries a parallel verify is not worth starting processes for.
PARALLEL_MIN = 200_000


def _walk(
    session: Session, *, start: tuple[int, str], marks: dict[int, str], stop: int = 2**62
) -> _Walk:
    """Re-hash the entries in ``(start seq, stop]`` in order; stop at the first problem.

    ``marks`` maps seq -> expected hash (signed checkpoints); a mismatch is a problem.
    The rows come from a raw driver cursor (server-side on PostgreSQL): for a million
    entries, building SQLAlchemy rows cost more than the hashing.
    """
    walk = _Walk(last_seq=start[0], last_hash=start[1])
    conn = session.connection()
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        cursor = dbapi.cursor(name=f"sitrep_verify_{secrets.token_hex(4)}")  # type: ignore[call-arg]
    else:
        cursor = dbapi.cursor()
    try:
        cursor.execute(_WALK_SQL.format(ph="%s" if postgres else "?"), (start[0], stop))
        while rows := cursor.fetchmany(20_000):
            if not _check_rows(walk, rows, marks):
                break
    finally:
        cursor.close()
    return walk


def _walk_range(url: str, lo: int, hi: int, start_hash: str, marks: dict[int, str]) -> _Walk:
    """Verify entries ``lo..hi`` in a worker process, from the stored hash of entry ``lo - 1``."""
    from sitrep.desk.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            return _walk(session, start=(lo - 1, start_hash), marks=marks, stop=hi)
    finally:
        engine.dispose()


def _walk_parallel(session: Session, *, marks: dict[int, str], workers: int) -> _Walk:
    """Verify in ``workers`` processes, each on one range, then check that the ranges link.

    Range ``i`` starts from the *stored* hash of the entry before it; accepting it is safe
    because range ``i - 1`` must end on exactly that entry with exactly that computed hash.
    The result (first problem, counts) is the same as a sequential walk.
    """
    head = session.scalar(select(func.max(AuditEntry.seq))) or 0
    if workers <= 1 or head < PARALLEL_MIN:
        return _walk(session, start=(0, GENESIS), marks=marks)
    step = -(-head // workers)
    bounds = [(lo, min(lo + step - 1, head)) for lo in range(1, head + 1, step)]
    starts = [GENESIS] + [
        session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == lo - 1))
        for lo, _ in bounds[1:]
    ]
    if any(h is None for h in starts):  # an entry at a boundary is missing: let one walk name it
        return _walk(session, start=(0, GENESIS), marks=marks)
    url = session.get_bind().url.render_as_string(hide_password=False)
    with ProcessPoolExecutor(len(bounds), mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(_walk_range, url, lo, hi, str(h), marks)
            for (lo, hi), h in zip(bounds, starts, strict=True)
        ]
        parts = [f.result() for f in futures]
    return _join_walks(session, parts, bounds, starts, marks)


def _join_walks(
    session: Session,
    parts: list[_Walk],
    bounds: list[tuple[int, int]],
    starts: list[str | None],
    marks: dict[int, str],
) -> _Walk:
    total = _Walk()
    for part, (lo, _hi), start in zip(parts, bounds, starts, strict=True):
        if (total.last_seq, total.last_hash) != (lo - 1, start):
            total.bad_seq = total.last_seq + 1
            total.problem = f"entry {total.last_seq + 1} is missing or was changed"
            return total
        total.entries += part.entries
        total.erased += part.erased
        total.last_seq, total.last_hash = part.last_seq, part.last_hash
        if part.problem:
            total.bad_seq, total.problem = part.bad_seq, part.problem
            return total
    # Entries appended while the workers ran are checked here, from where they stopped.
    tail = _walk(session, start=(total.last_seq, total.last_hash), marks=marks)
    tail.entries += total.entries
    tail.erased += total.erased
    return tail


def _check_rows(walk: _Walk, rows: Any, marks: dict[int, str]) -> bool:
    """Check one batch of rows; on the first problem record it in ``walk`` and return False.

    Written as one tight loop with local names: it runs a million times per ``verify``.
    """
    last_seq, prev, sha256 = walk.last_seq, bytes.fromhex(walk.last_hash), hashlib.sha256
    for *hashed, stored, salt, payload in rows:
        seq, pdigest = hashed[0], hashed[9]
        problem = None
        if seq != last_seq + 1:
            walk.bad_seq = last_seq + 1
            problem = (
                f"entry {last_seq + 1} is missing: the sequence jumps from {last_seq} to {seq}"
            )
        else:
            digest = sha256(prev + entry_canonical(*hashed)).digest()
            computed = digest.hex()
            if computed != stored:
                problem = (
                    f"entry {seq} was changed, or an entry before it was (its hash does not match)"
                )
            elif payload is not None and (
                pdigest is None or private_digest(salt, payload) != pdigest
            ):
                problem = f"entry {seq}: its justification or details were changed"
            elif seq in marks and marks[seq] != computed:
                problem = (
                    f"entry {seq} does not match the signed checkpoint at {seq}: "
                    f"an entry at or before {seq} was changed, deleted or reordered"
                )
        if problem:
            walk.last_seq, walk.last_hash = last_seq, prev.hex()
            walk.bad_seq, walk.problem = walk.bad_seq or seq, problem
            return False
        walk.erased += int(payload is None and pdigest is not None)
        last_seq, prev = seq, digest
        walk.entries += 1
    walk.last_seq, walk.last_hash = last_seq, prev.hex()
    return True


@dataclass
class VerifyReport:
    """What ``verify_chain`` found. ``ok`` is False with ``bad_seq`` and ``problem`` set."""

    ok: bool
    entries: int
    last_seq: int
    last_hash: str
    checkpoints: int
    erased: int = 0
    pending: int = 0
    trusted_seq: int | None = None
    bad_seq: int | None = None
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_checkpoints(
    checkpoints: list[Checkpoint], trusted: Checkpoint | None, key: Ed25519PublicKey | None
) -> tuple[int | None, str | None]:
    if trusted is not None:
        if key is None or not trusted.valid_under(key):
            return trusted.seq, "the checkpoint you hold does not verify under the log's public key"
        for cp in checkpoints:
            if cp.seq == trusted.seq and cp.hash != trusted.hash:
                return cp.seq, f"the log's checkpoint at entry {cp.seq} differs from yours: a fork"
    previous: Checkpoint | None = None
    for cp in checkpoints:
        if key is not None and not cp.valid_under(key):
            return cp.seq, f"the checkpoint at entry {cp.seq} has a bad signature (or another key)"
        if previous is not None and cp.signed_at < previous.signed_at:
            return cp.seq, f"the checkpoint at entry {cp.seq} is older than the one before it"
        previous = cp
    return None, None


def verify_chain(
    *,
    session: Session,
    public_key: Ed25519PublicKey | None = None,
    trusted: Checkpoint | None = None,
    workers: int = 1,
) -> VerifyReport:
    """Re-hash the whole log and check it against its signed checkpoints and ``trusted``.

    Detects modified, deleted and reordered entries, a truncated tail (against the head row
    and the newest checkpoint) and, given a ``trusted`` checkpoint held outside the database,
    a rollback to an older copy or a fork. Signatures are checked when ``public_key`` is given.
    ``workers`` > 1 re-hashes large logs in that many processes (the CLI uses every core).
    """
    rows = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq))
    checkpoints = [_from_row(r) for r in rows]
    # Check signatures first, so a forged checkpoint is named as such rather than
    # making honest entries look changed.
    bad, problem = _check_checkpoints(checkpoints, trusted, public_key)
    marks = {cp.seq: cp.hash for cp in checkpoints}
    if trusted is not None:
        marks.setdefault(trusted.seq, trusted.hash)
    walk = _walk_parallel(session, marks=marks, workers=workers)
    report = VerifyReport(
        ok=False,
        entries=walk.entries,
        last_seq=walk.last_seq,
        last_hash=walk.last_hash,
        checkpoints=len(checkpoints),
        erased=walk.erased,
        trusted_seq=trusted.seq if trusted else None,
    )
    if problem is None:
        bad, problem = walk.bad_seq, walk.problem
    if problem is None:
        bad, problem = _check_tail(session, walk, checkpoints, trusted)
    report.pending, stale = _queued(session)
    if problem is None and stale:
        bad, problem = walk.last_seq + 1, stale
    report.bad_seq, report.problem, report.ok = bad, problem, problem is None
    return report


#: Queued entries older than this mean the sequencer is not running (or is being stopped).
STALE_QUEUE_SECONDS = 300


def _queued(session: Session) -> tuple[int, str | None]:
    """Return how many entries wait to be chained, and a problem if any waits too long."""
    count, oldest = session.execute(select(func.count(), func.min(AuditPending.ts))).one()
    limit = format_ts(datetime.now(UTC) - timedelta(seconds=STALE_QUEUE_SECONDS))
    if count and oldest < limit:
        return int(count), (
            f"{count} entries queued since {oldest} were never chained: run "
            "`sitrep audit checkpoint` (it chains them first) and check the desk's logs"
        )
    return int(count or 0), None


def _check_tail(
    session: Session,
    walk: _Walk,
    checkpoints: list[Checkpoint],
    trusted: Checkpoint | None,
) -> tuple[int | None, str | None]:
    nxt = walk.last_seq + 1
    if trusted is not None:
        if trusted.seq > walk.last_seq:
            return nxt, (
                f"the log ends at entry {walk.last_seq} but the checkpoint you hold covers "
                f"{trusted.seq}: it was truncated or rolled back to an older copy"
            )
    if checkpoints and checkpoints[-1].seq > walk.last_seq:
        return nxt, (
            f"the log ends at entry {walk.last_seq} but a signed checkpoint covers "
            f"{checkpoints[-1].seq}: the tail was truncated"
        )
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
    if head.seq != walk.last_seq or head.hash != walk.last_hash:
        return nxt if head.seq > walk.last_seq else head.seq + 1, (
            f"the log ends at entry {walk.last_seq} but its head says {head.seq}: "
            "entries were removed or added outside the audit writer"
        )
    return None, None
