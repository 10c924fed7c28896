"""JSM: ``info``, ``servicedesk`` and ``requesttype`` (with fields)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi import Request as HttpRequest
from sqlalchemy.orm import Session

from sitrep import __version__
from sitrep.desk import policy
from sitrep.desk.api.jsm_common import BASE, Paging, paged, paging_params
from sitrep.desk.auth import Principal, current_principal, require_caller
from sitrep.desk.deps import get_session
from sitrep.desk.models.servicedesk import RequestType, ServiceDesk
from sitrep.desk.services import servicedesk

router = APIRouter(prefix=BASE, tags=["jsm"])


def desk_dto(http: HttpRequest, desk: ServiceDesk) -> dict[str, Any]:
    """Return JSM's ServiceDeskDTO."""
    return {
        "id": str(desk.id),
        "projectId": str(desk.id),
        "projectName": desk.name,
        "projectKey": desk.key,
        "_links": {"self": f"{str(http.base_url).rstrip('/')}{BASE}/servicedesk/{desk.id}"},
    }


def request_type_dto(http: HttpRequest, rtype: RequestType) -> dict[str, Any]:
    """Return JSM's RequestTypeDTO."""
    base = str(http.base_url).rstrip("/")
    return {
        "id": str(rtype.id),
        "name": rtype.name,
        "description": rtype.description,
        "helpText": rtype.help_text,
        "issueTypeId": str(rtype.id),
        "serviceDeskId": str(rtype.desk_id),
        "portalId": str(rtype.desk_id),
        "groupIds": [],
        "_links": {"self": f"{base}{BASE}/servicedesk/{rtype.desk_id}/requesttype/{rtype.id}"},
    }


@router.get("/info", **policy.route_action("desk.info"))
def info(http: HttpRequest, principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    """Return the desk's version, in JSM's SoftwareInfoDTO shape."""
    policy.check(principal, "desk.info")
    return {
        "version": __version__,
        "platformVersion": __version__,
        "isLicensedForUse": True,
        "buildDate": None,
        "buildChangeSet": "",
        "_links": {"self": str(http.url)},
    }


@router.get("/servicedesk", **policy.route_action("desk.view"))
def list_service_desks(
    http: HttpRequest,
    paging: Paging = Depends(paging_params),
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """List the service desks, paged."""
    policy.check(principal, "desk.view")
    desks = servicedesk.list_desks(session=session)
    return paged(http, desks, paging, lambda d: desk_dto(http, d))


@router.get("/servicedesk/{desk_ref}", **policy.route_action("desk.view"))
def get_service_desk(
    desk_ref: str,
    http: HttpRequest,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Return one service desk by id or project key."""
    policy.check(principal, "desk.view")
    return desk_dto(http, servicedesk.find_desk(session=session, ref=desk_ref))


@router.get("/servicedesk/{desk_ref}/requesttype", **policy.route_action("desk.view"))
def list_request_types(
    desk_ref: str,
    http: HttpRequest,
    paging: Paging = Depends(paging_params),
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """List the request types of a desk, paged."""
    policy.check(principal, "desk.view")
    desk = servicedesk.find_desk(session=session, ref=desk_ref)
    types = servicedesk.list_request_types(session=session, desk=desk)
    return paged(http, types, paging, lambda t: request_type_dto(http, t))


@router.get("/servicedesk/{desk_ref}/requesttype/{type_ref}", **policy.route_action("desk.view"))
def get_request_type(
    desk_ref: str,
    type_ref: str,
    http: HttpRequest,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Return one request type."""
    policy.check(principal, "desk.view")
    desk = servicedesk.find_desk(session=session, ref=desk_ref)
    return request_type_dto(
        http, servicedesk.find_request_type(session=session, desk=desk, ref=type_ref)
    )


@router.get(
    "/servicedesk/{desk_ref}/requesttype/{type_ref}/field", **policy.route_action("desk.view")
)
def get_request_type_fields(
    desk_ref: str,
    type_ref: str,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Return the fields a customer fills in for a request type."""
    policy.check(principal, "desk.view")
    desk = servicedesk.find_desk(session=session, ref=desk_ref)
    rtype = servicedesk.find_request_type(session=session, desk=desk, ref=type_ref)
    fields = [
        {
            "fieldId": f.field_id,
            "name": f.name,
            "description": f.description,
            "required": f.required,
            "validValues": [],
            "visible": True,
            "jiraSchema": {"type": "string", "system": f.field_id},
        }
        for f in rtype.fields
    ]
    staff = principal.kind == "staff" or principal.kind == "installation"
    return {
        "requestTypeFields": fields,
        "canRaiseOnBehalfOf": staff,
        "canAddRequestParticipants": staff or principal.kind == "customer",
    }
