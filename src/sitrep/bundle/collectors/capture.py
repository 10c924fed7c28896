"""Copy log files into the bundle with caps: shared by the ``copy`` and ``files`` collectors.

A file is read up to the size it had when opened (so a growing log cannot run forever),
at most the per-file cap (keeping the newest lines), and within the bundle's total budget.
Bytes are copied as they are: non-UTF-8 text survives byte-exact.
"""

from __future__ import annotations

import errno
import fnmatch
import glob
import gzip
import os
import re
import shutil
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from sitrep.bundle.collectors.context import MB, Context

CHUNK = MB
SNIFF = 8192
_ROTATED = re.compile(r"(?:[.-]\d{1,3}|[.-]\d{4}-?\d{2}-?\d{2}(?:[.-]?\d+)?)?(?:\.gz)?$")


@dataclass(frozen=True)
class Planned:
    """A source a collector would read, for ``--dry-run``."""

    collector: str
    source: str
    size: int | None
    note: str = ""


def expand(patterns: list[str]) -> tuple[list[str], list[str]]:
    """Return (matched file paths, patterns that matched nothing); directories are walked.

    ``**`` is handled by walking without following symlinks, so a symlink loop cannot
    make the walk endless.
    """
    found: set[str] = set()
    missing: list[str] = []
    for pattern in patterns:
        matches = _walk_glob(pattern) if "**" in pattern else glob.glob(pattern)
        if not matches:
            missing.append(pattern)
        for match in matches:
            found.update(
                _walk_dir(match) if os.path.isdir(match) and not os.path.islink(match) else [match]
            )
    return sorted(found), missing


def _walk_glob(pattern: str) -> list[str]:
    root = pattern.split("**", 1)[0].rsplit("/", 1)[0] or "/"
    return [p for p in _walk_dir(root) if fnmatch.fnmatch(p, pattern)]


def _walk_dir(root: str) -> list[str]:
    paths: list[str] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        paths.extend(os.path.join(folder, name) for name in files)
        # A symlink to a directory is listed in ``dirs`` but not walked; keep it so it
        # is recorded as skipped instead of disappearing.
        paths.extend(
            os.path.join(folder, d) for d in dirs if os.path.islink(os.path.join(folder, d))
        )
    return paths


