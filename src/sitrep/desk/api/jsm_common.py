"""Shapes of the JSM REST API: dates, pages, users, requests and comments.

JSM's names are used on the wire (``issueKey``, ``requestFieldValues``, ``isLastPage``);
ids are strings. See ``docs/desk.md`` for the compatibility table.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from fastapi import Depends, Query
from fastapi import Request as HttpRequest
from sqlalchemy.orm import Session

from sitrep.desk import policy
from sitrep.desk.auth import Principal, require_caller
from sitrep.desk.deps import get_session
from sitrep.desk.models.identity import Customer, StaffUser
from sitrep.desk.models.requests import Comment, Request
from sitrep.desk.models.servicedesk import RequestType
from sitrep.desk.services import requests as requests_service
from sitrep.desk.services import workflow

BASE = "/rest/servicedeskapi"
MAX_LIMIT = 100

#: Headers every JSM route accepts and ignores (any value), as the anchors advise.
TOLERATED_HEADERS = ("X-ExperimentalApi", "X-Atlassian-Token")


def jsm_date(moment: datetime) -> dict[str, Any]:
    """Return JSM's DateDTO for ``moment`` (naive values from SQLite are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return {
        "iso8601": moment.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "jira": moment.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{moment.microsecond // 1000:03d}"
        + moment.strftime("%z"),
        "friendly": moment.strftime("%d/%b/%y %I:%M %p"),
        "epochMillis": int(moment.timestamp() * 1000),
    }


T = TypeVar("T")


@dataclass(frozen=True)
class Paging:
    """JSM's ``start`` and ``limit`` query parameters, ``limit`` capped at MAX_LIMIT."""

    start: int
    limit: int

    def window(self, rows: Sequence[T]) -> Sequence[T]:
        """Return the rows of this page."""
        return rows[self.start : self.start + self.limit]


def paging_params(start: int = Query(0, ge=0), limit: int = Query(50, ge=1)) -> Paging:
    """Dependency: read JSM paging parameters from the query string."""
    return Paging(start=start, limit=min(limit, MAX_LIMIT))


def paged(
    http: HttpRequest, rows: Sequence[T], paging: Paging, to_dto: Callable[[T], Any]
) -> dict[str, Any]:
    """Return one page of ``rows`` in JSM's envelope, each row turned into its DTO."""
    values = [to_dto(row) for row in paging.window(rows)]
    return page(http, values, start=paging.start, limit=paging.limit, total=len(rows))


def page(
    http: HttpRequest, values: list[Any], *, start: int, limit: int, total: int | None = None
) -> dict[str, Any]:
    """Return JSM's paged envelope; ``total`` is the size of the whole list when known."""
    total = start + len(values) if total is None else total
    last = start + len(values) >= total
    base = str(http.url.remove_query_params(["start", "limit"]))
    links: dict[str, Any] = {
        "base": str(http.base_url).rstrip("/") + BASE,
        "context": "",
        "self": str(http.url),
    }
    if not last:
        links["next"] = f"{base}{'&' if '?' in base else '?'}start={start + limit}&limit={limit}"
    if start > 0:
        links["prev"] = (
            f"{base}{'&' if '?' in base else '?'}start={max(0, start - limit)}&limit={limit}"
        )
    return {
        "_expands": [],
        "size": len(values),
        "start": start,
        "limit": limit,
        "isLastPage": last,
        "_links": links,
        "values": values,
    }


def customer_dto(http: HttpRequest, customer: Customer, *, show_contact: bool = True) -> dict:
    """Return JSM's UserDTO for a customer; without contact details for development staff."""
    dto: dict[str, Any] = {"accountId": customer.account_id, "active": True, "timeZone": "UTC"}
    if show_contact:
        dto.update(
            name=customer.email,
            key=customer.email,
            emailAddress=customer.email,
            displayName=customer.display_name or customer.email,
        )
    else:
        dto["displayName"] = f"Customer {customer.id}"
    dto["_links"] = {"self": str(http.base_url).rstrip("/") + f"{BASE}/customer/{customer.id}"}
    return dto


def staff_dto(staff: StaffUser) -> dict[str, Any]:
    """Return a UserDTO for a staff member."""
    return {
        "accountId": staff.account_id,
        "name": staff.email,
        "key": staff.email,
        "emailAddress": staff.email,
        "displayName": staff.display_name or staff.email,
        "active": staff.active,
        "timeZone": "UTC",
    }


