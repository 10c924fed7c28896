"""Large inputs go through the process pool; chunked output equals the serial output."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitrep.redact import Redactor
from sitrep.redact import pool as pool_module


def _big_log(path: Path, lines: int) -> None:
    with open(path, "w") as fh:
        for i in range(lines):
            fh.write(f"2026-11-29 line {i} user=user{i % 97} from 10.{i % 7}.2.{i % 250} ok\n")
            if i == lines // 2:
                fh.write(
                    "-----BEGIN PRIVATE KEY-----\nQUJDREVG\nR0hJSktM\n-----END PRIVATE KEY-----\n"
                )
                fh.write("db.password=Zx9-pasted-Secret\n")
        fh.write("late paste Zx9-pasted-Secret\n")


@pytest.mark.slow
def test_chunked_parallel_output_and_report_equal_the_serial_ones(tmp_path, monkeypatch) -> None:
    src = tmp_path / "app.log"
    _big_log(src, 60_000)
    serial, parallel = tmp_path / "serial.log", tmp_path / "parallel.log"
    one = Redactor(key=b"p" * 32)
    one.discover(src, "app.log")
    serial_report = one.redact_file(src, serial, "app.log")
    # Small chunks and no minimum force the pool and several chunks per file.
    monkeypatch.setattr(pool_module, "CHUNK_SIZE", 512 * 1024)
    monkeypatch.setattr(pool_module, "POOL_MIN_BYTES", 0)
    assert len(pool_module.plan([(src, parallel, "app.log")], pool_module.CHUNK_SIZE)) > 4
    two = Redactor(key=b"p" * 32)
    reports = two.redact_files([(src, parallel, "app.log")], workers=2)
    assert parallel.read_bytes() == serial.read_bytes()
    assert reports["app.log"].rules == serial_report.rules
    assert not list(tmp_path.glob(".parallel.log.part*"))
    assert two.mapping == one.mapping


def test_pieces_that_finish_out_of_order_are_joined_in_order(tmp_path, monkeypatch) -> None:
    """The parent joins each piece as soon as the pieces before it are in; a piece that
    finishes early waits. Here every piece finishes in reverse order."""
    src = tmp_path / "app.log"
    _big_log(src, 20_000)
    serial, parallel = tmp_path / "serial.log", tmp_path / "parallel.log"
    one = Redactor(key=b"p" * 32)
    one.discover(src, "app.log")
    serial_report = one.redact_file(src, serial, "app.log")
    monkeypatch.setattr(pool_module, "CHUNK_SIZE", 128 * 1024)
    monkeypatch.setattr(pool_module, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(pool_module, "as_completed", lambda futures: reversed(list(futures)))
    assert len(pool_module.plan([(src, parallel, "app.log")], pool_module.CHUNK_SIZE)) > 4
    reports = Redactor(key=b"p" * 32).redact_files([(src, parallel, "app.log")], workers=2)
    assert parallel.read_bytes() == serial.read_bytes()
    assert reports["app.log"].rules == serial_report.rules
    assert any(entry.get("lines_truncated") for entry in serial_report.rules.values())
    assert not list(tmp_path.glob(".parallel.log.part*"))


def test_plan_cuts_at_line_boundaries_and_never_inside_a_key_block(tmp_path) -> None:
    src = tmp_path / "a.log"
    _big_log(src, 5_000)
    pieces = pool_module.plan([(src, tmp_path / "o.log", "a.log")], chunk_size=16 * 1024)
    data = src.read_bytes()
    assert sum(p.end - p.start for p in pieces) == len(data)
    for piece in pieces:
        assert piece.start == 0 or data[piece.start - 1 : piece.start] == b"\n"
        chunk = data[piece.start : piece.end]
        assert chunk.count(b"-----BEGIN") == chunk.count(b"-----END")


def test_a_failed_residual_check_removes_every_output(tmp_path, monkeypatch) -> None:
    src = tmp_path / "app.log"
    _big_log(src, 2_000)
    monkeypatch.setattr(pool_module, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(Redactor, "check_buffer", _always_fail)
    monkeypatch.setattr(Redactor, "check_residual", _always_fail)
    dst = tmp_path / "out.log"
    with pytest.raises(Exception, match="survived"):
        Redactor(key=b"p" * 32).redact_files([(src, dst, "app.log")], workers=1)
    assert not dst.exists()


def test_a_failure_after_some_pieces_were_joined_removes_every_output(
    tmp_path, monkeypatch
) -> None:
    """The parent writes the output as pieces come in; a failure after that still leaves
    neither the output nor any part file behind."""
    src = tmp_path / "app.log"
    _big_log(src, 20_000)
    monkeypatch.setattr(pool_module, "CHUNK_SIZE", 128 * 1024)
    monkeypatch.setattr(pool_module, "POOL_MIN_BYTES", 0)

    def two_then_a_failure(futures):
        yield from list(futures)[:2]
        raise RuntimeError("a worker died")

    monkeypatch.setattr(pool_module, "as_completed", two_then_a_failure)
    dst = tmp_path / "out.log"
    with pytest.raises(RuntimeError, match="worker died"):
        Redactor(key=b"p" * 32).redact_files([(src, dst, "app.log")], workers=2)
    assert not dst.exists()
    assert not list(tmp_path.glob(".out.log.part*"))


def _always_fail(self: Redactor, *args: object) -> None:
    from sitrep.errors import RedactionError

    raise RedactionError("A discovered secret survived redaction (test).")


@pytest.mark.parametrize("limit", [0, 1_000_000])
def test_candidate_lines_kept_from_discovery_give_the_same_output_as_a_fresh_scan(
    tmp_path, monkeypatch, limit
) -> None:
    """Discovery keeps each block's candidate lines for the rewrite, up to a limit; past it
    the rewrite scans again. Either way the output is the one a fresh scan gives."""
    from sitrep.redact import engine

    src = tmp_path / "app.log"
    _big_log(src, 30_000)
    fresh = Redactor(key=b"p" * 32)
    fresh.discover(src, "app.log")
    fresh._candidates.clear()  # nothing kept: the rewrite runs the trigger automaton itself
    fresh.redact_file(src, tmp_path / "fresh.log", "app.log")
    monkeypatch.setattr(engine, "CANDIDATE_LIMIT", limit)
    kept = Redactor(key=b"p" * 32)
    kept.discover(src, "app.log")
    assert ("app.log" in kept._candidates) is (limit > 0)
    kept.redact_file(src, tmp_path / "kept.log", "app.log")
    assert not kept._candidates and kept._candidate_room == limit
    assert (tmp_path / "kept.log").read_bytes() == (tmp_path / "fresh.log").read_bytes()
    assert b"Zx9-pasted-Secret" not in (tmp_path / "kept.log").read_bytes()


def test_merging_nearby_candidate_lines_changes_no_output(monkeypatch) -> None:
    """Candidate lines under GAP bytes apart are scanned as one segment, which costs fewer
    automaton calls. Rules need their trigger on the line, so the output is the same as
    with each run of candidate lines scanned alone."""
    import json

    from sitrep.redact import matcher
    from sitrep.redact.engine import FileReport

    corpus = Path(__file__).parent / "corpus"
    texts = [
        json.loads(line)["text"]
        for name in ("positives.jsonl", "negatives.jsonl")
        for line in (corpus / name).read_text().splitlines()
        if line.strip()
    ]
    data = "\n".join(texts).encode() + b"\n"

    def redacted(gap: int) -> tuple[bytes, dict]:
        monkeypatch.setattr(matcher, "GAP", gap)
        redactor = Redactor(key=b"g" * 32)
        redactor.learn_buffer(data)
        report = FileReport("corpus.log")
        return redactor.redact_buffer(data, "corpus.log", report), report.rules

    merged = Redactor(key=b"g" * 32)._all
    monkeypatch.setattr(matcher, "GAP", 1024)
    assert len(merged.segments(data)) < len(texts) / 4  # the merge did happen
    assert redacted(1024) == redacted(0)
