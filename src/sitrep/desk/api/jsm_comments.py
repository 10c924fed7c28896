"""JSM: request comments (public or internal) and participants."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi import Request as HttpRequest
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from sitrep.desk import policy
from sitrep.desk.api.jsm_common import (
    BASE,
    MAX_LIMIT,
    Paging,
    comment_dto,
    customer_dto,
    paged,
    paging_params,
    visible_request,
)
from sitrep.desk.auth import Principal, require_caller
from sitrep.desk.deps import get_session
from sitrep.desk.models.requests import Request
from sitrep.desk.services import activity
from sitrep.desk.services import requests as requests_service

router = APIRouter(prefix=BASE, tags=["jsm"])


class CommentIn(BaseModel):
    """JSM's comment body; ``public`` defaults to true as in JSM."""

    model_config = ConfigDict(extra="ignore")
    body: str
    public: bool = True


class ParticipantsIn(BaseModel):
    """Users by username (or email) and by accountId."""

    model_config = ConfigDict(extra="ignore")
    usernames: list[str] = Field(default_factory=list)
    accountIds: list[str] = Field(default_factory=list)


@router.post(
    "/request/{ref}/comment", status_code=201, **policy.route_action("request.comment.public")
)
def create_comment(
    body: CommentIn,
    http: HttpRequest,
    request: Request = Depends(visible_request),
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> Any:
    """Add a comment; only staff may make it internal (``public: false``)."""
    comment = activity.add_comment(
        session=session, actor=principal, request=request, body=body.body, public=body.public
    )
    session.commit()
    return JSONResponse(comment_dto(http, session, principal, request, comment), status_code=201)


@router.get("/request/{ref}/comment", **policy.route_action("request.view"))
def list_comments(
    http: HttpRequest,
    public: bool = Query(True),
    internal: bool = Query(True),
    paging: Paging = Depends(paging_params),
    request: Request = Depends(visible_request),
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """List comments, oldest first; customers never see internal ones."""
    rows = activity.list_comments(
        session=session, actor=principal, request=request, public=public, internal=internal
    )
    return paged(http, rows, paging, lambda c: comment_dto(http, session, principal, request, c))


@router.get("/request/{ref}/comment/{comment_id}", **policy.route_action("request.view"))
def get_comment(
    comment_id: str,
    http: HttpRequest,
    request: Request = Depends(visible_request),
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Return one comment."""
    comment = activity.get_comment(
        session=session, actor=principal, request=request, comment_id=comment_id
    )
    return comment_dto(http, session, principal, request, comment)


def _participants_page(
    http: HttpRequest,
    session: Session,
    principal: Principal,
    request,
    paging: Paging = Paging(start=0, limit=MAX_LIMIT),
) -> dict[str, Any]:
    show = policy.decide(principal, "request.contact.view", session=session).allowed
    people = activity.list_participants(session=session, request=request)
    return paged(http, people, paging, lambda c: customer_dto(http, c, show_contact=show))


@router.get("/request/{ref}/participant", **policy.route_action("request.view"))
def list_participants(
    http: HttpRequest,
    paging: Paging = Depends(paging_params),
    request: Request = Depends(visible_request),
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """List the participants of a request."""
    return _participants_page(http, session, principal, request, paging)


def _change(
    ref: str,
    body: ParticipantsIn,
    http: HttpRequest,
    principal: Principal,
    session: Session,
    add: bool,
) -> dict[str, Any]:
    request = requests_service.load_request(
        session=session, actor=principal, ref=ref, action="request.view"
    )
    activity.change_participants(
        session=session,
        actor=principal,
        request=request,
        refs=[*body.usernames, *body.accountIds],
        add=add,
    )
    session.commit()
    return _participants_page(http, session, principal, request)


@router.post("/request/{ref}/participant", **policy.route_action("request.participants.manage"))
def add_participants(
    ref: str,
    body: ParticipantsIn,
    http: HttpRequest,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Add existing customers as participants; return the new list."""
    return _change(ref, body, http, principal, session, add=True)


@router.delete("/request/{ref}/participant", **policy.route_action("request.participants.manage"))
def remove_participants(
    ref: str,
    body: ParticipantsIn,
    http: HttpRequest,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Remove participants (JSM sends the body with DELETE); return the new list."""
    return _change(ref, body, http, principal, session, add=False)
