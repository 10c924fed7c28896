"""Kill the desk (SIGKILL) in the middle of a PATCH, start it again, and the client resumes;
the stored bytes match the checksum. The desk runs as a real uvicorn subprocess."""

from __future__ import annotations

import hashlib
import os
import threading
import time
import zipfile

import pytest
import transport_zips as z
from desk_process import DeskProcess, free_port

from sitrep.client.upload import TusUploader
from sitrep.desk.models.uploads import TemporaryFile, Upload
from sitrep.desk.storage import blobstore_from_settings

MIB = 1024 * 1024


class Killer(threading.Thread):
    """Watch the staging file; past ``at`` bytes, kill the desk mid-PATCH and restart it."""

    def __init__(self, desk: DeskProcess, staging_dir, at: int) -> None:
        super().__init__(daemon=True)
        self.desk, self.staging_dir, self.at = desk, staging_dir, at
        self.size_at_kill = 0
        self.done = threading.Event()

    def run(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            parts = list(self.staging_dir.glob("*.part")) if self.staging_dir.exists() else []
            size = parts[0].stat().st_size if parts else 0
            if size >= self.at:
                self.desk.kill()
                self.size_at_kill = parts[0].stat().st_size
                time.sleep(0.5)
                self.desk.start()
                break
            time.sleep(0.002)
        self.done.set()


@pytest.mark.slow
def test_the_client_resumes_after_the_server_is_killed_mid_upload(
    database_url, desk_settings, desk_app, installation_token, tmp_path
):
    payload = os.urandom(24 * MIB)
    bundle = z.write_bundle(
        tmp_path / "support.zip", {"logs/big.bin": payload}, compression=zipfile.ZIP_STORED
    )
    desk = DeskProcess(
        database_url=database_url, data_dir=desk_settings.data_dir, port=free_port()
    ).start()
    killer = Killer(desk, desk_settings.data_dir / "uploads", at=10 * MIB)
    offsets: list[int] = []
    try:
        killer.start()
        uploader = TusUploader(
            f"{desk.url}/api/v1/uploads",
            headers={"Authorization": f"Bearer {installation_token}"},
            chunk_size=4 * MIB,
            retries=60,  # the restart can take several seconds on a loaded machine
            backoff=0.1,
            max_delay=0.5,
        )
        result = uploader.upload(bundle, on_progress=lambda done, _total: offsets.append(done))
        killer.done.wait(30)
    finally:
        desk.stop()
    assert killer.size_at_kill >= 10 * MIB  # it really died in the middle of the third chunk
    assert 8 * MIB in offsets  # the last chunk committed before the kill...
    assert offsets.count(8 * MIB) == 1 and offsets[-1] == bundle.stat().st_size  # ...then on
    with desk_app.state.sessions() as session:
        assert session.query(Upload).count() == 1  # resumed, not started over
        temp = session.get_one(TemporaryFile, result.temporary_id)
    digest = hashlib.sha256(bundle.read_bytes()).hexdigest()
    assert temp.sha256 == digest
    with blobstore_from_settings(desk_settings).open(temp.blob_key) as blob:
        stored = hashlib.sha256()
        while chunk := blob.read(MIB):
            stored.update(chunk)
    assert stored.hexdigest() == digest
