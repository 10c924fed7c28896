"""Bundles encrypted to the vendor's age key stay encrypted on the desk; `sitrep fetch
--identity` decrypts them on the staff workstation after the audited download."""

from __future__ import annotations

import pyrage
import pytest
import transport_zips as z
from pyrage import x25519

from sitrep.client.fetch import fetch_ticket
from sitrep.client.report import Report, report_to_desk
from sitrep.errors import ValidationError


@pytest.fixture
def vendor_identity(tmp_path):
    identity = x25519.Identity.generate()
    path = tmp_path / "vendor.key"
    path.write_text(f"# created: by the test\n{identity}\n")
    return identity, path


@pytest.fixture
def age_ticket(live_desk, installation_token, vendor_identity, tmp_path):
    identity, _ = vendor_identity
    files = z.sample_files()
    plain = z.write_bundle(tmp_path / "support.zip", files)
    sealed = tmp_path / "support.zip.age"
    sealed.write_bytes(pyrage.encrypt(plain.read_bytes(), [identity.to_public()]))
    plain.unlink()
    report = Report(email="alice@example.com", summary="Crash", bundle=sealed)
    return report_to_desk(report, desk_url=live_desk.url, token=installation_token).key, files


def _fetch(live_desk, staff_token, key, out, identity=None):
    return fetch_ticket(
        desk_url=live_desk.url,
        token=staff_token,
        key=key,
        out=out,
        justification="customer asked us to read the crash",
        identity=identity,
    )


def test_the_desk_never_holds_the_plaintext_of_an_age_bundle(desk_settings, age_ticket):
    key, files = age_ticket
    blobs = [p.read_bytes() for p in desk_settings.data_dir.rglob("*") if p.is_file()]
    secret = next(iter(files.values()))[:32]
    assert blobs and not any(secret in blob for blob in blobs)  # every file the desk keeps


def test_fetch_with_the_identity_decrypts_and_extracts_on_the_workstation(
    live_desk, staff_token, age_ticket, vendor_identity, tmp_path
):
    key, files = age_ticket
    [item] = _fetch(live_desk, staff_token, key, tmp_path / "cases", vendor_identity[1])
    assert item.path.name == "support.zip.age" and item.extracted is not None
    name, content = next(iter(files.items()))
    assert (item.extracted / name).read_bytes() == content
    assert item.members >= len(files)


def test_fetch_without_an_identity_keeps_the_bundle_encrypted(
    live_desk, staff_token, age_ticket, tmp_path
):
    key, _ = age_ticket
    [item] = _fetch(live_desk, staff_token, key, tmp_path / "cases")
    assert item.extracted is None
    assert item.path.read_bytes().startswith(b"age-encryption.org/v1")
    assert sorted(p.name for p in item.path.parent.iterdir()) == ["support.zip.age"]


def test_a_wrong_identity_leaves_no_plaintext_behind(live_desk, staff_token, age_ticket, tmp_path):
    key, _ = age_ticket
    other = tmp_path / "other.key"
    other.write_text(f"{x25519.Identity.generate()}\n")
    with pytest.raises(ValidationError, match="could not be decrypted"):
        _fetch(live_desk, staff_token, key, tmp_path / "cases", other)
    assert sorted(p.name for p in (tmp_path / "cases" / key).iterdir()) == ["support.zip.age"]


def test_a_file_that_is_not_an_identity_is_refused_before_any_download(
    live_desk, staff_token, age_ticket, tmp_path
):
    key, _ = age_ticket
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    with pytest.raises(ValidationError, match="not an age identity file"):
        _fetch(live_desk, staff_token, key, tmp_path / "cases", bad)
    assert not (tmp_path / "cases").exists()
