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


def _pem_open(buf: bytes | bytearray) -> bool:
    begin = buf.rfind(b"-----BEGIN")
    return begin > buf.rfind(b"-----END") and b"PRIVATE KEY" in buf[begin : begin + 80]


def _cut(buf: bytearray, max_line: int) -> int:
    """Return where the next block ends, or 0 to read more first."""
    cut = buf.rfind(b"\n") + 1
    if cut and not _pem_open(buf[:cut]):
        return cut
    if len(buf) < max_line:
        return 0
    soft = max(buf.rfind(bytes((c,)), 0, max_line) for c in _SEPARATORS)
    return soft + 1 if soft > 0 else max_line


def iter_blocks(
    fh: Readable, block_size: int = BLOCK_SIZE, max_line: int = MAX_LINE
) -> Iterator[bytes]:
    """Yield consecutive blocks of ``fh``; concatenated they are exactly its content."""
    carry = bytearray()
    while True:
        data = fh.read(block_size)
        if not data:
            break
        carry += data
        cut = _cut(carry, max_line)
        while cut:
            yield bytes(carry[:cut])
            del carry[:cut]
            cut = _cut(carry, max_line) if len(carry) >= max_line else 0
    if carry:
        yield bytes(carry)
