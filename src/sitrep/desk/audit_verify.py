"""Audit checkpoints and verification: sign the chain's head, and re-hash the whole log.

``verify_chain`` detects modified, deleted and reordered entries, a truncated tail (against
the head row and the newest checkpoint), a forged checkpoint, and, given a checkpoint held
outside the database, a rollback to an older copy or a fork. Everything here is re-exported
by ``sitrep.desk.audit``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from sitrep.config import Settings
from sitrep.desk.audit import (
    GENESIS,
    LOG_ID,
    entry_canonical,
    format_ts,
    sequence_pending,
)
from sitrep.desk.models.audit import AuditCheckpoint, AuditEntry, AuditHead, AuditPending
from sitrep.errors import ConfigError, SitrepError, ValidationError

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
        sequence_pending(bind.engine if isinstance(bind, Connection) else bind)


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
WALK_BATCH = 20_000


def _walk(
    session: Session, *, start: tuple[int, str], marks: dict[int, str], stop: int = 2**62
) -> _Walk:
    """Re-hash the entries in ``(start seq, stop]`` in order; stop at the first problem.

    ``marks`` maps seq -> expected hash (signed checkpoints); a mismatch is a problem.
    The rows come from a raw driver cursor (server-side on PostgreSQL): for a million
    entries, building SQLAlchemy rows cost more than the hashing. A thread fetches the next
    batch while this one is hashed: the driver waits for the database without the GIL.
    """
    walk = _Walk(last_seq=start[0], last_hash=start[1])
    conn = session.connection()
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        cursor = dbapi.cursor(name=f"sitrep_verify_{secrets.token_hex(4)}")
    else:
        cursor = dbapi.cursor()
    try:
        cursor.execute(_WALK_SQL.format(ph="%s" if postgres else "?"), (start[0], stop))
        with ThreadPoolExecutor(1) as ahead:  # waits for the last fetch before the close
            batch = ahead.submit(cursor.fetchmany, WALK_BATCH)
            while rows := batch.result():
                batch = ahead.submit(cursor.fetchmany, WALK_BATCH)
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
    bind = session.get_bind()
    url = bind.engine.url.render_as_string(hide_password=False)
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

    Written as one tight loop with local names (``private_digest`` inlined, counts kept in
    locals): it runs a million times per ``verify``.
    """
    last_seq, prev = walk.last_seq, bytes.fromhex(walk.last_hash)
    entries = erased = 0
    sha256, fromhex = hashlib.sha256, bytes.fromhex
    problem = None
    for row in rows:
        seq, pdigest, stored, salt, payload = row[0], row[9], row[10], row[11], row[12]
        problem = None
        if seq != last_seq + 1:
            walk.bad_seq = last_seq + 1
            problem = (
                f"entry {last_seq + 1} is missing: the sequence jumps from {last_seq} to {seq}"
            )
        else:
            digest = sha256(prev + entry_canonical(*row[:10])).digest()
            computed = digest.hex()
            if computed != stored:
                problem = (
                    f"entry {seq} was changed, or an entry before it was (its hash does not match)"
                )
            elif payload is not None and (
                pdigest is None or sha256(fromhex(salt) + payload.encode()).hexdigest() != pdigest
            ):
                problem = f"entry {seq}: its justification or details were changed"
            elif seq in marks and marks[seq] != computed:
                problem = (
                    f"entry {seq} does not match the signed checkpoint at {seq}: "
                    f"an entry at or before {seq} was changed, deleted or reordered"
                )
        if problem:
            walk.bad_seq, walk.problem = walk.bad_seq or seq, problem
            break
        erased += payload is None and pdigest is not None
        last_seq, prev = seq, digest
        entries += 1
    walk.last_seq, walk.last_hash = last_seq, prev.hex()
    walk.entries += entries
    walk.erased += erased
    return problem is None


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
