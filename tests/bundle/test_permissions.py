"""Unreadable files are skipped with "permission denied", not dropped or fatal.

The tests run as root, which reads any file. The child process therefore runs without
the CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH capabilities (``setpriv``), so file modes
apply to it exactly as they would to an ordinary admin account.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import host_spec, manifest, member, write_spec

SITREP = Path(sys.executable).parent / "sitrep"


def run_without_root_file_access(args: list[str]) -> subprocess.CompletedProcess[str]:
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to drop the file-access capabilities")
    command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_a_file_without_read_permission_is_recorded_as_skipped(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "readable.log").write_text("fine\n")
    secret = logs / "locked.log"
    secret.write_text("nobody may read this\n")
    secret.chmod(0o000)
    spec = write_spec(tmp_path, host_spec(f"    - files: {{paths: ['{logs}/*.log']}}\n"))
    out = tmp_path / "out.zip"
    done = run_without_root_file_access(
        [str(SITREP), "bundle", "collect", str(spec), "-o", str(out), "--json"]
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["skipped"] == [
        {"source": str(secret), "reason": "permission denied"}
    ]
    data = manifest(out)
    assert data["skipped"] == [{"source": str(secret), "reason": "permission denied"}]
    root = str(logs).lstrip("/")
    assert member(out, f"files/{root}/readable.log") == b"fine\n"
    assert f"files/{root}/locked.log" not in {f["path"] for f in data["files"]}
