"""The one place that maps errors to HTTP responses in JSM's error shape.

Every error body is ``{"errorMessage": str, "i18nErrorMessage": {"i18nKey", "parameters"}}``,
as Jira Service Management answers, so JSM clients understand the desk's errors too.
Unexpected exceptions become a 500 with a generic message: never a traceback to a user.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sitrep.errors import SitrepError

log = logging.getLogger("sitrep.desk")


def error_body(status: int, message: str) -> dict[str, object]:
    """Return a JSM-shaped error body."""
    return {
        "errorMessage": message,
        "i18nErrorMessage": {"i18nKey": f"sitrep.error.{status}", "parameters": []},
    }


class JSMErrorResponse(JSONResponse):
    # JSM answers errors as "application/json;charset=UTF-8", and atlassian-python-api
    # shows the error message (instead of a bare status) only for exactly that type.
    media_type = "application/json;charset=UTF-8"


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """Return a JSM-shaped error response."""
    return JSMErrorResponse(error_body(status, message), status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(
            f"{loc}: {err.get('msg', 'invalid')}" if loc else str(err.get("msg", "invalid"))
        )
    return "Invalid request: " + "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(SitrepError)
    async def _sitrep(_request: Request, exc: SitrepError) -> JSONResponse:
        message = f"{exc.message} {exc.fix}" if exc.fix else exc.message
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return error_response(exc.status_code, message, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(400, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Log the type and route only: the exception text may quote user data.
        log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return error_response(500, "Internal error; the desk's operators have been told.")
