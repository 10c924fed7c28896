"""A bad spec is refused before anything is collected, naming the file, line and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitrep.bundle import load_spec
from sitrep.errors import SpecError

from .conftest import host_spec, write_spec


def refuse(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> SpecError:
    path = write_spec(tmp_path, text)
    with pytest.raises(SpecError) as caught:
        load_spec(path, env=env or {})
    assert caught.value.file == str(path)
    return caught.value


def test_it_refuses_malformed_yaml_with_the_line(tmp_path):
    text = "apiVersion: sitrep.dev/v1\nkind: SupportBundle\nspec:\n  hostCollectors: [\n"
    error = refuse(tmp_path, text + "    - cpu: {}\n")
    assert "malformed YAML" in error.message
    assert error.line is not None and error.line >= 5
    assert error.fix


def test_it_refuses_an_unknown_collector_and_lists_the_known_ones(tmp_path):
    error = refuse(tmp_path, host_spec("    - cpu: {}\n    - journald: {}\n"))
    assert error.line == 6
    assert "unknown collector `journald`" in error.message
    assert "copy" in error.fix and "tcpPortStatus" in error.fix


def test_it_refuses_a_bad_regex_at_its_line(tmp_path):
    analyzers = (
        "    - textAnalyze:\n        fileName: '*'\n        regex: 'Out(OfMemory'\n"
        "        outcomes:\n          - fail: {when: 'true', message: x}\n"
    )
    error = refuse(tmp_path, host_spec("    - cpu: {}\n", analyzers))
    assert error.line == 9
    assert "bad regex" in error.message and "missing )" in error.message


def test_it_refuses_a_bad_regex_in_a_redactor_document(tmp_path):
    text = (
        "apiVersion: troubleshoot.sh/v1beta2\nkind: Redactor\nspec:\n  redactors:\n"
        "    - name: r\n      removals:\n        regex:\n          - redactor: '(?P<mask>['\n"
    )
    assert refuse(tmp_path, text).line == 8


def test_it_refuses_a_collector_missing_a_required_field(tmp_path):
    error = refuse(tmp_path, host_spec("    - copy:\n        collectorName: logs\n"))
    assert "missing the field `path`" in error.message
    assert error.line == 6
    assert error.fix == "Add `path:`."


def test_it_refuses_an_unknown_field_such_as_a_typo(tmp_path):
    error = refuse(tmp_path, host_spec("    - copy:\n        pth: /var/log/*.log\n"))
    assert "unknown field `pth`" in error.message and error.line == 6


def test_it_refuses_a_field_of_the_wrong_type(tmp_path):
    error = refuse(tmp_path, host_spec("    - files:\n        paths: /var/log/x.log\n"))
    assert "`files.paths` must be list" in error.message


def test_it_refuses_a_sitrep_extension_in_a_troubleshoot_document(tmp_path):
    error = refuse(
        tmp_path, host_spec("    - files: {paths: [/x]}\n", api="troubleshoot.sh/v1beta2")
    )
    assert "Sitrep extension" in error.message and "sitrep.dev/v1" in error.fix


def test_it_refuses_an_unknown_api_version_and_kind(tmp_path):
    assert (
        "apiVersion" in refuse(tmp_path, "apiVersion: v9\nkind: SupportBundle\nspec: {}\n").message
    )
    error = refuse(tmp_path, "apiVersion: sitrep.dev/v1\nkind: Preflight\nspec: {}\n")
    assert "unsupported kind" in error.message and error.line == 2


def test_it_refuses_a_write_query_in_the_sql_collector(tmp_path):
    error = refuse(tmp_path, host_spec("    - sql: {urlFromEnv: DB, query: 'DELETE FROM users'}\n"))
    assert "read-only" in error.message


def test_it_refuses_an_unset_environment_reference_without_default(tmp_path):
    error = refuse(tmp_path, host_spec("    - copy: {path: '${APP_HOME}/logs/*.log'}\n"))
    assert "${APP_HOME} is not set" in error.message and error.line == 5


def test_it_substitutes_environment_references_and_defaults(tmp_path):
    text = host_spec(
        "    - copy: {collectorName: a, path: '${APP_HOME}/logs/*.log'}\n"
        "    - copy: {collectorName: b, path: '${CATALINA_HOME:-/opt/tomcat}/logs/x'}\n"
        "    - run: {command: echo, args: ['$$HOME']}\n"
    )
    spec = load_spec(write_spec(tmp_path, text), env={"APP_HOME": "/srv/app"})
    assert [c.params.get("path") for c in spec.collectors[:2]] == [
        "/srv/app/logs/*.log",
        "/opt/tomcat/logs/x",
    ]
    assert spec.collectors[2].params["args"] == ["$HOME"]


def test_it_merges_multiple_documents_and_hands_redactors_over(tmp_path):
    text = (
        "apiVersion: troubleshoot.sh/v1beta2\nkind: SupportBundle\nspec:\n  hostCollectors:\n"
        "    - cpu: {}\n    - cpu: {}\n---\n"
        "apiVersion: sitrep.dev/v1\nkind: SupportBundle\nspec:\n"
        "  hostCollectors:\n    - python: {}\n---\n"
        "apiVersion: troubleshoot.sh/v1beta2\nkind: Redactor\nspec:\n  redactors:\n"
        "    - name: license\n      fileSelector: {files: ['*']}\n"
        "      removals: {values: [LIC-123]}\n"
    )
    spec = load_spec(write_spec(tmp_path, text), env={})
    assert [c.name for c in spec.collectors] == ["cpu", "cpu-2", "python"]
    assert spec.redactors == [
        {"name": "license", "fileSelector": {"files": ["*"]}, "removals": {"values": ["LIC-123"]}}
    ]
    assert spec.digest.startswith("sha256:")


def test_it_refuses_a_collector_name_used_twice(tmp_path):
    error = refuse(
        tmp_path, host_spec("    - cpu: {collectorName: x}\n    - memory: {collectorName: x}\n")
    )
    assert "used twice" in error.message


def test_it_skips_excluded_collectors_and_parses_timeouts(tmp_path):
    text = host_spec("    - cpu: {exclude: true}\n    - run: {command: 'true', timeout: 1500ms}\n")
    spec = load_spec(write_spec(tmp_path, text), env={})
    assert [(c.kind, c.timeout) for c in spec.collectors] == [("run", 1.5)]
    assert (
        "bad duration"
        in refuse(tmp_path, host_spec("    - run: {command: x, timeout: soon}\n")).message
    )


def test_it_refuses_a_missing_spec_file(tmp_path):
    with pytest.raises(SpecError, match="not found"):
        load_spec(tmp_path / "nope.yaml", env={})


def test_the_packaged_default_spec_loads(tmp_path):
    spec = load_spec("default", env={})
    kinds = {c.kind for c in spec.collectors}
    assert {"run", "cpu", "memory", "diskUsage", "hostOS", "time", "files", "sql"} <= kinds
    assert len(spec.analyzers) >= 7
