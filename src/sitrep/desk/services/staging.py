"""The bytes of an unfinished upload while a PATCH arrives: locked, hashed and written.

A PATCH body is received on the event loop in batches that a worker thread hashes and
writes to the staging file (see :class:`Sink`); what was learnt of the bytes so far
(:class:`Running`) is kept in this process between PATCHes (:data:`FILE_HASHES`).
"""

from __future__ import annotations

import asyncio
import copy
import fcntl
import functools
import hashlib
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sitrep.bundle.member_digests import MemberDigests
from sitrep.bundle.validate import Limits
from sitrep.errors import Conflict, NotFound, ValidationError

MIB = 1024 * 1024
CHECKSUMS = {"sha256": hashlib.sha256, "sha1": hashlib.sha1}
# Bytes handed to the sink's lanes at a time. 8 MiB took 5-10% less CPU than 2 MiB on a
# 2 GiB upload (fewer handoffs between threads) for 12 MiB more peak RSS; 0.5 MiB took more.
BATCH = 8 * MIB
DEPTH = 3  # batches in the lanes at most, per PATCH


class ChecksumMismatch(ValidationError):
    """The PATCH body does not match its Upload-Checksum (tus answers 460)."""

    status_code = 460


class ConnectionLost(Exception):  # noqa: N818  (a signal from the transport, not an error)
    """The client went away in the middle of a PATCH body."""


class Running:
    """What a desk learns from an upload's bytes as they are written, up to an offset.

    The file's SHA-256 (the blob key, checked against the client's) and, when the file is
    a zip, its members' SHA-256 (checked against the manifest): so the finished file is
    not read again, and the PATCH that completes an upload only confirms.
    """

    def __init__(self, limits: Limits) -> None:
        self.file_hash = hashlib.sha256()
        self.members = MemberDigests(limits)

    def copy(self) -> Running:
        twin = copy.copy(self)
        twin.file_hash, twin.members = self.file_hash.copy(), self.members.copy()
        return twin


@dataclass(frozen=True)
class Written:
    """Where the staged file ends after a PATCH, and what was learnt of all of it, if known."""

    offset: int
    running: Running | None  # None when this process missed a PATCH of the upload


class _FileHashes:
    """The :class:`Running` state of each upload's staged bytes, as of its committed offset.

    A PATCH continues the state where the previous one left it. It lives in this process
    only: when a client resumes through another replica (or after a restart), the entry is
    missing or at another offset, the rest of that upload is not hashed as it arrives, and
    ``finish_upload`` reads the whole file as before. Entries are kept only after their
    offset is committed, so bytes below it never change afterwards. Abandoned uploads are
    dropped oldest first, past ``limit`` entries or ``max_members`` member digests in all.
    """

    def __init__(self, limit: int = 1024, max_members: int = 200_000) -> None:
        self.limit, self.max_members = limit, max_members
        self.lock = threading.Lock()
        self.entries: dict[str, tuple[int, Running]] = {}

    def take(self, upload_id: str, offset: int, limits: Limits) -> Running | None:
        """Remove and return the state of the first ``offset`` bytes (new at 0), or None."""
        with self.lock:
            entry = self.entries.pop(upload_id, None)
        if entry is not None and entry[0] == offset:
            return entry[1]
        return Running(limits) if offset == 0 else None

    def forget(self, upload_id: str) -> None:
        with self.lock:
            self.entries.pop(upload_id, None)

    def keep(self, upload_id: str, offset: int, running: Running | None) -> None:
        if running is None:
            return
        with self.lock:
            self.entries[upload_id] = (offset, running)
            while len(self.entries) > self.limit or self._members() > self.max_members:
                del self.entries[next(iter(self.entries))]

    def _members(self) -> int:
        return sum(len(running.members.digests) for _, running in self.entries.values())


FILE_HASHES = _FileHashes()


