"""A resumable tus 1.0 upload client (httpx), for bundles of several GB.

Each PATCH carries at most ``chunk_size`` bytes, streamed from a file read ahead in
1 MiB pieces. The last PATCH carries only the last piece, and with it what the client
computed of the whole file; the desk refuses the upload unless the bytes it stored give
the same:

* for a Sitrep bundle, its bundle digest in ``Sitrep-Bundle-Sha256``
  (:func:`sitrep.bundle.validate.bundle_sha256`): the members through the SHA-256 values
  in its manifest, every other byte as it is. The client reads only the headers and the
  manifest for it; the desk hashes each member anyway to check it against the manifest.
* for any other file, its SHA-256 in ``Sitrep-Upload-Sha256``, hashed once, in order,
  while the file is read for sending.

(A per-PATCH ``Upload-Checksum`` would cost a second SHA-256 pass on each side and a whole
PATCH in memory; TCP and TLS already keep damaged bytes out, and the end-to-end check
still covers every byte.) After a broken connection, a
server restart or a 5xx, the client waits (exponential backoff with jitter), asks the
server for its offset with HEAD and carries on from there. A ``state_file`` remembers the
upload URL, so a second run of ``sitrep report`` resumes instead of starting over.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from sitrep.bundle.validate import bundle_sha256
from sitrep.errors import RemoteError, TooLarge, Unauthorized, ValidationError

MIB = 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}
PIECE = MIB
TEMP_HEADER = "sitrep-temporary-attachment-id"
SHA256_HEADER = "Sitrep-Upload-Sha256"
BUNDLE_HEADER = "Sitrep-Bundle-Sha256"
#: Answers worth retrying: the server is busy, restarting, or another PATCH still holds the lock.
RETRY_STATUSES = frozenset({409, 423, 429, 500, 502, 503, 504})

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class UploadResult:
    """A finished upload: where it lives and the temporary attachment id it became."""

    url: str
    temporary_id: str
    size: int


class Retry(Exception):  # noqa: N818  (control flow, not an error)
    """A transient failure: back off, ask for the offset and try again."""


def error_message(response: httpx.Response) -> str:
    """Return the server's message from a JSM-shaped error body, or the status line."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        if isinstance(body.get("errorMessage"), str):
            return body["errorMessage"]
        if isinstance(body.get("errorMessages"), list) and body["errorMessages"]:
            return ", ".join(str(m) for m in body["errorMessages"])
    return f"HTTP {response.status_code} {response.reason_phrase}".strip()


def raise_for_answer(response: httpx.Response, what: str) -> None:
    """Turn an error answer into the matching Sitrep error, with the server's reason."""
    if response.is_success:
        return
    message = error_message(response)
    status = response.status_code
    if status == 401:
        raise Unauthorized(
            f"{what}: the server refused the credentials: {message}",
            fix="Check --token (or SITREP_TOKEN).",
        )
    if status == 413:
        raise TooLarge(f"{what}: {message}")
    if status in (400, 422):
        raise ValidationError(f"{what}: {message}")
    raise RemoteError(f"{what} failed with HTTP {status}: {message}")


