"""`sitrep desk agreement add|revoke|list` against a real database."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sitrep.cli.agreement import app

runner = CliRunner()


@pytest.fixture
def env(database_url, tmp_path):
    return {"SITREP_DATABASE_URL": database_url, "SITREP_DATA_DIR": str(tmp_path / "data")}


def test_add_list_and_revoke_an_agreement(env):
    result = runner.invoke(
        app,
        [
            "add",
            "Acme",
            "--valid-from",
            "2020-01-01",
            "--valid-until",
            "2099-01-01",
            "--scope",
            "support",
            "--json",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    added = json.loads(result.stdout)
    assert added["firm"] == "Acme" and added["valid_from"] == "2020-01-01T00:00:00+00:00"
    listed = json.loads(runner.invoke(app, ["list", "--json"], env=env).stdout)
    assert [(a["firm"], a["valid_now"]) for a in listed] == [("Acme", True)]
    result = runner.invoke(app, ["revoke", "Acme"], env=env)
    assert result.exit_code == 0 and "Revoked 1 agreement(s) of Acme" in result.stdout
    listed = json.loads(runner.invoke(app, ["list", "--json"], env=env).stdout)
    assert listed[0]["valid_now"] is False and listed[0]["revoked_at"]


def test_bad_dates_and_unknown_firms_are_one_line_errors(env):
    result = runner.invoke(
        app, ["add", "Acme", "--valid-from", "next tuesday", "--valid-until", "2099-01-01"], env=env
    )
    assert result.exit_code == 1 and "--valid-from: 'next tuesday' is not a date" in result.stderr
    result = runner.invoke(
        app, ["add", "Acme", "--valid-from", "2030-01-01", "--valid-until", "2029-01-01"], env=env
    )
    assert result.exit_code == 1 and "valid_until must be after valid_from" in result.stderr
    result = runner.invoke(app, ["revoke", "Nobody"], env=env)
    assert result.exit_code == 1 and "No unrevoked agreement for firm 'Nobody'" in result.stderr
    assert "Traceback" not in result.output
    assert json.loads(runner.invoke(app, ["list", "--json"], env=env).stdout) == []
