"""Temporary work files are removed on success, on failure and on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import host_spec, write_spec

SITREP = Path(sys.executable).parent / "sitrep"


def _process_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in state  # a zombie waiting for init to reap it no longer runs


def test_success_leaves_no_temporary_files(tmp_path):
    work = tmp_path / "tmp"
    work.mkdir()
    (tmp_path / "a.log").write_text("x\n")
    spec = write_spec(tmp_path, host_spec(f"    - files: {{paths: ['{tmp_path}/a.log']}}\n"))
    env = {**os.environ, "TMPDIR": str(work)}
    done = subprocess.run(
        [str(SITREP), "bundle", "collect", str(spec), "-o", str(tmp_path / "out.zip")],
        env=env, capture_output=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert list(work.iterdir()) == []
    assert sorted(p.name for p in tmp_path.glob("out.zip*")) == ["out.zip"]


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_removes_the_work_folder_kills_commands_and_writes_no_zip(tmp_path, stop):
    work = tmp_path / "tmp"
    work.mkdir()
    pidfile = tmp_path / "sleep.pid"
    (tmp_path / "a.log").write_text("x\n" * 1000)
    spec = write_spec(
        tmp_path,
        host_spec(
            f"    - files: {{paths: ['{tmp_path}/a.log']}}\n"
            # `$$` is the spec's escape for a literal `$`, so `$$$$` reaches sh as `$$`.
            f"    - run: {{command: sh, timeout: 120s,\n"
            f"             args: ['-c', 'echo $$$$ > {pidfile}; exec sleep 60']}}\n"
        ),
    )
    env = {**os.environ, "TMPDIR": str(work)}
    child = subprocess.Popen(
        [str(SITREP), "bundle", "collect", str(spec), "-o", str(tmp_path / "out.zip")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not (pidfile.exists() and pidfile.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(work.iterdir()), "the collection should be under way with a work folder"
    child.send_signal(stop)
    _, stderr = child.communicate(timeout=30)
    assert child.returncode == 130
    assert "Interrupted" in stderr and "Traceback" not in stderr
    assert list(work.iterdir()) == []
    assert list(tmp_path.glob("out.zip*")) == []
    sleeper = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while not _process_gone(sleeper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _process_gone(sleeper), "the spec's command must not outlive the interrupted bundle"


@pytest.mark.slow
def test_ctrl_c_during_redaction_of_big_logs_stops_the_worker_pool_at_once(tmp_path):
    work = tmp_path / "tmp"
    work.mkdir()
    line = (
        b"2026-11-29 10:00:00 INFO user alice@example.com from 10.1.2.3 password=hunter2hunter2\n"
    )
    with open(tmp_path / "big.log", "wb") as fh:
        for _ in range(6):
            fh.write(line * (8 * 1024 * 1024 // len(line)))  # 48 MB: big enough for the pool
    spec = write_spec(tmp_path, host_spec(f"    - files: {{paths: ['{tmp_path}/big.log']}}\n"))
    env = {**os.environ, "TMPDIR": str(work)}
    child = subprocess.Popen(
        [str(SITREP), "bundle", "collect", str(spec), "-o", str(tmp_path / "out.zip")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not list(work.glob("*/staged")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(work.glob("*/staged")), "redaction should have started"
    time.sleep(1)
    child.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, stderr = child.communicate(timeout=60)
    assert time.monotonic() - started < 15, "the worker pool kept running after Ctrl-C"
    assert child.returncode == 130 and "Traceback" not in stderr
    assert list(work.iterdir()) == []
    assert list(tmp_path.glob("out.zip*")) == []
