"""The zip validator refuses hostile zips with an exact reason and extracts honest ones safely."""

from __future__ import annotations

import hashlib
import json
import struct
import sys
import zipfile

import pytest
import transport_zips as z
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitrep.bundle.validate import Limits, bundle_sha256, check_zip, extract_zip
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


def _bundle_digest_by_hand(path) -> str:
    """The bundle digest from its definition, without the validator's code: the file's
    bytes in order, each listed member's data swapped for its manifest SHA-256."""
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        listed = {e["path"]: e["sha256"] for e in json.loads(zf.read("manifest.json"))["files"]}
        spans = []
        for info in zf.infolist():
            if info.filename in listed:
                name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
                start = info.header_offset + 30 + name_len + extra_len
                spans.append((start, start + info.compress_size, listed[info.filename]))
    out, position = bytearray(), 0
    for start, end, sha in sorted(spans):
        out += raw[position:start] + bytes.fromhex(sha)
        position = end
    return hashlib.sha256(bytes(out + raw[position:])).hexdigest()


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_the_bundle_digest_swaps_each_listed_member_for_its_sha256(tmp_path, compression):
    path = z.write_bundle(tmp_path / "b.zip", z.sample_files(), compression=compression)
    digest = bundle_sha256(path)
    assert digest == _bundle_digest_by_hand(path) == check_zip(path).bundle_sha256
    assert digest != hashlib.sha256(path.read_bytes()).hexdigest()


def test_any_byte_outside_the_listed_members_changes_the_bundle_digest(tmp_path):
    path = z.write_bundle(tmp_path / "b.zip", z.sample_files(), compression=zipfile.ZIP_STORED)
    raw, digest = path.read_bytes(), bundle_sha256(path)
    with zipfile.ZipFile(path) as zf:
        log, start_dir = zf.getinfo("logs/app.log"), zf.start_dir
        manifest = zf.getinfo("manifest.json")
    # Two local headers' time stamps, and one in the central directory.
    for position in (log.header_offset + 10, manifest.header_offset + 10, start_dir + 12):
        changed = bytearray(raw)
        changed[position] ^= 0x01
        path.write_bytes(bytes(changed))
        assert bundle_sha256(path) not in (None, digest), position


def test_a_changed_member_keeps_the_clients_digest_but_the_desk_refuses_it(tmp_path):
    # The client takes members' hashes from the manifest; the desk checks each member
    # against the manifest first, so a damaged member never passes with an old digest.
    path = z.write_bundle(tmp_path / "b.zip", z.sample_files(), compression=zipfile.ZIP_STORED)
    digest = bundle_sha256(path)
    with zipfile.ZipFile(path) as zf:
        log = zf.getinfo("logs/app.log")
    raw = bytearray(path.read_bytes())
    raw[log.header_offset + 30 + len(log.filename) + 5] ^= 0x01
    path.write_bytes(bytes(raw))
    assert bundle_sha256(path) == digest
    with pytest.raises(ValidationError, match="does not match the size and SHA-256"):
        check_zip(path)


def test_only_a_bundle_has_a_bundle_digest(tmp_path):
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("a.txt", "a")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("manifest.json", "{not json")
    assert [bundle_sha256(p) for p in (plain, text, broken, tmp_path / "gone.zip")] == [None] * 4
    assert check_zip(plain).bundle_sha256 is None