class TusUploader:
    """Upload files to a tus 1.0 endpoint, resuming after interruptions."""

    def __init__(
        self,
        endpoint: str,
        *,
        headers: dict[str, str] | None = None,
        chunk_size: int = 128 * MIB,
        retries: int = 8,
        backoff: float = 0.5,
        max_delay: float = 30.0,
        timeout: float = 120.0,
        http: httpx.Client | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.chunk_size = chunk_size
        self.retries = retries
        self.backoff = backoff
        self.max_delay = max_delay
        self.http = http or httpx.Client(timeout=timeout)
        self.headers = {**TUS, **(headers or {})}

    def upload(
        self,
        path: Path,
        *,
        filename: str | None = None,
        state_file: Path | None = None,
        on_progress: Progress | None = None,
    ) -> UploadResult:
        """Upload ``path`` and return its temporary attachment id; resume from ``state_file``."""
        size = path.stat().st_size
        url = _load_state(state_file, path)
        offset = self._resume_offset(url) if url else None
        if url is None or offset is None:
            url, offset = self._create(size, filename or path.name), 0
            _save_state(state_file, path, url)
        # Taken before the bytes are sent: a file that changes meanwhile is refused.
        bundle = bundle_sha256(path)
        temp_id = self._send(url, path, size, offset, on_progress, bundle)
        if state_file is not None:
            state_file.unlink(missing_ok=True)
        return UploadResult(url=url, temporary_id=temp_id, size=size)

    # --- protocol steps -------------------------------------------------------------------

    def _create(self, size: int, filename: str) -> str:
        meta = "filename " + base64.b64encode(filename.encode()).decode()
        headers = {**self.headers, "Upload-Length": str(size), "Upload-Metadata": meta}
        response = self._with_retries(lambda: self.http.post(self.endpoint, headers=headers))
        raise_for_answer(response, "Starting the upload")
        location = response.headers.get("location")
        if not location:
            raise RemoteError("The server did not say where to upload (no Location header).")
        return str(httpx.URL(self.endpoint).join(location))

    def _head(self, url: str) -> httpx.Response:
        return self._with_retries(lambda: self.http.head(url, headers=self.headers))

    def _resume_offset(self, url: str) -> int | None:
        """Return where a saved upload stands, or None when the server no longer has it."""
        response = self._head(url)
        if response.status_code in (404, 410):
            return None
        self._check_head(url, response)
        return int(response.headers["upload-offset"])

    def _check_head(self, url: str, response: httpx.Response) -> None:
        if response.status_code == 422:  # refused: the JSON state says why
            state = self.http.get(url, headers=self.headers).json()
            raise ValidationError(f"The upload was refused: {state.get('reason')}")
        raise_for_answer(response, "Checking the upload")
        if not response.headers.get("upload-offset", "").isdigit():
            raise RemoteError("The server's HEAD answer has no Upload-Offset.")

    def _send(
        self,
        url: str,
        path: Path,
        size: int,
        offset: int,
        progress: Progress | None,
        bundle: str | None,
    ) -> str:
        failures = 0
        piece = min(self.chunk_size, PIECE)
        completion = {BUNDLE_HEADER: bundle} if bundle is not None else None
        with _Reader(path.open("rb"), piece, size, hashed=bundle is None) as reader:
            while True:
                try:
                    response = self._patch(url, offset, reader, completion)
                except Retry:
                    failures += 1
                    if failures > self.retries:
                        raise RemoteError(
                            f"The upload kept failing after {self.retries} retries.",
                            fix="Run the same command again later: it resumes where it stopped.",
                        ) from None
                    self._sleep(failures)
                    offset = self._offset_after_failure(url)
                    continue
                failures = 0
                offset = int(response.headers.get("upload-offset", offset))
                if progress:
                    progress(offset, size)
                if offset >= size and TEMP_HEADER in response.headers:
                    return response.headers[TEMP_HEADER]

    def _patch(
        self, url: str, offset: int, reader: _Reader, completion: dict[str, str] | None
    ) -> httpx.Response:
        headers = {
            **self.headers,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
        }
        if offset >= reader.last:
            # The completing PATCH: its piece is read, so the whole file is hashed.
            body: bytes | Iterator[bytes] = reader.piece_at(offset)
            headers.update(completion or {SHA256_HEADER: reader.sha256()})
        else:
            end = min(offset + self.chunk_size, reader.last)
            body = _streamed(reader, offset, end)
            headers["Content-Length"] = str(end - offset)
        try:
            response = self.http.patch(url, content=body, headers=headers)
        except httpx.TransportError:
            raise Retry from None
        if response.status_code in RETRY_STATUSES:
            raise Retry
        raise_for_answer(response, "Uploading")
        return response

    def _offset_after_failure(self, url: str) -> int:
        response = self._head(url)
        if response.status_code in (404, 410):
            raise RemoteError(
                "The server no longer has this upload (it expired or was deleted).",
                fix="Run the command again to start a new upload.",
            )
        self._check_head(url, response)
        return int(response.headers["upload-offset"])

    # --- retries -----------------------------------------------------------------------------

    def _sleep(self, failures: int) -> None:
        delay = min(self.backoff * 2 ** (failures - 1), self.max_delay)
        time.sleep(delay * random.uniform(0.5, 1.0))

    def _with_retries(self, send: Callable[[], httpx.Response]) -> httpx.Response:
        """Send an idempotent request (POST creation is safe to repeat: it only adds an upload)."""
        for failures in range(self.retries + 1):
            try:
                response = send()
            except httpx.TransportError as exc:
                if failures == self.retries:
                    raise RemoteError(f"Cannot reach {self.endpoint}: {exc}.") from None
            else:
                if response.status_code not in RETRY_STATUSES or failures == self.retries:
                    return response
            self._sleep(failures + 1)
        raise AssertionError("unreachable")


def _streamed(reader: _Reader, offset: int, end: int) -> Iterator[bytes]:
    """Yield the file's bytes from ``offset`` to ``end`` as the reader hands them out.

    Pieces, not one big body: httpcore re-slices (copies) what the socket did not take yet.
    """
    while offset < end:
        data = reader.piece_at(offset)
        if not data:  # the file shrank: the server will say the body is short
            return
        yield data[: end - offset] if len(data) > end - offset else data
        offset += len(data)


def _load_state(state_file: Path | None, path: Path) -> str | None:
    """Return the saved upload URL, if the state file is for this very file."""
    if state_file is None or not state_file.is_file():
        return None
    try:
        state = json.loads(state_file.read_text())
    except (OSError, ValueError):
        return None
    stat = path.stat()
    if state.get("size") != stat.st_size or state.get("mtime_ns") != stat.st_mtime_ns:
        return None
    url = state.get("url")
    return url if isinstance(url, str) else None


def _save_state(state_file: Path | None, path: Path, url: str) -> None:
    if state_file is None:
        return
    stat = path.stat()
    state = {"url": url, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    try:
        state_file.write_text(json.dumps(state))
    except OSError:
        # Resuming across runs is a convenience, never a reason to fail the upload.
        return


class _Reader:
    """Read the file in pieces ahead of the send, and hash it once, in order (if ``hashed``).

    Reading and hashing run on a worker thread (both release the GIL), up to ``depth``
    pieces ahead of the network send. Each piece is a ``bytes`` that httpx sends as it is,
    so each byte is copied once on this side of the kernel (1 MiB blocks come back from
    malloc's free list: no page faults). The file is hashed in order whatever offsets the
    server asks for: a piece sent again is not hashed again, and bytes skipped (resuming a
    saved upload) are read and hashed before the piece after them.
    """

    def __init__(
        self, fh: IO[bytes], piece: int, size: int, *, hashed: bool = True, depth: int = 8
    ) -> None:
        self.fh, self.fd = fh, fh.fileno()
        self.piece, self.size, self.depth = piece, size, depth
        #: Where the last piece starts: the completing PATCH sends only that.
        self.last = max(size - ((size - 1) % piece + 1), 0)
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.ahead: deque[tuple[int, Future[bytes]]] = deque()
        self.file_hash = hashlib.sha256() if hashed else None
        self.hashed = 0 if hashed else size  # the file's first bytes, fed to file_hash

    def _read(self, offset: int) -> bytes:
        while self.hashed < offset:  # bytes never read yet: hash them first
            gap = os.pread(self.fd, min(self.piece, offset - self.hashed), self.hashed)
            if not gap:
                break
            assert self.file_hash is not None
            self.file_hash.update(gap)
            self.hashed += len(gap)
        # A short read means the file shrank: send what there is; the server tells the rest.
        data = os.pread(self.fd, min(self.piece, self.size - offset), offset)
        if offset <= self.hashed < offset + len(data):
            assert self.file_hash is not None
            self.file_hash.update(memoryview(data)[self.hashed - offset :])
            self.hashed = offset + len(data)
        return data

    def sha256(self) -> str:
        """Return the SHA-256 of the file read so far (all of it, once the last piece is out)."""
        assert self.file_hash is not None, "the reader was made without a hash"
        return self.file_hash.hexdigest()

    def piece_at(self, offset: int) -> bytes:
        """Return the piece at ``offset``, with the pieces after it being read ahead."""
        if self.ahead and self.ahead[0][0] == offset:
            data = self.ahead.popleft()[1].result()
        else:  # a retry from another offset: what was read ahead is of no use
            self._drop_ahead()
            data = self._read(offset)
        following = self.ahead[-1][0] + self.piece if self.ahead else offset + len(data)
        while len(self.ahead) < self.depth and following < self.size:
            self.ahead.append((following, self.pool.submit(self._read, following)))
            following += self.piece
        return data

    def _drop_ahead(self) -> None:
        for _, future in self.ahead:
            future.cancel()
        wait([future for _, future in self.ahead])  # none may hash behind our back
        self.ahead.clear()

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.fh.close()
