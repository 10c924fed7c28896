"""Resumable uploads, validation and temporary files.

The flow: ``create_upload`` (tus POST) → ``append_chunk`` per PATCH, streamed to a staging
file under ``data_dir/uploads`` → ``finish_upload`` validates the complete file and turns
it into a :class:`TemporaryFile` in the BlobStore. JSM's ``attachTemporaryFile`` goes
straight to ``store_temporary_file``. A request then takes the files with
``claim_temporary_files``; each id can be claimed once, by the principal that uploaded it.

The staging directory must be shared by all desk replicas (as ``data_dir`` is), because a
client may resume through another replica. Only the offset committed in the database
counts: bytes a killed server wrote past it are cut off when the next PATCH starts. How a
PATCH body is written and hashed is in :mod:`sitrep.desk.services.staging`.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
import uuid
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from sitrep.bundle.member_digests import MemberDigest
from sitrep.bundle.validate import Limits, check_zip, looks_like_zip
from sitrep.config import Settings
from sitrep.desk.auth import Principal
from sitrep.desk.models.uploads import TemporaryFile, Upload
from sitrep.desk.services.staging import (
    CHECKSUMS,
    FILE_HASHES,
    MIB,
    Running,
    Sink,
    Written,
    locked,
    write_body,
)
from sitrep.desk.storage import BlobStore, blobstore_from_settings, sha256_file
from sitrep.errors import Conflict, NotFound, TooLarge, ValidationError

log = logging.getLogger(__name__)


class Refused(ValidationError):
    """A finished file failed validation; the message says exactly why."""

    status_code = 422


#: What a client may tell the desk it computed of the file it sent, and the header that
#: carries it: the whole file's SHA-256 or, for a bundle, its bundle digest
#: (:func:`sitrep.bundle.validate.bundle_sha256`: the members through the manifest's
#: hashes, every other byte as it is). Sitrep's client sends the bundle digest for a bundle,
#: which spares it a pass over the file, and the file's SHA-256 for anything else.
CLIENT_DIGESTS = {"file": "Sitrep-Upload-Sha256", "bundle": "Sitrep-Bundle-Sha256"}
DIGEST_NAMES = {"file": "SHA-256", "bundle": "bundle digest"}
NO_CLAIMS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class ClaimedFile:
    """A temporary file taken by a request: what the attachment needs to know."""

    filename: str
    size: int
    sha256: str
    blob_key: str
    content_type: str
    manifest: dict[str, Any] | None


def now_utc() -> datetime:
    """Return the current time, aware and in UTC."""
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """Return ``moment`` in UTC (SQLite hands back naive datetimes, PostgreSQL local ones)."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def limits_for(settings: Settings) -> Limits:
    """Return the zip validation limits the desk's settings ask for."""
    return Limits.from_caps(
        max_upload_mb=settings.max_upload_mb,
        max_members=settings.max_members,
        max_ratio=settings.max_ratio,
    )


def staging_path(settings: Settings, upload_id: str) -> Path:
    """Return where the bytes of an unfinished upload are kept."""
    return settings.data_dir / "uploads" / f"{upload_id}.part"


def clean_filename(filename: str, *, default: str) -> str:
    """Return the file's base name without control characters, at most 255 characters.

    The name is shown to staff and stored in the database (PostgreSQL refuses NUL), and
    it is never used as a path on the server.
    """
    base = Path(filename.replace("\\", "/")).name
    name = "".join(c for c in base if c.isprintable()).strip()
    return name[:255] or default


def check_size(settings: Settings, length: int) -> None:
    """Refuse a file over ``max_upload_mb`` before any byte of it is read."""
    cap = settings.max_upload_mb * MIB
    if length > cap:
        raise TooLarge(
            f"The file is {length} bytes; this desk accepts at most {cap} bytes "
            f"({settings.max_upload_mb} MB)."
        )


def _owned_by(row: Upload | TemporaryFile, principal: Principal) -> bool:
    return row.owner_kind == principal.kind and row.owner_id == principal.id


# --- tus uploads ------------------------------------------------------------------------


