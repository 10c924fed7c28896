"""JSM: ``POST /rest/servicedeskapi/servicedesk/{id}/attachTemporaryFile``.

Multipart, one or more parts named ``file``, answered with JSM's
``{"temporaryAttachments": [{"temporaryAttachmentId", "fileName"}]}``. Parts are spooled
to disk while parsing, copied in chunks to the staging area and validated like a tus
upload before they get an id, so a hostile zip is refused here too (422, with the reason).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from sitrep.config import Settings
from sitrep.desk import policy
from sitrep.desk.auth import Principal, require_caller
from sitrep.desk.deps import get_session, get_settings
from sitrep.desk.services import uploads as service
from sitrep.desk.services.servicedesk import find_desk
from sitrep.errors import Forbidden, ValidationError

router = APIRouter(prefix="/rest/servicedeskapi", tags=["jsm"])
MAX_PARTS = 20


def _check_request(request: Request, settings: Settings) -> None:
    # JSM refuses multipart without its XSRF header; any value is accepted, as in JSM.
    if "x-atlassian-token" not in request.headers:
        raise Forbidden("XSRF check failed: send the header X-Atlassian-Token: no-check.")
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise HTTPException(411, "Send a Content-Length with the multipart body.")
    service.check_size(settings, int(length))


@router.post(
    "/servicedesk/{service_desk_id}/attachTemporaryFile",
    status_code=201,
    **policy.route_action("attachment.add"),
)
async def attach_temporary_file(
    service_desk_id: str,
    request: Request,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings),
) -> Any:
    """Store the uploaded files as temporary attachments and return their ids."""
    policy.check(principal, "attachment.add", session=session)
    await run_in_threadpool(find_desk, session=session, ref=service_desk_id)
    _check_request(request, settings)
    stored = []
    async with request.form(max_files=MAX_PARTS, max_fields=MAX_PARTS) as form:
        parts = [v for k, v in form.multi_items() if k == "file" and isinstance(v, UploadFile)]
        if not parts:
            raise ValidationError("Send the file as a multipart part named 'file'.")
        for part in parts:
            temp = await run_in_threadpool(
                service.store_temporary_stream,
                session=session,
                settings=settings,
                principal=principal,
                stream=part.file,
                filename=part.filename or "attachment.bin",
            )
            stored.append({"temporaryAttachmentId": temp.id, "fileName": temp.filename})
    await run_in_threadpool(session.commit)
    return JSONResponse({"temporaryAttachments": stored}, status_code=201)
