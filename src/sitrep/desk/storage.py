"""BlobStore: content-addressed storage for attachments and bundles.

A blob's key is the SHA-256 of its content, so storing the same bytes twice keeps one
copy and a reader can always re-check what it got. Two implementations, chosen by
``SITREP_BLOB_URL``: ``file:///path`` (the default, under ``SITREP_DATA_DIR/blobs``) and
``s3://bucket/prefix`` for S3-compatible stores (with ``SITREP_S3_ENDPOINT_URL``).

Keys are never shown to customers, so de-duplication reveals nothing across tenants.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast
from urllib.parse import unquote, urlparse

from sitrep.config import Settings
from sitrep.errors import ConfigError, NotFound

CHUNK = 1024 * 1024
KEY = re.compile(r"^[0-9a-f]{64}$")


class BlobStore(Protocol):
    """What the desk needs from blob storage."""

    def put_file(self, path: Path, *, move: bool = False, sha256: str | None = None) -> str:
        """Store the file's bytes; return their SHA-256 hex, which is the key.

        ``move`` lets the store take the file instead of copying it; ``sha256`` is the hash
        the caller already computed of exactly these bytes (skips a second read).
        """

    def open(self, key: str) -> BinaryIO:
        """Return a streaming reader of the blob; NotFound when it does not exist."""

    def exists(self, key: str) -> bool:
        """Return True when the blob exists."""

    def delete(self, key: str) -> None:
        """Delete the blob; deleting a missing blob is not an error."""

    def size(self, key: str) -> int:
        """Return the blob's size in bytes; NotFound when it does not exist."""


def sha256_file(path: Path) -> str:
    """Return the SHA-256 hex of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_key(key: str) -> str:
    """Return ``key`` if it is a SHA-256 hex string; anything else could name another path."""
    if not KEY.match(key):
        raise NotFound("No such blob.")
    return key


class FileBlobStore:
    """Blobs as files under ``root/ab/cd/<sha256>``, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key[2:4] / key

    def put_file(self, path: Path, *, move: bool = False, sha256: str | None = None) -> str:
        """Store a copy of ``path`` (or move it there when ``move``); return its key."""
        key = check_key(sha256) if sha256 else sha256_file(path)
        target = self._path(key)
        if target.exists():
            if move:
                path.unlink()
            return key
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target, then rename: a reader never sees half a blob.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        os.close(fd)
        try:
            if move:
                shutil.move(path, tmp)
            else:
                shutil.copyfile(path, tmp)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise NotFound("No such blob.") from None

    def exists(self, key: str) -> bool:
        return KEY.match(key) is not None and self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise NotFound("No such blob.") from None


class S3BlobStore:
    """Blobs as objects ``prefix/<sha256>`` in an S3-compatible bucket (boto3)."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None) -> None:
        import boto3  # imported here: boto3 is slow to import and only S3 users need it

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.s3 = boto3.client("s3", endpoint_url=endpoint_url)

    def _key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_file(self, path: Path, *, move: bool = False, sha256: str | None = None) -> str:
        key = check_key(sha256) if sha256 else sha256_file(path)
        if not self.exists(key):
            # upload_file switches to multipart uploads for large files, so a bundle
            # of several GB streams from disk in parts.
            self.s3.upload_file(str(path), self.bucket, self._key(key))
        if move:
            path.unlink()
        return key

    def open(self, key: str) -> BinaryIO:
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except self.s3.exceptions.NoSuchKey:
            raise NotFound("No such blob.") from None
        return cast(BinaryIO, body)

    def _head(self, key: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            return cast(dict[str, Any], self.s3.head_object(Bucket=self.bucket, Key=self._key(key)))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def exists(self, key: str) -> bool:
        return KEY.match(key) is not None and self._head(key) is not None

    def delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=self._key(key))

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise NotFound("No such blob.")
        return int(head["ContentLength"])


def blobstore_from_settings(settings: Settings) -> BlobStore:
    """Return the BlobStore that ``SITREP_BLOB_URL`` names (default: files under data_dir)."""
    url = urlparse(settings.effective_blob_url)
    if url.scheme == "file":
        return FileBlobStore(Path(unquote(url.netloc + url.path)))
    if url.scheme == "s3" and url.netloc:
        return S3BlobStore(url.netloc, url.path, endpoint_url=settings.s3_endpoint_url)
    raise ConfigError(
        f"SITREP_BLOB_URL: unsupported URL scheme '{url.scheme}'.",
        fix="Use file:///absolute/path or s3://bucket/prefix.",
    )
