"""Who is calling: the Principal, and FastAPI dependencies that resolve it from a request.

Credentials accepted: ``Authorization: Bearer TOKEN`` (staff or installation token) and
JSM-style ``Authorization: Basic base64(email:TOKEN)`` for staff. What a principal may
do is decided in one place, ``sitrep.desk.policy``; this module only says who it is.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from sitrep.desk.deps import get_session
from sitrep.errors import Forbidden, Unauthorized


@dataclass(frozen=True)
class Principal:
    """The caller of a request: staff, customer, installation or anonymous."""

    kind: str  # "staff" | "customer" | "installation" | "anonymous"
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
            raise Unauthorized("The Basic credentials are not valid base64 of email:token.") from None
        if sep and token:
            return token, email
    if header:
        raise Unauthorized("Unsupported Authorization header; use Bearer TOKEN or Basic email:token.")
    return None


def current_principal(request: Request, session: Session = Depends(get_session)) -> Principal:
    """Resolve the caller; anonymous when no credentials were sent, 401 when they are wrong."""
    from sitrep.desk.services.identity import resolve_token

    creds = _credentials(request)
    if creds is None:
        return ANONYMOUS
    principal = resolve_token(session=session, token=creds[0], email=creds[1])
    if principal is None:
        raise Unauthorized("The token is not valid, or has been revoked.")
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
