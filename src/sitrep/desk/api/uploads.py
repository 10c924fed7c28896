"""Resumable uploads: the tus 1.0 protocol at ``/api/v1/uploads``.

Extensions: creation, expiration, checksum (sha256, sha1) and termination. The PATCH
that completes an upload validates the file; a refused file answers 422 with the
reason in JSM's error shape, and an accepted one carries its temporary attachment id in
``Sitrep-Temporary-Attachment-Id`` (also on HEAD). ``GET`` on an upload returns its state
as JSON, including why it was refused.

Sitrep's own client sends no per-PATCH checksum. Instead its completing PATCH carries
what it computed of the whole file: ``Sitrep-Bundle-Sha256``, the bundle digest, for a
Sitrep bundle, or else ``Sitrep-Upload-Sha256``, the file's SHA-256 (both in hex); a file
whose stored bytes give another digest is refused. Any PATCH may carry them; only the
completing one is checked.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator
from email.utils import format_datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session
from starlette.requests import ClientDisconnect

from sitrep.config import Settings
from sitrep.desk import policy
from sitrep.desk.auth import Principal, require_caller
from sitrep.desk.deps import get_session, get_settings
from sitrep.desk.models.uploads import Upload
from sitrep.desk.services import staging
from sitrep.desk.services import uploads as service
from sitrep.errors import ValidationError

router = APIRouter(prefix="/api/v1/uploads", tags=["uploads"])

TUS_VERSION = "1.0.0"
TEMP_HEADER = "Sitrep-Temporary-Attachment-Id"
ACTION = policy.route_action("attachment.add")


def _tus_headers(
    upload: Upload | None = None, more: dict[str, str] | None = None
) -> dict[str, str]:
    headers = {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", **(more or {})}
    if upload is not None:
        headers["Upload-Offset"] = str(upload.offset)
        headers["Upload-Length"] = str(upload.length)
        if upload.status == "open":
            headers["Upload-Expires"] = format_datetime(service.aware(upload.expires_at), True)
        if upload.temporary_file_id:
            headers[TEMP_HEADER] = upload.temporary_file_id
    return headers


def _require_tus(request: Request) -> None:
    if request.headers.get("tus-resumable") != TUS_VERSION:
        raise HTTPException(
            412,
            "This server speaks tus 1.0.0: send Tus-Resumable: 1.0.0.",
            {"Tus-Version": TUS_VERSION},
        )


def _int_header(request: Request, name: str) -> int:
    value = request.headers.get(name, "")
    if not value.isdigit() or len(value) > 19:
        raise ValidationError(f"{name} must be a non-negative integer.")
    return int(value)


def parse_metadata(header: str | None) -> dict[str, str]:
    """Parse tus ``Upload-Metadata``: comma-separated ``key base64value`` pairs."""
    values: dict[str, str] = {}
    for pair in (header or "").split(","):
        key, _, encoded = pair.strip().partition(" ")
        if not key:
            continue
        try:
            values[key] = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise ValidationError(f"Upload-Metadata value of '{key[:40]}' is not base64.") from None
    return values


def _caller(principal: Principal, session: Session) -> Principal:
    # The session answers whether a subcontractor's agreement is valid now (quick, indexed).
    policy.check(principal, "attachment.add", session=session)
    return principal


@router.options("", **policy.route_action("desk.info"))
def discover(settings: Settings = Depends(get_settings)) -> Response:
    """Tell tus clients what this server supports (no credentials needed)."""
    headers = _tus_headers(
        more={
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": "creation,expiration,checksum,termination",
            "Tus-Max-Size": str(settings.max_upload_mb * service.MIB),
            "Tus-Checksum-Algorithm": ",".join(service.CHECKSUMS),
        }
    )
    return Response(status_code=204, headers=headers)


@router.post("", status_code=201, **ACTION)
def create(
    request: Request,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings),
) -> Response:
    """Create an upload (tus creation); 413 when Upload-Length is over the cap."""
    _caller(principal, session)
    _require_tus(request)
    length = _int_header(request, "upload-length")
    metadata = parse_metadata(request.headers.get("upload-metadata"))
    upload = service.create_upload(
        session=session,
        settings=settings,
        principal=principal,
        length=length,
        filename=metadata.get("filename", ""),
    )
    if length == 0:  # nothing to PATCH: finish it now
        service.finish_upload(session=session, settings=settings, upload=upload)
    location = str(request.url_for("tus_head", upload_id=upload.id))
    return Response(status_code=201, headers=_tus_headers(upload, {"Location": location}))


@router.head("/{upload_id}", name="tus_head", **ACTION)
def head(
    upload_id: str,
    request: Request,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings),
) -> Response:
    """Return how far an upload got; a refused upload answers 422 (GET tells why)."""
    _caller(principal, session)
    _require_tus(request)
    upload = service.get_upload(session=session, principal=principal, upload_id=upload_id)
    service.reconcile_offset(session=session, settings=settings, upload=upload)
    status = 422 if upload.status == "refused" else 200
    return Response(status_code=status, headers=_tus_headers(upload))


async def _body(request: Request) -> AsyncIterator[bytes]:
    try:
        async for chunk in request.stream():
            if chunk:
                yield chunk
    except ClientDisconnect:
        raise staging.ConnectionLost from None


@router.patch("/{upload_id}", **ACTION)
async def patch(
    upload_id: str,
    request: Request,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings),
) -> Response:
    """Append bytes at Upload-Offset; the PATCH that completes the upload validates it."""
    _caller(principal, session)
    _require_tus(request)
    if request.headers.get("content-type") != "application/offset+octet-stream":
        raise HTTPException(415, "A PATCH body must be application/offset+octet-stream.")
    offset = _int_header(request, "upload-offset")
    checksum = service.parse_checksum(request.headers.get("upload-checksum"))
    claimed = service.parse_client_digests(request.headers)
    upload = await run_in_threadpool(
        service.get_upload, session=session, principal=principal, upload_id=upload_id
    )
    if upload.status != "open" and offset == upload.length:
        # A repeated final PATCH (its response was lost) is harmless.
        await run_in_threadpool(_finish, session, settings, upload, claimed)
        return Response(status_code=204, headers=_tus_headers(upload))
    written = await service.append_chunk(
        settings=settings, upload=upload, offset=offset, body=_body(request), checksum=checksum
    )
    await run_in_threadpool(service.commit_offset, session=session, upload=upload, written=written)
    if written.offset == upload.length:
        await run_in_threadpool(_finish, session, settings, upload, claimed)
    return Response(status_code=204, headers=_tus_headers(upload))


def _finish(session: Session, settings: Settings, upload: Upload, claimed: dict[str, str]) -> None:
    service.finish_upload(session=session, settings=settings, upload=upload, claimed=claimed)


@router.delete("/{upload_id}", status_code=204, **ACTION)
def terminate(
    upload_id: str,
    request: Request,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings),
) -> Response:
    """Delete an upload and its bytes (tus termination)."""
    _caller(principal, session)
    _require_tus(request)
    upload = service.get_upload(session=session, principal=principal, upload_id=upload_id)
    service.terminate_upload(session=session, settings=settings, upload=upload)
    return Response(status_code=204, headers=_tus_headers())


@router.get("/{upload_id}", **ACTION)
def status(
    upload_id: str,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Return an upload's state as JSON, with the reason when it was refused."""
    _caller(principal, session)
    upload = service.get_upload(session=session, principal=principal, upload_id=upload_id)
    return {
        "id": upload.id,
        "fileName": upload.filename,
        "length": upload.length,
        "offset": upload.offset,
        "status": upload.status,
        "reason": upload.refusal,
        "temporaryAttachmentId": upload.temporary_file_id,
        "expires": service.aware(upload.expires_at).isoformat(),
    }