def author_dto(
    http: HttpRequest,
    session: Session,
    kind: str,
    author_id: int | None,
    *,
    show_contact: bool = True,
) -> dict[str, Any]:
    """Return the UserDTO of a comment's author."""
    if kind == "staff" and author_id and (staff := session.get(StaffUser, author_id)):
        return staff_dto(staff)
    if kind == "customer" and author_id and (customer := session.get(Customer, author_id)):
        return customer_dto(http, customer, show_contact=show_contact)
    return {
        "accountId": f"qm:{kind}:{author_id}",
        "displayName": f"{kind.title()} {author_id}",
        "active": True,
        "timeZone": "UTC",
    }


def status_dto(status: str, when: datetime) -> dict[str, Any]:
    """Return JSM's CustomerRequestStatusDTO."""
    return {
        "status": status,
        "statusCategory": workflow.STATUSES.get(status, "UNDEFINED"),
        "statusDate": jsm_date(when),
    }


#: request type id -> (loaded at, [(field_id, label)]); request types change only by
#: migration or seeding, so a minute of staleness is harmless and saves two queries a read.
_FIELD_LABELS: dict[int, tuple[float, list[tuple[str, str]]]] = {}
_FIELD_LABELS_TTL = 60.0


def field_labels(session: Session, request_type_id: int) -> dict[str, str]:
    """Return the field ids and labels of a request type, in form order (cached briefly)."""
    cached = _FIELD_LABELS.get(request_type_id)
    if cached is None or time.monotonic() - cached[0] > _FIELD_LABELS_TTL:
        rtype = session.get(RequestType, request_type_id)
        pairs = [(f.field_id, f.name) for f in rtype.fields] if rtype else []
        cached = (time.monotonic(), pairs)
        _FIELD_LABELS[request_type_id] = cached
    return dict(cached[1])


def _field_values(labels: dict[str, str], request: Request) -> list[dict[str, Any]]:
    values = {
        "summary": request.summary,
        "description": request.description,
        "app": request.app,
        "appVersion": request.app_version,
        "hostProduct": request.host_product,
        "hostVersion": request.host_version,
        **(request.extra_fields or {}),
    }
    order = list(labels) or ["summary", "description"]
    return [
        {"fieldId": fid, "label": labels.get(fid, fid), "value": values.get(fid) or ""}
        for fid in order
        if values.get(fid) is not None or fid in ("summary", "description")
    ]


def request_dto(
    http: HttpRequest,
    session: Session,
    actor: Principal,
    request: Request,
) -> dict[str, Any]:
    """Return JSM's CustomerRequestDTO for ``request`` as ``actor`` may see it."""
    base = str(http.base_url).rstrip("/")
    show_contact = policy.decide(actor, "request.contact.view", session=session).allowed
    reporter = request.reporter
    if reporter is not None:
        reporter_dto = customer_dto(http, reporter, show_contact=show_contact)
    elif request.raised_by_staff_id and (
        staff := session.get(StaffUser, request.raised_by_staff_id)
    ):
        reporter_dto = staff_dto(staff)
    else:
        reporter_dto = {"accountId": "qm:unknown", "displayName": "Unknown"}
    return {
        "_expands": [
            "participant",
            "status",
            "requestType",
            "serviceDesk",
            "attachment",
            "comment",
        ],
        "issueId": str(request.id),
        "issueKey": request.key,
        "requestTypeId": str(request.request_type_id),
        "serviceDeskId": str(request.desk_id),
        "createdDate": jsm_date(request.created_at),
        "reporter": reporter_dto,
        "requestFieldValues": _field_values(
            field_labels(session, request.request_type_id), request
        ),
        "currentStatus": status_dto(
            request.status, request.status_changed_at or request.updated_at
        ),
        "_links": {
            "web": f"{base}/portal/requests/{request.key}",
            "self": f"{base}{BASE}/request/{request.id}",
        },
    }


def comment_dto(
    http: HttpRequest, session: Session, actor: Principal, request: Request, comment: Comment
) -> dict[str, Any]:
    """Return JSM's CommentDTO."""
    show_contact = policy.decide(actor, "request.contact.view", session=session).allowed
    base = str(http.base_url).rstrip("/")
    return {
        "id": str(comment.id),
        "body": comment.body,
        "public": comment.public,
        "author": author_dto(
            http, session, comment.author_kind, comment.author_id, show_contact=show_contact
        ),
        "created": jsm_date(comment.created_at),
        "_links": {"self": f"{base}{BASE}/request/{request.id}/comment/{comment.id}"},
    }


def visible_request(
    ref: str,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> Request:
    """Dependency: the request ``ref`` (key or id) when the caller may view it, else 404."""
    return requests_service.load_request(
        session=session, actor=principal, ref=ref, action="request.view"
    )
