"""The run collector: output kept, hanging commands killed, chatty stderr capped."""

from __future__ import annotations

import json
import time

import pytest

from .conftest import MB, host_spec, manifest, member


def test_it_keeps_stdout_stderr_and_the_exit_code(bundle):
    result, out = bundle(
        host_spec(
            "    - run: {collectorName: sh, command: sh,"
            " args: ['-c', 'echo out; echo err >&2; exit 3']}\n"
        )
    )
    assert member(out, "sh/stdout.txt") == b"out\n"
    assert member(out, "sh/stderr.txt") == b"err\n"
    facts = json.loads(member(out, "sh/result.json"))
    assert facts["exitCode"] == 3 and facts["timedOut"] is False
    assert result.collectors[0]["status"] == "ok"


@pytest.mark.slow
def test_a_hanging_command_is_killed_at_its_timeout_and_recorded(bundle):
    started = time.monotonic()
    result, out = bundle(
        host_spec(
            "    - run: {collectorName: hang, command: sh, args: ['-c', 'echo partial; sleep 60'],"
            " timeout: 1s}\n    - cpu: {}\n"
        )
    )
    assert time.monotonic() - started < 10
    hang = result.collectors[0]
    assert hang["status"] == "timeout" and "1s timeout" in hang["error"]
    assert member(out, "hang/stdout.txt") == b"partial\n"
    assert json.loads(member(out, "hang/result.json"))["timedOut"] is True
    assert result.collectors[1]["status"] == "ok"  # the others still ran


def test_megabytes_on_stderr_are_capped_not_buffered(bundle):
    result, out = bundle(
        host_spec(
            "    - run: {collectorName: noisy, command: sh,"
            " args: ['-c', 'head -c 20000000 /dev/zero | tr \"\\\\0\" x >&2; echo done']}\n"
        )
    )
    assert len(member(out, "noisy/stderr.txt")) == MB
    assert member(out, "noisy/stdout.txt") == b"done\n"
    facts = json.loads(member(out, "noisy/result.json"))
    assert facts["stderrTruncated"] is True and facts["exitCode"] == 0
    truncated = {f["path"] for f in manifest(out)["files"] if f.get("truncated")}
    assert truncated == {"noisy/stderr.txt"}


def test_a_missing_command_fails_only_its_collector(bundle):
    result, out = bundle(
        host_spec(
            "    - run: {collectorName: java, command: no-such-java-here}\n    - memory: {}\n"
        )
    )
    assert result.collectors[0] == {
        "name": "java",
        "kind": "run",
        "status": "failed",
        "seconds": result.collectors[0]["seconds"],
        "error": "command not found: no-such-java-here",
    }
    assert result.collectors[1]["status"] == "ok"
    assert "memory/memory.json" in {f["path"] for f in manifest(out)["files"]}


def test_arguments_from_environment_references_are_not_written_into_the_bundle(bundle):
    spec = host_spec(
        "    - run: {collectorName: tool, command: sh, args: ['-c', 'true', '${APP_SECRET}']}\n"
    )
    _, out = bundle(spec, env={"APP_SECRET": "zebra-lantern-91"})
    facts = json.loads(member(out, "tool/result.json"))
    assert facts["command"] == "sh"
    with __import__("zipfile").ZipFile(out) as archive:
        for name in archive.namelist():
            assert b"zebra-lantern-91" not in archive.read(name), name
