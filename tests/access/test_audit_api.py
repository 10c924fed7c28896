"""The audit API over real HTTP: admin listing and verification, public checkpoints, and the
customer's access log of their own requests."""

from __future__ import annotations

import base64

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sitrep.desk.audit import Checkpoint, record
from sitrep.desk.auth import Principal


@pytest.fixture
def desk_settings(database_url, tmp_path, signing_key_b64):
    """The shared desk settings plus an audit signing key."""
    from sitrep.config import load_settings

    return load_settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        demo=True,
        secret_key="test-secret-key",
        smtp_url="console://",
        public_url="http://127.0.0.1",
        audit_signing_key=signing_key_b64,
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_only_admins_list_and_verify_the_log(live_desk, staff):
    root, sam = staff("root@vendor.example", "admin"), staff("sam@vendor.example", "support")
    entries = httpx.get(f"{live_desk.url}/api/v1/audit/entries", headers=bearer(root)).json()
    assert [e["action"] for e in entries["values"]][:2] == ["staff.create", "token.issue"]
    assert entries["values"][0]["private"]["details"] == {"role": "admin", "firm": None}
    verified = httpx.get(f"{live_desk.url}/api/v1/audit/verify", headers=bearer(root)).json()
    assert verified["ok"] and verified["entries"] == 4
    assert httpx.get(f"{live_desk.url}/api/v1/audit/verify", headers=bearer(sam)).status_code == 403
    assert httpx.get(f"{live_desk.url}/api/v1/audit/entries").status_code == 401


def test_anyone_can_fetch_and_check_the_newest_signed_checkpoint(live_desk, staff):
    root = staff("root@vendor.example", "admin")
    created = httpx.post(f"{live_desk.url}/api/v1/audit/checkpoints", headers=bearer(root))
    assert created.status_code == 201
    public = httpx.get(f"{live_desk.url}/api/v1/audit/checkpoint").json()  # no credentials
    checkpoint = Checkpoint.from_dict(public["checkpoint"])
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public["public_key"]))
    assert checkpoint.seq == 2 and checkpoint.valid_under(key)


def test_without_a_signing_key_a_checkpoint_is_503_with_the_fix(live_desk, desk_app, staff):
    root = staff("root@vendor.example", "admin")
    settings = desk_app.state.settings
    desk_app.state.settings = settings.model_copy(update={"audit_signing_key": None})
    try:
        refused = httpx.post(f"{live_desk.url}/api/v1/audit/checkpoints", headers=bearer(root))
        public = httpx.get(f"{live_desk.url}/api/v1/audit/checkpoint")
    finally:
        desk_app.state.settings = settings
    assert refused.status_code == 503
    assert refused.json()["errorMessage"] == (
        "SITREP_AUDIT_SIGNING_KEY is not set. "
        "Set SITREP_AUDIT_SIGNING_KEY, or SITREP_AUDIT_SIGNING_KEY_FILE to a file with it."
    )
    assert public.status_code == 200 and public.json() == {"checkpoint": None, "public_key": None}


def test_a_customer_sees_who_opened_their_request_and_why(
    live_desk, desk_app, staff, raise_request
):
    staff("sam@vendor.example", "support")
    mine = raise_request("Acme Corp", "alice@acme.example")
    theirs = raise_request("Globex", "carol@globex.example")
    sam = Principal(kind="staff", id=1, role="support", email="sam@vendor.example")
    with desk_app.state.sessions.begin() as session:
        record(
            session=session,
            actor=sam,
            action="attachment.download",
            target="attachment:1",
            ticket=mine,
            justification=f"{mine}: reading the error log the customer sent",
        )
        record(
            session=session,
            actor=sam,
            action="attachment.download",
            target="attachment:2",
            ticket=theirs,
            justification=f"{theirs}: checking the heap size",
        )
    alice = _portal_session(live_desk, desk_app, "alice@acme.example")
    log = httpx.get(f"{live_desk.url}/api/v1/requests/{mine}/access-log", cookies=alice)
    assert log.status_code == 200
    [entry] = log.json()["values"]
    assert (entry["actor"], entry["role"], entry["action"]) == (
        "staff:1",
        "support",
        "attachment.download",
    )
    assert entry["justification"] == f"{mine}: reading the error log the customer sent"
    assert "sam@vendor.example" not in log.text
    other = httpx.get(f"{live_desk.url}/api/v1/requests/{theirs}/access-log", cookies=alice)
    assert other.status_code == 404 and "checking the heap size" not in other.text


def _portal_session(live_desk, desk_app, email: str) -> dict[str, str]:
    """Sign a customer in through the real magic-link flow and return the session cookie."""
    from sqlalchemy import select

    from sitrep.desk.models.jobs import OutboundMail

    httpx.post(f"{live_desk.url}/api/v1/signin/magic-link", json={"email": email})
    with desk_app.state.sessions() as session:
        body = session.scalar(select(OutboundMail.body).where(OutboundMail.template == "signin"))
    token = body.split("token=")[1].split()[0]
    used = httpx.post(f"{live_desk.url}/api/v1/signin/magic", data={"token": token})
    return {"sitrep_session": used.cookies["sitrep_session"]}
