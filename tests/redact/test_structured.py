"""Structured files are redacted by key name, and everything else stays byte-identical."""

from __future__ import annotations

from pathlib import Path

from sitrep.redact import Redactor


def _redact_file(tmp_path: Path, name: str, text: str, **kwargs: object) -> str:
    src, dst = tmp_path / name, tmp_path / f"out-{name}"
    src.write_text(text)
    redactor = Redactor(key=b"s" * 32, **kwargs)
    redactor.discover(src, name)
    redactor.redact_file(src, dst, name)
    redactor.check_residual(dst, name)
    return dst.read_text()


def test_yaml_block_scalars_under_secret_keys_are_removed_and_the_yaml_stays_valid(
    tmp_path,
) -> None:
    import yaml

    text = (
        "db:\n  host: localhost\n  password: |\n    line-one-secret\n    line-two-secret\n"
        "  port: 5432\n"
    )
    out = _redact_file(tmp_path, "app.yaml", text)
    assert "line-one-secret" not in out and "line-two-secret" not in out
    assert yaml.safe_load(out)["db"]["port"] == 5432


def test_every_value_of_a_kubernetes_secret_is_removed(tmp_path) -> None:
    text = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
        "data:\n  username: YWRtaW4=\n  dsn: cG9zdGdyZXM6Ly8=\n"
    )
    out = _redact_file(tmp_path, "secret.yaml", text)
    assert "YWRtaW4=" not in out and "cG9zdGdyZXM6Ly8=" not in out
    assert "name: db" in out


def test_properties_values_with_spaces_and_continuations_are_removed_whole(tmp_path) -> None:
    text = "jira.timeout=30\nldap.bind.password = my secret \\\n  continued\nfoo=bar\n"
    out = _redact_file(tmp_path, "jira-config.properties", text)
    assert "my secret" not in out and "continued" not in out
    assert out.startswith("jira.timeout=30\n") and out.endswith("foo=bar\n")


def test_env_and_ini_files_are_redacted_by_key(tmp_path) -> None:
    out = _redact_file(tmp_path, ".env", 'export DB_PASSWORD="two words"\nDEBUG=1\n')
    assert "two words" not in out and "DEBUG=1" in out
    out = _redact_file(tmp_path, "app.ini", "[db]\nuser = jira\nsecret = s p a c e d\n")
    assert "s p a c e d" not in out and "[db]\n" in out


def test_a_file_without_secrets_comes_out_byte_identical(tmp_path) -> None:
    text = "server:\n  port: 8080\n  threads: 40\nlogging:\n  level: INFO\n"
    assert _redact_file(tmp_path, "app.yml", text) == text


def test_invalid_yaml_still_gets_the_line_rules(tmp_path) -> None:
    out = _redact_file(tmp_path, "broken.yaml", "a: [unclosed\npassword: hunter2hunter2\n")
    assert "hunter2hunter2" not in out
