"""Attachments at rest: sealed when claimed, opened only after an allowed, audited decision.

When a temporary file becomes an attachment, the ticket is known, so the blob is encrypted
(AES-256-GCM, STREAM-style chunks, ``sitrep.desk.crypto``) under a fresh data key wrapped by
the master key, with AAD binding the tenant (org id), the ticket key and the object id
(``attachment:<id>``). The ciphertext is stored under its own SHA-256, so two tenants that
upload the same bytes get different blobs, and the plaintext blob is deleted once no
unclaimed temporary file still needs it.

The master key is ``SITREP_MASTER_KEY``; a demo desk without one derives a key from its
``secret_key`` (HKDF), so demos and tests encrypt too. A production desk without a master
key refuses to store attachments rather than store them in the clear.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sitrep.config import Settings
from sitrep.desk import crypto
from sitrep.desk.models.access import DataKey
from sitrep.desk.models.requests import Attachment, Request
from sitrep.desk.models.uploads import TemporaryFile
from sitrep.desk.storage import BlobStore
from sitrep.errors import ConfigError


def master_key(settings: Settings) -> crypto.MasterKey:
    """Return the master key, a demo key derived from ``secret_key``, or raise ConfigError."""
    if settings.master_key:
        return crypto.master_key_from_settings(settings)
    if settings.demo and settings.secret_key:
        hkdf = HKDF(hashes.SHA256(), 32, salt=b"sitrep-demo-master-key", info=b"v1")
        return crypto.MasterKey(hkdf.derive(settings.secret_key.encode()))
    raise ConfigError(
        "Attachments are stored encrypted and SITREP_MASTER_KEY is not set.",
        fix="Generate one with: openssl rand -base64 32",
    )


def binding(request: Request, attachment: Attachment) -> crypto.Binding:
    """Return what an attachment's ciphertext is bound to: tenant, ticket, object."""
    tenant = str(request.org_id) if request.org_id is not None else "vendor"
    return crypto.Binding(tenant, request.key, f"attachment:{attachment.id}")


def seal(
    *,
    session: Session,
    settings: Settings,
    store: BlobStore,
    request: Request,
    attachment: Attachment,
) -> None:
    """Encrypt a freshly claimed attachment's blob and point the attachment at the ciphertext."""
    master, bound, plain = master_key(settings), binding(request, attachment), attachment.blob_key
    data_key = AESGCM.generate_key(bit_length=256)
    work = Path(settings.data_dir) / "sealing"
    work.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=work, suffix=".sealed")
    try:
        with store.open(plain) as reader, os.fdopen(handle, "wb") as writer:
            crypto.encrypt_stream(reader, writer, data_key, bound)
        attachment.blob_key = store.put_file(Path(name), move=True)
    finally:
        Path(name).unlink(missing_ok=True)
    crypto.save_data_key(
        session=session, binding=bound, wrapped=crypto.wrap_key(master, data_key, bound)
    )
    _forget_plaintext(session, store, plain, attachment.blob_key)


def _forget_plaintext(session: Session, store: BlobStore, plain: str, sealed: str) -> None:
    # Claimed temporary rows now stand for the ciphertext; unclaimed ones (another upload of
    # the same bytes) and unsealed older attachments still need the plaintext blob.
    session.execute(
        update(TemporaryFile)
        .where(TemporaryFile.blob_key == plain, TemporaryFile.claimed_at.is_not(None))
        .values(blob_key=sealed)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    users = session.scalar(
        select(func.count()).select_from(TemporaryFile).where(TemporaryFile.blob_key == plain)
    )
    users = (users or 0) + (
        session.scalar(
            select(func.count()).select_from(Attachment).where(Attachment.blob_key == plain)
        )
        or 0
    )
    if not users:
        store.delete(plain)


def open_plaintext(
    *,
    session: Session,
    settings: Settings,
    store: BlobStore,
    request: Request,
    attachment: Attachment,
) -> Iterator[bytes]:
    """Yield an attachment's plaintext; call only after the audited decision.

    The AAD is rebuilt from the attachment's current ticket and tenant, so a blob or key
    moved to another ticket fails authentication instead of decrypting.
    """
    key = session.scalar(select(DataKey).where(DataKey.object_id == f"attachment:{attachment.id}"))
    if key is None:  # stored before encryption at rest: served as it is
        return _read(store, attachment.blob_key)
    wrapped = crypto.WrappedKey(key.wrapped, key.master_key_id)
    reader = store.open(attachment.blob_key)
    try:
        chunks = crypto.decrypt_stream(
            reader, wrapped, binding(request, attachment), master_key(settings)
        )
        # Authenticate the first chunk before the response starts, so a changed or moved
        # object answers a clear error instead of a 200 that breaks off.
        first = next(chunks, b"")
    except BaseException:
        reader.close()
        raise
    return _closing(first, chunks, reader)


def _read(store: BlobStore, key: str) -> Iterator[bytes]:
    with store.open(key) as reader:
        while chunk := reader.read(1024 * 1024):
            yield chunk


def _closing(first: bytes, chunks: Iterator[bytes], reader) -> Iterator[bytes]:  # noqa: ANN001
    try:
        if first:
            yield first
        yield from chunks
    finally:
        reader.close()
