"""Staff password sign-in, customer magic links, sessions and token revocation, over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from sitrep.desk.models.audit import AuditEntry, AuditPrivate
from sitrep.desk.models.jobs import OutboundMail

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.usefixtures("quick_argon2")


def audit_rows(desk_app, action: str) -> list[AuditEntry]:
    with desk_app.state.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_staff_password_sign_in_sets_a_session_cookie_that_works(live_desk, desk_app, staff):
    staff("root@vendor.example", "admin", password=PASSWORD)
    with httpx.Client(base_url=live_desk.url) as browser:
        response = browser.post(
            "/api/v1/signin/password", json={"email": "Root@Vendor.Example", "password": PASSWORD}
        )
        assert response.status_code == 200 and response.json()["role"] == "admin"
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
        assert browser.get("/api/v1/signin/me").json()["email"] == "root@vendor.example"
    [login] = audit_rows(desk_app, "auth.login")
    assert login.actor == login.target == "staff:1"


def test_wrong_passwords_and_unknown_emails_fail_alike_and_are_audited(live_desk, desk_app, staff):
    staff("root@vendor.example", "admin", password=PASSWORD)
    for email, password in [
        ("root@vendor.example", "wrong password!"),
        ("nobody@vendor.example", PASSWORD),
    ]:
        response = httpx.post(
            f"{live_desk.url}/api/v1/signin/password", json={"email": email, "password": password}
        )
        assert response.status_code == 401
        assert response.json()["errorMessage"] == "Wrong email or password."
        assert "set-cookie" not in response.headers
    failed = audit_rows(desk_app, "auth.login.failed")
    assert [(f.target, f.outcome) for f in failed] == [
        ("staff:1", "deny"),
        ("staff:unknown", "deny"),
    ]
    assert all("@" not in f"{f.actor}{f.target}" for f in failed)


@pytest.mark.slow
def test_an_account_is_locked_after_ten_failures(live_desk, staff):
    staff("root@vendor.example", "admin", password=PASSWORD)
    url = f"{live_desk.url}/api/v1/signin/password"
    codes = [
        httpx.post(url, json={"email": "root@vendor.example", "password": "guess"}).status_code
        for _ in range(10)
    ]
    assert codes == [401] * 10
    locked = httpx.post(url, json={"email": "root@vendor.example", "password": PASSWORD})
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.json()["errorMessage"]


def test_signing_out_revokes_the_session_on_the_server(live_desk, staff):
    staff("root@vendor.example", "admin", password=PASSWORD)
    with httpx.Client(base_url=live_desk.url) as browser:
        browser.post(
            "/api/v1/signin/password", json={"email": "root@vendor.example", "password": PASSWORD}
        )
        stolen = browser.cookies["sitrep_session"]
        assert browser.post("/api/v1/signout").status_code == 204
    replay = httpx.get(f"{live_desk.url}/api/v1/signin/me", cookies={"sitrep_session": stolen})
    assert replay.status_code == 401


def test_a_cross_site_post_with_the_cookie_is_refused(live_desk, staff):
    staff("root@vendor.example", "admin", password=PASSWORD)
    with httpx.Client(base_url=live_desk.url) as browser:
        browser.post(
            "/api/v1/signin/password", json={"email": "root@vendor.example", "password": PASSWORD}
        )
        response = browser.post("/api/v1/signout", headers={"Origin": "https://evil.example"})
        assert response.status_code == 403
        assert browser.get("/api/v1/signin/me").status_code == 200


def test_a_revoked_api_token_stops_working_on_its_next_request(live_desk, desk_app, staff):
    root = staff("root@vendor.example", "admin")
    sam = staff("sam@vendor.example", "support")
    me = httpx.get(f"{live_desk.url}/api/v1/signin/me", headers={"Authorization": f"Bearer {sam}"})
    assert me.status_code == 200
    forbidden = httpx.post(
        f"{live_desk.url}/api/v1/tokens/1/revoke", headers={"Authorization": f"Bearer {sam}"}
    )
    assert forbidden.status_code == 403
    revoked = httpx.post(
        f"{live_desk.url}/api/v1/tokens/2/revoke", headers={"Authorization": f"Bearer {root}"}
    )
    assert revoked.status_code == 204
    for headers in (
        {"Authorization": f"Bearer {sam}"},
        {
            "Authorization": "Basic "
            + __import__("base64").b64encode(f"sam@vendor.example:{sam}".encode()).decode()
        },
    ):
        assert httpx.get(f"{live_desk.url}/api/v1/signin/me", headers=headers).status_code == 401
    assert [e.target for e in audit_rows(desk_app, "token.revoke")] == ["token:2"]


def _customer(desk_app, email: str) -> None:
    from sitrep.desk.services.identity import get_or_create_customer

    with desk_app.state.sessions.begin() as session:
        get_or_create_customer(session=session, email=email)


def _mailed_link(desk_app) -> str:
    with desk_app.state.sessions() as session:
        body = session.scalar(select(OutboundMail.body).order_by(OutboundMail.id.desc()))
    return next(word for word in body.split() if "/api/v1/signin/magic?token=" in word)


def test_a_magic_link_signs_a_customer_in_once(live_desk, desk_app):
    _customer(desk_app, "alice@acme.example")
    sent = httpx.post(
        f"{live_desk.url}/api/v1/signin/magic-link", json={"email": "alice@acme.example"}
    )
    assert sent.status_code == 202
    link = _mailed_link(desk_app)
    token = link.split("token=")[1]
    page = httpx.get(link.replace("http://127.0.0.1", live_desk.url))
    assert page.status_code == 200 and 'name="token"' in page.text  # a GET does not use it up
    used = httpx.post(f"{live_desk.url}/api/v1/signin/magic", data={"token": token})
    assert used.status_code == 303 and used.headers["location"] == "/portal"
    me = httpx.get(
        f"{live_desk.url}/api/v1/signin/me",
        cookies={"sitrep_session": used.cookies["sitrep_session"]},
    )
    assert me.json() == {
        "kind": "customer",
        "id": 1,
        "role": "customer",
        "email": "alice@acme.example",
        "firm": None,
    }
    again = httpx.post(f"{live_desk.url}/api/v1/signin/magic", data={"token": token})
    assert again.status_code == 401 and "already used" in again.json()["errorMessage"]
    assert [e.outcome for e in audit_rows(desk_app, "auth.login.failed")] == ["deny"]


def test_unknown_addresses_get_the_same_answer_and_no_mail(live_desk, desk_app):
    _customer(desk_app, "alice@acme.example")
    known = httpx.post(
        f"{live_desk.url}/api/v1/signin/magic-link", json={"email": "alice@acme.example"}
    )
    unknown = httpx.post(
        f"{live_desk.url}/api/v1/signin/magic-link", json={"email": "mallory@evil.example"}
    )
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    with desk_app.state.sessions() as session:
        assert session.scalars(select(OutboundMail.to_addr)).all() == ["alice@acme.example"]
    bad = httpx.post(f"{live_desk.url}/api/v1/signin/magic-link", json={"email": "not an address"})
    assert bad.status_code == 400


def test_an_expired_magic_link_is_refused(sessions, database_url):
    from sitrep.desk.services.identity import get_or_create_customer
    from sitrep.desk.services.signin import redeem_magic_link, request_magic_link
    from sitrep.errors import Unauthorized

    issued = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    with sessions.begin() as session:
        get_or_create_customer(session=session, email="alice@acme.example")
        link = request_magic_link(
            session=session,
            email="alice@acme.example",
            public_url="https://desk.example",
            now=issued,
        )
    token = link.split("token=")[1]
    with sessions() as session, pytest.raises(Unauthorized, match="expired"):
        redeem_magic_link(session=session, token=token, now=issued + timedelta(minutes=15))
    with sessions() as session:
        principal, _ = redeem_magic_link(
            session=session, token=token, now=issued + timedelta(minutes=14, seconds=59)
        )
        assert principal.kind == "customer"


def test_passwords_and_tokens_never_reach_the_audit_log(live_desk, desk_app, staff):
    staff("root@vendor.example", "admin", password=PASSWORD)
    httpx.post(
        f"{live_desk.url}/api/v1/signin/password",
        json={"email": "root@vendor.example", "password": PASSWORD},
    )
    httpx.post(
        f"{live_desk.url}/api/v1/signin/password",
        json={"email": "root@vendor.example", "password": "Hunter2-guess!"},
    )
    with desk_app.state.sessions() as session:
        stored = " ".join(session.scalars(select(AuditPrivate.payload)))
    assert (
        PASSWORD not in stored
        and "Hunter2" not in stored
        and "sws_" not in stored
        and "sst_" not in stored
    )
