"""sitrep.client.upload.TusUploader against a live desk: resuming across runs, refusals."""

from __future__ import annotations

import hashlib
import json
import os

import httpx
import pytest
import transport_zips as z

from sitrep.bundle.validate import bundle_sha256
from sitrep.client.upload import TusUploader, _Reader
from sitrep.desk.models.uploads import TemporaryFile, Upload
from sitrep.errors import RemoteError, ValidationError

KIB = 1024


class Stop(Exception):
    """Stands in for Ctrl-C or a crash of the reporting machine."""


def _uploader(live_desk, token: str, **more) -> TusUploader:
    return TusUploader(
        f"{live_desk.url}/api/v1/uploads",
        headers={"Authorization": f"Bearer {token}"},
        chunk_size=64 * KIB,
        **more,
    )


def _stop_after(limit: int):
    def progress(done: int, _total: int) -> None:
        if done >= limit:
            raise Stop

    return progress


def test_a_second_run_resumes_from_the_state_file(
    live_desk, desk_app, installation_token, tmp_path
):
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(300 * KIB))
    state = tmp_path / ".big.bin.upload"
    with pytest.raises(Stop):
        _uploader(live_desk, installation_token).upload(
            path, state_file=state, on_progress=_stop_after(128 * KIB)
        )
    assert state.is_file()
    seen: list[int] = []
    result = _uploader(live_desk, installation_token).upload(
        path, state_file=state, on_progress=lambda done, _t: seen.append(done)
    )
    assert seen[0] == 192 * KIB  # the first PATCH of the second run started at 128 KiB
    assert not state.exists()
    with desk_app.state.sessions() as session:
        assert session.query(Upload).count() == 1
        assert session.get_one(TemporaryFile, result.temporary_id).size == 300 * KIB


def test_a_state_file_for_a_changed_file_is_ignored(
    live_desk, desk_app, installation_token, tmp_path
):
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(200 * KIB))
    state = tmp_path / ".big.bin.upload"
    with pytest.raises(Stop):
        _uploader(live_desk, installation_token).upload(
            path, state_file=state, on_progress=_stop_after(64 * KIB)
        )
    path.write_bytes(os.urandom(200 * KIB))  # a new bundle under the same name
    _uploader(live_desk, installation_token).upload(path, state_file=state)
    with desk_app.state.sessions() as session:
        assert session.query(Upload).count() == 2


def test_an_upload_the_server_forgot_starts_again(live_desk, installation_token, tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(100 * KIB))
    state = tmp_path / ".big.bin.upload"
    with pytest.raises(Stop):
        _uploader(live_desk, installation_token).upload(
            path, state_file=state, on_progress=_stop_after(64 * KIB)
        )
    url = json.loads(state.read_text())["url"]
    auth = {"Authorization": f"Bearer {installation_token}", "Tus-Resumable": "1.0.0"}
    assert httpx.delete(url, headers=auth).status_code == 204
    result = _uploader(live_desk, installation_token).upload(path, state_file=state)
    assert result.url != url and result.temporary_id


def test_the_server_refusal_reaches_the_caller_with_its_reason(
    live_desk, installation_token, tmp_path
):
    path = z.encrypted_zip(tmp_path / "secret.zip")
    with pytest.raises(ValidationError, match="'secret.txt' is encrypted"):
        _uploader(live_desk, installation_token).upload(path)


def test_an_unreachable_desk_is_a_clear_error_after_retries(tmp_path):
    path = tmp_path / "a.bin"
    path.write_bytes(b"x")
    uploader = TusUploader("http://127.0.0.1:9/api/v1/uploads", retries=2, backoff=0.01)
    with pytest.raises(RemoteError, match="Cannot reach http://127.0.0.1:9/api/v1/uploads"):
        uploader.upload(path)


@pytest.mark.parametrize(
    "offsets",
    [[0, 64, 128, 64, 0, 64, 320, 256, 320], [192, 256, 0, 320], [320]],
    ids=["retries-go-back", "resumed-then-restarted", "resumed-at-the-last-chunk"],
)
def test_the_reader_hands_out_the_right_bytes_and_hashes_the_file_once(tmp_path, offsets):
    # A retry from an earlier offset must not get the read-ahead's bytes, and the file hash
    # must cover every byte once, in order, whatever was skipped.
    data = os.urandom(5 * 64 * KIB + 123)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    with _Reader(path.open("rb"), 64 * KIB, len(data), depth=2) as reader:
        for offset in offsets:
            piece = reader.piece_at(offset * KIB)
            assert piece == data[offset * KIB : offset * KIB + 64 * KIB]
        assert reader.sha256() == hashlib.sha256(data).hexdigest()


def test_the_completing_patch_carries_the_file_hash_and_no_patch_a_checksum(
    live_desk, installation_token, tmp_path
):
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(200 * KIB))
    sent: list[httpx.Request] = []
    http = httpx.Client(event_hooks={"request": [sent.append]})
    _uploader(live_desk, installation_token, http=http).upload(path)
    patches = [r for r in sent if r.method == "PATCH"]
    assert len(patches) == 4 and not any("upload-checksum" in r.headers for r in patches)
    assert [("sitrep-upload-sha256" in r.headers) for r in patches] == [False] * 3 + [True]
    assert (
        patches[-1].headers["sitrep-upload-sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    )


def test_a_bundle_is_sent_with_its_bundle_digest_and_the_file_is_not_hashed(
    live_desk, desk_app, installation_token, tmp_path, monkeypatch
):
    files = {"logs/big.bin": os.urandom(150 * KIB), "logs/app.log": b"started\n" * 4000}
    path = z.write_bundle(tmp_path / "support.zip", files)
    sent: list[httpx.Request] = []
    http = httpx.Client(event_hooks={"request": [sent.append]})
    uploader = _uploader(live_desk, installation_token, http=http)
    hashed: list[int] = []
    real_read = _Reader._read

    def read(reader: _Reader, offset: int) -> bytes:
        hashed.append(reader.file_hash is not None)
        return real_read(reader, offset)

    monkeypatch.setattr(_Reader, "_read", read)
    result = uploader.upload(path)
    last = [r for r in sent if r.method == "PATCH"][-1]
    assert "sitrep-upload-sha256" not in last.headers
    assert last.headers["sitrep-bundle-sha256"] == bundle_sha256(path)
    assert hashed and not any(hashed)  # no piece went through a file hash
    with desk_app.state.sessions() as session:
        temp = session.get_one(TemporaryFile, result.temporary_id)
        assert temp.bundle_sha256 == bundle_sha256(path)
        assert temp.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
