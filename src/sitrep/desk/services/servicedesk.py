"""Service desks and request types: lookups by id or key, and the default desk."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sitrep.desk.models.servicedesk import RequestType, RequestTypeField, ServiceDesk
from sitrep.errors import NotFound

#: The desk a fresh database has, so the system works before anyone configures it.
DEFAULT_DESK = ("SUP", "Support")

#: (name, description, fields); a field is (field_id, name, required, description).
DEFAULT_REQUEST_TYPES: list[tuple[str, str, list[tuple[str, str, bool, str]]]] = [
    (
        "Report a problem",
        "Something in the app does not work as expected. Attach a support bundle.",
        [
            ("summary", "Summary", True, "What went wrong, in one line"),
            ("description", "Description", False, "What you did, what you expected, what happened"),
            ("app", "App", False, "The app that has the problem"),
            ("appVersion", "App version", False, "Version of the app"),
            ("hostProduct", "Host product", False, "The product the app runs in (e.g. Jira)"),
            ("hostVersion", "Host version", False, "Version of the host product"),
        ],
    ),
    (
        "Question",
        "Ask how something works.",
        [
            ("summary", "Summary", True, "Your question, in one line"),
            ("description", "Description", False, "Details"),
        ],
    ),
]


def find_desk(*, session: Session, ref: str | int) -> ServiceDesk:
    """Return the desk with this id or project key, or raise NotFound."""
    ref = str(ref).strip()
    desk = None
    if ref.isdigit():
        desk = session.get(ServiceDesk, int(ref))
    if desk is None:
        desk = session.scalar(select(ServiceDesk).where(ServiceDesk.key == ref.upper()))
    if desk is None:
        raise NotFound(f"Service desk '{ref}' does not exist.")
    return desk


def list_desks(*, session: Session) -> list[ServiceDesk]:
    """Return every desk, oldest first."""
    return list(session.scalars(select(ServiceDesk).order_by(ServiceDesk.id)))


def find_request_type(*, session: Session, desk: ServiceDesk, ref: str | int) -> RequestType:
    """Return the request type with this id on ``desk``, or raise NotFound."""
    ref = str(ref).strip()
    rtype = session.get(RequestType, int(ref)) if ref.isdigit() else None
    if rtype is None or rtype.desk_id != desk.id:
        raise NotFound(f"Request type '{ref}' does not exist on service desk {desk.key}.")
    return rtype


def list_request_types(*, session: Session, desk: ServiceDesk) -> list[RequestType]:
    """Return the request types of ``desk`` in creation order."""
    query = select(RequestType).where(RequestType.desk_id == desk.id).order_by(RequestType.id)
    return list(session.scalars(query))


def ensure_desk(*, session: Session, key: str, name: str) -> tuple[ServiceDesk, bool]:
    """Return the desk with ``key``, creating it if missing; the bool says it was created."""
    desk = session.scalar(select(ServiceDesk).where(ServiceDesk.key == key))
    if desk is not None:
        return desk, False
    desk = ServiceDesk(key=key, name=name, last_number=0)
    session.add(desk)
    session.flush()
    return desk, True


def ensure_request_type(
    *, session: Session, desk: ServiceDesk, name: str, description: str, fields: list
) -> RequestType:
    """Return the request type ``name`` of ``desk``, creating it with ``fields`` if missing."""
    query = select(RequestType).where(RequestType.desk_id == desk.id, RequestType.name == name)
    rtype = session.scalar(query)
    if rtype is not None:
        return rtype
    rtype = RequestType(desk_id=desk.id, name=name, description=description, help_text="")
    session.add(rtype)
    session.flush()
    for position, (field_id, label, required, help_text) in enumerate(fields):
        session.add(
            RequestTypeField(
                request_type_id=rtype.id,
                field_id=field_id,
                name=label,
                description=help_text,
                required=required,
                position=position,
            )
        )
    session.flush()
    session.refresh(rtype)
    return rtype


def ensure_default_desk(*, session: Session) -> ServiceDesk:
    """Create the default desk ``SUP`` and its request types where they are missing."""
    desk, _ = ensure_desk(session=session, key=DEFAULT_DESK[0], name=DEFAULT_DESK[1])
    for name, description, fields in DEFAULT_REQUEST_TYPES:
        ensure_request_type(
            session=session, desk=desk, name=name, description=description, fields=fields
        )
    return desk
