"""Redact many files with a process pool: largest work first, huge files in chunks.

Both passes run in the pool. Discovery returns what each piece learned; the parent merges
it and hands it to the rewrite tasks, so every worker applies the same knowledge. Keyed
pseudonyms need no shared state, so workers never talk to each other. A file bigger than
``chunk_size`` is cut at line boundaries (never inside a private-key block); each chunk is
written to a part file and the parts are joined in order, with report lines shifted.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from sitrep.redact.blocks import _pem_open, iter_blocks
from sitrep.redact.engine import CANDIDATE_LIMIT, FileReport, Learned, Redactor
from sitrep.redact.matcher import Candidates
from sitrep.redact.structured import STRUCTURED_LIMIT, is_structured

CHUNK_SIZE = 32 << 20
#: Below this much input the pool's start-up costs more than it saves.
POOL_MIN_BYTES = 16 << 20


@dataclass(frozen=True)
class Piece:
    """A byte range of one file: the unit of work."""

    src: Path
    dst: Path
    name: str
    start: int
    end: int
    index: int
    whole: bool


def plan(jobs: list[tuple[Path, Path, str]], chunk_size: int = CHUNK_SIZE) -> list[Piece]:
    """Cut jobs into pieces, largest first (so no single worker is left busy at the end)."""
    pieces = []
    for src, dst, name in jobs:
        size = Path(src).stat().st_size
        if size <= chunk_size or (is_structured(name) and size <= STRUCTURED_LIMIT):
            pieces.append(Piece(Path(src), Path(dst), name, 0, size, 0, True))
            continue
        bounds = _boundaries(Path(src), size, chunk_size)
        for i, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
            pieces.append(Piece(Path(src), Path(dst), name, start, end, i, False))
    return sorted(pieces, key=lambda p: p.end - p.start, reverse=True)


def _boundaries(src: Path, size: int, chunk_size: int) -> list[int]:
    """Return line-aligned cut points 0 < ... < size, never inside a private-key block."""
    bounds = [0]
    with open(src, "rb") as fh:
        target = chunk_size
        while target < size:
            fh.seek(max(target - 65536, bounds[-1]))
            window = fh.read(target - fh.tell())
            fh.readline()  # finish the line that crosses the target
            cut = fh.tell()
            while _pem_open(window + b"\n") and cut < size:
                line = fh.readline()
                window += line
                cut = fh.tell()
                if b"-----END" in line:
                    break
            if cut >= size:
                break
            bounds.append(cut)
            target = cut + chunk_size
    bounds.append(size)
    return bounds


class _RangeReader:
    """A file object limited to ``[start, end)``."""

    def __init__(self, fh: Any, start: int, end: int) -> None:
        fh.seek(start)
        self._fh, self._left = fh, end - start

    def read(self, size: int) -> bytes:
        data = self._fh.read(min(size, self._left))
        self._left -= len(data)
        return data


# -- worker side --------------------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _init(config: dict[str, Any]) -> None:
    # The run key, not the customer's key attribute, decides the pseudonyms: a run without
    # a customer key still needs one shared random key across its workers.
    redactor = Redactor(
        profile=config["profile"],
        key=config["run_key"],
        redactor_specs=config["specs"],
        keywords=config["keywords"],
    )
    redactor.key = config["key"]
    # Without a customer key no map is saved, so workers must not build one (on dense logs
    # it held every address seen and was shipped back to the parent).
    redactor._pseudo.remember = config["key"] is not None
    _WORKER["redactor"] = redactor


def _discover(piece: Piece) -> tuple[Learned, Candidates | None]:
    """Learn from one piece; also return its candidate lines for its rewrite."""
    redactor: Redactor = _WORKER["redactor"]
    redactor.learned = Learned()
    if piece.whole:
        redactor.discover(piece.src, piece.name)
        return redactor.learned, redactor._take_candidates(piece.name)
    found = Candidates()
    with open(piece.src, "rb") as fh:
        for block in iter_blocks(_RangeReader(fh, piece.start, piece.end)):
            found.add(redactor.learn_buffer(block))
    return redactor.learned, found if found.blocks is not None else None


def _rewrite(
    piece: Piece, learned: Learned, found: Candidates | None
) -> tuple[Piece, FileReport, int, dict[str, str]]:
    redactor: Redactor = _WORKER["redactor"]
    if redactor.learned != learned:
        redactor.learned = learned
        redactor._invalidate()
    redactor._pseudo.mapping.clear()
    if piece.whole:
        if found is not None:
            redactor.keep_candidates(piece.name, found)
        report = redactor.redact_file(piece.src, piece.dst, piece.name, check=True)
        return piece, report, 0, dict(redactor.mapping)
    report, lines = FileReport(path=piece.name), 1
    with open(piece.src, "rb") as fin, open(_part(piece), "wb") as fout:
        blocks = iter_blocks(_RangeReader(fin, piece.start, piece.end))
        for index, block in enumerate(blocks):
            segments = found.get(index) if found else None
            out = redactor.redact_buffer(block, piece.name, report, lines, segments)
            redactor.check_buffer(out, piece.name)
            fout.write(out)
            lines += block.count(b"\n")
    return piece, report, lines - 1, dict(redactor.mapping)


def _part(piece: Piece) -> Path:
    return piece.dst.with_name(f".{piece.dst.name}.part{piece.index:05d}")


# -- parent side --------------------------------------------------------------------------
def redact_files(
    redactor: Redactor, jobs: list[tuple[Path, Path, str]], workers: int | None = None
) -> dict[str, FileReport]:
    """Discover over all files, then rewrite them all; return each file's report."""
    pieces = plan(jobs)
    total = sum(p.end - p.start for p in pieces)
    workers = workers or os.cpu_count() or 1
    if workers == 1 or total < POOL_MIN_BYTES:
        return _serial(redactor, jobs)
    config = {
        "profile": redactor.profile,
        "key": redactor.key,
        "run_key": redactor._key,
        "specs": redactor.redactor_specs,
        "keywords": redactor.keywords,
    }
    ctx = get_context("spawn")
    try:
        with ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=_init, initargs=(config,)
        ) as pool:
            found: list[Candidates | None] = []
            room = CANDIDATE_LIMIT
            for learned, candidates in pool.map(_discover, pieces):
                redactor.learned.update(learned)
                if candidates is not None and candidates.count <= room:
                    room -= candidates.count
                    found.append(candidates)
                else:
                    found.append(None)
            redactor._invalidate()
            futures = [
                pool.submit(_rewrite, p, redactor.learned, f)
                for p, f in zip(pieces, found, strict=True)
            ]
            results = [f.result() for f in futures]
        return _assemble(redactor, results)
    except BaseException:
        _remove_outputs(pieces)  # Fail closed: no partly redacted output survives.
        raise


