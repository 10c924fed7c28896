"""Hash a zip's members while its bytes arrive, so the final check only has to confirm.

The desk feeds every uploaded byte, in file order, to :class:`MemberDigests`. It walks the
local headers, hashes each member's data (inflating deflated members) and records the
SHA-256 under the member's header offset. It never refuses anything: what it cannot
follow (a data descriptor, encryption, an unknown method, sizes over the caps, the central
directory) ends the walk or skips the member, and :func:`sitrep.bundle.validate.check_zip`
reads those members from disk as before. check_zip runs all its checks on the finished
file and takes a recorded digest only when the central directory gives that member the
same method and sizes, so a local header that lies gains nothing.

Customer-side module: it must not import the desk or any server dependency.
"""

from __future__ import annotations

import copy
import hashlib
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from sitrep.bundle.validate import CHUNK, LOCAL_HEADER, LOCAL_SIGNATURE, Limits

ZIP64_EXTRA = 0x0001
UNKNOWN = 0xFFFFFFFF  # a size that lives in the Zip64 extra field
UNFOLLOWABLE_FLAGS = 0x01 | 0x08 | 0x40  # encrypted, data descriptor, strong encryption


@dataclass(frozen=True)
class MemberDigest:
    """A member hashed as it arrived: the facts check_zip compares, and the SHA-256."""

    compress_type: int
    compress_size: int
    file_size: int
    sha256: str


class _Member:
    """The member whose data is arriving."""

    def __init__(self, header_offset: int, method: int, compress_size: int, file_size: int):
        self.header_offset, self.method = header_offset, method
        self.compress_size, self.file_size = compress_size, file_size
        self.left, self.produced, self.usable = compress_size, 0, True
        self.digest = hashlib.sha256()
        self.inflater: Any = zlib.decompressobj(-15) if method == 8 else None

    def copy(self) -> _Member:
        twin = copy.copy(self)
        twin.digest = self.digest.copy()
        twin.inflater = self.inflater.copy() if self.inflater is not None else None
        return twin

    def feed(self, piece: memoryview) -> None:
        self.left -= len(piece)
        if not self.usable:
            return  # skip the rest of it without work
        if self.inflater is None:
            self.produced += len(piece)
            self.digest.update(piece)
            return
        if self.inflater.eof:  # bytes after the end of the stream: zipfile would differ
            self.usable = False
            return
        data: Any = piece
        while True:
            out = self.inflater.decompress(data, CHUNK)
            self.produced += len(out)
            # Bound the work by the declared size, which the caps were checked against.
            if self.produced > self.file_size:
                self.usable = False
                return
            self.digest.update(out)
            data = self.inflater.unconsumed_tail
            if self.inflater.eof or (not data and len(out) < CHUNK):
                return

    def result(self) -> MemberDigest | None:
        inflated = self.inflater is None or (self.inflater.eof and not self.inflater.unused_data)
        if not (self.usable and inflated and self.produced == self.file_size):
            return None
        return MemberDigest(
            self.method, self.compress_size, self.file_size, self.digest.hexdigest()
        )


class MemberDigests:
    """Hash the members of a zip fed to :meth:`update` in order, from its first byte.

    ``digests`` maps header offsets to :class:`MemberDigest`. Memory stays at one member's
    state and one record per member, and the inflating work at what the caps allow.
    """

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.position = 0  # file offset of the next byte fed
        self.header = bytearray()  # a local header that has not fully arrived
        self.member: _Member | None = None
        self.digests: dict[int, MemberDigest] = {}
        self.header_offset = 0  # where that header starts
        self.count = 0  # members started
        self.declared = 0  # uncompressed bytes their local headers announced
        self.stopped = False

    def copy(self) -> MemberDigests:
        """Return an independent copy (to go back to if a PATCH is discarded)."""
        twin = copy.copy(self)
        twin.header = bytearray(self.header)
        twin.member = self.member.copy() if self.member is not None else None
        twin.digests = dict(self.digests)
        return twin

    def update(self, data: bytes | memoryview) -> None:
        """Take the next bytes of the file."""
        view = memoryview(data)
        while view and not self.stopped:
            used = self._data(view) if self.member is not None else self._header(view)
            self.position += used
            view = view[used:]

    def _data(self, view: memoryview) -> int:
        member = self.member
        assert member is not None
        piece = view[: member.left]
        member.feed(piece)
        if member.left == 0:
            found = member.result()
            if found is not None:
                self.digests[member.header_offset] = found
            self.member = None
        return len(piece)

    def _header(self, view: memoryview) -> int:
        if not self.header:
            self.header_offset = self.position
        used = min(self._header_size() - len(self.header), len(view))
        self.header += view[:used]
        if len(self.header) >= LOCAL_HEADER.size and self.header[:4] != LOCAL_SIGNATURE:
            self.stopped = True  # the central directory, or bytes no unzip reads as a member
        elif len(self.header) == self._header_size():
            self._start_member()
        return used

    def _header_size(self) -> int:
        """Return the length of the local header that is arriving, as far as it is known."""
        if len(self.header) < LOCAL_HEADER.size:
            return LOCAL_HEADER.size
        fields = LOCAL_HEADER.unpack_from(self.header)
        return LOCAL_HEADER.size + fields[10] + fields[11]

    def _start_member(self) -> None:
        fields = LOCAL_HEADER.unpack_from(self.header)
        flags, method, compress_size, file_size = fields[3], fields[4], fields[8], fields[9]
        sizes = _zip64_sizes(
            self.header[LOCAL_HEADER.size + fields[10] :], file_size, compress_size
        )
        self.header.clear()
        self.count += 1
        if flags & UNFOLLOWABLE_FLAGS or method not in (0, 8) or sizes is None:
            self.stopped = True
            return
        file_size, compress_size = sizes
        self.declared += file_size
        if not self._within_caps(method, compress_size, file_size):
            self.stopped = True
            return
        self.member = _Member(self.header_offset, method, compress_size, file_size)
        if compress_size == 0:
            self._data(memoryview(b""))

    def _within_caps(self, method: int, compress_size: int, file_size: int) -> bool:
        limits = self.limits
        if method == 0 and compress_size != file_size:
            return False
        if file_size > limits.ratio_floor and file_size > compress_size * limits.max_ratio:
            return False
        return self.declared <= limits.max_total_bytes and self.count <= limits.max_members


def _zip64_sizes(
    extra: bytes | bytearray, file_size: int, compress_size: int
) -> tuple[int, int] | None:
    """Return the sizes, read from the Zip64 extra field where the header says so."""
    if UNKNOWN not in (file_size, compress_size):
        return file_size, compress_size
    while len(extra) >= 4:
        kind, length = struct.unpack_from("<HH", extra)
        body, extra = extra[4 : 4 + length], extra[4 + length :]
        if kind != ZIP64_EXTRA:
            continue
        values = [v for (v,) in struct.iter_unpack("<Q", body[: len(body) // 8 * 8])]
        if file_size == UNKNOWN:
            if not values:
                return None
            file_size = values.pop(0)
        if compress_size == UNKNOWN:
            if not values:
                return None
            compress_size = values.pop(0)
        return file_size, compress_size
    return None
