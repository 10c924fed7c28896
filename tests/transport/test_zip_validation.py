"""The zip validator refuses hostile zips with an exact reason and extracts honest ones safely."""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile

import pytest
import transport_zips as z
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitrep.bundle.validate import Limits, check_zip, extract_zip
from sitrep.errors import ValidationError

SMALL = Limits(max_bytes=50 * 1024 * 1024, max_members=100, max_ratio=200)

HOSTILE = z.HOSTILE


@pytest.mark.parametrize(("kind", "build", "reason"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_it_refuses_each_hostile_zip_with_its_exact_reason(tmp_path, kind, build, reason):
    path = tmp_path / f"{kind}.zip"
    build(path)
    with pytest.raises(ValidationError) as err:
        check_zip(path, SMALL)
    assert reason in err.value.message
    assert err.value.message.startswith("The zip was refused: ")


def test_python_3_11_7_itself_would_extract_the_overlap_bomb(tmp_path):
    # Shows why our own check exists: this interpreter happily reads every copy.
    path = z.overlap_bomb(tmp_path / "bomb.zip", copies=5)
    with zipfile.ZipFile(path) as zf:
        if sys.version_info >= (3, 11, 8):
            pytest.skip("this interpreter detects overlapping entries itself")
        total = sum(len(zf.read(info)) for info in zf.infolist())
    assert total == 5_000_000
    assert path.stat().st_size < 10_000


def test_it_refuses_a_zip_over_the_size_cap_before_reading_it(tmp_path):
    path = z.write_bundle(tmp_path / "b.zip", z.sample_files())
    with pytest.raises(ValidationError, match="over the cap of 100 bytes"):
        check_zip(path, Limits(max_bytes=100))


def test_it_refuses_a_member_listed_in_the_manifest_but_missing(tmp_path):
    files = z.sample_files()
    manifest = z.manifest_for(files)
    del files["host/os.json"]
    path = z.write_bundle(tmp_path / "b.zip", files, manifest)
    with pytest.raises(ValidationError, match="lists 'host/os.json' but the zip does not"):
        check_zip(path, SMALL)


def test_it_refuses_a_member_not_listed_in_the_manifest(tmp_path):
    files = z.sample_files()
    manifest = z.manifest_for(files)
    files["extra.txt"] = b"smuggled"
    path = z.write_bundle(tmp_path / "b.zip", files, manifest)
    with pytest.raises(ValidationError, match="'extra.txt' is not listed in manifest.json"):
        check_zip(path, SMALL)


def test_it_accepts_an_honest_bundle_and_returns_its_manifest_and_hashes(tmp_path):
    files = z.sample_files()
    path = z.write_bundle(tmp_path / "b.zip", files)
    checked = check_zip(path, SMALL)
    assert checked.is_bundle
    assert checked.manifest["files"][0]["path"] == "logs/app.log"
    assert checked.hashes["logs/app.log"] == hashlib.sha256(files["logs/app.log"]).hexdigest()


def test_a_zip_without_manifest_is_a_plain_zip_not_a_bundle(tmp_path):
    path = z.named(tmp_path / "plain.zip", ["a.txt", "dir/b.txt"])
    assert check_zip(path, SMALL).is_bundle is False


def test_it_extracts_an_honest_bundle_into_a_new_folder(tmp_path):
    files = z.sample_files()
    path = z.write_bundle(tmp_path / "b.zip", files)
    out = tmp_path / "out"
    extract_zip(path, out, SMALL)
    for name, data in files.items():
        assert (out / name).read_bytes() == data
    assert (out / "manifest.json").is_file()


def test_a_refused_extraction_leaves_nothing_behind(tmp_path):
    path = z.tampered_bundle(tmp_path / "b.zip")
    out = tmp_path / "out"
    with pytest.raises(ValidationError, match="does not match"):
        extract_zip(path, out, SMALL)
    assert not out.exists()


def test_it_refuses_to_extract_into_an_existing_folder(tmp_path):
    path = z.write_bundle(tmp_path / "b.zip", z.sample_files())
    (tmp_path / "out").mkdir()
    with pytest.raises(ValidationError, match="already exists"):
        extract_zip(path, tmp_path / "out", SMALL)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=4))
def test_any_member_names_are_either_refused_cleanly_or_extracted_inside_the_folder(
    tmp_path_factory, names
):
    work = tmp_path_factory.mktemp("names")
    path = work / "names.zip"
    try:
        z.named(path, names)
    except (ValueError, UnicodeEncodeError):
        return  # zipfile itself cannot write such a name; nothing to validate
    out = work / "out"
    try:
        extract_zip(path, out, SMALL)
    except ValidationError as exc:
        assert exc.message.startswith("The zip was refused: ")
        assert not out.exists()
        return
    root = out.resolve()
    for written in out.rglob("*"):
        assert written.resolve().is_relative_to(root) and not written.is_symlink()


def _flip_byte(path, data: bytes) -> None:
    """Change one byte inside the stored ``data`` of a member, leaving the zip's CRC as it was."""
    raw = bytearray(path.read_bytes())
    at = raw.index(data) + len(data) // 2
    raw[at] ^= 0xFF
    path.write_bytes(bytes(raw))


def test_a_changed_byte_in_a_listed_member_is_refused_by_its_sha256(tmp_path):
    # Listed members are checked against the manifest's SHA-256 instead of the CRC-32.
    files = z.sample_files()
    path = z.write_bundle(tmp_path / "b.zip", files, compression=zipfile.ZIP_STORED)
    _flip_byte(path, files["logs/app.log"])
    with pytest.raises(ValidationError, match="'logs/app.log' does not match the size and SHA"):
        check_zip(path, SMALL)
    with pytest.raises(ValidationError, match="'logs/app.log' does not match the size and SHA"):
        extract_zip(path, tmp_path / "out", SMALL)


def test_a_changed_byte_in_a_document_the_manifest_does_not_list_is_refused_by_its_crc(tmp_path):
    files = z.sample_files()
    report = b'{"rules": {"email": 3}, "note": "' + b"x" * 200 + b'"}'
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("manifest.json", json.dumps(z.manifest_for(files)))
        zf.writestr("redaction-report.json", report)
        for name, data in files.items():
            zf.writestr(name, data)
    assert check_zip(path, SMALL).is_bundle  # untouched, the bundle passes
    _flip_byte(path, report)
    with pytest.raises(ValidationError, match="'redaction-report.json' is corrupt.*CRC"):
        check_zip(path, SMALL)
