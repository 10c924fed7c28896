"""The audit log's tables: hash-chained entries, their private side data, the head and checkpoints.

Only ``audit_entries`` is hashed into the chain, and it holds no personal data: actors and
targets are opaque references such as ``staff:3`` or ``attachment:55``. Names, emails,
justifications and details live in ``audit_private``, which the chain covers only through a
salted digest, so erasing a person's data (deleting the row) cannot break the chain.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sitrep.desk.db import Base


class AuditEntry(Base):
    """One append-only, hash-chained entry. ``seq`` is gapless from 1."""

    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ts: Mapped[str] = mapped_column(String(32))  # RFC 3339 UTC with microseconds, as hashed
    actor: Mapped[str] = mapped_column(String(64))  # "staff:3", "customer:7", "system", ...
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(200), index=True)
    ticket: Mapped[str | None] = mapped_column(String(64), index=True)
    tenant: Mapped[int | None] = mapped_column(Integer, index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    private_digest: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditPrivate(Base):
    """Personal and free-text data of one entry, outside the chain (deletable for erasure)."""

    __tablename__ = "audit_private"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    salt: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(
        Text
    )  # canonical JSON: actor_display, justification, details


class AuditHead(Base):
    """The one row that serialises appends: the last ``seq`` and its ``hash``."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """An Ed25519-signed statement "the log had ``seq`` entries ending in ``hash``"."""

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[str] = mapped_column(String(32))
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(128))


class AuditPending(Base):
    """An entry committed by its writer but not yet chained (PostgreSQL only).

    Writers insert here without any lock, so their commits (and disk flushes) run in
    parallel; right after each commit a sequencer moves all pending rows into the chain in
    one statement (``sitrep_audit_sequence``). A row normally lives here for milliseconds.
    ``before_seq`` and ``after_seq`` are the entry's canonical JSON around its future ``seq``.
    """

    __tablename__ = "audit_pending"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    ts: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    ticket: Mapped[str | None] = mapped_column(String(64))
    tenant: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    private_digest: Mapped[str | None] = mapped_column(String(64))
    salt: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[str | None] = mapped_column(Text)
    before_seq: Mapped[bytes | None] = mapped_column(LargeBinary)
    after_seq: Mapped[bytes | None] = mapped_column(LargeBinary)
