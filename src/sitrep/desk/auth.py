"""Who is calling: the Principal, and FastAPI dependencies that resolve it from a request.

Credentials accepted: ``Authorization: Bearer TOKEN`` (staff or installation token),
JSM-style ``Authorization: Basic base64(email:TOKEN)`` for staff, and the web-session cookie
set by password sign-in (staff) or a magic link (customers). What a principal may
do is decided in one place, ``sitrep.desk.policy``; this module only says who it is.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from sitrep.desk.deps import get_session
from sitrep.errors import Forbidden, Unauthorized


@dataclass(frozen=True)
class Principal:
    """The caller of a request: staff, customer, installation or anonymous."""

    kind: str  # "staff" | "customer" | "installation" | "anonymous" | "operator"
    id: int | None = None
    role: str = "anonymous"  # staff role, "customer", "installation" or "anonymous"
    email: str | None = None
    org_id: int | None = None
    firm: str | None = None
    token_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"


ANONYMOUS = Principal(kind="anonymous")
#: Name of the web-session cookie (its value is a random token stored only hashed).
SESSION_COOKIE = "sitrep_session"
#: The operator running a server-side CLI command (``sitrep desk ...``) on the desk's host.
OPERATOR = Principal(kind="operator", role="operator")


def _credentials(request: Request) -> tuple[str, str | None] | None:
    """Return (token, email or None) from the Authorization header, or None."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return value, None
    if scheme.lower() == "basic" and value:
        try:
            email, sep, token = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized(
                "The Basic credentials are not valid base64 of email:token."
            ) from None
        if sep and token:
            return token, email
    if header:
        raise Unauthorized(
            "Unsupported Authorization header; use Bearer TOKEN or Basic email:token."
        )
    return None


def current_principal(
    request: Request, session: Session = Depends(get_session, scope="function")
) -> Principal:
    """Resolve the caller; anonymous without credentials, 401 when they are wrong.

    An Authorization header wins; otherwise the web-session cookie is used. Cookie-borne
    requests that change state must come from the desk's own origin (the cookie is also
    SameSite=Lax), which stops cross-site request forgery.
    """
    from sitrep.desk.services.identity import resolve_token

    creds = _credentials(request)
    if creds is not None:
        principal = resolve_token(session=session, token=creds[0], email=creds[1])
        if principal is None:
            raise Unauthorized("The token is not valid, or has been revoked.")
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return ANONYMOUS
    return _session_principal(request, session, cookie)


def _session_principal(request: Request, session: Session, cookie: str) -> Principal:
    from sitrep.desk.services.signin import resolve_session

    if request.method not in ("GET", "HEAD", "OPTIONS"):
        origin = request.headers.get("origin")
        if origin and urlsplit(origin).netloc != request.headers.get("host"):
            raise Forbidden("Cross-site request refused; use the desk's own pages.")
    principal = resolve_session(session=session, token=cookie)
    if principal is None:
        raise Unauthorized("Your session has expired or was signed out; sign in again.")
    return principal


def require_staff(principal: Principal = Depends(current_principal)) -> Principal:
    """Dependency: a signed-in staff member."""
    if principal.kind == "anonymous":
        raise Unauthorized("Sign in with a staff API token.")
    if not principal.is_staff:
        raise Forbidden("This needs a staff account.")
    return principal


def require_caller(principal: Principal = Depends(current_principal)) -> Principal:
    """Dependency: anyone with valid credentials."""
    if principal.kind == "anonymous":
        raise Unauthorized("This needs credentials: a staff, customer or installation token.")
    return principal
