"""Redactor specs (troubleshoot.sh/v1beta2): values, regex with selector, yamlPath, selectors."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitrep.errors import SpecError
from sitrep.redact import Redactor

SPEC = {
    "apiVersion": "troubleshoot.sh/v1beta2",
    "kind": "Redactor",
    "spec": {
        "redactors": [
            {
                "name": "project-codename",
                "removals": {"values": ["BLUEFALCON"]},
            },
            {
                "name": "next-line",
                "fileSelector": {"files": ["logs/*.log"]},
                "removals": {"regex": [{"selector": "BEGIN LICENSE", "redactor": "(?P<mask>.+)"}]},
            },
            {
                "name": "order-ids",
                "fileSelector": {"file": "*.log"},
                "removals": {"regex": [{"redactor": "order=(?P<mask>\\d+)"}]},
            },
            {
                "name": "deploy-keys",
                "fileSelector": {"files": ["*.yaml"]},
                "removals": {"yamlPath": ["deploy.*.apiKey"]},
            },
        ]
    },
}


def _run(tmp_path: Path, name: str, text: str) -> str:
    src = tmp_path / name.replace("/", "_")
    dst = tmp_path / ("out-" + src.name)
    src.write_text(text)
    redactor = Redactor(key=b"s" * 32, redactor_specs=[SPEC])
    redactor.discover(src, name)
    report = redactor.redact_file(src, dst, name)
    assert report.total > 0
    return dst.read_text()


def test_spec_values_are_removed_everywhere(tmp_path) -> None:
    assert "BLUEFALCON" not in _run(tmp_path, "notes.txt", "release BLUEFALCON on friday\n")


def test_a_regex_with_a_selector_applies_to_the_next_line(tmp_path) -> None:
    out = _run(tmp_path, "logs/app.log", "x\nBEGIN LICENSE\nAAAA-BBBB-CCCC\nafter\n")
    assert "AAAA-BBBB-CCCC" not in out and out.endswith("after\n")


def test_a_regex_mask_group_is_replaced_and_the_rest_kept(tmp_path) -> None:
    assert _run(tmp_path, "shop.log", "paid order=4711 ok\n") == "paid order=***HIDDEN*** ok\n"


def test_yaml_paths_with_wildcards_are_removed(tmp_path) -> None:
    text = "deploy:\n  - name: a\n    apiKey: plain-one\n  - name: b\n    apiKey: plain-two\n"
    out = _run(tmp_path, "deploy.yaml", text)
    assert "plain-one" not in out and "plain-two" not in out and "name: b" in out


def test_file_selectors_limit_where_a_redactor_applies(tmp_path) -> None:
    src, dst = tmp_path / "a.txt", tmp_path / "b.txt"
    src.write_text("paid order=4711 ok\n")
    Redactor(redactor_specs=[SPEC]).redact_file(src, dst, "a.txt")
    assert dst.read_text() == "paid order=4711 ok\n"


def test_a_bad_regex_is_refused_before_anything_runs() -> None:
    bad = {"name": "x", "removals": {"regex": [{"redactor": "(?<=lookbehind)x"}]}}
    with pytest.raises(SpecError, match="invalid regex"):
        Redactor(redactor_specs=[bad])


def test_a_regex_entry_without_a_redactor_is_refused() -> None:
    with pytest.raises(SpecError, match="needs a 'redactor'"):
        Redactor(redactor_specs=[{"name": "x", "removals": {"regex": [{"selector": "a"}]}}])
