"""BlobStore keeps content by SHA-256, on the filesystem and on S3-compatible storage.

S3 cannot run here, so a local moto server (``moto.server.ThreadedMotoServer`` on
127.0.0.1) stands in for it: boto3 talks real HTTP to it, exactly as it would to S3.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sitrep.config import load_settings
from sitrep.desk.storage import FileBlobStore, S3BlobStore, blobstore_from_settings
from sitrep.errors import ConfigError, NotFound


@pytest.fixture(params=["file", "s3"])
def store(request, tmp_path, s3_env):
    if request.param == "file":
        return blobstore_from_settings(load_settings(blob_url=f"file://{tmp_path}/blobs"))
    endpoint = request.getfixturevalue("moto_endpoint")
    bucket = request.getfixturevalue("s3_bucket")
    settings = load_settings(blob_url=f"s3://{bucket}/bundles", s3_endpoint_url=endpoint)
    return blobstore_from_settings(settings)


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "in.bin"
    path.write_bytes(data)
    return path


def test_it_stores_a_file_under_its_sha256_and_streams_it_back(store, tmp_path):
    data = b"bundle bytes " * 100_000
    key = store.put_file(_file(tmp_path, data))
    assert key == hashlib.sha256(data).hexdigest()
    assert store.exists(key)
    assert store.size(key) == len(data)
    with store.open(key) as fh:
        assert fh.read(10) == data[:10]
        assert fh.read() == data[10:]


def test_storing_the_same_content_twice_keeps_one_blob(store, tmp_path):
    first = store.put_file(_file(tmp_path, b"same"))
    second = store.put_file(_file(tmp_path, b"same"))
    assert first == second
    store.delete(first)
    assert not store.exists(first)


def test_a_move_removes_the_source_file(store, tmp_path):
    path = _file(tmp_path, b"moved")
    key = store.put_file(path, move=True)
    assert not path.exists()
    assert store.size(key) == 5


def test_missing_blobs_are_not_found(store):
    missing = "0" * 64
    assert not store.exists(missing)
    with pytest.raises(NotFound):
        store.open(missing)
    with pytest.raises(NotFound):
        store.size(missing)
    store.delete(missing)  # deleting a missing blob is harmless


def test_a_key_that_is_not_a_sha256_cannot_name_another_path(store):
    assert not store.exists("../../etc/passwd")
    with pytest.raises(NotFound):
        store.open("../../etc/passwd")


def test_the_setting_chooses_the_implementation(tmp_path, s3_env):
    assert isinstance(blobstore_from_settings(load_settings(data_dir=tmp_path)), FileBlobStore)
    s3 = blobstore_from_settings(load_settings(blob_url="s3://bucket/pre/fix"))
    assert isinstance(s3, S3BlobStore)
    assert (s3.bucket, s3.prefix) == ("bucket", "pre/fix")
    with pytest.raises(ConfigError, match="SITREP_BLOB_URL"):
        blobstore_from_settings(load_settings(blob_url="ftp://x/y"))
