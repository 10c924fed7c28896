"""Redact many files with a process pool: largest work first, huge files in chunks.

Both passes run in the pool. Discovery returns what each piece learned; the parent merges
it and hands it to the rewrite tasks, so every worker applies the same knowledge. Keyed
pseudonyms need no shared state, so workers never talk to each other. A file bigger than
``chunk_size`` is cut at line boundaries (never inside a private-key block); each chunk is
written to a part file, and the parent joins the parts in order as they come in, with report
lines shifted, so it holds only the reports of pieces that finished before an earlier one.
"""

from __future__ import annotations

import os
import pickle
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
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
    piece: Piece, learned: bytes, found: Candidates | None
) -> tuple[Piece, FileReport, int, dict[str, str]]:
    redactor: Redactor = _WORKER["redactor"]
    # ``learned`` comes pickled: comparing bytes is cheap, and the worker unpickles it only
    # once, instead of holding a second copy of up to 20 000 values during every task.
    if _WORKER.get("learned") != learned:
        redactor.learned = pickle.loads(learned)
        _WORKER["learned"] = learned
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
    pieces = plan(jobs, CHUNK_SIZE)  # looked up now, so a test can make it small
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
        with (
            _workers_skip_main(),
            ProcessPoolExecutor(
                workers, mp_context=ctx, initializer=_init, initargs=(config,)
            ) as pool,
        ):
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
            return _rewrite_all(pool, redactor, pieces, found)
    except BaseException:
        _remove_outputs(pieces)  # Fail closed: no partly redacted output survives.
        raise


def _rewrite_all(
    pool: ProcessPoolExecutor,
    redactor: Redactor,
    pieces: list[Piece],
    found: list[Candidates | None],
) -> dict[str, FileReport]:
    """Rewrite every piece with what discovery learned; join and report as pieces finish."""
    shared = pickle.dumps(redactor.learned)  # once, not once per task
    tasks = sorted(zip(pieces, found, strict=True), key=lambda task: _rewrite_order(task[0]))
    # No list of the futures is kept: each result is dropped once it is assembled.
    done = as_completed([pool.submit(_rewrite, p, shared, f) for p, f in tasks])
    return _assemble(redactor, done, Counter(p.name for p in pieces))


def _rewrite_order(piece: Piece) -> tuple[int, str, int]:
    """Largest first, but a cut file's pieces together and in order (they are all about one
    chunk): they finish roughly in order, so the parent joins each as it comes in.

    Discovery keeps ``plan``'s order: the values learned before the cap depend on it.
    """
    return (-(piece.end - piece.start) if piece.whole else -CHUNK_SIZE, piece.name, piece.index)


@contextmanager
def _workers_skip_main() -> Iterator[None]:
    """Start workers without re-running the program that started them.

    A spawned worker first runs the parent's ``__main__`` file again; for the ``sitrep``
    console script that imports the whole CLI (about 40 MB and 0.4 s per worker, 294 MB in
    all on 64 MB of dense logs). Workers need only this module, so while the pool starts
    processes ``__main__`` shows no file to re-run.
    """
    main = sys.modules["__main__"]
    path = main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        if path is not None:
            main.__file__ = path


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


def _assemble(
    redactor: Redactor, done: Iterator[Future[Any]], counts: Counter[str]
) -> dict[str, FileReport]:
    """Take rewrite results as they finish; return each file's report once it is complete.

    A cut file's report and output are built in piece order as soon as the earlier pieces
    are in: each piece's report holds up to ``REPORT_LINES`` line numbers per rule, and
    keeping all of them until the end grew the parent with the input.
    """
    joins: dict[str, _Join] = {}
    reports = {}
    for future in done:
        piece, report, lines, mapping = future.result()
        redactor.mapping.update(mapping)
        if not piece.whole:
            join = joins.setdefault(piece.name, _Join(piece.name, counts[piece.name]))
            report = join.add(piece, report, lines)
        if report is not None:
            reports[piece.name] = report
            redactor.record_report(report)
    return reports


class _Join:
    """One cut file: its parts appended to the output and its reports merged, in order."""

    def __init__(self, name: str, count: int) -> None:
        self.report, self.count = FileReport(path=name), count
        self.next = self.offset = 0
        self.waiting: dict[int, tuple[Piece, FileReport, int]] = {}

    def add(self, piece: Piece, report: FileReport, lines: int) -> FileReport | None:
        """Take one finished piece; return the file's report once every piece is in."""
        self.waiting[piece.index] = (piece, report, lines)
        while self.next in self.waiting:
            piece, report, lines = self.waiting.pop(self.next)
            self.report.merge(report, self.offset)
            self.offset += lines
            with open(piece.dst, "ab" if self.next else "wb") as out:
                with open(_part(piece), "rb") as fh:
                    shutil.copyfileobj(fh, out, 1 << 20)
            _part(piece).unlink()
            self.next += 1
        return self.report if self.next == self.count else None
