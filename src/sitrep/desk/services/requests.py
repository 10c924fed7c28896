"""Raise, find and list requests (tickets).

Keys like ``SUP-12`` come from a per-desk counter that is incremented with
``UPDATE ... RETURNING`` in the transaction that inserts the request: PostgreSQL locks
the desk's row until commit, SQLite allows one writer at a time, so two concurrent
creations (in one process or in two replicas) never get the same number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sitrep.desk import mail, policy
from sitrep.desk.auth import Principal
from sitrep.desk.models.identity import Customer, StaffUser, utcnow
from sitrep.desk.models.requests import (
    IdempotencyKey,
    Label,
    Participant,
    Request,
    StatusChange,
)
from sitrep.desk.models.servicedesk import RequestType, ServiceDesk
from sitrep.desk.services import servicedesk, workflow
from sitrep.desk.services.identity import get_or_create_customer, normalise_email
from sitrep.errors import Conflict, Forbidden, NotFound, ValidationError

#: Request fields stored in their own columns; other declared fields go to ``extra_fields``.
VERSION_FIELDS = {
    "app": "app",
    "appVersion": "app_version",
    "hostProduct": "host_product",
    "hostVersion": "host_version",
}


@dataclass
class RequestIn:
    """What a caller asks for when raising a request (JSM's names mapped to ours)."""

    desk: str
    request_type: str
    fields: Mapping[str, object]
    on_behalf_of: str | None = None
    participants: list[str] = field(default_factory=list)
    channel: str = "api"


def actor_label(principal: Principal) -> str:
    """Return how history records an actor: kind and id, never an email."""
    return f"{principal.kind}:{principal.id}"


def find_customer(*, session: Session, ref: str) -> Customer | None:
    """Return the customer an accountId (``qm:customer:N``), username or email names."""
    ref = ref.strip()
    if ref.startswith("qm:customer:") and ref.rsplit(":", 1)[1].isdigit():
        return session.get(Customer, int(ref.rsplit(":", 1)[1]))
    try:
        email = normalise_email(ref)
    except ValidationError:
        return None
    return session.scalar(select(Customer).where(Customer.email == email))


def _reporter(*, session: Session, actor: Principal, ref: str | None) -> Customer | None:
    """Return the customer a request is raised for, creating them when new."""
    if actor.kind == "customer":
        named = find_customer(session=session, ref=ref) if ref else None
        if ref and (named is None or named.id != actor.id):
            raise Forbidden("Customers may only raise requests for themselves.")
        return session.get(Customer, actor.id)
    if not ref:
        if actor.kind == "installation":
            raise ValidationError(
                "raiseOnBehalfOf: an installation must name the customer's email."
            )
        return None
    customer = find_customer(session=session, ref=ref)
    if customer is None:
        if ref.startswith("qm:"):
            raise ValidationError(f"raiseOnBehalfOf: no customer has the accountId '{ref}'.")
        org_id = actor.org_id if actor.kind == "installation" else None
        customer = get_or_create_customer(session=session, email=ref, org_id=org_id)
    if actor.kind == "installation":
        if customer.org_id is None:
            customer.org_id = actor.org_id
        elif customer.org_id != actor.org_id:
            raise Forbidden("This installation may raise requests only for its own organization.")
    return customer


def _field_values(rtype: RequestType, values: Mapping[str, object]) -> dict[str, str]:
    """Check ``requestFieldValues`` against the request type's fields; return them as text."""
    declared = {f.field_id: f for f in rtype.fields}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise ValidationError(
            f"requestFieldValues: '{unknown[0]}' is not a field of request type '{rtype.name}'.",
            fix=f"Fields are: {', '.join(declared)}.",
        )
    clean: dict[str, str] = {}
    for field_id, value in values.items():
        if value is not None and not isinstance(value, str | int | float):
            raise ValidationError(f"requestFieldValues.{field_id}: must be text.")
        clean[field_id] = "" if value is None else str(value).strip()
    for field_id, spec in declared.items():
        if spec.required and not clean.get(field_id):
            raise ValidationError(f"requestFieldValues.{field_id}: '{spec.name}' is required.")
    if len(clean.get("summary", "")) > 255:
        raise ValidationError("requestFieldValues.summary: at most 255 characters.")
    return clean


def _next_number(session: Session, desk: ServiceDesk) -> int:
    statement = (
        update(ServiceDesk)
        .where(ServiceDesk.id == desk.id)
        .values(last_number=ServiceDesk.last_number + 1)
        .returning(ServiceDesk.last_number)
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(statement).scalar_one())


def _create(*, session: Session, actor: Principal, data: RequestIn) -> Request:
    desk = servicedesk.find_desk(session=session, ref=data.desk)
    rtype = servicedesk.find_request_type(session=session, desk=desk, ref=data.request_type)
    values = _field_values(rtype, data.fields)
    reporter = _reporter(session=session, actor=actor, ref=data.on_behalf_of)
    number = _next_number(session, desk)
    extra = {
        k: v for k, v in values.items() if k not in ("summary", "description", *VERSION_FIELDS)
    }
    request = Request(
        desk_id=desk.id,
        number=number,
        key=f"{desk.key}-{number}",
        request_type_id=rtype.id,
        summary=values.get("summary", ""),
        description=values.get("description", ""),
        extra_fields=extra,
        status=workflow.INITIAL_STATUS,
        priority="Medium",
        reporter_id=reporter.id if reporter else None,
        raised_by_staff_id=actor.id if actor.kind == "staff" else None,
        installation_id=actor.id if actor.kind == "installation" else None,
        org_id=reporter.org_id if reporter else None,
        channel=data.channel,
        **{column: values.get(name) or None for name, column in VERSION_FIELDS.items()},
    )
    session.add(request)
    session.flush()
    _after_create(session, actor, request, reporter, data.participants)
    return request


def _after_create(
    session: Session,
    actor: Principal,
    request: Request,
    reporter: Customer | None,
    participants: list[str],
) -> None:
    """Record the first status, add participants and queue the "request received" mail."""
    session.add(
        StatusChange(
            request_id=request.id,
            status=request.status,
            category=workflow.STATUSES[request.status],
            actor=actor_label(actor),
        )
    )
    for ref in participants:
        add_participant(session=session, request=request, ref=ref)
    if reporter is not None:
        mail.queue_mail(
            session=session,
            to=reporter.email,
            template="received",
            key=request.key,
            summary=request.summary,
        )
    session.flush()


def add_participant(*, session: Session, request: Request, ref: str) -> Customer:
    """Add an existing customer (by accountId, username or email) as a participant."""
    customer = find_customer(session=session, ref=ref)
    if customer is None:
        raise ValidationError(f"No customer '{ref}' exists.", fix="Create the customer first.")
    exists = session.scalar(
        select(Participant).where(
            Participant.request_id == request.id, Participant.customer_id == customer.id
        )
    )
    if exists is None and customer.id != request.reporter_id:
        session.add(Participant(request_id=request.id, customer_id=customer.id))
        session.flush()
    return customer


def _idempotent_hit(session: Session, scope: str, key: str) -> Request | None:
    row = session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
    )
    return session.get(Request, row.request_id) if row and row.request_id else None


