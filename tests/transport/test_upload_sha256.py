"""What the client computed of the whole file, on the PATCH that completes a tus upload
(the file's SHA-256 in Sitrep-Upload-Sha256, a bundle's digest in Sitrep-Bundle-Sha256):
stored bytes that give another digest are refused and become nothing; a bundle's members
are hashed while it arrives. Raw httpx against a live desk, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile

import httpx
import pytest
import transport_zips as z
import tus_requests

from sitrep.bundle.validate import bundle_sha256
from sitrep.desk.models.uploads import TemporaryFile, Upload
from sitrep.desk.services import uploads as service

TUS = {"Tus-Resumable": "1.0.0"}
TEMP = "sitrep-temporary-attachment-id"


_create = tus_requests.create


def _patch(url, auth, offset: int, body: bytes, sha256: str | None = None, **headers: str):
    return tus_requests.patch(url, auth, offset, body, sha256=sha256, headers=headers)


def _bundle_claim(value: str) -> dict[str, str]:
    return {"Sitrep-Bundle-Sha256": value}


def _bundle(tmp_path) -> bytes:
    files = {"logs/a.bin": os.urandom(400_000), "logs/b.log": b"line\n" * 30_000}
    path = z.write_bundle(tmp_path / "b.zip", files, compression=zipfile.ZIP_STORED)
    return path.read_bytes()


@pytest.mark.parametrize("replica", ["same", "other"])
def test_a_file_whose_stored_bytes_hash_otherwise_is_refused_and_becomes_nothing(
    live_desk, desk_app, desk_settings, auth, tmp_path, replica
):
    data = _bundle(tmp_path)
    url = _create(live_desk, auth, len(data), "support.zip")
    assert _patch(url, auth, 0, data[:300_000]).status_code == 204
    if replica == "other":  # a process that missed the first PATCH hashes the file at the end
        service.FILE_HASHES.entries.clear()
    claimed = hashlib.sha256(data[:-1] + b"?").hexdigest()  # what a client read, say
    response = _patch(url, auth, 300_000, data[300_000:], sha256=claimed)
    assert response.status_code == 422
    message = response.json()["errorMessage"]
    assert message.startswith("support.zip: the desk stored bytes whose SHA-256 is ")
    assert f"but the client sent {claimed}" in message
    assert httpx.get(url, headers=auth).json()["status"] == "refused"
    with desk_app.state.sessions() as session:
        assert session.query(TemporaryFile).count() == 0
    assert list((desk_settings.data_dir / "uploads").glob("*.part")) == []


def test_a_matching_hash_is_accepted_and_the_members_were_hashed_as_they_arrived(
    live_desk, desk_app, auth, tmp_path
):
    data = _bundle(tmp_path)
    url = _create(live_desk, auth, len(data), "support.zip")
    upload_id = url.rsplit("/", 1)[1]
    assert _patch(url, auth, 0, data[:500_000]).status_code == 204
    running = service.FILE_HASHES.entries[upload_id][1]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        starts = sorted(info.header_offset for info in zf.infolist())
    arrived = {start for start, end in zip(starts, starts[1:], strict=False) if end <= 500_000}
    assert len(arrived) == 2 and running.members.digests.keys() == arrived
    done = _patch(url, auth, 500_000, data[500_000:], sha256=hashlib.sha256(data).hexdigest())
    assert done.status_code == 204
    with desk_app.state.sessions() as session:
        temp = session.get_one(TemporaryFile, done.headers[TEMP])
        assert temp.sha256 == hashlib.sha256(data).hexdigest() and temp.manifest is not None


def test_a_malformed_hash_is_a_clear_error_and_keeps_the_upload_open(live_desk, desk_app, auth):
    url = _create(live_desk, auth, 5, "notes.txt")
    response = _patch(url, auth, 0, b"hello", sha256="not-a-hash")
    assert response.status_code == 400
    assert response.json()["errorMessage"] == (
        "Sitrep-Upload-Sha256 must be 64 hexadecimal digits."
    )
    with desk_app.state.sessions() as session:
        assert session.query(Upload).one().status == "open"


def test_a_repeated_final_patch_is_checked_against_the_stored_file(live_desk, auth):
    url = _create(live_desk, auth, 5, "notes.txt")
    digest = hashlib.sha256(b"hello").hexdigest()
    first = _patch(url, auth, 0, b"hello", sha256=digest.upper())  # hex in either case
    assert first.status_code == 204
    assert _patch(url, auth, 5, b"", sha256=digest).headers[TEMP] == first.headers[TEMP]
    other = _patch(url, auth, 5, b"", sha256=hashlib.sha256(b"world").hexdigest())
    assert other.status_code == 422
    assert httpx.get(url, headers=auth).json()["status"] == "done"  # the file stays


@pytest.mark.parametrize("replica", ["same", "other"])
def test_a_bundle_whose_digest_matches_is_accepted_and_keeps_it(
    live_desk, desk_app, auth, tmp_path, replica
):
    path = tmp_path / "b.zip"
    path.write_bytes(_bundle(tmp_path))
    data, digest = path.read_bytes(), bundle_sha256(path)
    assert digest is not None and digest != hashlib.sha256(data).hexdigest()
    url = _create(live_desk, auth, len(data), "support.zip")
    assert _patch(url, auth, 0, data[:300_000]).status_code == 204
    if replica == "other":
        service.FILE_HASHES.entries.clear()
    done = _patch(url, auth, 300_000, data[300_000:], **_bundle_claim(digest.upper()))
    assert done.status_code == 204, done.text
    with desk_app.state.sessions() as session:
        temp = session.get_one(TemporaryFile, done.headers[TEMP])
        assert temp.bundle_sha256 == digest and temp.sha256 == hashlib.sha256(data).hexdigest()
    # A repeated completing PATCH (its answer was lost) is checked against the stored digest.
    again = _patch(url, auth, len(data), b"", **_bundle_claim(digest))
    assert again.headers[TEMP] == done.headers[TEMP]
    other = _patch(url, auth, len(data), b"", **_bundle_claim(hashlib.sha256(b"x").hexdigest()))
    assert other.status_code == 422


def test_a_bundle_whose_bytes_around_the_members_changed_is_refused(
    live_desk, desk_app, desk_settings, auth, tmp_path
):
    # The client's bundle and the one stored differ only in a local header's time stamp:
    # every member still matches the manifest, only the bundle digest tells them apart.
    path = tmp_path / "b.zip"
    path.write_bytes(_bundle(tmp_path))
    claimed = bundle_sha256(path)
    data = bytearray(path.read_bytes())
    data[10] ^= 0x01  # the first local header's modification time
    url = _create(live_desk, auth, len(data), "support.zip")
    response = _patch(url, auth, 0, bytes(data), **_bundle_claim(claimed))
    assert response.status_code == 422
    message = response.json()["errorMessage"]
    assert message.startswith("support.zip: the desk stored bytes whose bundle digest is ")
    assert f"but the client sent {claimed}" in message
    with desk_app.state.sessions() as session:
        assert session.query(TemporaryFile).count() == 0
    assert list((desk_settings.data_dir / "uploads").glob("*.part")) == []


def test_a_bundle_digest_for_a_file_that_is_not_a_bundle_is_refused(live_desk, auth):
    url = _create(live_desk, auth, 5, "notes.txt")
    response = _patch(url, auth, 0, b"hello", **_bundle_claim(hashlib.sha256(b"hello").hexdigest()))
    assert response.status_code == 422
    assert "the file is not a Sitrep bundle" in response.json()["errorMessage"]


def test_a_malformed_bundle_digest_is_a_clear_error(live_desk, auth):
    url = _create(live_desk, auth, 5, "notes.txt")
    response = _patch(url, auth, 0, b"hello", **_bundle_claim("zz" * 32))
    assert response.status_code == 400
    assert response.json()["errorMessage"] == (
        "Sitrep-Bundle-Sha256 must be 64 hexadecimal digits."
    )
