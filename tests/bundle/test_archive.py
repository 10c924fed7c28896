"""The zip: a manifest with a correct sha256 per file, sorted; ZIP64; no space left."""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import zipfile

import pytest

from sitrep.bundle import CollectOptions, collect, load_spec
from sitrep.bundle.archive import verify
from sitrep.errors import BundleError

from .conftest import host_spec, manifest, write_spec


def test_the_manifest_lists_every_file_with_its_sha256_in_sorted_order(bundle, tmp_path):
    (tmp_path / "b.log").write_text("b\n")
    (tmp_path / "a.log").write_text("password=opensesame1\n")
    result, out = bundle(
        host_spec(
            f"    - files: {{paths: ['{tmp_path}/*.log']}}\n    - cpu: {{}}\n    - time: {{}}\n"
        )
    )
    data = manifest(out)
    paths = [f["path"] for f in data["files"]]
    assert paths == sorted(paths)
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert names == set(paths) | {"manifest.json"}
        for entry in data["files"]:
            body = archive.read(entry["path"])
            assert (
                hashlib.sha256(body).hexdigest() == entry["sha256"] and len(body) == entry["size"]
            )
            assert archive.getinfo(entry["path"]).compress_type == zipfile.ZIP_DEFLATED
    assert verify(out) == []
    assert {
        "tool_version",
        "spec_digest",
        "profile",
        "created",
        "host",
        "skipped",
        "collectors",
    } <= set(data)
    assert data["profile"] == "standard" and data["spec_digest"].startswith("sha256:")
    assert "redaction-report.json" in paths and "analysis.json" in paths


def test_a_collected_bundle_passes_the_desks_upload_validation(bundle, tmp_path):
    from sitrep.bundle.validate import check_zip

    (tmp_path / "a.log").write_bytes(b"caf\xe9\n")
    _, out = bundle(host_spec(f"    - files: {{paths: ['{tmp_path}/a.log']}}\n    - cpu: {{}}\n"))
    checked = check_zip(out)
    assert checked.manifest == manifest(out)


def test_verify_notices_a_tampered_member(bundle, tmp_path):
    (tmp_path / "a.log").write_text("hello\n")
    _, out = bundle(host_spec(f"    - files: {{paths: ['{tmp_path}/a.log']}}\n"))
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            body = src.read(name)
            dst.writestr(name, body.replace(b"hello", b"HELLO") if name.endswith("a.log") else body)
    assert verify(tampered) == [f"files/{str(tmp_path).lstrip('/')}/a.log: sha256 mismatch"]


def test_entries_are_zip64_so_large_bundles_open_everywhere(bundle, tmp_path):
    (tmp_path / "a.log").write_text("x\n")
    _, out = bundle(host_spec(f"    - files: {{paths: ['{tmp_path}/a.log']}}\n"))
    done = subprocess.run(["unzip", "-t", str(out)], capture_output=True, text=True)
    assert done.returncode == 0 and "No errors detected" in done.stdout
    with zipfile.ZipFile(out) as archive:
        info = archive.getinfo(f"files/{str(tmp_path).lstrip('/')}/a.log")
        assert info.extract_version >= zipfile.ZIP64_VERSION


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 1 MB tmpfs, so "no space left" comes from the kernel, not from a mock."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_no_space_left_gives_a_clear_error_and_leaves_nothing(tmp_path, tiny_disk, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))
    log = tmp_path / "big.log"
    log.write_text(
        "".join(f"{os.urandom(24).hex()}\n" for _ in range(100_000))
    )  # 4.9 MB, incompressible
    spec = load_spec(
        write_spec(tmp_path, host_spec(f"    - files: {{paths: ['{log}']}}\n")), env={}
    )
    with pytest.raises(BundleError) as caught:
        collect(spec, tiny_disk / "out.zip", CollectOptions(env={}))
    assert "No space left" in caught.value.message and "-o" in caught.value.fix
    assert list(tiny_disk.iterdir()) == []
    assert list(work.iterdir()) == []


def test_the_cli_reports_no_space_left_as_one_message_and_exit_1(tmp_path, tiny_disk):
    from typer.testing import CliRunner

    from sitrep.cli import app

    log = tmp_path / "big.log"
    log.write_text("".join(f"{os.urandom(24).hex()}\n" for _ in range(100_000)))
    spec = write_spec(tmp_path, host_spec(f"    - files: {{paths: ['{log}']}}\n"))
    result = CliRunner().invoke(
        app, ["bundle", "collect", str(spec), "-o", str(tiny_disk / "o.zip")]
    )
    assert result.exit_code == 1
    assert "No space left on the device" in result.output and "Traceback" not in result.output
    assert list(tiny_disk.iterdir()) == []
