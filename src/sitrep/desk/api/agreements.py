"""Native API for subcontractor agreements: list (admin, support), add and revoke (admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from sitrep.desk.api.audit import authorize, declare
from sitrep.desk.auth import Principal, require_staff
from sitrep.desk.deps import get_session
from sitrep.desk.services import agreements

router = APIRouter(prefix="/api/v1/agreements", tags=["agreements"])


class AgreementBody(BaseModel):
    """A new agreement; times without an offset are UTC."""

    firm: str = Field(min_length=1, max_length=200)
    valid_from: datetime
    valid_until: datetime
    signed_at: datetime | None = None
    scope: str = Field(default="support", min_length=1, max_length=200)


@router.get("", **declare("agreement.view"))
def list_agreements(
    firm: str | None = None,
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Return agreements, newest first."""
    authorize(principal, "agreement.view")
    values = [
        agreements.agreement_dict(r) for r in agreements.list_agreements(session=session, firm=firm)
    ]
    return {"values": values, "size": len(values), "isLastPage": True}


@router.post("", status_code=201, **declare("agreement.manage"))
def add_agreement(
    body: AgreementBody,
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Record a signed agreement for a firm."""
    authorize(principal, "agreement.manage")
    data = agreements.AgreementIn(**body.model_dump())
    row = agreements.add_agreement(session=session, data=data, actor=principal)
    session.commit()  # in force (and audited) before the answer
    return agreements.agreement_dict(row)


@router.post("/{agreement_id}/revoke", **declare("agreement.manage"))
def revoke_agreement(
    agreement_id: int,
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Revoke an agreement now; its firm's staff lose access on their next request."""
    authorize(principal, "agreement.manage")
    row = agreements.revoke_agreement(session=session, agreement_id=agreement_id, actor=principal)
    session.commit()  # access ends before the answer, not after it
    return agreements.agreement_dict(row)
