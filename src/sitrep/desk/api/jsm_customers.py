"""JSM: ``POST /customer`` (create a customer by email) and a desk's customers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi import Request as HttpRequest
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from sitrep.desk import policy
from sitrep.desk.api.jsm_common import BASE, Paging, customer_dto, page, paging_params
from sitrep.desk.auth import Principal, require_caller
from sitrep.desk.deps import get_session
from sitrep.desk.models.identity import Customer
from sitrep.desk.services.identity import get_or_create_customer, normalise_email
from sitrep.desk.services.requests import find_customer
from sitrep.desk.services.servicedesk import find_desk
from sitrep.errors import Conflict, ValidationError

router = APIRouter(prefix=BASE, tags=["jsm"])


class CustomerCreate(BaseModel):
    """JSM's customer body: Cloud sends ``displayName``, Data Center ``fullName``."""

    model_config = ConfigDict(extra="ignore")
    email: str
    displayName: str | None = None
    fullName: str | None = None


@router.post("/customer", status_code=201, **policy.route_action("customer.create"))
def create_customer(
    body: CustomerCreate,
    http: HttpRequest,
    strictConflictStatusCode: bool = Query(False),
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> Any:
    """Create a customer; a duplicate email is 400 (409 with ``strictConflictStatusCode``)."""
    policy.check(principal, "customer.create")
    email = normalise_email(body.email)
    if session.scalar(select(Customer).where(Customer.email == email)) is not None:
        error = Conflict if strictConflictStatusCode else ValidationError
        raise error(f"A customer with the email {email} already exists.")
    name = (body.displayName or body.fullName or "").strip()
    customer = get_or_create_customer(session=session, email=email, display_name=name)
    session.commit()  # before answering: get_session would commit only after the response
    return JSONResponse(customer_dto(http, customer), status_code=201)


class CustomerRefs(BaseModel):
    """Customers by username (email) and by accountId."""

    model_config = ConfigDict(extra="ignore")
    usernames: list[str] = Field(default_factory=list)
    accountIds: list[str] = Field(default_factory=list)


@router.get("/servicedesk/{desk_ref}/customer", **policy.route_action("customer.view"))
def list_desk_customers(
    desk_ref: str,
    http: HttpRequest,
    query: str | None = Query(None, description="Part of an email or display name"),
    paging: Paging = Depends(paging_params),
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """List customers, optionally filtered by ``query``.

    Desks are open: every customer may use every desk, so the list is the same for each.
    """
    policy.check(principal, "customer.view")
    find_desk(session=session, ref=desk_ref)
    statement = select(Customer).order_by(Customer.id)
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            or_(
                func.lower(Customer.email).like(pattern),
                func.lower(Customer.display_name).like(pattern),
            )
        )
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(statement.offset(paging.start).limit(paging.limit))
    values = [customer_dto(http, c) for c in rows]
    return page(http, values, start=paging.start, limit=paging.limit, total=total)


@router.post(
    "/servicedesk/{desk_ref}/customer", status_code=204, **policy.route_action("customer.create")
)
def add_desk_customers(
    desk_ref: str,
    body: CustomerRefs,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> Response:
    """Accept existing customers for a desk (desks are open, so this only checks they exist)."""
    policy.check(principal, "customer.create")
    find_desk(session=session, ref=desk_ref)
    for ref in [*body.usernames, *body.accountIds]:
        if find_customer(session=session, ref=ref) is None:
            raise ValidationError(f"No customer '{ref}' exists.", fix="Create the customer first.")
    return Response(status_code=204)


@router.delete(
    "/servicedesk/{desk_ref}/customer", status_code=204, **policy.route_action("customer.create")
)
def remove_desk_customers(
    desk_ref: str,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> Response:
    """Refuse, as JSM does for desks with open access: every customer may use every desk."""
    policy.check(principal, "customer.create")
    find_desk(session=session, ref=desk_ref)
    raise ValidationError("This desk has open access; customers cannot be removed from it.")
