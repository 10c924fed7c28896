"""Telemetry routes: anonymous report ingest, allow-lists, and the staff usage data API.

``POST /api/v1/telemetry/reports`` reads nothing about its caller except, for the rate
limit, an in-memory salted hash of the address; it never appears in the access log (a
filter on ``uvicorn.access`` drops its lines). A replayed report id answers 409 and is
stored once. The usage API (staff only) answers JSON or CSV with small cells suppressed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError as PydanticError
from sqlalchemy.orm import Session

from sitrep.desk import policy
from sitrep.desk.auth import ANONYMOUS, Principal, require_staff
from sitrep.desk.deps import get_session
from sitrep.desk.services import telemetry as svc
from sitrep.errors import NotFound, TooLarge, ValidationError
from sitrep.telemetry.config import Allowlist

router = APIRouter(prefix="/api/v1/telemetry", tags=["telemetry"])

#: Reports are small (50 counters take about 2 KiB); anything larger is refused unread.
MAX_BODY = 64 * 1024
INGEST_PATH = "/api/v1/telemetry/reports"


class _NoIngestAccessLog(logging.Filter):
    """Drop uvicorn access-log lines of the ingest route: they would hold the sender's IP."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not (len(args) >= 3 and str(args[2]).startswith(INGEST_PATH))


def install_access_log_filter() -> None:
    """Install the filter on uvicorn's access logger once (idempotent)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _NoIngestAccessLog) for f in access.filters):
        access.addFilter(_NoIngestAccessLog())


install_access_log_filter()


def _action(name: str) -> dict[str, Any]:
    """Declare the route's policy action (``policy.route_action``)."""
    return policy.route_action(name)


def _authorize(principal: Principal, action: str) -> None:
    """Ask the one policy (telemetry actions are in ``policy.ACTIONS``)."""
    policy.check(principal, action, None, datetime.now(UTC))


def _allowlists(request: Request) -> dict[str, Allowlist]:
    """Return the allow-lists, loaded once per app from SITREP_TELEMETRY_ALLOWLISTS."""
    state = request.app.state
    if getattr(state, "telemetry_allowlists", None) is None:
        state.telemetry_allowlists = svc.load_allowlists(state.settings.telemetry_allowlists)
    allowlists: dict[str, Allowlist] = state.telemetry_allowlists
    return allowlists


def _limit(request: Request) -> None:
    """Apply the ingest rate limit (keyed by a rotating salted hash of the address)."""
    state = request.app.state
    if getattr(state, "telemetry_limiter", None) is None:
        state.telemetry_limiter = svc.IngestLimiter()
    state.telemetry_limiter.check(request.client.host if request.client else None)


async def _capped_body(request: Request) -> bytes:
    """Return the request body, refusing (413) anything over MAX_BODY before parsing it."""
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit():
        raise ValidationError("Content-Length is not a number.")
    if int(declared) > MAX_BODY:
        raise TooLarge(f"A telemetry report may be at most {MAX_BODY} bytes.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise TooLarge(f"A telemetry report may be at most {MAX_BODY} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(body: bytes) -> svc.ReportIn:
    """Parse and validate a report; messages name fields, never quote their values."""
    try:
        doc = json.loads(body, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError) as exc:
        where = f" at position {exc.pos}" if isinstance(exc, json.JSONDecodeError) else ""
        raise ValidationError(f"The report is not valid JSON{where}.") from None
    try:
        return svc.ReportIn.model_validate(doc)
    except PydanticError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "report"
        raise ValidationError(f"Invalid report: {loc}: {first['msg']}.") from None


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


@router.post("/reports", status_code=201, **_action("telemetry.report.create"))
async def post_report(request: Request) -> dict[str, str]:
    """Receive one weekly report (anonymous). 409 when its report id was already received."""
    # The body is read in here, not by a dependency: FastAPI's dependency machinery cost
    # more per report than reading it. An oversized body is refused before anything else.
    body = await _capped_body(request)
    # Credentials are never read here: a report must not be linkable to any token.
    _authorize(ANONYMOUS, "telemetry.report.create")
    _limit(request)
    report = _parse(body)
    allowlist = svc.allowlist_for(_allowlists(request), report.app)
    svc.check_report(report, allowlist, datetime.now(UTC))
    # The writer thread stores reports in batches; answer only once ours is committed.
    await asyncio.wrap_future(_writer(request).submit(report))
    return {"status": "stored", "week": report.week}


def _writer(request: Request) -> svc.IngestWriter:
    """Return this process's ingest writer (one per app, created on first use)."""
    state = request.app.state
    if getattr(state, "telemetry_writer", None) is None:
        state.telemetry_writer = svc.IngestWriter(state.engine)
    writer: svc.IngestWriter = state.telemetry_writer
    return writer


@router.get("/allowlists/{app}", **_action("telemetry.allowlist.view"))
def get_allowlist(app: str, request: Request) -> dict[str, Any]:
    """Return the allow-list of ``app`` (public: clients fetch it before sending)."""
    _authorize(ANONYMOUS, "telemetry.allowlist.view")
    found = _allowlists(request).get(app)
    if found is None:
        raise NotFound(f"No allow-list for app {app!r} on this desk.")
    return found.to_dict()


def _publication(request: Request) -> svc.Publication:
    settings = request.app.state.settings
    key = settings.secret_key.encode() if settings.secret_key else _process_key(request)
    return svc.Publication(settings.telemetry_min_cell, settings.telemetry_epsilon, key)


def _process_key(request: Request) -> bytes:
    """Return a random noise key for this process when no SITREP_SECRET_KEY is set."""
    state = request.app.state
    if getattr(state, "telemetry_noise_key", None) is None:
        state.telemetry_noise_key = secrets.token_bytes(32)
    key: bytes = state.telemetry_noise_key
    return key


def _respond(document: dict[str, Any], fmt: str, per_counter: bool) -> Any:
    if fmt == "csv":
        return Response(svc.to_csv(document, per_counter=per_counter), media_type="text/csv")
    if fmt != "json":
        raise ValidationError("format must be json or csv.")
    return document


@router.get("/usage", **_action("telemetry.usage.view"))
def get_usage(
    request: Request,
    app: str,
    first: str | None = Query(None, alias="from", description="First ISO week, e.g. 2026-W01"),
    last: str | None = Query(None, alias="to", description="Last ISO week (default: this week)"),
    by: list[str] = Query([], description="Breakdowns: app_version, host_product, host_version"),
    counter: str | None = Query(None, description="Only counters starting with this prefix"),
    format: str = Query("json", description="json or csv"),
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> Any:
    """Return counter totals per week (and breakdown); cells under k reports are hidden."""
    _authorize(principal, "telemetry.usage.view")
    document = svc.usage(
        session=session,
        app=app,
        publication=_publication(request),
        first=first,
        last=last,
        by=by,
        prefix=counter,
    )
    return _respond(document, format, per_counter=True)


@router.get("/weeks", **_action("telemetry.usage.view"))
def get_weeks(
    request: Request,
    app: str,
    first: str | None = Query(None, alias="from"),
    last: str | None = Query(None, alias="to"),
    by: list[str] = Query([]),
    format: str = Query("json"),
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> Any:
    """Return how many reports arrived per week (and breakdown); small cells are hidden."""
    _authorize(principal, "telemetry.usage.view")
    document = svc.weekly_reports(
        session=session, app=app, publication=_publication(request), first=first, last=last, by=by
    )
    return _respond(document, format, per_counter=False)
