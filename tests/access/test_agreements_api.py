"""The agreements API: admins add and revoke, support reads, others are refused; all audited."""

from __future__ import annotations

import httpx


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


BODY = {"firm": "Partner Ltd", "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2099-01-01"}


def test_admins_add_and_revoke_and_support_can_read(live_desk, staff):
    root, sam = staff("root@vendor.example", "admin"), staff("sam@vendor.example", "support")
    created = httpx.post(f"{live_desk.url}/api/v1/agreements", json=BODY, headers=bearer(root))
    assert created.status_code == 201, created.text
    agreement = created.json()
    assert agreement["valid_until"] == "2099-01-01T00:00:00+00:00" and agreement["signed_at"]
    listed = httpx.get(f"{live_desk.url}/api/v1/agreements", headers=bearer(sam)).json()
    assert [a["firm"] for a in listed["values"]] == ["Partner Ltd"]
    revoked = httpx.post(
        f"{live_desk.url}/api/v1/agreements/{agreement['id']}/revoke", headers=bearer(root)
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    log = httpx.get(f"{live_desk.url}/api/v1/audit/entries", headers=bearer(root)).json()["values"]
    assert [e["action"] for e in log if e["action"].startswith("agreement")] == [
        "agreement.add",
        "agreement.revoke",
    ]


def test_non_admins_and_bad_bodies_are_refused_without_storing_anything(live_desk, staff):
    root, sam = staff("root@vendor.example", "admin"), staff("sam@vendor.example", "support")
    assert (
        httpx.post(f"{live_desk.url}/api/v1/agreements", json=BODY, headers=bearer(sam)).status_code
        == 403
    )
    assert httpx.post(f"{live_desk.url}/api/v1/agreements", json=BODY).status_code == 401
    backwards = {**BODY, "valid_until": "2025-01-01"}
    response = httpx.post(
        f"{live_desk.url}/api/v1/agreements", json=backwards, headers=bearer(root)
    )
    assert (
        response.status_code == 400
        and "valid_until must be after valid_from" in response.json()["errorMessage"]
    )
    garbage = httpx.post(
        f"{live_desk.url}/api/v1/agreements", json={"firm": ""}, headers=bearer(root)
    )
    assert garbage.status_code == 400
    missing = httpx.post(f"{live_desk.url}/api/v1/agreements/999/revoke", headers=bearer(root))
    assert missing.status_code == 404
    assert (
        httpx.get(f"{live_desk.url}/api/v1/agreements", headers=bearer(root)).json()["values"] == []
    )