def keep_newest_rotations(paths: list[str], keep: int, ctx: Context) -> list[str]:
    """Keep the current file and the ``keep`` newest rotated siblings of each log."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        groups.setdefault(_ROTATED.sub("", path) or path, []).append(path)
    kept: list[str] = []
    for members in groups.values():
        members.sort(key=_mtime, reverse=True)
        kept.extend(members[: keep + 1])
        for older in members[keep + 1 :]:
            ctx.skip(older, f"older rotated log (only the newest {keep} rotations are kept)")
    return sorted(kept)


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def too_old(path: str, since_days: float | None) -> bool:
    """Return True when the file was last modified before ``since_days`` days ago."""
    return since_days is not None and _mtime(path) < time.time() - since_days * 86400


def copy_capped(src: str, relative: str, ctx: Context, cap: int) -> None:
    """Copy ``src`` to ``relative`` in the bundle, or record why it was skipped."""
    try:
        with open(src, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                ctx.skip(src, "not a regular file")
                return
            if src.endswith(".gz"):
                _copy_gzip(fh, src, relative, ctx, cap)
                return
            _copy_open(fh, info.st_size, src, relative, ctx, cap)
    except OSError as exc:
        ctx.skip(src, describe_os_error(exc))


def describe_os_error(exc: OSError) -> str:
    """Return a short, path-free reason for an OSError."""
    reasons = {
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOENT: "vanished before it could be read",
        errno.ELOOP: "symlink loop",
        errno.EISDIR: "is a directory",
    }
    return reasons.get(exc.errno or 0, f"cannot read ({exc.strerror or exc.__class__.__name__})")


def _copy_open(fh: BinaryIO, size: int, src: str, relative: str, ctx: Context, cap: int) -> None:
    start = _tail_start(fh, size, cap)
    fh.seek(start)
    if b"\0" in fh.read(SNIFF):
        ctx.skip(src, "binary file")
        return
    wanted = size - start
    granted = ctx.budget.reserve(wanted)
    if granted == 0 and wanted > 0:
        ctx.skip(src, "the bundle's total size cap was reached")
        return
    if granted < wanted:
        start = _tail_start(fh, size, granted)
    fh.seek(start)
    written = _copy_range(fh, ctx.path(relative), size - start)
    if os.fstat(fh.fileno()).st_size > size:
        # The log grew while it was read: the last line may be half-written. Drop it.
        written = _trim_partial_line(ctx.path(relative), written)
    ctx.budget.refund(granted - written)
    if start > 0:
        ctx.truncated.add(relative)


def _tail_start(fh: BinaryIO, size: int, cap: int) -> int:
    """Return where the newest ``cap`` bytes start, moved forward to a line start."""
    if size <= cap:
        return 0
    start = size - cap
    fh.seek(start - 1)
    window = fh.read(min(cap, CHUNK) + 1)
    newline = window.find(b"\n")
    return start + newline if 0 <= newline < len(window) - 1 else start


def _copy_range(fh: BinaryIO, dst: Path, length: int) -> int:
    """Copy exactly ``length`` bytes (or up to EOF if the file shrank) in bounded chunks."""
    written = 0
    with open(dst, "wb") as out:
        while written < length:
            chunk = fh.read(min(CHUNK, length - written))
            if not chunk:
                break
            out.write(chunk)
            written += len(chunk)
    return written


def _trim_partial_line(dst: Path, written: int) -> int:
    """Cut ``dst`` after its last newline (within the last chunk); return the new size."""
    with open(dst, "r+b") as fh:
        tail_from = max(0, written - CHUNK)
        fh.seek(tail_from)
        newline = fh.read().rfind(b"\n")
        keep = tail_from + newline + 1 if newline >= 0 else written
        fh.truncate(keep)
    return keep


def _copy_gzip(fh: BinaryIO, src: str, relative: str, ctx: Context, cap: int) -> None:
    """Decompress a rotated ``.gz`` log (at most 20x the cap), then keep its newest lines."""
    scratch = ctx.path(relative + ".gunzip-tmp")
    try:
        with gzip.GzipFile(fileobj=fh) as gz, open(scratch, "wb") as out:
            copied = _bounded_copy(gz, out, 20 * cap)
        if copied < 0:
            ctx.skip(src, "compressed log expands beyond 20x the per-file cap")
            return
        with open(scratch, "rb") as plain:
            _copy_open(plain, copied, src, relative.removesuffix(".gz"), ctx, cap)
    except (gzip.BadGzipFile, EOFError):
        ctx.skip(src, "corrupt gzip file")
    finally:
        scratch.unlink(missing_ok=True)


def _bounded_copy(src: gzip.GzipFile, dst: IO[bytes], limit: int) -> int:
    """Copy until EOF; return the byte count, or -1 when more than ``limit`` bytes came."""
    total = 0
    while chunk := src.read(CHUNK):
        total += len(chunk)
        if total > limit:
            return -1
        dst.write(chunk)
    return total


def collect_paths(paths: list[str], ctx: Context, cap: int, since_days: float | None) -> None:
    """Copy each path into ``<collector>/<absolute path>``, honouring age and size caps."""
    for path in paths:
        if too_old(path, since_days):
            ctx.skip(path, f"not modified in the last {since_days:g} days")
            continue
        copy_capped(path, os.path.abspath(path).lstrip("/"), ctx, cap)


def plan_paths(paths: list[str], name: str, cap: int, since_days: float | None) -> list[Planned]:
    """Describe what ``collect_paths`` would copy, reading sizes only."""
    planned = []
    for path in paths:
        try:
            size = os.stat(path).st_size
        except OSError as exc:
            planned.append(Planned(name, path, None, "skipped: " + describe_os_error(exc)))
            continue
        note = "skipped: too old" if too_old(path, since_days) else ""
        if not note and size > cap:
            note = f"truncated to the newest {cap // MB} MB"
        planned.append(Planned(name, path, min(size, cap), note))
    return planned


def remove_scratch(folder: Path) -> None:
    """Remove a collector folder (used when a collector timed out and its files are dropped)."""
    shutil.rmtree(folder, ignore_errors=True)
