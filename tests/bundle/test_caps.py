"""Caps per file and in total; huge and growing files are read only up to the cap."""

from __future__ import annotations

import threading
import time

import pytest

from .conftest import MB, host_spec, manifest, member


def test_a_file_over_the_cap_keeps_its_newest_whole_lines(bundle, tmp_path):
    lines = [f"line {i:06d} some log text\n".encode() for i in range(100_000)]
    (tmp_path / "big.log").write_bytes(b"".join(lines))
    _, out = bundle(host_spec(f"    - files: {{paths: ['{tmp_path}/big.log'], maxSizeMB: 1}}\n"))
    entry = next(f for f in manifest(out)["files"] if f["collector"] == "files")
    assert entry["truncated"] is True
    assert MB - 40 <= entry["size"] <= MB
    kept = member(out, entry["path"])
    assert kept.endswith(lines[-1]) and kept.startswith(b"line ")


def test_the_cli_cap_applies_when_the_spec_sets_none(bundle, tmp_path):
    (tmp_path / "big.log").write_bytes(b"x" * 99 + b"\n" * 1 + b"y\n" * 2 * MB)
    _, out = bundle(host_spec(f"    - copy: {{path: '{tmp_path}/big.log'}}\n"), max_file_mb=0.5)
    entry = next(f for f in manifest(out)["files"] if f["collector"] == "copy")
    assert entry["truncated"] and entry["size"] <= MB // 2


def test_the_total_cap_skips_files_once_the_bundle_is_full(bundle, tmp_path):
    for name in ("a.log", "b.log", "c.log"):
        (tmp_path / name).write_bytes(b"0123456789abcde\n" * (MB // 16))
    result, out = bundle(
        host_spec(f"    - files: {{paths: ['{tmp_path}/*.log']}}\n"), max_total_mb=1.5
    )
    data = manifest(out)
    logs = [f for f in data["files"] if f["collector"] == "files"]
    assert sum(f["size"] for f in logs) <= 1.5 * MB
    assert [f["path"][-5:] for f in logs] == ["a.log", "b.log"] and logs[1]["truncated"]
    assert data["skipped"] == [
        {"source": f"{tmp_path}/c.log", "reason": "the bundle's total size cap was reached"}
    ]


@pytest.mark.slow
def test_a_10_gb_sparse_file_is_capped_not_read_whole(bundle, tmp_path):
    huge = tmp_path / "huge.log"
    with open(huge, "wb") as fh:
        fh.write(b"first line\n")
        fh.truncate(10 * 1024**3)
        tail = b"tail line\n" * 200_000
        fh.seek(10 * 1024**3 - len(tail))
        fh.write(tail)
    started = time.monotonic()
    _, out = bundle(host_spec(f"    - files: {{paths: ['{huge}'], maxSizeMB: 1}}\n"))
    assert time.monotonic() - started < 20  # reading 10 GB would take minutes here
    entry = next(f for f in manifest(out)["files"] if f["collector"] == "files")
    assert huge.stat().st_size == 10 * 1024**3
    assert entry["truncated"] and entry["size"] == (MB // 10) * 10  # whole lines only
    assert member(out, entry["path"]) == b"tail line\n" * (MB // 10)


def test_a_file_growing_while_read_is_copied_as_a_prefix_and_the_copy_ends(bundle, tmp_path):
    # The writer appends as fast as it can for the whole run; a reader that chased EOF
    # would never finish or would copy a torn tail. The copy must stop at the size the
    # file had when it was opened, so it is an exact prefix of what is on disk later.
    log = tmp_path / "growing.log"
    log.write_bytes(b"before\n" * (4 * MB // 7))
    size_at_start = log.stat().st_size
    stop = threading.Event()

    def grow() -> None:
        with open(log, "ab") as fh:
            while not stop.is_set():
                fh.write(b"after\n" * 1000)
                fh.flush()
                time.sleep(0.001)

    writer = threading.Thread(target=grow)
    writer.start()
    try:
        _, out = bundle(host_spec(f"    - files: {{paths: ['{log}'], maxSizeMB: 1000}}\n"))
        size_after = log.stat().st_size
    finally:
        stop.set()
        writer.join()
    entry = next(f for f in manifest(out)["files"] if f["collector"] == "files")
    copied = member(out, entry["path"])
    assert size_at_start <= entry["size"] < size_after
    assert copied == log.read_bytes()[: len(copied)]
    assert copied.endswith(b"\n"), "a half-written last line was kept"
    assert "truncated" not in entry
