"""The whole file's SHA-256 on the PATCH that completes a tus upload (Sitrep-Upload-Sha256):
stored bytes that hash otherwise are refused and become nothing; a bundle's members are
hashed while it arrives. Raw httpx against a live desk, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile

import httpx
import pytest
import transport_zips as z
import tus_requests

from sitrep.desk.models.uploads import TemporaryFile, Upload
from sitrep.desk.services import uploads as service

TUS = {"Tus-Resumable": "1.0.0"}
TEMP = "sitrep-temporary-attachment-id"


_create = tus_requests.create


def _patch(url, auth, offset: int, body: bytes, sha256: str | None = None):
    return tus_requests.patch(url, auth, offset, body, sha256=sha256)


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
