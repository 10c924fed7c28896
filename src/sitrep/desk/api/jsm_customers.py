"""JSM: ``POST /customer`` (create a customer by email)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi import Request as HttpRequest
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitrep.desk import policy
from sitrep.desk.api.jsm_common import BASE, customer_dto
from sitrep.desk.auth import Principal, require_caller
from sitrep.desk.deps import get_session
from sitrep.desk.models.identity import Customer
from sitrep.desk.services.identity import get_or_create_customer, normalise_email
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
    session: Session = Depends(get_session),
) -> Any:
    """Create a customer; a duplicate email is 400 (409 with ``strictConflictStatusCode``)."""
    policy.check(principal, "customer.create")
    email = normalise_email(body.email)
    if session.scalar(select(Customer).where(Customer.email == email)) is not None:
        error = Conflict if strictConflictStatusCode else ValidationError
        raise error(f"A customer with the email {email} already exists.")
    name = (body.displayName or body.fullName or "").strip()
    customer = get_or_create_customer(session=session, email=email, display_name=name)
    return JSONResponse(customer_dto(http, customer), status_code=201)