def create_upload(
    *, session: Session, settings: Settings, principal: Principal, length: int, filename: str
) -> Upload:
    """Start an upload of ``length`` bytes; commits, so the client can PATCH at once."""
    if length < 0:
        raise ValidationError("Upload-Length must be a non-negative integer.")
    check_size(settings, length)
    name = clean_filename(filename, default="upload.bin")
    purge_expired(session=session, settings=settings)
    upload = Upload(
        id=secrets.token_hex(16),
        owner_kind=principal.kind,
        owner_id=principal.id,
        filename=name,
        length=length,
        offset=0,
        status="open",
        expires_at=now_utc() + timedelta(hours=settings.upload_expiry_hours),
    )
    session.add(upload)
    path = staging_path(settings, upload.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    session.commit()
    return upload


def get_upload(*, session: Session, principal: Principal, upload_id: str) -> Upload:
    """Return the caller's upload; unknown, foreign and expired uploads are NotFound."""
    row = None
    if len(upload_id) == 32 and all(c in "0123456789abcdef" for c in upload_id):
        row = session.get(Upload, upload_id)
    if row is None or not _owned_by(row, principal):
        raise NotFound("No such upload (it may have expired or been terminated).")
    if row.status == "open" and aware(row.expires_at) <= now_utc():
        raise NotFound("This upload has expired; start a new one.")
    return row


def parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    """Parse ``Upload-Checksum: <algorithm> <base64 digest>``."""
    if not header:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    if algorithm not in CHECKSUMS:
        raise ValidationError(
            f"Checksum algorithm '{algorithm[:20]}' is not supported; use sha256 or sha1."
        )
    try:
        return algorithm, base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        raise ValidationError("Upload-Checksum does not carry a base64 digest.") from None


def reconcile_offset(*, session: Session, settings: Settings, upload: Upload) -> None:
    """Pull the committed offset back to the staged file's length when the file is shorter.

    The staging file is not synced on every PATCH, so a machine that lost power can come
    back with fewer bytes than the offset the database committed. The client is then told
    to resume from what is really there, instead of the gap being filled with zeros (which
    the final checks would refuse, losing the whole upload).
    """
    if upload.status != "open":
        return
    try:
        size = staging_path(settings, upload.id).stat().st_size
    except FileNotFoundError:
        return  # append_chunk says the data is gone
    if size < upload.offset:
        log.warning("upload %s: staged file shorter than its offset; resuming from it", upload.id)
        upload.offset = size
        session.commit()
        FILE_HASHES.forget(upload.id)  # its running hashes covered bytes that are gone


async def append_chunk(
    *,
    settings: Settings,
    upload: Upload,
    offset: int,
    body: AsyncIterator[bytes],
    checksum: tuple[str, bytes] | None,
) -> Written:
    """Write one PATCH body at ``offset``; return the new end (not yet committed).

    The body is streamed to the staging file in chunks and never held in memory. With a
    checksum, a body that is cut short or does not match is discarded whole; without
    one, the bytes that arrived before a broken connection are kept.
    """
    if upload.status != "open":
        raise Conflict("This upload is already complete.")
    if offset != upload.offset:
        raise Conflict(f"Upload-Offset is {offset} but the upload is at {upload.offset}.")
    with locked(staging_path(settings, upload.id)) as fh:
        # Cut off whatever a killed server wrote after the last committed offset. Only when
        # there is something to cut: on ext4 even a truncate to the same size is a journal
        # transaction that the PATCH would wait for. Never extend: that would write zeros.
        size = os.fstat(fh.fileno()).st_size
        if size < offset:
            raise Conflict("The stored upload is shorter than its offset; HEAD it and resume.")
        if size > offset:
            fh.truncate(offset)
        fh.seek(offset)
        running = FILE_HASHES.take(upload.id, offset, limits_for(settings))
        before = running.copy() if running is not None else None
        try:
            end = await write_body(fh, upload.length, offset, body, Sink(fh, checksum, running))
        except BaseException:
            FILE_HASHES.keep(upload.id, offset, before)  # the file is back at ``offset``
            raise
        return Written(end, running if end != offset else before)


def commit_offset(*, session: Session, upload: Upload, written: Written) -> None:
    """Record how far the upload got; commits, as the client may HEAD right away."""
    upload.offset = written.offset
    session.commit()
    FILE_HASHES.keep(upload.id, written.offset, written.running)


def finish_upload(
    *, session: Session, settings: Settings, upload: Upload, claimed: Mapping[str, str] = NO_CLAIMS
) -> TemporaryFile:
    """Validate a complete upload and turn it into a temporary file.

    ``claimed`` holds the digests the client computed (see :data:`CLIENT_DIGESTS`): stored
    bytes that give other digests are refused. A refused upload is recorded with its reason (and
    committed, since the error rolls back the rest) before the Refused error reaches the
    uploader; its bytes are deleted. Finishing an upload twice returns the same temporary
    file.
    """
    if upload.status == "done" and upload.temporary_file_id:
        row = session.get(TemporaryFile, upload.temporary_file_id)
        if row is not None:
            computed = {"file": row.sha256, "bundle": row.bundle_sha256}
            check_client_digests(upload.filename, computed, claimed)
            return row
    if upload.status == "refused":
        raise Refused(upload.refusal or "This upload was refused.")
    owner = Principal(kind=upload.owner_kind, id=upload.owner_id)
    path = staging_path(settings, upload.id)
    try:
        temp = store_temporary_file(
            session=session,
            settings=settings,
            principal=owner,
            path=path,
            filename=upload.filename,
            running=FILE_HASHES.take(upload.id, upload.length, limits_for(settings)),
            claimed=claimed,
        )
    except Refused as exc:
        path.unlink(missing_ok=True)
        upload.status, upload.refusal = "refused", exc.message
        session.commit()
        raise
    upload.status, upload.temporary_file_id = "done", temp.id
    session.commit()
    return temp


def parse_client_digests(headers: Mapping[str, str]) -> dict[str, str]:
    """Read the digests a client sent (:data:`CLIENT_DIGESTS`), each 64 hex digits."""
    claimed = {}
    for kind, header in CLIENT_DIGESTS.items():
        value = headers.get(header)
        if value is None:
            continue
        value = value.strip().lower()
        if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
            raise ValidationError(f"{header} must be 64 hexadecimal digits.")
        claimed[kind] = value
    return claimed


def check_client_digests(
    filename: str, computed: Mapping[str, str | None], claimed: Mapping[str, str]
) -> None:
    """Refuse a file whose stored bytes do not give the digests the client computed."""
    for kind, value in claimed.items():
        ours = computed.get(kind)
        if ours == value:
            continue
        if ours is None:
            raise Refused(
                f"{filename}: the client sent a bundle digest, but the file is not a Sitrep "
                "bundle (a zip with a manifest.json). Upload it again."
            )
        raise Refused(
            f"{filename}: the desk stored bytes whose {DIGEST_NAMES[kind]} is {ours}, but the "
            f"client sent {value}; the file changed in transit or on the client's disk. "
            "Upload it again."
        )


def terminate_upload(*, session: Session, settings: Settings, upload: Upload) -> None:
    """Delete an upload (tus termination), its staged bytes and its unclaimed temporary file."""
    staging_path(settings, upload.id).unlink(missing_ok=True)
    if upload.temporary_file_id:
        temp = session.get(TemporaryFile, upload.temporary_file_id)
        if temp is not None and temp.claimed_at is None:
            _delete_temporary(session, blobstore_from_settings(settings), temp)
    session.delete(upload)
    session.commit()


# --- temporary files ----------------------------------------------------------------------


def store_temporary_file(
    *,
    session: Session,
    settings: Settings,
    principal: Principal,
    path: Path,
    filename: str,
    running: Running | None = None,
    claimed: Mapping[str, str] = NO_CLAIMS,
) -> TemporaryFile:
    """Validate the file at ``path``, move it into the BlobStore and return its temporary file.

    A zip (by name or content) must pass :func:`sitrep.bundle.validate.check_zip`; a zip
    with a manifest is a bundle and keeps its manifest. Raises Refused with the reason.
    ``running`` is what the caller learnt while writing the file (its hash and its members'),
    ``claimed`` the digests the sender computed (see :func:`check_client_digests`).
    """
    size = path.stat().st_size
    check_size(settings, size)
    streamed = running.members.digests if running is not None else None
    # Validate on another thread while the file's hash is checked, or computed when this
    # process did not see the bytes arrive: both mostly run outside the GIL.
    with ThreadPoolExecutor(max_workers=1) as pool:
        validating = pool.submit(_validate, path, filename, limits_for(settings), streamed)
        key = running.file_hash.hexdigest() if running is not None else sha256_file(path)
        manifest, content_type, bundle_key = validating.result()
    check_client_digests(filename, {"file": key, "bundle": bundle_key}, claimed)
    key = blobstore_from_settings(settings).put_file(path, move=True, sha256=key)
    temp = TemporaryFile(
        id=str(uuid.uuid4()),
        owner_kind=principal.kind,
        owner_id=principal.id,
        filename=filename,
        size=size,
        sha256=key,
        blob_key=key,
        content_type=content_type,
        manifest=manifest,
        bundle_sha256=bundle_key,
        expires_at=now_utc() + timedelta(hours=settings.upload_expiry_hours),
    )
    session.add(temp)
    session.flush()
    return temp


def _validate(
    path: Path, filename: str, limits: Limits, streamed: dict[int, MemberDigest] | None
) -> tuple[dict[str, Any] | None, str, str | None]:
    """Check a stored file; return its manifest, content type and bundle digest.

    The manifest and the digest are None for a file that is not a bundle.
    """
    if not looks_like_zip(path, filename):
        return None, "application/octet-stream", None
    try:
        checked = check_zip(path, limits, streamed=streamed)
        return checked.manifest, "application/zip", checked.bundle_sha256
    except ValidationError as exc:
        raise Refused(f"{filename}: {exc.message}") from None


def claim_temporary_files(
    *, session: Session, principal: Principal, temp_ids: list[str]
) -> list[ClaimedFile]:
    """Take temporary files for an attachment; each id works once, for its uploader only.

    Raises NotFound for unknown, expired, foreign or already claimed ids, and
    ValidationError for an empty or repeating list. Nothing is claimed unless all are.
    """
    if not temp_ids:
        raise ValidationError("temporaryAttachmentIds must list at least one id.")
    if len(set(temp_ids)) != len(temp_ids):
        raise ValidationError("temporaryAttachmentIds lists the same id twice.")
    now = now_utc()
    claimed = []
    for temp_id in temp_ids:
        # Compare-and-set, so two requests racing for one id cannot both win.
        result = session.execute(
            update(TemporaryFile)
            .where(
                TemporaryFile.id == str(temp_id)[:36],
                TemporaryFile.owner_kind == principal.kind,
                TemporaryFile.owner_id == principal.id,
                TemporaryFile.claimed_at.is_(None),
                TemporaryFile.expires_at > now,
            )
            .values(claimed_at=now)
            .execution_options(synchronize_session="fetch")
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFound(
                f"Temporary attachment {str(temp_id)[:40]} does not exist, has expired "
                "or was already used."
            )
        claimed.append(session.get_one(TemporaryFile, str(temp_id)))
    return [_claimed(row) for row in claimed]


def _claimed(row: TemporaryFile) -> ClaimedFile:
    return ClaimedFile(
        filename=row.filename,
        size=row.size,
        sha256=row.sha256,
        blob_key=row.blob_key,
        content_type=row.content_type,
        manifest=row.manifest,
    )


def _delete_temporary(session: Session, store: BlobStore, temp: TemporaryFile) -> None:
    # Blobs are shared by content: keep the blob while any other row still points at it
    # (claimed rows are kept for exactly this reason).
    others = session.scalar(
        select(func.count())
        .select_from(TemporaryFile)
        .where(TemporaryFile.blob_key == temp.blob_key, TemporaryFile.id != temp.id)
    )
    session.delete(temp)
    if not others:
        store.delete(temp.blob_key)


def purge_expired(*, session: Session, settings: Settings, batch: int = 100) -> int:
    """Delete expired open uploads and unclaimed temporary files; return how many went."""
    now = now_utc()
    uploads = session.scalars(
        select(Upload).where(Upload.status == "open", Upload.expires_at <= now).limit(batch)
    ).all()
    for upload in uploads:
        staging_path(settings, upload.id).unlink(missing_ok=True)
    if uploads:
        session.execute(delete(Upload).where(Upload.id.in_([u.id for u in uploads])))
    temps = session.scalars(
        select(TemporaryFile)
        .where(TemporaryFile.claimed_at.is_(None), TemporaryFile.expires_at <= now)
        .limit(batch)
    ).all()
    store = blobstore_from_settings(settings) if temps else None
    for temp in temps:
        assert store is not None
        _delete_temporary(session, store, temp)
    session.flush()
    return len(uploads) + len(temps)


def store_temporary_stream(
    *, session: Session, settings: Settings, principal: Principal, stream: IO[bytes], filename: str
) -> TemporaryFile:
    """Copy a stream (a multipart part) to a staging file in chunks, then store it."""
    name = clean_filename(filename, default="attachment.bin")
    path = staging_path(settings, secrets.token_hex(16))
    path.parent.mkdir(parents=True, exist_ok=True)
    cap, total = settings.max_upload_mb * MIB, 0
    try:
        with path.open("wb") as out:
            while chunk := stream.read(MIB):
                total += len(chunk)
                if total > cap:
                    check_size(settings, total)
                out.write(chunk)
        return store_temporary_file(
            session=session, settings=settings, principal=principal, path=path, filename=name
        )
    finally:
        path.unlink(missing_ok=True)