def raise_request(
    *, session: Session, actor: Principal, data: RequestIn, idempotency_key: str | None = None
) -> tuple[Request, bool]:
    """Create a request; return it and whether it is new.

    With an ``idempotency_key``, a repeated call by the same caller returns the first
    request instead of creating another, even when both calls race.
    """
    policy.check(actor, "request.create")
    scope = actor_label(actor)
    if idempotency_key:
        if len(idempotency_key) > 200:
            raise ValidationError("Idempotency-Key: at most 200 characters.")
        found = _idempotent_hit(session, scope, idempotency_key)
        if found is not None:
            return found, False
    for _attempt in range(3):
        try:
            request = _create(session=session, actor=actor, data=data)
            if idempotency_key:
                session.add(IdempotencyKey(scope=scope, key=idempotency_key, request_id=request.id))
                session.flush()
            return request, True
        except IntegrityError:
            # A concurrent call committed first: either the same Idempotency-Key (answer
            # with its request) or the same new customer (try again; it exists now).
            session.rollback()
            found = _idempotent_hit(session, scope, idempotency_key) if idempotency_key else None
            if found is not None:
                return found, False
    raise Conflict("The request could not be created because of concurrent changes; try again.")


def find_request(*, session: Session, ref: str) -> Request:
    """Return the request with this key (``SUP-12``) or id, or raise NotFound."""
    ref = str(ref).strip()
    match = Request.id == int(ref) if ref.isdigit() else Request.key == ref.upper()
    request = session.scalar(select(Request).where(match))
    if request is None:
        raise NotFound(f"Request {ref} does not exist or is not visible to you.")
    return request


