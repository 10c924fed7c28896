"""Native staff API for requests: the queue with filters, details, assign, transition and
comments. Every route needs a staff token; the policy decides the rest."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitrep.desk import policy
from sitrep.desk.auth import Principal, require_staff
from sitrep.desk.deps import get_session
from sitrep.desk.models.identity import Organization, StaffUser
from sitrep.desk.models.requests import Label, Request
from sitrep.desk.services import activity
from sitrep.desk.services import requests as requests_service
from sitrep.desk.services.requests import QueueFilter

router = APIRouter(prefix="/api/v1", tags=["staff"])


class RequestSummary(BaseModel):
    """One row of the staff queue."""

    id: str
    key: str
    summary: str
    status: str
    priority: str
    assignee: str | None = Field(description="Email of the assigned staff member")
    organization: str | None
    reporter: str | None = Field(description="Customer email; withheld from development")
    escalated: bool
    created: datetime
    updated: datetime


class RequestDetail(RequestSummary):
    """A request with everything staff may see."""

    description: str
    labels: list[str]
    channel: str
    app: str | None
    app_version: str | None
    host_product: str | None
    host_version: str | None
    transitions: list[dict[str, str]]


class QueuePage(BaseModel):
    """A page of the queue."""

    start: int
    limit: int
    total: int
    values: list[RequestSummary]


class AssignIn(BaseModel):
    assignee: str | None = Field(description="Staff email, or null to unassign")


class TransitionIn(BaseModel):
    transition: str = Field(description="Transition id or name")
    comment: str | None = None


class EditIn(BaseModel):
    priority: str | None = Field(None, description="Lowest, Low, Medium, High or Highest")
    labels: list[str] | None = Field(None, description="Replaces the labels")


class CommentIn(BaseModel):
    body: str = Field(min_length=1)
    public: bool = Field(False, description="Internal by default")


class CommentOut(BaseModel):
    id: str
    body: str
    public: bool
    created: datetime


def aware(moment: datetime) -> datetime:
    """Return ``moment`` as aware UTC (SQLite hands back naive datetimes; all are UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _summary(session: Session, actor: Principal, request: Request) -> dict:
    show = policy.decide(actor, "request.contact.view", session=session).allowed
    assignee = session.get(StaffUser, request.assignee_id) if request.assignee_id else None
    org = session.get(Organization, request.org_id) if request.org_id else None
    reporter = request.reporter
    return {
        "id": str(request.id),
        "key": request.key,
        "summary": request.summary,
        "status": request.status,
        "priority": request.priority,
        "assignee": assignee.email if assignee else None,
        "organization": org.name if org else None,
        "reporter": reporter.email if reporter and show else None,
        "escalated": request.escalated,
        "created": aware(request.created_at),
        "updated": aware(request.updated_at),
    }


def _detail(session: Session, actor: Principal, request: Request) -> RequestDetail:
    labels = session.scalars(select(Label.name).where(Label.request_id == request.id))
    moves = activity.transitions_for(actor=actor, request=request)
    return RequestDetail(
        **_summary(session, actor, request),
        description=request.description,
        labels=sorted(labels),
        channel=request.channel,
        app=request.app,
        app_version=request.app_version,
        host_product=request.host_product,
        host_version=request.host_version,
        transitions=[{"id": t.id, "name": t.name} for t in moves],
    )


@router.get("/requests", response_model=QueuePage, **policy.route_action("queue.view"))
def queue(
    status: str | None = None,
    assignee: str | None = Query(None, description="Staff email, 'me' or 'none'"),
    org: str | None = Query(None, description="Organization name"),
    desk: str | None = Query(None, description="Desk id or key"),
    text: str | None = Query(None, description="Words in summary or description"),
    label: str | None = Query(None, description="A label the request carries"),
    start: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=200),
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> QueuePage:
    """Return the requests the caller may see, newest first, filtered."""
    policy.check(principal, "queue.view", session=session)
    filters = QueueFilter(
        status=status, assignee=assignee, org=org, desk=desk, text=text, label=label
    )
    rows, total = requests_service.list_requests(
        session=session, actor=principal, start=start, limit=limit, queue=filters
    )
    values = [RequestSummary(**_summary(session, principal, r)) for r in rows]
    return QueuePage(start=start, limit=limit, total=total, values=values)


@router.get("/requests/{ref}", response_model=RequestDetail, **policy.route_action("request.view"))
def request_detail(
    ref: str,
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> RequestDetail:
    """Return one request with labels, versions and the transitions open to the caller."""
    request = requests_service.load_request(
        session=session, actor=principal, ref=ref, action="request.view"
    )
    return _detail(session, principal, request)


@router.post(
    "/requests/{ref}/assign", response_model=RequestDetail, **policy.route_action("request.assign")
)
def assign(
    ref: str,
    body: AssignIn,
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> RequestDetail:
    """Assign the request to a staff member (or unassign with null)."""
    request = requests_service.load_request(
        session=session, actor=principal, ref=ref, action="request.assign"
    )
    activity.assign(session=session, actor=principal, request=request, email=body.assignee)
    session.commit()
    return _detail(session, principal, request)


@router.post(
    "/requests/{ref}/transition",
    response_model=RequestDetail,
    **policy.route_action("request.transition"),
)
def transition(
    ref: str,
    body: TransitionIn,
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> RequestDetail:
    """Move the request along a transition given by id or name."""
    request = requests_service.load_request(
        session=session, actor=principal, ref=ref, action="request.transition"
    )
    by_name = {
        t.name.lower(): t.id for t in activity.transitions_for(actor=principal, request=request)
    }
    transition_id = by_name.get(body.transition.strip().lower(), body.transition)
    activity.perform_transition(
        session=session,
        actor=principal,
        request=request,
        transition_id=transition_id,
        comment=body.comment,
    )
    session.commit()
    return _detail(session, principal, request)


@router.post(
    "/requests/{ref}/comments",
    response_model=CommentOut,
    status_code=201,
    **policy.route_action("request.comment.internal"),
)
def comment(
    ref: str,
    body: CommentIn,
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> CommentOut:
    """Add a comment, internal unless ``public`` is true."""
    request = requests_service.load_request(
        session=session, actor=principal, ref=ref, action="request.view"
    )
    row = activity.add_comment(
        session=session, actor=principal, request=request, body=body.body, public=body.public
    )
    session.commit()
    return CommentOut(
        id=str(row.id), body=row.body, public=row.public, created=aware(row.created_at)
    )


@router.patch(
    "/requests/{ref}", response_model=RequestDetail, **policy.route_action("request.edit")
)
def edit(
    ref: str,
    body: EditIn,
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> RequestDetail:
    """Change the priority and/or the labels."""
    request = requests_service.load_request(
        session=session, actor=principal, ref=ref, action="request.edit"
    )
    activity.edit(
        session=session,
        actor=principal,
        request=request,
        priority=body.priority,
        labels=body.labels,
    )
    session.commit()
    return _detail(session, principal, request)
