"""Analyzers: textAnalyze and thresholds, outcomes in analysis.json, exit codes 0/3/4."""

from __future__ import annotations

import json

from sitrep.bundle.analyze import Finding, exit_code

from .conftest import host_spec, member


def text_analyzer(name: str, regex: str, fail_when: str = "true", key: str = "regex") -> str:
    return (
        f"    - textAnalyze:\n        checkName: {name}\n        fileName: 'logs/*'\n"
        f"        {key}: '{regex}'\n        outcomes:\n"
        f"          - fail: {{when: '{fail_when}', message: '{name} found', uri: 'https://kb.example/{name}'}}\n"
        f"          - pass: {{message: '{name} clean'}}\n"
    )


def test_text_analyze_finds_a_regex_across_collected_logs(bundle, tmp_path):
    (tmp_path / "catalina.out").write_bytes(
        b"\xe9 latin-1 noise\n" * 10 + b"SEVERE java.lang.OutOfMemoryError: Java heap space\n"
    )
    spec = host_spec(
        f"    - files: {{collectorName: logs, paths: ['{tmp_path}/catalina.out']}}\n",
        text_analyzer("oom", r"java\.lang\.OutOfMemoryError")
        + text_analyzer("fd", "Too many open files"),
    )
    result, out = bundle(spec)
    analysis = json.loads(member(out, "analysis.json"))
    assert analysis == [
        {"name": "oom", "outcome": "fail", "message": "oom found", "uri": "https://kb.example/oom"},
        {"name": "fd", "outcome": "pass", "message": "fd clean"},
    ]
    assert result.exit_code == 3


def test_regex_groups_compare_numbers_and_fill_the_message(bundle, tmp_path):
    (tmp_path / "app.log").write_text("pool stats: active=48 max=50\n")
    analyzers = (
        "    - textAnalyze:\n        checkName: pool\n        fileName: 'logs/*'\n"
        "        regexGroups: 'active=(?P<active>\\d+) max=(?P<max>\\d+)'\n        outcomes:\n"
        "          - warn: {when: 'active/max > 90%',\n"
        "                   message: 'pool at {{ active }} of {{ max }}'}\n"
        "          - pass: {message: ok}\n"
    )
    spec = host_spec(
        f"    - files: {{collectorName: logs, paths: ['{tmp_path}/app.log']}}\n", analyzers
    )
    result, out = bundle(spec)
    assert json.loads(member(out, "analysis.json")) == [
        {"name": "pool", "outcome": "warn", "message": "pool at 48.0 of 50.0"}
    ]
    assert result.exit_code == 4


def test_threshold_analyzers_read_the_host_facts(bundle, tmp_path):
    analyzers = (
        "    - diskUsage:\n        checkName: disk\n        outcomes:\n"
        "          - fail: {when: 'total < 1Ti', message: small disk}\n"
        "          - pass: {message: big}\n"
        "    - memory:\n        outcomes:\n"
        "          - warn: {when: 'available > 1Mi', message: has memory}\n"
        "    - cpu:\n        outcomes:\n"
        "          - pass: {when: 'logicalCount >= 1', message: has cpus}\n"
    )
    spec = host_spec(
        f"    - diskUsage: {{path: '{tmp_path}'}}\n    - memory: {{}}\n    - cpu: {{}}\n", analyzers
    )
    result, out = bundle(spec)
    facts = json.loads(member(out, "diskUsage/disk_usage.json"))
    expected_disk = "fail" if facts["total"] < 1024**4 else "pass"
    assert [(f.name, f.outcome) for f in result.findings] == [
        ("disk", expected_disk),
        ("memory", "warn"),
        ("cpu", "pass"),
    ]


def test_a_threshold_analyzer_without_its_facts_warns(bundle):
    analyzers = "    - diskUsage:\n        outcomes:\n          - pass: {message: fine}\n"
    result, _ = bundle(host_spec("    - cpu: {}\n", analyzers))
    assert result.findings == [Finding("diskUsage", "warn", "no diskUsage facts were collected")]


def test_fail_beats_warn_beats_pass_in_the_exit_code():
    assert (
        exit_code([Finding("a", "pass", ""), Finding("b", "warn", ""), Finding("c", "fail", "")])
        == 3
    )
    assert exit_code([Finding("a", "pass", ""), Finding("b", "warn", "")]) == 4
    assert exit_code([Finding("a", "pass", "")]) == 0
    assert exit_code([]) == 0
