"""A resumable tus 1.0 upload client (httpx), for bundles of several GB.

Each PATCH carries at most ``chunk_size`` bytes and an ``Upload-Checksum: sha256``, so the
server keeps a chunk only if it arrived whole and intact. After a broken connection, a
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
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from sitrep.errors import RemoteError, TooLarge, Unauthorized, ValidationError

MIB = 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}
SEND_PIECE = MIB
TEMP_HEADER = "sitrep-temporary-attachment-id"
#: Answers worth retrying: the server is busy, restarting, or another PATCH still holds the lock.
RETRY_STATUSES = frozenset({409, 423, 429, 500, 502, 503, 504})

Progress = Callable[[int, int], None]
Chunk = tuple[memoryview, str]  # a chunk's bytes and their base64 SHA-256


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
        chunk_size: int = 32 * MIB,
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
        temp_id = self._send(url, path, size, offset, on_progress)
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

    def _send(self, url: str, path: Path, size: int, offset: int, progress: Progress | None) -> str:
        failures = 0
        with path.open("rb") as fh, _Reader(fh.fileno(), self.chunk_size, size) as reader:
            while True:
                try:
                    response = self._patch(url, offset, reader.chunk(offset))
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

    def _patch(self, url: str, offset: int, chunk: Chunk) -> httpx.Response:
        data, checksum = chunk
        headers = {
            **self.headers,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
            "Content-Length": str(len(data)),
            "Upload-Checksum": f"sha256 {checksum}",
        }
        try:
            response = self.http.patch(url, content=_pieces(data), headers=headers)
        except httpx.TransportError:
            raise Retry from None
        if response.status_code in RETRY_STATUSES or response.status_code == 460:
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


def _pieces(data: memoryview) -> Iterator[bytes]:
    """Yield ``data`` in 1 MiB pieces (one copy of each byte).

    httpcore sends a body piece by piece and re-slices what the socket did not take yet;
    handed a whole chunk as one ``bytes``, it copied the rest of it after every send.
    """
    for start in range(0, len(data), SEND_PIECE):
        yield bytes(data[start : start + SEND_PIECE])


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
    """Read and checksum chunks, preparing the next one while the current one is sent.

    Reading and hashing run on a worker thread (both release the GIL), so they overlap
    with the network send. Chunks are read into two buffers that take turns, so memory
    stays at two chunks and no chunk costs a fresh allocation (and its page faults).
    """

    def __init__(self, fd: int, chunk_size: int, size: int) -> None:
        self.fd, self.chunk_size, self.size = fd, chunk_size, size
        self.buffers = [bytearray(min(chunk_size, size)) for _ in range(2)]
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.ahead: tuple[int, int, Future[Chunk]] | None = None

    def _read(self, offset: int, turn: int) -> Chunk:
        view = memoryview(self.buffers[turn])[: min(self.chunk_size, self.size - offset)]
        done = 0
        while done < len(view):
            got = os.preadv(self.fd, [view[done:]], offset + done)
            if not got:  # the file shrank: send what there is; the server tells the rest
                break
            done += got
        return view[:done], base64.b64encode(hashlib.sha256(view[:done]).digest()).decode()

    def chunk(self, offset: int) -> Chunk:
        """Return the chunk at ``offset`` and its checksum, and start reading the next one.

        The chunk stays valid until the next call, which may reuse its buffer.
        """
        ahead, self.ahead = self.ahead, None
        turn = 0
        if ahead is not None:
            turn = ahead[1]
            if ahead[0] == offset:
                current = ahead[2].result()
            else:  # a retry from another offset: let the read ahead finish with its buffer
                ahead[2].exception()
                current = self._read(offset, turn)
        else:
            current = self._read(offset, turn)
        following = offset + len(current[0])
        if following < self.size:
            future = self.pool.submit(self._read, following, 1 - turn)
            self.ahead = (following, 1 - turn, future)
        return current

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
