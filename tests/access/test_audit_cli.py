"""`sitrep audit verify` and `sitrep audit checkpoint` on a real database file or server."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sitrep.cli.audit import app

runner = CliRunner()


@pytest.fixture
def env(database_url, signing_key_b64, tmp_path):
    return {
        "SITREP_DATABASE_URL": database_url,
        "SITREP_AUDIT_SIGNING_KEY": signing_key_b64,
        "SITREP_DATA_DIR": str(tmp_path / "data"),
    }


def test_verify_passes_on_an_intact_log_and_reports_counts(append, env):
    append(4)
    assert runner.invoke(app, ["checkpoint"], env=env).exit_code == 0
    result = runner.invoke(app, ["verify", "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["entries"] == 4 and report["checkpoints"] == 1


def test_verify_exits_1_and_names_the_first_bad_entry(append, tamper, env):
    append(5)
    tamper("UPDATE audit_entries SET target = 'attachment:99' WHERE seq = 3")
    result = runner.invoke(app, ["verify"], env=env)
    assert result.exit_code == 1
    assert "FAILED at entry 3" in result.stderr and "entry 3 was changed" in result.stderr


def test_a_checkpoint_file_held_elsewhere_catches_a_rollback(append, tamper, env, tmp_path):
    append(3)
    held = tmp_path / "held" / "checkpoint.json"
    held.parent.mkdir()
    result = runner.invoke(app, ["checkpoint", "--out", str(held)], env=env)
    assert result.exit_code == 0 and "Checkpoint at entry 3" in result.stdout
    saved = json.loads(held.read_text())
    assert saved["seq"] == 3 and saved["public_key"] and saved["signature"]
    assert runner.invoke(app, ["verify", "--checkpoint", str(held)], env=env).exit_code == 0
    tamper(
        "DELETE FROM audit_checkpoints",
        "DELETE FROM audit_entries WHERE seq = 3",
        "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_entries WHERE seq = 2)",
    )
    assert runner.invoke(app, ["verify"], env=env).exit_code == 0  # looks fine from inside
    result = runner.invoke(app, ["verify", "--checkpoint", str(held)], env=env)
    assert result.exit_code == 1 and "FAILED at entry 3" in result.stderr
    assert "rolled back" in result.stderr


def test_verify_with_another_public_key_fails_on_the_signature(append, env):
    append(2)
    runner.invoke(app, ["checkpoint"], env=env)
    other = "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik="
    result = runner.invoke(app, ["verify", "--public-key", other, "--json"], env=env)
    assert result.exit_code == 1 and "bad signature" in json.loads(result.stdout)["problem"]


def test_checkpoint_refuses_to_sign_over_a_broken_chain(append, tamper, env):
    append(3)
    tamper("UPDATE audit_entries SET action = 'nothing.happened' WHERE seq = 2")
    result = runner.invoke(app, ["checkpoint"], env=env)
    assert result.exit_code == 1 and "entry 2 was changed" in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_signing_key_is_one_clear_error(append, env):
    append(1)
    env = {**env, "SITREP_AUDIT_SIGNING_KEY": ""}
    result = runner.invoke(app, ["checkpoint"], env=env)
    assert result.exit_code == 1 and "SITREP_AUDIT_SIGNING_KEY is not set" in result.stderr