def participant_ids(*, session: Session, request: Request) -> set[int]:
    """Return the ids of the customers participating in ``request``."""
    query = select(Participant.customer_id).where(Participant.request_id == request.id)
    return set(session.scalars(query))


def load_request(
    *, session: Session, actor: Principal, ref: str, action: str, now: datetime | None = None
) -> Request:
    """Return the request ``ref`` if ``actor`` may take ``action`` on it (404 if invisible)."""
    request = find_request(session=session, ref=ref)
    ids = participant_ids(session=session, request=request) if actor.kind == "customer" else None
    policy.check(actor, action, request, now, participant_ids=ids)
    return request


@dataclass
class QueueFilter:
    """Filters of the staff queue; None means "any"."""

    status: str | None = None
    assignee: str | None = None  # a staff email, "me" or "none"
    org: str | None = None  # organization name
    desk: str | None = None  # desk id or key
    text: str | None = None
    label: str | None = None


def _filter_clauses(session: Session, actor: Principal, qf: QueueFilter) -> list[ColumnElement]:
    from sitrep.desk.models.identity import Organization

    clauses: list[ColumnElement] = []
    if qf.status:
        clauses.append(Request.status == qf.status)
    if qf.assignee == "none":
        clauses.append(Request.assignee_id.is_(None))
    elif qf.assignee == "me":
        clauses.append(Request.assignee_id == actor.id)
    elif qf.assignee:
        staff_id = select(StaffUser.id).where(StaffUser.email == qf.assignee.strip().lower())
        clauses.append(Request.assignee_id.in_(staff_id.scalar_subquery()))
    if qf.org:
        org_id = select(Organization.id).where(Organization.name == qf.org)
        clauses.append(Request.org_id.in_(org_id.scalar_subquery()))
    if qf.desk:
        clauses.append(Request.desk_id == servicedesk.find_desk(session=session, ref=qf.desk).id)
    if qf.label:
        labelled = select(Label.request_id).where(Label.name == qf.label.strip())
        clauses.append(Request.id.in_(labelled.scalar_subquery()))
    if qf.text:
        pattern = f"%{qf.text.lower()}%"
        clauses.append(
            or_(
                func.lower(Request.summary).like(pattern),
                func.lower(Request.description).like(pattern),
            )
        )
    return clauses


def list_requests(
    *,
    session: Session,
    actor: Principal,
    start: int = 0,
    limit: int = 50,
    queue: QueueFilter | None = None,
    now: datetime | None = None,
) -> tuple[list[Request], int]:
    """Return one page of the requests ``actor`` may see (newest first) and the total."""
    policy.check(actor, "request.list", session=session)
    clauses = [policy.visible(actor, now or utcnow())]
    if queue is not None:
        clauses += _filter_clauses(session, actor, queue)
    total = session.scalar(select(func.count(Request.id)).where(*clauses)) or 0
    query = select(Request).where(*clauses).order_by(Request.id.desc()).offset(start).limit(limit)
    return list(session.scalars(query)), int(total)


def status_history(*, session: Session, request: Request) -> list[StatusChange]:
    """Return the status history of ``request``, newest first."""
    query = (
        select(StatusChange)
        .where(StatusChange.request_id == request.id)
        .order_by(StatusChange.id.desc())
    )
    return list(session.scalars(query))
