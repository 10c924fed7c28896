"""JSM: raise, list and read requests; status history; transitions.

Write routes commit before answering: FastAPI closes request-scoped dependencies (and
so ``get_session``'s commit) only after the response is sent, and a client that got a
201 must be able to read what it created.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Response
from fastapi import Request as HttpRequest
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from sitrep.desk import policy
from sitrep.desk.api.jsm_common import (
    BASE,
    Paging,
    page,
    paged,
    paging_params,
    request_dto,
    status_dto,
    visible_request,
)
from sitrep.desk.auth import Principal, require_caller
from sitrep.desk.deps import get_session
from sitrep.desk.models.requests import Request
from sitrep.desk.services import activity
from sitrep.desk.services import requests as requests_service
from sitrep.desk.services.requests import RequestIn

router = APIRouter(prefix=BASE, tags=["jsm"])


class RequestCreate(BaseModel):
    """JSM's CreateCustomerRequestDTO (``requestFieldValues`` is a map on input)."""

    model_config = ConfigDict(extra="ignore")
    serviceDeskId: str | int
    requestTypeId: str | int
    requestFieldValues: dict[str, Any] = Field(default_factory=dict)
    raiseOnBehalfOf: str | None = None
    requestParticipants: list[str] = Field(default_factory=list)
    channel: str | None = None


class AdditionalComment(BaseModel):
    """``additionalComment``; atlassian-python-api sends ``{"body": null}``."""

    body: str | None = None


class TransitionIn(BaseModel):
    """JSM's transition body."""

    model_config = ConfigDict(extra="ignore")
    id: str | int
    additionalComment: AdditionalComment | None = None


@router.post("/request", status_code=201, **policy.route_action("request.create"))
def create_request(
    body: RequestCreate,
    http: HttpRequest,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> Any:
    """Raise a request, on behalf of a customer given by accountId, username or email.

    With an ``Idempotency-Key`` header, a repeated submission returns the first request
    (200 instead of 201).
    """
    channel = "installation" if principal.kind == "installation" else "jsm"
    data = RequestIn(
        desk=str(body.serviceDeskId),
        request_type=str(body.requestTypeId),
        fields=body.requestFieldValues,
        on_behalf_of=body.raiseOnBehalfOf,
        participants=body.requestParticipants,
        channel=channel,
    )
    request, created = requests_service.raise_request(
        session=session, actor=principal, data=data, idempotency_key=idempotency_key
    )
    session.commit()
    dto = request_dto(http, session, principal, request)
    return JSONResponse(dto, status_code=201 if created else 200)


@router.get("/request", **policy.route_action("request.list"))
def list_my_requests(
    http: HttpRequest,
    paging: Paging = Depends(paging_params),
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """List the requests the caller may see, newest first."""
    rows, total = requests_service.list_requests(
        session=session, actor=principal, start=paging.start, limit=paging.limit
    )
    values = [request_dto(http, session, principal, r) for r in rows]
    return page(http, values, start=paging.start, limit=paging.limit, total=total)


@router.get("/request/{ref}", **policy.route_action("request.view"))
def get_request(
    http: HttpRequest,
    request: Request = Depends(visible_request),
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> JSONResponse:
    """Return one request by key or id; 404 when it is not visible to the caller."""
    # The DTO is plain JSON already; answering directly skips FastAPI's re-encoding pass.
    return JSONResponse(request_dto(http, session, principal, request))


@router.get("/request/{ref}/status", **policy.route_action("request.view"))
def get_status_history(
    http: HttpRequest,
    paging: Paging = Depends(paging_params),
    request: Request = Depends(visible_request),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Return the status history, newest (current) first."""
    history = requests_service.status_history(session=session, request=request)
    return paged(http, history, paging, lambda h: status_dto(h.status, h.changed_at))


@router.get("/request/{ref}/transition", **policy.route_action("request.view"))
def list_transitions(
    http: HttpRequest,
    paging: Paging = Depends(paging_params),
    request: Request = Depends(visible_request),
    principal: Principal = Depends(require_caller),
) -> dict[str, Any]:
    """Return the transitions the caller may take now."""
    found = activity.transitions_for(actor=principal, request=request)
    return paged(http, found, paging, lambda t: {"id": t.id, "name": t.name})


@router.post(
    "/request/{ref}/transition", status_code=204, **policy.route_action("request.transition")
)
def perform_transition(
    ref: str,
    body: TransitionIn,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> Response:
    """Take a transition, optionally with a comment."""
    request = requests_service.load_request(
        session=session, actor=principal, ref=ref, action="request.transition"
    )
    comment = body.additionalComment.body if body.additionalComment else None
    activity.perform_transition(
        session=session,
        actor=principal,
        request=request,
        transition_id=str(body.id),
        comment=comment,
    )
    session.commit()
    return Response(status_code=204)
