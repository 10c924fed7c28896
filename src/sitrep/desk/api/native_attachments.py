"""Native staff API for attachments: list a request's files and download one.

A download needs a justification, is checked by the policy, and is written to the
audit log (and committed) before the first byte leaves; if that write fails, nothing
is released (``sitrep.desk.audit.audited_release``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi import Request as HttpRequest
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from sitrep.desk import audit, policy
from sitrep.desk.api.native_requests import aware
from sitrep.desk.auth import Principal, require_staff
from sitrep.desk.deps import get_session
from sitrep.desk.models.requests import Attachment
from sitrep.desk.services import activity, sealed
from sitrep.desk.services import requests as requests_service
from sitrep.desk.storage import blobstore_from_settings
from sitrep.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["staff"])
CHUNK = 1024 * 1024


class AttachmentOut(BaseModel):
    id: str
    filename: str
    size: int
    sha256: str
    is_bundle: bool
    public: bool
    created: datetime


class AttachmentList(BaseModel):
    values: list[AttachmentOut]


@router.get(
    "/requests/{ref}/attachments",
    response_model=AttachmentList,
    **policy.route_action("attachment.list"),
)
def list_attachments(
    ref: str,
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> AttachmentList:
    """List the files (and which are Sitrep bundles) of a request."""
    request = requests_service.load_request(
        session=session, actor=principal, ref=ref, action="attachment.list"
    )
    rows = activity.list_attachments(session=session, actor=principal, request=request)
    return AttachmentList(
        values=[
            AttachmentOut(
                id=str(a.id),
                filename=a.filename,
                size=a.size,
                sha256=a.sha256,
                is_bundle=a.is_bundle,
                public=a.public,
                created=aware(a.created_at),
            )
            for a in rows
        ]
    )


def _chunks(stream: Any) -> Iterator[bytes]:
    try:
        while chunk := stream.read(CHUNK):
            yield chunk
    finally:
        stream.close()


@router.get("/attachments/{attachment_id}/content", **policy.route_action("attachment.download"))
def download(
    attachment_id: int,
    http: HttpRequest,
    justification: str = Query(
        ..., min_length=10, max_length=1000, description="Why you open this customer's data"
    ),
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> StreamingResponse:
    """Stream an attachment's bytes after recording the access with its justification."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(f"Attachment {attachment_id} does not exist or is not visible to you.")
    request = requests_service.load_request(
        session=session,
        actor=principal,
        ref=str(attachment.request_id),
        action="attachment.download",
    )
    store = blobstore_from_settings(http.app.state.settings)
    if not store.exists(attachment.blob_key):
        raise NotFound(f"The content of attachment {attachment_id} is missing from storage.")
    # audited_release commits the audit entry before it opens the blob: no entry, no bytes.
    response = audit.audited_release(
        session=session,
        actor=principal,
        target=f"attachment:{attachment.id}",
        justification=justification,
        ticket=request.key,
        tenant=request.org_id,
        action="attachment.download",
        media_type=attachment.content_type,
        # Decrypted only here, after the entry is committed (sealed at rest otherwise).
        open_body=lambda: sealed.open_plaintext(
            session=session,
            settings=http.app.state.settings,
            store=store,
            request=request,
            attachment=attachment,
        ),
    )
    response.headers["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(attachment.filename)}"
    )
    response.headers["X-Sitrep-SHA256"] = attachment.sha256
    return response
