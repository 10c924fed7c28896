"""Cut a stream into line-aligned blocks with bounded memory.

A block ends at a newline, so every rule sees whole lines. A line longer than
``max_line`` is cut at the last separator (whitespace or punctuation) before that size: a
value is never split unless a single token is longer than ``max_line``. A private-key
block is never split, so the PEM rule always sees its BEGIN and END lines together.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol


class Readable(Protocol):
    """Anything with ``read(size) -> bytes``: a file, or a byte range of one."""

    def read(self, size: int, /) -> bytes: ...


BLOCK_SIZE = 1 << 20
MAX_LINE = 16 << 20
_SEPARATORS = b" \t,;&|>"


def _pem_open(buf: bytes, start: int = 0, end: int | None = None) -> bool:
    """True when ``buf[start:end]`` ends inside a private-key block."""
    end = len(buf) if end is None else end
    begin = buf.rfind(b"-----BEGIN", start, end)
    return (
        begin >= 0
        and begin > buf.rfind(b"-----END", begin, end)
        and b"PRIVATE KEY" in buf[begin : begin + 80]
    )


def _cut(buf: bytes, start: int, max_line: int) -> int:
    """Return where the block that starts at ``start`` ends, or 0 to read more first."""
    cut = buf.rfind(b"\n", start) + 1
    if cut > start and not _pem_open(buf, start, cut):
        return cut
    if len(buf) - start < max_line:
        return 0
    limit = start + max_line
    soft = max(buf.rfind(bytes((c,)), start, limit) for c in _SEPARATORS)
    return soft + 1 if soft > start else limit


def iter_blocks(
    fh: Readable, block_size: int = BLOCK_SIZE, max_line: int = MAX_LINE
) -> Iterator[bytes]:
    """Yield consecutive blocks of ``fh``; concatenated they are exactly its content."""
    carry = b""
    while True:
        data = fh.read(block_size)
        if not data:
            break
        buf = carry + data if carry else data
        start = 0
        cut = _cut(buf, start, max_line)
        while cut:
            yield buf[start:cut]  # the whole buffer is yielded as it is, without a copy
            start = cut
            cut = _cut(buf, start, max_line) if len(buf) - start >= max_line else 0
        carry = buf[start:]
    if carry:
        yield carry