def _remove_outputs(pieces: list[Piece]) -> None:
    for piece in pieces:
        for path in (piece.dst, _part(piece)):
            path.unlink(missing_ok=True)


def _serial(redactor: Redactor, jobs: list[tuple[Path, Path, str]]) -> dict[str, FileReport]:
    for src, _dst, name in jobs:
        redactor.discover(src, name)
    reports = {}
    try:
        for src, dst, name in jobs:
            reports[name] = redactor.redact_file(src, dst, name, check=True)
    except BaseException:
        for _src, dst, _name in jobs:  # Fail closed: no partly redacted output survives.
            Path(dst).unlink(missing_ok=True)
        raise
    return reports


def _assemble(redactor: Redactor, results: list[Any]) -> dict[str, FileReport]:
    """Join part files in order and merge reports with shifted line numbers."""
    by_name: dict[str, list[Any]] = {}
    for piece, report, lines, mapping in results:
        redactor.mapping.update(mapping)
        by_name.setdefault(piece.name, []).append((piece, report, lines))
    reports = {}
    for name, parts in by_name.items():
        parts.sort(key=lambda item: item[0].index)
        if parts[0][0].whole:
            reports[name] = parts[0][1]
        else:
            reports[name] = _join(parts)
        redactor.record_report(reports[name])
    return reports


def _join(parts: list[Any]) -> FileReport:
    merged, offset = FileReport(path=parts[0][0].name), 0
    with open(parts[0][0].dst, "wb") as out:
        for piece, report, lines in parts:
            merged.merge(report, offset)
            offset += lines
            with open(_part(piece), "rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 20)
            _part(piece).unlink()
    return merged
