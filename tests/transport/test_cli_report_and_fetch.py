"""The whole flow through the real command line against a live desk:
`sitrep bundle collect`, then `sitrep report`, then staff see the ticket through both
APIs, then `sitrep fetch` downloads, verifies and extracts the bundle."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import transport_zips as z
from atlassian import ServiceDesk

STAFF_EMAIL = "sam@vendor.example"
SPEC = """\
apiVersion: troubleshoot.sh/v1beta2
kind: SupportBundle
metadata:
  name: e2e
spec:
  hostCollectors:
    - copy:
        collectorName: logs
        path: {logs}/*.log
    - hostOS: {{}}
"""


def sitrep(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    return subprocess.run(
        [_exe(), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def _exe() -> str:
    return os.path.join(os.path.dirname(sys.executable), "sitrep")


@pytest.fixture
def collected(tmp_path):
    logs = tmp_path / "app-logs"
    logs.mkdir()
    (logs / "app.log").write_text(
        "2026-11-29 ERROR export failed for bob@customer.example password=hunter2\n"
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.format(logs=logs))
    bundle = tmp_path / "support.zip"
    done = sitrep("bundle", "collect", str(spec), "-o", str(bundle))
    assert done.returncode == 0, done.stderr
    return bundle


@pytest.mark.slow
def test_collect_report_and_fetch_end_to_end(
    live_desk, installation_token, staff_token, collected, tmp_path
):
    done = sitrep(
        "report",
        "--desk",
        live_desk.url,
        "--token",
        installation_token,
        "--email",
        "alice@example.com",
        "--summary",
        "Export fails",
        "--description",
        "Since the upgrade",
        "--bundle",
        str(collected),
        "--json",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    key = result["key"]
    assert result["attached"] == ["support.zip"] and result["bundleDeleted"] is True
    assert not collected.exists()

    sam = ServiceDesk(url=live_desk.url, username=STAFF_EMAIL, password=staff_token)
    assert sam.get_customer_request(key)["reporter"]["emailAddress"] == "alice@example.com"
    jsm_files = sam.get(f"rest/servicedeskapi/request/{key}/attachment")["values"]
    assert [f["filename"] for f in jsm_files] == ["support.zip"]

    out = tmp_path / "cases"
    done = sitrep(
        "fetch",
        key,
        "--desk",
        live_desk.url,
        "--token",
        staff_token,
        "--out",
        str(out),
        "--justification",
        f"{key}: customer asked us to look at the failed export",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    [fetched] = json.loads(done.stdout)
    extracted = out / key / "support"
    assert fetched["extracted"] == str(extracted) and fetched["members"] == 5
    manifest = json.loads((extracted / "manifest.json").read_text())
    assert {f["path"] for f in manifest["files"]} >= {"hostOS/host_os.json"}
    text = "".join(p.read_text() for p in extracted.rglob("*.log"))
    assert "export failed" in text and "hunter2" not in text  # staff get the redacted log


@pytest.mark.slow
def test_cli_errors_are_one_clear_message_and_exit_1(live_desk, staff_token, tmp_path):
    bundle = z.tampered_bundle(tmp_path / "support.zip")
    done = sitrep(
        "report",
        "--desk",
        live_desk.url,
        "--token",
        "sit_wrong",
        "--email",
        "alice@example.com",
        "--summary",
        "x",
        "--bundle",
        str(bundle),
    )
    assert done.returncode == 1
    assert "does not match the size and SHA-256 recorded in manifest.json" in done.stderr
    assert "Traceback" not in done.stderr and bundle.exists()

    good = z.write_bundle(tmp_path / "good.zip", z.sample_files())
    done = sitrep(
        "report",
        "--desk",
        live_desk.url,
        "--token",
        "sit_wrong",
        "--email",
        "alice@example.com",
        "--summary",
        "x",
        "--bundle",
        str(good),
    )
    assert done.returncode == 1 and "refused the credentials" in done.stderr
    assert "Traceback" not in done.stderr

    done = sitrep(
        "fetch", "SUP-1", "--desk", live_desk.url, "--token", staff_token, "--justification", "why"
    )
    assert done.returncode == 1 and "at least 10 characters" in done.stderr


@pytest.mark.slow
def test_report_to_jsm_from_the_command_line(live_desk, staff_token, tmp_path):
    # No real JSM here: the desk's JSM-compatible API stands in for a JSM Cloud site.
    bundle = z.write_bundle(tmp_path / "support.zip", z.sample_files())
    done = sitrep(
        "report",
        "--jsm",
        live_desk.url,
        "--jsm-user",
        STAFF_EMAIL,
        "--token",
        staff_token,
        "--email",
        "alice@example.com",
        "--summary",
        "Export fails",
        "--bundle",
        str(bundle),
        "--keep",
    )
    assert done.returncode == 0, done.stderr
    assert "Raised SUP-" in done.stdout and "Attached support.zip." in done.stdout
    assert "Kept the local bundle" in done.stdout and bundle.exists()
