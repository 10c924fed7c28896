"""sitrep.client end to end against a live desk: raise a ticket with a bundle, then fetch it.

There is no real Jira Service Management here, so the JSM connector is tested against the
desk's JSM-compatible endpoints, which follow JSM's REST API.
"""

from __future__ import annotations

import hashlib

import httpx
import pytest
import transport_zips as z
from atlassian import ServiceDesk

from sitrep.client.fetch import fetch_ticket
from sitrep.client.report import Report, report_to_desk, report_to_jsm
from sitrep.desk.models.uploads import TemporaryFile
from sitrep.desk.storage import blobstore_from_settings
from sitrep.errors import NotFound, RemoteError, Unauthorized, ValidationError

STAFF_EMAIL = "sam@vendor.example"


def _report(bundle, **more) -> Report:
    return Report(
        email="alice@example.com",
        summary="Export crashes",
        description="Since 2.3",
        bundle=bundle,
        **more,
    )


def _staff_attachments(live_desk, staff_token, key) -> list[dict]:
    response = httpx.get(
        f"{live_desk.url}/api/v1/requests/{key}/attachments",
        headers={"Authorization": f"Bearer {staff_token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()["values"]


def test_a_report_raises_a_ticket_for_the_email_with_the_bundle_attached(
    live_desk, installation_token, staff_token, tmp_path
):
    bundle = z.write_bundle(tmp_path / "support.zip", z.sample_files())
    digest = hashlib.sha256(bundle.read_bytes()).hexdigest()
    result = report_to_desk(_report(bundle), desk_url=live_desk.url, token=installation_token)
    assert result.key.startswith("SUP-") and result.attached == ["support.zip"]
    assert result.bundle_deleted and not bundle.exists()
    assert not (tmp_path / ".support.zip.upload").exists()
    [native] = _staff_attachments(live_desk, staff_token, result.key)
    assert (native["filename"], native["sha256"], native["is_bundle"]) == (
        "support.zip",
        digest,
        True,
    )
    sam = ServiceDesk(url=live_desk.url, username=STAFF_EMAIL, password=staff_token)
    ticket = sam.get_customer_request(result.key)
    assert ticket["reporter"]["emailAddress"] == "alice@example.com"
    jsm_files = sam.get(f"rest/servicedeskapi/request/{result.key}/attachment")["values"]
    assert [f["filename"] for f in jsm_files] == ["support.zip"]


def test_keep_leaves_the_local_bundle_in_place(live_desk, installation_token, tmp_path):
    bundle = z.write_bundle(tmp_path / "support.zip", z.sample_files())
    result = report_to_desk(
        _report(bundle, keep=True), desk_url=live_desk.url, token=installation_token
    )
    assert not result.bundle_deleted and bundle.exists()


def test_a_report_without_a_bundle_raises_just_the_ticket(live_desk, installation_token):
    result = report_to_desk(_report(None), desk_url=live_desk.url, token=installation_token)
    assert result.key.startswith("SUP-") and result.attached == []


def test_a_hostile_bundle_is_refused_locally_before_anything_is_sent(
    live_desk, desk_app, installation_token, staff_token, tmp_path
):
    bundle = z.tampered_bundle(tmp_path / "support.zip")
    with pytest.raises(ValidationError, match="does not match the size and SHA-256"):
        report_to_desk(_report(bundle), desk_url=live_desk.url, token=installation_token)
    assert bundle.exists()
    queue = httpx.get(
        f"{live_desk.url}/rest/servicedeskapi/request",
        headers={"Authorization": f"Bearer {staff_token}"},
    ).json()
    assert queue["values"] == []
    with desk_app.state.sessions() as session:
        assert session.query(TemporaryFile).count() == 0


def test_a_wrong_token_is_a_clear_error(live_desk, tmp_path):
    bundle = z.write_bundle(tmp_path / "support.zip", z.sample_files())
    with pytest.raises(Unauthorized, match="refused the credentials"):
        report_to_desk(_report(bundle), desk_url=live_desk.url, token="sit_wrong")
    assert bundle.exists()


def test_the_jsm_connector_raises_and_attaches_with_basic_api_token_auth(
    live_desk, staff_token, tmp_path
):
    bundle = z.write_bundle(tmp_path / "support.zip", z.sample_files())
    result = report_to_jsm(
        _report(bundle), jsm_url=live_desk.url, email=STAFF_EMAIL, api_token=staff_token
    )
    assert result.system == "jsm" and result.attached == ["support.zip"]
    assert result.bundle_deleted
    [native] = _staff_attachments(live_desk, staff_token, result.key)
    assert native["is_bundle"] is True


def test_fetch_downloads_verifies_and_extracts_the_bundle(
    live_desk, installation_token, staff_token, tmp_path
):
    files = z.sample_files()
    bundle = z.write_bundle(tmp_path / "support.zip", files)
    key = report_to_desk(_report(bundle), desk_url=live_desk.url, token=installation_token).key
    out = tmp_path / "cases"
    [fetched] = fetch_ticket(
        desk_url=live_desk.url,
        token=staff_token,
        key=key,
        out=out,
        justification=f"{key}: customer asked us to look at the crash",
    )
    assert fetched.path == out / key / "support.zip" and fetched.members == 3
    for name, data in files.items():
        assert (out / key / "support" / name).read_bytes() == data


def _stored_key(settings, attachment_id: str) -> str:
    """Return the blob key of an attachment (its ciphertext's hash: it is sealed at rest)."""
    from sitrep.desk.db import make_engine, make_sessionmaker
    from sitrep.desk.models.requests import Attachment

    engine = make_engine(settings.effective_database_url)
    try:
        with make_sessionmaker(engine)() as session:
            return session.get_one(Attachment, int(attachment_id)).blob_key
    finally:
        engine.dispose()


def test_fetch_keeps_nothing_when_the_stored_bytes_were_changed(
    live_desk, desk_settings, installation_token, staff_token, tmp_path
):
    bundle = z.write_bundle(tmp_path / "support.zip", z.sample_files())
    key = report_to_desk(_report(bundle), desk_url=live_desk.url, token=installation_token).key
    [listed] = _staff_attachments(live_desk, staff_token, key)
    blob = blobstore_from_settings(desk_settings)._path(_stored_key(desk_settings, listed["id"]))
    blob.write_bytes(blob.read_bytes()[:-1] + b"!")  # bit rot, or tampering at rest
    out = tmp_path / "cases"
    # Sealed at rest: the desk's AES-GCM check refuses the changed object before a byte
    # leaves (the client's SHA-256 check is the second line of defence).
    with pytest.raises(RemoteError, match="failed authentication"):
        fetch_ticket(
            desk_url=live_desk.url,
            token=staff_token,
            key=key,
            out=out,
            justification="checking the crash report",
        )
    assert list((out / key).iterdir()) == []


def test_fetch_needs_a_real_justification_and_a_ticket_with_files(
    live_desk, installation_token, staff_token, tmp_path
):
    with pytest.raises(ValidationError, match="at least 10 characters"):
        fetch_ticket(
            desk_url=live_desk.url,
            token=staff_token,
            key="SUP-1",
            out=tmp_path,
            justification="because",
        )
    key = report_to_desk(_report(None), desk_url=live_desk.url, token=installation_token).key
    with pytest.raises(NotFound, match="has no attachments"):
        fetch_ticket(
            desk_url=live_desk.url,
            token=staff_token,
            key=key,
            out=tmp_path,
            justification="checking the crash report",
        )


def test_only_a_sitrep_bundle_is_sent_and_nothing_else_is_deleted(
    live_desk, installation_token, tmp_path
):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a bundle")
    with pytest.raises(ValidationError, match="notes.txt is not a Sitrep bundle"):
        report_to_desk(_report(notes), desk_url=live_desk.url, token=installation_token)
    plain = z.named(tmp_path / "plain.zip", ["a.txt"])
    with pytest.raises(ValidationError, match="not a Sitrep bundle"):
        report_to_desk(_report(plain), desk_url=live_desk.url, token=installation_token)
    assert notes.exists() and plain.exists()


def test_an_age_encrypted_bundle_is_sent_as_an_opaque_file(
    live_desk, installation_token, staff_token, tmp_path
):
    sealed = tmp_path / "support.zip.age"
    sealed.write_bytes(b"age-encryption.org/v1\n-> X25519 stand-in\n---\n" + bytes(range(256)))
    result = report_to_desk(_report(sealed), desk_url=live_desk.url, token=installation_token)
    assert result.bundle_deleted and not sealed.exists()
    [native] = _staff_attachments(live_desk, staff_token, result.key)
    assert native["filename"] == "support.zip.age" and native["is_bundle"] is False
