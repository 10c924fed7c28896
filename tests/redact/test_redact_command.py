"""`sitrep redact`: files and directories into OUTDIR, stdin to stdout, key and map handling."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    code = "from sitrep.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "logs"
    (root / "app").mkdir(parents=True)
    (root / "app" / "server.log").write_text(
        "2026-11-29 INFO user=mdubois from 10.1.2.3\nconnecting with Zx9-pasted-Secret\n"
    )
    (root / "dbconfig.xml").write_text("<password>Zx9-pasted-Secret</password>\n")
    (root / "image.png").write_bytes(b"\x89PNG\x00\x00binary")
    return root


def test_it_redacts_a_directory_into_outdir_keeping_relative_paths(tmp_path) -> None:
    root = _tree(tmp_path)
    out = tmp_path / "out"
    result = run("redact", str(root), "-o", str(out), "--report", str(tmp_path / "report.json"))
    assert result.returncode == 0, result.stderr
    server = (out / "logs" / "app" / "server.log").read_text()
    assert (
        "Zx9-pasted-Secret" not in server and "mdubois" not in server and "10.1.2.3" not in server
    )
    assert (out / "logs" / "dbconfig.xml").exists()
    assert not (out / "logs" / "image.png").exists()
    assert "Skipped logs/image.png: binary file" in result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["files"]["logs/app/server.log"]["credentials.discovered-value"]["lines"] == [2]
    assert "Zx9" not in (tmp_path / "report.json").read_text()
    assert root.joinpath("dbconfig.xml").read_text() == "<password>Zx9-pasted-Secret</password>\n"


def test_it_reads_stdin_and_writes_stdout() -> None:
    result = run("redact", stdin="password=hunter2hunter2 user=jsmith\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("password=***HIDDEN*** user=user-")
    assert "hunter2" not in result.stdout and "jsmith" not in result.stdout


def test_minimal_profile_keeps_identifiers() -> None:
    result = run(
        "redact", "-", "--profile", "minimal", stdin="password=hunter2hunter2 user=jsmith\n"
    )
    assert result.stdout == "password=***HIDDEN*** user=jsmith\n"


def test_a_key_file_is_created_and_the_map_lets_unmask_restore_values(tmp_path) -> None:
    key = tmp_path / "keys" / "sitrep.key"
    first = run("redact", "--key", str(key), stdin="login user=jsmith from 10.1.2.3\n")
    assert "Created a new pseudonym key" in first.stderr
    again = run("redact", "--key", str(key), stdin="login user=jsmith from 10.1.2.3\n")
    assert first.stdout == again.stdout  # same key, same pseudonyms
    mapfile = key.with_name("sitrep.key.map")
    assert mapfile.exists() and b"jsmith" not in mapfile.read_bytes()
    pseudonym = first.stdout.split("user=")[1].split()[0]
    restored = run("unmask", f"please check {pseudonym}", "--key", str(key))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout == "please check jsmith\n"
    from_stdin = run("unmask", "--key", str(key), stdin=first.stdout)
    assert from_stdin.stdout == "login user=jsmith from 10.1.2.3\n"


def test_unmask_with_a_wrong_key_is_a_clear_error(tmp_path) -> None:
    key, other = tmp_path / "a.key", tmp_path / "b.key"
    run("redact", "--key", str(key), stdin="user=jsmith\n")
    run("redact", "--key", str(other), stdin="x\n")
    result = run("unmask", "x", "--key", str(other), "--map", str(tmp_path / "a.key.map"))
    assert result.returncode == 1
    assert "cannot be opened with this key" in result.stderr
    assert "Traceback" not in result.stderr


def test_files_without_outdir_are_refused_and_nothing_is_written(tmp_path) -> None:
    root = _tree(tmp_path)
    result = run("redact", str(root))
    assert result.returncode == 1
    assert "needs an output directory" in result.stderr and "Traceback" not in result.stderr


def test_a_missing_input_and_an_unknown_profile_are_clear_errors(tmp_path) -> None:
    missing = run("redact", str(tmp_path / "nope"), "-o", str(tmp_path / "o"))
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    profile = run("redact", "--profile", "loose", stdin="x\n")
    assert profile.returncode == 1 and "Unknown redaction profile" in profile.stderr
    assert "Traceback" not in missing.stderr + profile.stderr


def test_the_json_summary_counts_without_values(tmp_path) -> None:
    root = _tree(tmp_path)
    result = run("redact", str(root), "-o", str(tmp_path / "out"), "--json")
    summary = json.loads(result.stdout)
    assert summary["files"] == 2 and summary["skipped"] == ["logs/image.png"]
    assert summary["totals"]["credentials.discovered-value"] == 1
