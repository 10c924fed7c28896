"""cpu, memory, diskUsage, hostOS, time and python describe this machine."""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys

from .conftest import host_spec, member


def test_host_fact_collectors_describe_this_machine(bundle, tmp_path):
    spec = host_spec(
        "    - cpu: {}\n    - memory: {}\n"
        f"    - diskUsage: {{path: '{tmp_path}'}}\n    - hostOS: {{}}\n    - time: {{}}\n",
        api="troubleshoot.sh/v1beta2",
    )
    result, out = bundle(spec)
    assert {c["status"] for c in result.collectors} == {"ok"}
    cpu = json.loads(member(out, "cpu/cpu.json"))
    assert cpu["logicalCount"] == os.cpu_count() and 0 <= cpu["usedPercent"] <= 100
    memory = json.loads(member(out, "memory/memory.json"))
    assert 0 < memory["available"] <= memory["total"]
    disk = json.loads(member(out, "diskUsage/disk_usage.json"))
    assert disk["total"] == shutil.disk_usage(tmp_path).total
    host = json.loads(member(out, "hostOS/host_os.json"))
    assert (
        host["kernelVersion"] == platform.release() and host["architecture"] == platform.machine()
    )
    assert "utcOffsetSeconds" in json.loads(member(out, "time/time.json"))


def test_disk_usage_of_a_missing_path_fails_only_its_collector(bundle, tmp_path):
    result, _ = bundle(
        host_spec(f"    - diskUsage: {{path: '{tmp_path}/missing'}}\n    - cpu: {{}}\n")
    )
    assert result.collectors[0]["status"] == "failed"
    assert result.collectors[0]["error"].startswith("FileNotFoundError")
    assert result.collectors[1]["status"] == "ok"


def test_python_lists_the_interpreter_and_its_packages(bundle):
    result, out = bundle(host_spec(f"    - python: {{executable: '{sys.executable}'}}\n"))
    facts = json.loads(member(out, "python/python.json"))
    assert facts["version"] == platform.python_version()
    assert {"name": "PyYAML", "version": __import__("yaml").__version__} in facts["packages"]


def test_python_with_a_missing_interpreter_is_recorded_as_failed(bundle):
    result, _ = bundle(host_spec("    - python: {executable: /nope/python9}\n"))
    assert result.collectors[0]["status"] == "failed"
    assert result.collectors[0]["error"] == "interpreter not found: /nope/python9"
