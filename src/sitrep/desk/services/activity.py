"""What happens on a request after it is raised: comments, participants, transitions,
assignment and attachments. Every function takes a request the caller already loaded
through ``requests.load_request``, so visibility has been checked."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sitrep.config import Settings
from sitrep.desk import mail, policy
from sitrep.desk.auth import Principal
from sitrep.desk.models.identity import Customer, StaffUser, utcnow
from sitrep.desk.models.requests import (
    Attachment,
    Comment,
    Label,
    Participant,
    Request,
    StatusChange,
)
from sitrep.desk.services import workflow
from sitrep.desk.services.requests import actor_label, add_participant, find_customer
from sitrep.errors import NotFound, ValidationError


def _notify_customers(session: Session, request: Request, template: str, **context: str) -> None:
    """Queue ``template`` to the reporter and every participant of ``request``."""
    ids = set(
        session.scalars(select(Participant.customer_id).where(Participant.request_id == request.id))
    )
    if request.reporter_id:
        ids.add(request.reporter_id)
    for customer in session.scalars(select(Customer).where(Customer.id.in_(ids))):
        mail.queue_mail(
            session=session, to=customer.email, template=template, key=request.key, **context
        )


def add_comment(
    *, session: Session, actor: Principal, request: Request, body: str, public: bool
) -> Comment:
    """Add a comment; customers' and installations' comments are always public."""
    if not body or not body.strip():
        raise ValidationError("body: a comment needs text.")
    if actor.kind in ("customer", "installation"):
        public = True
    action = "request.comment.public" if public else "request.comment.internal"
    policy.check(actor, action, request)
    comment = Comment(
        request_id=request.id, body=body, public=public, author_kind=actor.kind, author_id=actor.id
    )
    session.add(comment)
    request.updated_at = utcnow()
    session.flush()
    if public and actor.kind == "staff":
        _notify_customers(session, request, "comment", body=body)
    return comment


def list_comments(
    *,
    session: Session,
    actor: Principal,
    request: Request,
    public: bool = True,
    internal: bool = True,
) -> list[Comment]:
    """Return the comments ``actor`` may read, oldest first; customers never see internal ones."""
    if actor.kind != "staff":
        internal = False
    wanted = [flag for flag, on in ((True, public), (False, internal)) if on]
    query = (
        select(Comment)
        .where(Comment.request_id == request.id, Comment.public.in_(wanted))
        .order_by(Comment.id)
    )
    return list(session.scalars(query))


def get_comment(
    *, session: Session, actor: Principal, request: Request, comment_id: str
) -> Comment:
    """Return one comment of ``request`` the actor may read, or raise NotFound."""
    comment = session.get(Comment, int(comment_id)) if comment_id.isdigit() else None
    if (
        comment is None
        or comment.request_id != request.id
        or (not comment.public and actor.kind != "staff")
    ):
        raise NotFound(f"Comment {comment_id} does not exist on {request.key}.")
    return comment


def list_participants(*, session: Session, request: Request) -> list[Customer]:
    """Return the participating customers of ``request``."""
    query = (
        select(Customer)
        .join(Participant, Participant.customer_id == Customer.id)
        .where(Participant.request_id == request.id)
        .order_by(Participant.id)
    )
    return list(session.scalars(query))


def change_participants(
    *, session: Session, actor: Principal, request: Request, refs: list[str], add: bool
) -> list[Customer]:
    """Add or remove participants named by accountId, username or email; return the list."""
    policy.check(actor, "request.participants.manage", request)
    for ref in refs:
        if add:
            add_participant(session=session, request=request, ref=ref)
            continue
        customer = find_customer(session=session, ref=ref)
        if customer is not None:
            session.execute(
                delete(Participant).where(
                    Participant.request_id == request.id, Participant.customer_id == customer.id
                )
            )
    session.flush()
    return list_participants(session=session, request=request)


def who_transitions(actor: Principal) -> str:
    """Return the workflow role of ``actor``: a staff role, or "customer"."""
    return actor.role if actor.kind == "staff" else actor.kind


def transitions_for(*, actor: Principal, request: Request) -> list[workflow.Transition]:
    """Return the transitions ``actor`` may take on ``request`` now."""
    if not policy.decide(actor, "request.transition", request).allowed:
        return []
    return workflow.available(request.status, who_transitions(actor))


def perform_transition(
    *,
    session: Session,
    actor: Principal,
    request: Request,
    transition_id: str,
    comment: str | None = None,
) -> Request:
    """Move ``request`` along a transition; record history and notify the customer."""
    policy.check(actor, "request.transition", request)
    allowed = {t.id: t for t in transitions_for(actor=actor, request=request)}
    transition = allowed.get(str(transition_id))
    if transition is None:
        choices = [f"{t.id} ({t.name})" for t in allowed.values()]
        raise ValidationError(
            f"Transition '{transition_id}' is not available for {request.key} "
            f"in status '{request.status}'.",
            fix=f"Available: {', '.join(choices) or 'none'}.",
        )
    request.status = transition.target
    request.updated_at = request.status_changed_at = utcnow()
    if transition.target == workflow.ESCALATED:
        request.escalated = True
    session.add(
        StatusChange(
            request_id=request.id,
            status=request.status,
            category=workflow.STATUSES[request.status],
            actor=actor_label(actor),
        )
    )
    if comment and comment.strip():
        add_comment(session=session, actor=actor, request=request, body=comment, public=True)
    _notify_customers(session, request, "status", status=request.status)
    session.flush()
    return request


def assign(*, session: Session, actor: Principal, request: Request, email: str | None) -> Request:
    """Assign ``request`` to the active staff member with ``email``, or unassign (None)."""
    policy.check(actor, "request.assign", request)
    if email is None:
        request.assignee_id = None
        return request
    staff = session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if staff is None or not staff.active:
        raise ValidationError(f"No active staff member '{email}'.")
    request.assignee_id = staff.id
    request.updated_at = utcnow()
    session.flush()
    return request


def attach_files(
    *,
    session: Session,
    actor: Principal,
    request: Request,
    temp_ids: list[str],
    public: bool,
    comment: str | None,
    settings: Settings | None = None,
) -> tuple[list[Attachment], Comment | None]:
    """Turn temporary uploads into attachments of ``request``.

    With ``settings`` (every route passes them), each blob is sealed at rest under its own
    data key bound to the tenant, ticket and attachment (``services.sealed``).

    Attachments are internal unless the customer (or their installation) added them.
    """
    from sitrep.desk.services.uploads import claim_temporary_files  # transport helper's module

    policy.check(actor, "attachment.add", request)
    if not temp_ids:
        raise ValidationError("temporaryAttachmentIds: give at least one id.")
    public = True if actor.kind in ("customer", "installation") else bool(public)
    claimed = claim_temporary_files(session=session, principal=actor, temp_ids=temp_ids)
    note = None
    if comment and comment.strip():
        note = add_comment(
            session=session, actor=actor, request=request, body=comment, public=public
        )
    rows = [
        Attachment(
            request_id=request.id,
            filename=f.filename,
            size=f.size,
            sha256=f.sha256,
            blob_key=f.blob_key,
            content_type=f.content_type or "application/octet-stream",
            is_bundle=f.manifest is not None,
            manifest=f.manifest,
            public=public,
            added_by=actor_label(actor),
            comment_id=note.id if note else None,
        )
        for f in claimed
    ]
    session.add_all(rows)
    session.flush()
    if settings is not None:
        from sitrep.desk.services import sealed
        from sitrep.desk.storage import blobstore_from_settings

        store = blobstore_from_settings(settings)
        for row in rows:
            sealed.seal(
                session=session, settings=settings, store=store, request=request, attachment=row
            )
        session.flush()
    return rows, note


def list_attachments(*, session: Session, actor: Principal, request: Request) -> list[Attachment]:
    """Return the attachments of ``request`` (staff)."""
    policy.check(actor, "attachment.list", request)
    query = select(Attachment).where(Attachment.request_id == request.id).order_by(Attachment.id)
    return list(session.scalars(query))


PRIORITIES = ("Lowest", "Low", "Medium", "High", "Highest")


def edit(
    *,
    session: Session,
    actor: Principal,
    request: Request,
    priority: str | None = None,
    labels: list[str] | None = None,
) -> Request:
    """Change the priority and/or replace the labels of ``request``."""
    policy.check(actor, "request.edit", request)
    if priority is not None:
        if priority not in PRIORITIES:
            raise ValidationError(f"priority: '{priority}' is not one of {', '.join(PRIORITIES)}.")
        request.priority = priority
    if labels is not None:
        clean = sorted({label.strip() for label in labels if label.strip()})
        if any(len(label) > 100 or " " in label for label in clean):
            raise ValidationError("labels: one word each, at most 100 characters.")
        session.execute(delete(Label).where(Label.request_id == request.id))
        session.add_all(Label(request_id=request.id, name=label) for label in clean)
    request.updated_at = utcnow()
    session.flush()
    return request
