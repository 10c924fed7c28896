"""JSM: turn temporary files into request attachments, and list them.

``attachTemporaryFile`` itself belongs to the uploads router (transport); this router
claims those temporary ids through ``sitrep.desk.services.uploads``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi import Request as HttpRequest
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from sitrep.desk import policy
from sitrep.desk.api.jsm_common import (
    BASE,
    Paging,
    author_dto,
    comment_dto,
    jsm_date,
    page,
    paged,
    paging_params,
    visible_request,
)
from sitrep.desk.auth import Principal, require_caller
from sitrep.desk.deps import get_session
from sitrep.desk.models.requests import Attachment, Request
from sitrep.desk.services import activity

router = APIRouter(prefix=BASE, tags=["jsm"])


class AdditionalComment(BaseModel):
    body: str | None = None


class AttachmentsIn(BaseModel):
    """JSM's AttachmentCreateDTO."""

    model_config = ConfigDict(extra="ignore")
    temporaryAttachmentIds: list[str] = Field(min_length=1)
    public: bool = False
    additionalComment: AdditionalComment | None = None


def attachment_dto(http: HttpRequest, session: Session, attachment: Attachment) -> dict[str, Any]:
    """Return JSM's AttachmentDTO; the content link is the staff download route."""
    kind, _, author_id = attachment.added_by.partition(":")
    base = str(http.base_url).rstrip("/")
    return {
        "filename": attachment.filename,
        "author": author_dto(http, session, kind, int(author_id) if author_id.isdigit() else None),
        "created": jsm_date(attachment.created_at),
        "size": attachment.size,
        "mimeType": attachment.content_type,
        "_links": {"content": f"{base}/api/v1/attachments/{attachment.id}/content"},
    }


@router.post("/request/{ref}/attachment", status_code=201, **policy.route_action("attachment.add"))
def add_attachments(
    body: AttachmentsIn,
    http: HttpRequest,
    request: Request = Depends(visible_request),
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> Any:
    """Attach temporary files; internal unless the customer or their installation adds them."""
    comment = body.additionalComment.body if body.additionalComment else None
    rows, note = activity.attach_files(
        session=session,
        actor=principal,
        request=request,
        temp_ids=body.temporaryAttachmentIds,
        public=body.public,
        comment=comment,
        settings=http.app.state.settings,
    )
    session.commit()
    values = [attachment_dto(http, session, a) for a in rows]
    dto = {
        "comment": comment_dto(http, session, principal, request, note) if note else None,
        "attachments": page(http, values, start=0, limit=len(values) or 1),
    }
    return JSONResponse(dto, status_code=201)


@router.get("/request/{ref}/attachment", **policy.route_action("attachment.list"))
def list_attachments(
    http: HttpRequest,
    paging: Paging = Depends(paging_params),
    request: Request = Depends(visible_request),
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """List a request's attachments (staff)."""
    rows = activity.list_attachments(session=session, actor=principal, request=request)
    return paged(http, rows, paging, lambda a: attachment_dto(http, session, a))
