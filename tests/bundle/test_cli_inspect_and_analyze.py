"""`sitrep bundle inspect` and `sitrep bundle analyze` on real bundles."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sitrep.cli import app

from .conftest import host_spec, write_spec

WARN_CHECK = (
    "    - textAnalyze:\n        checkName: slow\n        fileName: '*'\n"
    "        regex: 'took \\d+ ms'\n        outcomes:\n"
    "          - warn: {when: 'true', message: slow requests}\n"
    "          - pass: {when: 'false', message: fast}\n"
)


def invoke(*args: str):
    return CliRunner().invoke(app, ["bundle", *args])


@pytest.fixture
def made(tmp_path):
    (tmp_path / "app.log").write_bytes(b"request took 5000 ms\npassword=letmein99\n\xff\n")
    spec = write_spec(
        tmp_path, host_spec(f"    - files: {{paths: ['{tmp_path}/app.log']}}\n", WARN_CHECK)
    )
    out = tmp_path / "b.zip"
    assert invoke("collect", str(spec), "-o", str(out)).exit_code == 4
    return out, f"files/{str(tmp_path).lstrip('/')}/app.log"


def test_inspect_shows_collectors_redactions_and_findings(made):
    out, log = made
    result = invoke("inspect", str(out))
    assert result.exit_code == 0, result.output
    assert "profile standard" in result.output
    assert "1 redactions in 1 files" in result.output and f"{log}: 1" in result.output
    assert "slow requests" in result.output


def test_inspect_list_and_cat_show_files_byte_exact(made):
    out, log = made
    listing = invoke("inspect", str(out), "--list")
    assert log in listing.output and "manifest.json" not in listing.output
    cat = CliRunner().invoke(app, ["bundle", "inspect", str(out), "--cat", log])
    first, second, third = cat.stdout_bytes.split(b"\n", 2)
    assert first == b"request took 5000 ms" and third == b"\xff\n"  # byte-exact around it
    assert second.startswith(b"password=") and b"letmein99" not in second
    missing = invoke("inspect", str(out), "--cat", "nope.txt")
    assert missing.exit_code == 1 and "has no file nope.txt" in missing.output


def test_inspect_json_has_manifest_redactions_and_analysis(made):
    out, log = made
    data = json.loads(invoke("inspect", str(out), "--json").output)
    # Rule names belong to the redaction engine; the bundle only promises count and lines.
    (rule,) = data["redaction_report"]["files"][log].values()
    assert rule == {"count": 1, "lines": [2]}
    assert data["analysis"] == [{"name": "slow", "outcome": "warn", "message": "slow requests"}]
    assert [f["path"] for f in data["manifest"]["files"]][-1] == "redaction-report.json"


def test_inspect_refuses_what_is_not_a_bundle(tmp_path):
    (tmp_path / "x.zip").write_bytes(b"not a zip")
    result = invoke("inspect", str(tmp_path / "x.zip"))
    assert result.exit_code == 1 and "not a readable Sitrep bundle" in result.output
    result = invoke("inspect", str(tmp_path / "x.zip.age"))
    assert result.exit_code == 1 and "is encrypted" in result.output


def test_analyze_a_zip_uses_its_stored_findings_and_exit_code(made):
    out, _ = made
    result = invoke("analyze", str(out), "--json")
    assert result.exit_code == 4
    assert json.loads(result.output) == [
        {"name": "slow", "outcome": "warn", "message": "slow requests"}
    ]


def test_analyze_a_zip_with_another_spec_reruns_its_analyzers(made, tmp_path):
    out, _ = made
    other = write_spec(
        tmp_path,
        host_spec(
            "    - cpu: {}\n",
            "    - textAnalyze:\n        checkName: secret-left\n        fileName: '*app.log'\n"
            "        regex: letmein99\n        outcomes:\n"
            "          - fail: {when: 'true', message: secret survived}\n"
            "          - pass: {when: 'false', message: secret redacted}\n",
        ),
        name="other.yaml",
    )
    result = invoke("analyze", str(out), "--spec", str(other))
    assert result.exit_code == 0, result.output
    assert "secret redacted" in result.output


def test_analyze_a_spec_collects_analyses_and_keeps_nothing(tmp_path):
    (tmp_path / "app.log").write_text("all good\n")
    spec = write_spec(
        tmp_path, host_spec(f"    - files: {{paths: ['{tmp_path}/app.log']}}\n", WARN_CHECK)
    )
    result = invoke("analyze", str(spec))
    assert result.exit_code == 0 and "fast" in result.output
    assert not list(tmp_path.glob("*.zip*"))