class Sink:
    """Hash and write a PATCH body's batches on lanes of their own, in order.

    Each chunk goes into the PATCH's checksum (if it has one) and the upload's running
    hashes (see :class:`Running`), and to the staging file. The file's hashes, the write
    and the members' hashes are three lanes, each a thread that takes the batches in
    order; a lane goes on with the next batch while the others finish this one. SHA-256,
    zlib and the write release the GIL, so the lanes and the event loop share both cores.
    """

    def __init__(
        self, fh: IO[bytes], checksum: tuple[str, bytes] | None, running: Running | None
    ) -> None:
        self.fh = fh
        self.digest = CHECKSUMS[checksum[0]]() if checksum else None
        self.checksum = checksum[1] if checksum else None
        file_hash = running.file_hash if running is not None else None
        self.hashes: list[Any] = [h for h in (self.digest, file_hash) if h is not None]
        self.jobs: list[Callable[[list[bytes]], None]] = [self._hash, self._write]
        if running is not None:
            self.jobs.append(functools.partial(_update_all, running.members))
        self.lanes = [ThreadPoolExecutor(max_workers=1) for _ in self.jobs]

    def submit(self, batch: list[bytes]) -> list[Future[None]]:
        """Queue a batch on every lane; return the jobs, done when each lane is through."""
        return [lane.submit(job, batch) for lane, job in zip(self.lanes, self.jobs, strict=True)]

    def close(self) -> None:
        """Drop the queued batches and wait for the running ones; nothing writes after this."""
        for lane in self.lanes:
            lane.shutdown(wait=True, cancel_futures=True)

    def _hash(self, batch: list[bytes]) -> None:
        for chunk in batch:
            for digest in self.hashes:
                digest.update(chunk)

    def _write(self, batch: list[bytes]) -> None:
        # Straight to the kernel: copying through a write buffer first cost about 0.9 s
        # of CPU per GiB.
        for chunk in batch:
            view = memoryview(chunk)
            while view:
                view = view[self.fh.write(view) :]


def _update_all(members: MemberDigests, batch: list[bytes]) -> None:
    for chunk in batch:
        members.update(chunk)


async def write_body(
    fh: IO[bytes], length: int, offset: int, body: AsyncIterator[bytes], sink: Sink
) -> int:
    """Receive the body while the sink's lanes hash and write the batches before it.

    Up to ``DEPTH`` batches are in the lanes while the event loop reads the next one, so
    memory stays bounded per PATCH and a lane that is briefly slower does not stall the
    others. The event loop itself never hashes or writes.
    """
    in_flight: deque[list[Future[None]]] = deque()
    batch: list[bytes] = []
    batched = written = 0
    try:
        try:
            async for chunk in body:
                written += len(chunk)
                if offset + written > length:
                    raise ValidationError("The PATCH body goes past Upload-Length.")
                batch.append(chunk)
                batched += len(chunk)
                if batched >= BATCH:
                    if len(in_flight) >= DEPTH:
                        await _done(in_flight.popleft())
                    in_flight.append(sink.submit(batch))
                    batch, batched = [], 0
        except ConnectionLost:
            if sink.digest is not None:
                raise  # a body cut short cannot match its checksum: discard all of it
            # Without a checksum, keep what arrived: the client resumes after it.
        in_flight.append(sink.submit(batch))
        while in_flight:
            await _done(in_flight.popleft())
    except ConnectionLost:
        await asyncio.get_running_loop().run_in_executor(None, sink.close)
        fh.truncate(offset)
        return offset
    except BaseException:
        await asyncio.get_running_loop().run_in_executor(None, sink.close)
        fh.truncate(offset)
        raise
    finally:
        sink.close()  # the lanes are idle here: this only ends their threads
    if sink.digest is not None and sink.digest.digest() != sink.checksum:
        fh.truncate(offset)
        raise ChecksumMismatch("The PATCH body does not match its Upload-Checksum.")
    return offset + written


async def _done(jobs: list[Future[None]]) -> None:
    """Wait until every lane is through a batch; raise the first lane's error."""
    for job in jobs:
        await asyncio.wrap_future(job)


class locked:  # noqa: N801  (used as a context manager, like open)
    """Open the staging file with an exclusive, non-blocking lock for one PATCH.

    The lock stops two PATCHes of one upload from interleaving; the kernel drops it when
    the process dies, so a killed server never leaves an upload locked.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> IO[bytes]:
        try:
            self.fh = self.path.open("r+b", buffering=0)
        except FileNotFoundError:
            raise NotFound("The upload's data is gone; start a new upload.") from None
        try:
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.close()
            raise Conflict("Another PATCH of this upload is in progress; retry shortly.") from None
        return self.fh

    def __exit__(self, *exc: object) -> None:
        self.fh.close()
