"""Encryption at rest: envelope encryption with one AES-256-GCM data key per object.

Each object (a bundle, an attachment) gets a fresh random data key. The key is wrapped by
the master key (``SITREP_MASTER_KEY``) with AES-256-GCM, and both the wrapping and every
chunk of the object carry the same AAD binding the tenant, the ticket and the object id, so
a blob or a wrapped key copied to another ticket fails to decrypt.

Objects are GB-sized, so they are encrypted in chunks (the STREAM construction): chunk ``i``
is sealed under the data key with nonce ``i`` and AAD ``header || binding || i || last``.
Dropping, reordering or appending chunks, or cutting the file after any chunk, fails
authentication. A fresh data key per object makes counter nonces safe.

File layout: ``MAGIC (8) | chunk size (4, big-endian) | chunks``; each chunk is at most
``chunk size`` bytes of plaintext plus a 16-byte tag; the last chunk may be empty.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import rfc8785
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitrep.config import Settings
from sitrep.desk.models.access import DataKey
from sitrep.errors import ConfigError, Conflict, NotFound

MAGIC = b"SRENC\x00\x01\x00"
CHUNK_SIZE = 1024 * 1024
MAX_CHUNK_SIZE = 64 * 1024 * 1024
TAG = 16
_HEADER = struct.Struct(">8sI")
_WRAP_LABEL = b"sitrep-data-key/v1"


class CiphertextError(Conflict):
    """A stored object or wrapped key failed authentication: tampered, truncated or moved."""


@dataclass(frozen=True)
class Binding:
    """What an object is bound to; it is authenticated, not secret."""

    tenant: str
    ticket: str
    object_id: str

    def aad(self) -> bytes:
        """Return the canonical bytes used as additional authenticated data."""
        return rfc8785.dumps(
            {"tenant": self.tenant, "ticket": self.ticket, "object": self.object_id}
        )


@dataclass(frozen=True)
class MasterKey:
    """The key-encryption key; ``key_id`` is a fingerprint stored beside every wrapped key."""

    secret: bytes

    @property
    def key_id(self) -> str:
        return hashlib.sha256(b"sitrep-master-key-id" + self.secret).hexdigest()[:16]

    @classmethod
    def from_b64(cls, text: str, name: str = "SITREP_MASTER_KEY") -> MasterKey:
        """Parse base64 of exactly 32 bytes, or raise a ConfigError naming ``name``."""
        try:
            raw = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ConfigError(
                f"{name} is not base64 of 32 bytes.",
                fix="Generate one with: openssl rand -base64 32",
            )
        return cls(raw)

    def __repr__(self) -> str:  # never print the secret
        return f"MasterKey(key_id={self.key_id})"


def master_key_from_settings(settings: Settings) -> MasterKey:
    """Return the master key from ``SITREP_MASTER_KEY`` (or ``_FILE``)."""
    return MasterKey.from_b64(settings.require("master_key"))


@dataclass(frozen=True)
class WrappedKey:
    """A data key sealed under a master key: ``nonce || ciphertext || tag``."""

    wrapped: bytes
    master_key_id: str


def wrap_key(master: MasterKey, data_key: bytes, binding: Binding) -> WrappedKey:
    """Seal ``data_key`` under ``master``, bound to ``binding``."""
    nonce = os.urandom(12)
    sealed = AESGCM(master.secret).encrypt(nonce, data_key, _WRAP_LABEL + binding.aad())
    return WrappedKey(nonce + sealed, master.key_id)


def unwrap_key(master: MasterKey, wrapped: WrappedKey, binding: Binding) -> bytes:
    """Open a wrapped data key, or raise CiphertextError (wrong key, tampered, other binding)."""
    if wrapped.master_key_id != master.key_id:
        raise CiphertextError(
            f"Object {binding.object_id} is wrapped by master key {wrapped.master_key_id}, "
            f"not by the configured key {master.key_id}.",
            fix="Set SITREP_MASTER_KEY to the key it was wrapped with, or finish the rotation.",
        )
    nonce, sealed = wrapped.wrapped[:12], wrapped.wrapped[12:]
    try:
        return AESGCM(master.secret).decrypt(nonce, sealed, _WRAP_LABEL + binding.aad())
    except InvalidTag:
        raise CiphertextError(
            f"The data key of {binding.object_id} failed authentication."
        ) from None


def _read_full(reader: BinaryIO, size: int) -> bytes:
    """Read exactly ``size`` bytes unless the stream ends first (pipes may return less)."""
    data = reader.read(size)
    while data and len(data) < size:
        more = reader.read(size - len(data))
        if not more:
            break
        data += more
    return data


def _chunk_aad(header: bytes, binding_aad: bytes, index: int, last: bool) -> bytes:
    return header + binding_aad + struct.pack(">Q?", index, last)


def _nonce(index: int) -> bytes:
    return struct.pack(">4xQ", index)


def encrypt_stream(
    reader: BinaryIO,
    writer: BinaryIO,
    data_key: bytes,
    binding: Binding,
    chunk_size: int = CHUNK_SIZE,
) -> int:
    """Encrypt ``reader`` into ``writer`` chunk by chunk; return the plaintext size."""
    aead, aad = AESGCM(data_key), binding.aad()
    header = _HEADER.pack(MAGIC, chunk_size)
    writer.write(header)
    index, total = 0, 0
    current = _read_full(reader, chunk_size)
    while True:
        # Read one chunk ahead: only the reader's end tells us which chunk is the last.
        following = _read_full(reader, chunk_size) if len(current) == chunk_size else b""
        last = not following
        writer.write(aead.encrypt(_nonce(index), current, _chunk_aad(header, aad, index, last)))
        total += len(current)
        if last:
            return total
        index, current = index + 1, following


def decrypt_chunks(reader: BinaryIO, data_key: bytes, binding: Binding) -> Iterator[bytes]:
    """Yield plaintext chunks of an encrypted stream, authenticating each before yielding it."""
    header = reader.read(_HEADER.size)
    if len(header) != _HEADER.size or header[:8] != MAGIC:
        raise CiphertextError(f"Object {binding.object_id} is not a Sitrep encrypted object.")
    chunk_size = _HEADER.unpack(header)[1]
    if not 0 < chunk_size <= MAX_CHUNK_SIZE:  # the header is untrusted until chunk 0 verifies
        raise CiphertextError(f"Object {binding.object_id} has an impossible chunk size.")
    aead, aad = AESGCM(data_key), binding.aad()
    index = 0
    current = _read_full(reader, chunk_size + TAG)
    while True:
        following = (
            _read_full(reader, chunk_size + TAG) if len(current) == chunk_size + TAG else b""
        )
        last = not following
        try:
            yield aead.decrypt(_nonce(index), current, _chunk_aad(header, aad, index, last))
        except InvalidTag:
            raise CiphertextError(
                f"Object {binding.object_id} failed authentication at chunk {index}: "
                "it was changed, truncated or moved from another ticket."
            ) from None
        if last:
            return
        index, current = index + 1, following


def encrypt_file(src: Path, dst: Path, binding: Binding, master: MasterKey) -> WrappedKey:
    """Encrypt ``src`` into ``dst`` under a fresh data key; return the key wrapped by ``master``."""
    data_key = AESGCM.generate_key(bit_length=256)
    with src.open("rb") as reader, dst.open("wb") as writer:
        encrypt_stream(reader, writer, data_key, binding)
    return wrap_key(master, data_key, binding)


def decrypt_stream(
    reader: BinaryIO, wrapped: WrappedKey, binding: Binding, master: MasterKey
) -> Iterator[bytes]:
    """Yield the plaintext of an object; the key is unwrapped before the first byte is read."""
    data_key = unwrap_key(master, wrapped, binding)
    return decrypt_chunks(reader, data_key, binding)


# --- wrapped keys in the database ---------------------------------------------------------


def save_data_key(*, session: Session, binding: Binding, wrapped: WrappedKey) -> DataKey:
    """Store the wrapped key of an object (one per object id)."""
    row = DataKey(
        object_id=binding.object_id,
        tenant=binding.tenant,
        ticket=binding.ticket,
        master_key_id=wrapped.master_key_id,
        wrapped=wrapped.wrapped,
        version=1,
    )
    session.add(row)
    session.flush()
    return row


def load_data_key(*, session: Session, object_id: str) -> tuple[Binding, WrappedKey]:
    """Return the binding and wrapped key stored for ``object_id``."""
    row = session.scalar(select(DataKey).where(DataKey.object_id == object_id))
    if row is None:
        raise NotFound(f"No data key is stored for object {object_id}.")
    return Binding(row.tenant, row.ticket, row.object_id), WrappedKey(
        row.wrapped, row.master_key_id
    )


def delete_data_key(*, session: Session, object_id: str) -> bool:
    """Erase an object by deleting its key (crypto-shredding); return False when absent."""
    row = session.scalar(select(DataKey).where(DataKey.object_id == object_id))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def rotate_master_key(*, session: Session, old: MasterKey, new: MasterKey, batch: int = 500) -> int:
    """Rewrap every data key wrapped by ``old`` under ``new``; return how many were rewrapped.

    Commits after each batch, so an interrupted rotation can simply be run again: rows
    already under ``new`` are skipped. Object contents are not touched.
    """
    if old.key_id == new.key_id:
        raise ConfigError("The new master key is the same as the current one.")
    done = 0
    while True:
        rows = session.scalars(
            select(DataKey)
            .where(DataKey.master_key_id == old.key_id)
            .order_by(DataKey.id)
            .limit(batch)
        ).all()
        if not rows:
            return done
        for row in rows:
            binding = Binding(row.tenant, row.ticket, row.object_id)
            data_key = unwrap_key(old, WrappedKey(row.wrapped, row.master_key_id), binding)
            rewrapped = wrap_key(new, data_key, binding)
            row.wrapped, row.master_key_id = rewrapped.wrapped, new.key_id
            row.version, row.rotated_at = row.version + 1, datetime.now(UTC)
        session.commit()
        done += len(rows)
