"""Native API for the audit log: entries, verification, checkpoints, and a request's access log.

Customers read who opened the data of their own requests, and why, at
``GET /api/v1/requests/{ref}/access-log``; anyone may fetch the newest signed checkpoint and
the public key to verify it, so they can hold a copy outside the vendor's database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitrep.desk import audit, policy
from sitrep.desk.auth import Principal, current_principal, require_caller, require_staff
from sitrep.desk.deps import get_session, get_settings
from sitrep.desk.models.audit import AuditEntry, AuditPrivate

router = APIRouter(prefix="/api/v1", tags=["audit"])


def declare(action: str) -> dict[str, Any]:
    """Return route keyword arguments declaring ``action`` (``policy.route_action``)."""
    return policy.route_action(action)


def authorize(principal: Principal, action: str) -> None:
    """Ask the one policy; allow or raise (401 anonymous, 403 otherwise)."""
    policy.check(principal, action, None, datetime.now(UTC))


def _public_key(request: Request) -> Any:
    settings = get_settings(request)
    return audit.load_signing_key(settings).public_key() if settings.audit_signing_key else None


@router.get("/audit/entries", **declare("audit.read"))
def list_entries(
    after: int = Query(0, ge=0, description="Return entries with seq greater than this."),
    limit: int = Query(100, ge=1, le=1000),
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Return audit entries in order, with their private details (admins only)."""
    authorize(principal, "audit.read")
    stmt = (
        select(AuditEntry, AuditPrivate.payload)
        .outerjoin(AuditPrivate, AuditPrivate.seq == AuditEntry.seq)
        .where(AuditEntry.seq > after)
        .order_by(AuditEntry.seq)
        .limit(limit + 1)
    )
    rows = session.execute(stmt).all()
    values = [_entry(entry, payload) for entry, payload in rows[:limit]]
    return {"values": values, "size": len(values), "isLastPage": len(rows) <= limit}


def _entry(entry: AuditEntry, payload: str | None) -> dict[str, Any]:
    import json

    # The hashed columns but the private digest (the private data itself is shown instead).
    data = {c: getattr(entry, c) for c in (*audit.HASHED_COLUMNS[:-1], "hash")}
    data["private"] = json.loads(payload) if payload else None
    return data


@router.get("/audit/verify", **declare("audit.read"))
def verify(
    request: Request,
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Re-hash the whole log and check its signed checkpoints; ``ok`` false names the bad entry."""
    authorize(principal, "audit.read")
    return audit.verify_chain(session=session, public_key=_public_key(request)).to_dict()


@router.get("/audit/checkpoint", **declare("audit.checkpoint.view"))
def latest_checkpoint(
    request: Request,
    principal: Principal = Depends(current_principal),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Return the newest signed checkpoint and the public key that verifies it."""
    authorize(principal, "audit.checkpoint.view")
    checkpoint = audit.latest_checkpoint(session)
    key = _public_key(request)
    return {
        "checkpoint": checkpoint.to_dict() if checkpoint else None,
        "public_key": audit.public_key_b64(key) if key else None,
    }


@router.post("/audit/checkpoints", status_code=201, **declare("audit.checkpoint.create"))
def create_checkpoint(
    request: Request,
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Verify the entries since the last checkpoint and sign a new one (admins)."""
    authorize(principal, "audit.checkpoint.create")
    key = audit.load_signing_key(get_settings(request))
    checkpoint = audit.create_checkpoint(session=session, key=key)
    session.commit()
    return {"checkpoint": checkpoint.to_dict() if checkpoint else None}


@router.get("/requests/{ref}/access-log", **declare("request.view"))
def access_log(
    ref: str,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Return who accessed this request's data, when and why (newest first).

    Anyone who may see the request may read its access log, customers included; others get 404.
    """
    from sitrep.desk.services.requests import load_request

    req = load_request(session=session, actor=principal, ref=ref, action="request.view")
    values = audit.access_log(session=session, tickets=[req.key])
    return {"values": values, "size": len(values), "isLastPage": True}
