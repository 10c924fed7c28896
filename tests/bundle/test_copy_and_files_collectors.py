"""The copy and files collectors: globs, folders, age, rotation, byte-exact content."""

from __future__ import annotations

import gzip
import os
import time

from .conftest import host_spec, manifest, member


def test_copy_collects_a_glob_and_a_folder_byte_exact(bundle, tmp_path):
    logs = tmp_path / "logs"
    (logs / "sub").mkdir(parents=True)
    (logs / "a.log").write_bytes(b"first\n")
    (logs / "sub" / "b.log").write_bytes(b"second\n")
    result, out = bundle(
        host_spec(
            f"    - copy: {{collectorName: one, path: '{logs}/*.log'}}\n"
            f"    - copy: {{collectorName: tree, path: '{logs}'}}\n",
            api="troubleshoot.sh/v1beta2",
        )
    )
    paths = {f["path"] for f in manifest(out)["files"]}
    root = str(logs).lstrip("/")
    assert {f"one/{root}/a.log", f"tree/{root}/a.log", f"tree/{root}/sub/b.log"} <= paths
    assert member(out, f"tree/{root}/sub/b.log") == b"second\n"
    assert [c["status"] for c in result.collectors] == ["ok", "ok"]


def test_a_missing_path_is_recorded_as_skipped(bundle, tmp_path):
    result, out = bundle(host_spec(f"    - copy: {{path: '{tmp_path}/nothing/*.log'}}\n"))
    assert manifest(out)["skipped"] == [
        {"source": f"{tmp_path}/nothing/*.log", "reason": "no file matches this path"}
    ]
    assert result.collectors[0]["status"] == "ok"


def test_files_skips_logs_older_than_since_days(bundle, tmp_path):
    (tmp_path / "new.log").write_text("new\n")
    old = tmp_path / "old.log"
    old.write_text("old\n")
    ten_days_ago = time.time() - 10 * 86400
    os.utime(old, (ten_days_ago, ten_days_ago))
    _, out = bundle(host_spec(f"    - files: {{paths: ['{tmp_path}/*.log'], sinceDays: 3}}\n"))
    data = manifest(out)
    assert [f["path"].rsplit("/", 1)[1] for f in data["files"] if f["collector"] == "files"] == [
        "new.log"
    ]
    assert data["skipped"] == [{"source": str(old), "reason": "not modified in the last 3 days"}]


def test_files_keeps_the_newest_rotations_and_decompresses_gzip(bundle, tmp_path):
    now = time.time()
    for age, name in enumerate(["app.log", "app.log.1", "app.log.2.gz", "app.log.3.gz"]):
        path = tmp_path / name
        content = f"generation {age}\n".encode()
        path.write_bytes(gzip.compress(content) if name.endswith(".gz") else content)
        os.utime(path, (now - age * 3600, now - age * 3600))
    _, out = bundle(host_spec(f"    - files: {{paths: ['{tmp_path}/app.log*'], rotated: 2}}\n"))
    data = manifest(out)
    root = str(tmp_path).lstrip("/")
    names = sorted(f["path"] for f in data["files"] if f["collector"] == "files")
    assert names == [f"files/{root}/app.log", f"files/{root}/app.log.1", f"files/{root}/app.log.2"]
    assert member(out, f"files/{root}/app.log.2") == b"generation 2\n"
    assert data["skipped"][0]["source"].endswith("app.log.3.gz")
    assert "rotated" in data["skipped"][0]["reason"]


def test_non_utf8_logs_survive_byte_exact(bundle, tmp_path):
    raw = "café Ärger ñ\n".encode("latin-1") + b"\xff\xfe broken utf-8 \xc3\x28\n"
    (tmp_path / "latin.log").write_bytes(raw)
    _, out = bundle(host_spec(f"    - files: {{paths: ['{tmp_path}/latin.log']}}\n"))
    assert member(out, f"files/{str(tmp_path).lstrip('/')}/latin.log") == raw


def test_binary_files_are_skipped_with_a_reason(bundle, tmp_path):
    (tmp_path / "heap.hprof").write_bytes(b"JAVA PROFILE\0\x01\x02" * 100)
    _, out = bundle(host_spec(f"    - files: {{paths: ['{tmp_path}/heap.hprof']}}\n"))
    data = manifest(out)
    assert data["skipped"] == [{"source": f"{tmp_path}/heap.hprof", "reason": "binary file"}]
    assert not [f for f in data["files"] if f["collector"] == "files"]


def test_symlink_loops_and_vanished_links_are_skipped(bundle, tmp_path):
    (tmp_path / "a.log").symlink_to(tmp_path / "b.log")
    (tmp_path / "b.log").symlink_to(tmp_path / "a.log")
    (tmp_path / "gone.log").symlink_to(tmp_path / "deleted-target.log")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "up").symlink_to(tmp_path / "dir")
    _, out = bundle(
        host_spec(f"    - files: {{paths: ['{tmp_path}/*.log', '{tmp_path}/dir/**']}}\n")
    )
    reasons = {s["source"].rsplit("/", 1)[1]: s["reason"] for s in manifest(out)["skipped"]}
    assert reasons["a.log"] == "symlink loop" and reasons["b.log"] == "symlink loop"
    assert reasons["gone.log"] == "vanished before it could be read"
    assert reasons["up"] == "is a directory"
