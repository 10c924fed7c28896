"""Sign-in endpoints: staff password, customer magic link, sign-out, who-am-I, token revocation.

Both sign-ins set the ``sitrep_session`` cookie: HttpOnly, SameSite=Lax, Secure when the
desk is served over HTTPS. Answers never reveal whether an email address is known.
"""

from __future__ import annotations

import html
from typing import Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from sitrep.desk.api.audit import authorize, declare
from sitrep.desk.auth import SESSION_COOKIE, Principal, require_caller, require_staff
from sitrep.desk.deps import get_session, get_settings
from sitrep.desk.services import identity, signin
from sitrep.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["sign-in"])

#: Where a customer lands after following a magic link.
PORTAL_PATH = "/portal"


class PasswordLogin(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class MagicLinkRequest(BaseModel):
    email: str = Field(min_length=3, max_length=320)


def _set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=signin.SESSION_HOURS * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings(request).public_url.startswith("https://"),
    )


def _me(principal: Principal) -> dict[str, Any]:
    return {
        "kind": principal.kind,
        "id": principal.id,
        "role": principal.role,
        "email": principal.email,
        "firm": principal.firm,
    }


@router.post("/signin/password", **declare("auth.signin"))
def password_signin(
    body: PasswordLogin,
    request: Request,
    response: Response,
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, Any]:
    """Sign a staff member in with email and password; sets the session cookie."""
    principal, token = signin.password_login(
        session=session, email=body.email, password=body.password
    )
    # Commit before answering: the dependency's own commit may run after the response is
    # sent, and the browser's next request must already find its session.
    session.commit()
    _set_cookie(request, response, token)
    return _me(principal)


@router.post("/signin/magic-link", status_code=202, **declare("auth.signin"))
def send_magic_link(
    body: MagicLinkRequest,
    request: Request,
    session: Session = Depends(get_session, scope="function"),
) -> dict[str, str]:
    """Mail a one-time sign-in link to a customer; answers the same for unknown addresses."""
    identity.normalise_email(body.email)  # malformed input is a 400; unknown is not revealed
    signin.request_magic_link(
        session=session, email=body.email, public_url=get_settings(request).public_url
    )
    session.commit()
    return {"status": "If this address has requests with us, a sign-in link is on its way."}


@router.get("/signin/magic", response_class=HTMLResponse, **declare("auth.signin"))
def magic_link_page(token: str = "") -> HTMLResponse:
    """Show a one-button page that signs in; a GET never uses the link up (mail scanners)."""
    value = html.escape(token, quote=True)
    return HTMLResponse(
        "<!doctype html><title>Sign in</title>"
        '<form method="post" action="/api/v1/signin/magic">'
        f'<input type="hidden" name="token" value="{value}">'
        "<button type=submit>Sign in to see your requests</button></form>",
        headers={"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"},
    )


@router.post("/signin/magic", **declare("auth.signin"))
def redeem_magic_link(
    request: Request,
    token: str = Form(..., max_length=200),
    session: Session = Depends(get_session, scope="function"),
) -> RedirectResponse:
    """Use a magic link once: set the session cookie and go to the portal."""
    _principal, session_token = signin.redeem_magic_link(session=session, token=token)
    session.commit()
    response = RedirectResponse(PORTAL_PATH, status_code=303)
    _set_cookie(request, response, session_token)
    return response


@router.post("/signout", status_code=204, **declare("auth.signin"))
def sign_out(
    request: Request,
    response: Response,
    principal: Principal = Depends(require_caller),
    session: Session = Depends(get_session, scope="function"),
) -> None:
    """End this browser's session (the cookie's token is revoked, not just forgotten)."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        signin.sign_out(session=session, token=token, actor=principal)
        session.commit()  # revoked before the answer, so a replayed cookie fails at once
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/signin/me", **declare("auth.signin"))
def who_am_i(principal: Principal = Depends(require_caller)) -> dict[str, Any]:
    """Return who the credentials or the session cookie stand for."""
    return _me(principal)


@router.post("/tokens/{token_id}/revoke", status_code=204, **declare("token.revoke"))
def revoke_token(
    token_id: int,
    principal: Principal = Depends(require_staff),
    session: Session = Depends(get_session, scope="function"),
) -> None:
    """Revoke an API token (admins); it stops working on its next request."""
    authorize(principal, "token.revoke")
    if not identity.revoke_token_id(session=session, token_id=token_id, actor=principal):
        raise NotFound(f"No token {token_id}.")
    session.commit()  # revoked before the answer, so the token fails on its very next use
