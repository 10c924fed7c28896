"""The bytes of an unfinished upload while a PATCH arrives: locked, hashed and written.

A PATCH body is received on the event loop in batches that a worker thread hashes and
writes to the staging file (see :class:`Sink`); what was learnt of the bytes so far
(:class:`Running`) is kept in this process between PATCHes (:data:`FILE_HASHES`).
"""

from __future__ import annotations

import asyncio
import copy
import fcntl
import hashlib
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sitrep.bundle.member_digests import MemberDigests
from sitrep.bundle.validate import Limits
from sitrep.errors import Conflict, NotFound, ValidationError

MIB = 1024 * 1024
CHECKSUMS = {"sha256": hashlib.sha256, "sha1": hashlib.sha1}
# Bytes handed to the writer thread at a time. 8 MiB took 5-10% less CPU than 2 MiB on a
# 2 GiB upload (fewer handoffs between threads) for 12 MiB more peak RSS; 0.5 MiB took more.
BATCH = 8 * MIB


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
    """Hash and write batches of body chunks; used from one worker thread at a time.

    Each chunk goes into the PATCH's checksum (if it has one) and the upload's running
    hashes (see :class:`Running`), and to the staging file. Three jobs run side by side on
    each batch: the file's hash on the calling thread, the write and the members' hashes on
    threads of their own. SHA-256, zlib and the write release the GIL, so they can take
    both cores; each job still sees the batches in order.
    """

    def __init__(
        self, fh: IO[bytes], checksum: tuple[str, bytes] | None, running: Running | None
    ) -> None:
        self.fh = fh
        self.digest = CHECKSUMS[checksum[0]]() if checksum else None
        self.checksum = checksum[1] if checksum else None
        self.members = running.members if running is not None else None
        file_hash = running.file_hash if running is not None else None
        self.hashes: list[Any] = [h for h in (self.digest, file_hash) if h is not None]

    def write(self, batch: list[bytes]) -> None:
        beside = [BESIDE.submit(self._write, batch)]
        if self.members is not None:
            beside.append(BESIDE.submit(_update_all, self.members, batch))
        try:
            for chunk in batch:
                for digest in self.hashes:
                    digest.update(chunk)
        finally:
            for job in beside:
                job.result()  # the next batch waits for this one's write and members

    def _write(self, batch: list[bytes]) -> None:
        # Straight to the kernel: copying through a write buffer first cost about 0.9 s
        # of CPU per GiB.
        for chunk in batch:
            view = memoryview(chunk)
            while view:
                view = view[self.fh.write(view) :]


#: Threads for the jobs beside a batch's hash. They wait on nothing, so any number of
#: uploads can share them without a deadlock.
BESIDE = ThreadPoolExecutor(max_workers=8, thread_name_prefix="sitrep-staging")


def _update_all(members: MemberDigests, batch: list[bytes]) -> None:
    for chunk in batch:
        members.update(chunk)


async def write_body(
    fh: IO[bytes], length: int, offset: int, body: AsyncIterator[bytes], sink: Sink
) -> int:
    """Receive the body while a worker thread hashes and writes the previous batch.

    Double buffering keeps the event loop reading the socket while the other core hashes
    and writes, and bounds memory to two batches per PATCH. The event loop itself never
    hashes or writes.
    """
    loop = asyncio.get_running_loop()
    pending: asyncio.Future[None] | None = None
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
                    if pending is not None:
                        await pending
                    pending = loop.run_in_executor(None, sink.write, batch)
                    batch, batched = [], 0
        except ConnectionLost:
            if sink.digest is not None:
                raise  # a body cut short cannot match its checksum: discard all of it
            # Without a checksum, keep what arrived: the client resumes after it.
        if pending is not None:
            await pending
        pending = loop.run_in_executor(None, sink.write, batch)
        await pending
    except ConnectionLost:
        await _settle(pending)
        fh.truncate(offset)
        return offset
    except BaseException:
        await _settle(pending)
        fh.truncate(offset)
        raise
    if sink.digest is not None and sink.digest.digest() != sink.checksum:
        fh.truncate(offset)
        raise ChecksumMismatch("The PATCH body does not match its Upload-Checksum.")
    return offset + written


async def _settle(pending: asyncio.Future[None] | None) -> None:
    """Wait for the batch in flight, so nothing writes after we truncate (errors are ignored:
    the one being handled already says what went wrong)."""
    if pending is not None:
        await asyncio.wait([pending])


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
