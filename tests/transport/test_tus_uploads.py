"""The tus 1.0 server at /api/v1/uploads, driven by the real tuspy client and raw httpx
against a live uvicorn server, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import transport_zips as z
import tus_requests
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError

from sitrep.desk.models.uploads import TemporaryFile, Upload
from sitrep.desk.services import uploads as service
from sitrep.desk.storage import blobstore_from_settings

TUS = {"Tus-Resumable": "1.0.0"}
TEMP = "sitrep-temporary-attachment-id"


def _tus(live_desk, token: str) -> tus_client.TusClient:
    return tus_client.TusClient(
        f"{live_desk.url}/api/v1/uploads", headers={"Authorization": f"Bearer {token}"}
    )


_create, _patch = tus_requests.create, tus_requests.patch


def _temp_row(desk_app, temp_id: str) -> TemporaryFile:
    with desk_app.state.sessions() as session:
        return session.get_one(TemporaryFile, temp_id)


def test_options_advertises_version_extensions_and_the_size_cap(live_desk):
    response = httpx.options(f"{live_desk.url}/api/v1/uploads")
    assert response.status_code == 204
    assert response.headers["tus-version"] == "1.0.0"
    assert set(response.headers["tus-extension"].split(",")) == {
        "creation",
        "expiration",
        "checksum",
        "termination",
    }
    assert response.headers["tus-checksum-algorithm"] == "sha256,sha1"
    assert int(response.headers["tus-max-size"]) == 4096 * 1024 * 1024


def test_tuspy_uploads_a_bundle_with_checksums_and_gets_a_temporary_id(
    live_desk, desk_app, desk_settings, installation_token, auth, tmp_path
):
    bundle = z.write_bundle(tmp_path / "support.zip", z.sample_files())
    uploader = _tus(live_desk, installation_token).uploader(
        str(bundle), chunk_size=1000, metadata={"filename": "support.zip"}, upload_checksum=True
    )
    uploader.upload()
    head = httpx.head(uploader.url, headers={**auth, **TUS})
    assert head.status_code == 200
    assert head.headers["upload-offset"] == str(bundle.stat().st_size)
    temp = _temp_row(desk_app, head.headers[TEMP])
    digest = hashlib.sha256(bundle.read_bytes()).hexdigest()
    assert (temp.sha256, temp.filename, temp.content_type) == (
        digest,
        "support.zip",
        "application/zip",
    )
    assert temp.manifest["files"][0]["path"] == "logs/app.log"
    with blobstore_from_settings(desk_settings).open(temp.blob_key) as blob:
        assert hashlib.sha256(blob.read()).hexdigest() == digest


def test_tuspy_resumes_an_interrupted_upload_from_the_servers_offset(
    live_desk, desk_app, installation_token, auth, tmp_path
):
    data = bytes(range(256)) * 4000  # 1 MB, not a zip: stored as a plain file
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    first = _tus(live_desk, installation_token).uploader(str(path), chunk_size=64 * 1024)
    first.upload(stop_at=300_000)  # the first client gives up part way
    head = httpx.head(first.url, headers={**auth, **TUS})
    assert int(head.headers["upload-offset"]) == 300_000 and TEMP not in head.headers
    second = _tus(live_desk, installation_token).uploader(
        str(path), url=first.url, chunk_size=256 * 1024, upload_checksum=True
    )
    assert second.offset == 300_000  # it asked the server where to go on
    second.upload()
    head = httpx.head(first.url, headers={**auth, **TUS})
    assert _temp_row(desk_app, head.headers[TEMP]).sha256 == hashlib.sha256(data).hexdigest()


def test_a_hostile_zip_is_refused_with_its_reason_and_becomes_nothing(
    live_desk, desk_app, auth, tmp_path
):
    bomb = z.overlap_bomb(tmp_path / "bomb.zip").read_bytes()
    url = _create(live_desk, auth, len(bomb), "bomb.zip")
    response = _patch(url, auth, 0, bomb)
    assert response.status_code == 422
    message = response.json()["errorMessage"]
    assert message == (
        "bomb.zip: The zip was refused: member 'bomb.txt' overlaps the previous member "
        "(possible zip bomb)."
    )
    assert httpx.head(url, headers={**auth, **TUS}).status_code == 422
    status = httpx.get(url, headers=auth).json()
    assert status["status"] == "refused" and "overlaps" in status["reason"]
    with desk_app.state.sessions() as session:
        assert session.query(TemporaryFile).count() == 0


def test_an_upload_over_the_cap_is_refused_when_it_is_created(live_desk, auth):
    response = httpx.post(
        f"{live_desk.url}/api/v1/uploads",
        headers={**auth, **TUS, "Upload-Length": str(4097 * 1024 * 1024)},
    )
    assert response.status_code == 413
    assert "at most 4294967296 bytes" in response.json()["errorMessage"]


def test_a_body_that_does_not_match_its_checksum_is_discarded(live_desk, auth):
    url = _create(live_desk, auth, 10, "notes.txt")
    response = _patch(url, auth, 0, b"0123456789", checksum=hashlib.sha256(b"other").digest())
    assert response.status_code == 460
    assert httpx.head(url, headers={**auth, **TUS}).headers["upload-offset"] == "0"
    good = _patch(url, auth, 0, b"0123456789", checksum=hashlib.sha256(b"0123456789").digest())
    assert good.status_code == 204 and good.headers["upload-offset"] == "10"
    assert TEMP in good.headers


def _upload_in_parts(url, auth, parts, offset=0, before_last=lambda: None) -> httpx.Response:
    for number, part in enumerate(parts):
        if number == len(parts) - 1:
            before_last()
        response = _patch(url, auth, offset, part, checksum=hashlib.sha256(part).digest())
        assert response.status_code == 204
        offset += len(part)
    return response


def _assert_stored_under_its_hash(desk_app, desk_settings, response, data: bytes) -> None:
    digest = hashlib.sha256(data).hexdigest()
    temp = _temp_row(desk_app, response.headers[TEMP])
    assert temp.sha256 == temp.blob_key == digest
    with blobstore_from_settings(desk_settings).open(digest) as blob:
        assert hashlib.sha256(blob.read()).hexdigest() == digest


def test_the_file_hash_carried_between_patches_survives_a_refused_chunk(
    live_desk, desk_app, desk_settings, auth
):
    parts = [os.urandom(300_000), os.urandom(200_000), os.urandom(100_000)]
    url = _create(live_desk, auth, sum(map(len, parts)), "notes.bin")
    upload_id = url.rsplit("/", 1)[1]
    assert _patch(url, auth, 0, parts[0]).status_code == 204
    # The desk carries the file's hash from PATCH to PATCH instead of reading it again.
    assert service.FILE_HASHES.entries[upload_id][0] == 300_000
    wrong = _patch(url, auth, 300_000, parts[1], checksum=hashlib.sha256(b"other").digest())
    assert wrong.status_code == 460
    assert service.FILE_HASHES.entries[upload_id][0] == 300_000
    last = _upload_in_parts(url, auth, parts[1:], offset=300_000)
    _assert_stored_under_its_hash(desk_app, desk_settings, last, b"".join(parts))


def test_a_replica_that_missed_earlier_patches_hashes_the_file_at_the_end(
    live_desk, desk_app, desk_settings, auth
):
    parts = [os.urandom(300_000), os.urandom(200_000)]
    url = _create(live_desk, auth, sum(map(len, parts)), "notes.bin")
    # Another process has no running hash for this upload.
    last = _upload_in_parts(url, auth, parts, before_last=service.FILE_HASHES.entries.clear)
    _assert_stored_under_its_hash(desk_app, desk_settings, last, b"".join(parts))


def test_bytes_lost_after_their_offset_was_committed_are_sent_again_not_zero_filled(
    live_desk, desk_app, desk_settings, auth
):
    # The staging file is not synced on every PATCH: after a power loss it can be shorter
    # than the committed offset. Simulated by cutting the file; the desk must not pad it.
    parts = [os.urandom(300_000), os.urandom(200_000)]
    url = _create(live_desk, auth, sum(map(len, parts)), "notes.bin")
    upload_id = url.rsplit("/", 1)[1]
    assert _patch(url, auth, 0, parts[0]).status_code == 204
    os.truncate(service.staging_path(desk_settings, upload_id), 120_000)
    assert _patch(url, auth, 300_000, parts[1]).status_code == 409  # not zero-filled
    head = httpx.head(url, headers={**auth, **TUS})
    assert head.headers["upload-offset"] == "120000"
    rest = parts[0][120_000:] + parts[1]
    last = _patch(url, auth, 120_000, rest, checksum=hashlib.sha256(rest).digest())
    assert last.status_code == 204
    _assert_stored_under_its_hash(desk_app, desk_settings, last, b"".join(parts))


def test_a_patch_at_the_wrong_offset_conflicts(live_desk, auth):
    url = _create(live_desk, auth, 10, "notes.txt")
    assert _patch(url, auth, 0, b"01234").status_code == 204
    response = _patch(url, auth, 0, b"01234")
    assert response.status_code == 409
    assert "Upload-Offset is 0 but the upload is at 5" in response.json()["errorMessage"]


def test_a_patch_past_the_length_is_refused_and_nothing_is_kept(live_desk, auth):
    url = _create(live_desk, auth, 4, "notes.txt")
    response = _patch(url, auth, 0, b"too long")
    assert response.status_code == 400
    assert httpx.head(url, headers={**auth, **TUS}).headers["upload-offset"] == "0"


def test_resending_the_final_patch_is_harmless(live_desk, desk_app, auth):
    url = _create(live_desk, auth, 5, "notes.txt")
    first = _patch(url, auth, 0, b"hello")
    again = _patch(url, auth, 5, b"")
    assert first.status_code == again.status_code == 204
    assert first.headers[TEMP] == again.headers[TEMP]
    with desk_app.state.sessions() as session:
        assert session.query(TemporaryFile).count() == 1


def test_other_callers_cannot_see_or_touch_an_upload(live_desk, auth, other_installation_token):
    url = _create(live_desk, auth, 5, "notes.txt")
    other = {"Authorization": f"Bearer {other_installation_token}"}
    assert httpx.head(url, headers={**other, **TUS}).status_code == 404
    assert _patch(url, other, 0, b"hello").status_code == 404
    assert httpx.delete(url, headers={**other, **TUS}).status_code == 404
    anonymous = httpx.post(f"{live_desk.url}/api/v1/uploads", headers={**TUS, "Upload-Length": "1"})
    assert anonymous.status_code == 401
    assert (
        httpx.head(
            f"{live_desk.url}/api/v1/uploads/..%2f..%2fx", headers={**auth, **TUS}
        ).status_code
        == 404
    )


def test_termination_deletes_the_upload_and_its_bytes(live_desk, desk_settings, auth):
    url = _create(live_desk, auth, 10, "notes.txt")
    _patch(url, auth, 0, b"01234")
    upload_id = url.rsplit("/", 1)[1]
    staged = desk_settings.data_dir / "uploads" / f"{upload_id}.part"
    assert staged.read_bytes() == b"01234"
    assert httpx.delete(url, headers={**auth, **TUS}).status_code == 204
    assert not staged.exists()
    assert httpx.head(url, headers={**auth, **TUS}).status_code == 404


def test_an_expired_upload_is_gone(live_desk, desk_app, auth):
    url = _create(live_desk, auth, 10, "notes.txt")
    created = httpx.head(url, headers={**auth, **TUS}).headers["upload-expires"]
    assert created.endswith("GMT")
    with desk_app.state.sessions() as session:
        upload = session.get_one(Upload, url.rsplit("/", 1)[1])
        upload.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.commit()
    assert httpx.head(url, headers={**auth, **TUS}).status_code == 404
    assert _patch(url, auth, 0, b"01234").status_code == 404


def test_requests_without_the_tus_version_are_refused(live_desk, auth):
    response = httpx.post(f"{live_desk.url}/api/v1/uploads", headers={**auth, "Upload-Length": "1"})
    assert response.status_code == 412
    assert response.headers["tus-version"] == "1.0.0"


def test_tuspy_reports_the_refusal_of_a_hostile_zip(live_desk, installation_token, tmp_path):
    path = z.symlink_zip(tmp_path / "evil.zip")
    uploader = _tus(live_desk, installation_token).uploader(str(path), retries=0)
    with pytest.raises(TusCommunicationError) as err:
        uploader.upload()
    assert err.value.status_code == 422
    assert b"member 'logs/passwd' is a symbolic link" in err.value.response_content


def test_odd_filenames_and_metadata_are_cleaned_or_refused_never_a_500(live_desk, desk_app, auth):
    name = "../../evil\x00name\u202e.txt"
    url = _create(live_desk, auth, 2, name)
    done = _patch(url, auth, 0, b"ok")
    assert done.status_code == 204
    assert httpx.get(url, headers=auth).json()["fileName"] == "evilname.txt"
    bad = httpx.post(
        f"{live_desk.url}/api/v1/uploads",
        headers={**auth, **TUS, "Upload-Length": "2", "Upload-Metadata": "filename !!!"},
    )
    assert bad.status_code == 400 and "not base64" in bad.json()["errorMessage"]
    for length in ("-1", "1e3", "99999999999999999999"):
        response = httpx.post(
            f"{live_desk.url}/api/v1/uploads", headers={**auth, **TUS, "Upload-Length": length}
        )
        assert response.status_code == 400, length
