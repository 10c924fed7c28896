"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from sitrep import __version__
from sitrep.desk import policy
from sitrep.desk.auth import ANONYMOUS
from sitrep.desk.deps import get_session

router = APIRouter(tags=["health"])


@router.get("/healthz", **policy.route_action("health.view"))
def health(session: Session = Depends(get_session, scope="function")) -> dict[str, str]:
    """Return ok when the database answers (anyone may ask; it reveals no data)."""
    policy.check(ANONYMOUS, "health.view")
    session.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}


@router.get("/", include_in_schema=False, **policy.route_action("health.view"))
def home() -> RedirectResponse:
    """Send a browser that opens the desk's URL to the API documentation."""
    policy.check(ANONYMOUS, "health.view")
    return RedirectResponse("/docs")
