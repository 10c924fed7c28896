"""Keyed pseudonyms: consistent under one key, different under another, reversible by map."""

from __future__ import annotations

import pytest
from tests.redact.conftest import redact

from sitrep.errors import RedactionError
from sitrep.redact.pseudonym import (
    Pseudonymizer,
    load_key,
    load_map,
    save_map,
    unmask_text,
)

LINE = "user=jsmith ip=10.1.2.3 mail=jane@acme.com host=db01.acme.corp"


def test_the_same_key_gives_the_same_pseudonyms_across_runs() -> None:
    assert redact(LINE, key=b"a" * 32) == redact(LINE, key=b"a" * 32)


def test_another_key_gives_other_pseudonyms() -> None:
    assert redact(LINE, key=b"a" * 32) != redact(LINE, key=b"b" * 32)


def test_without_a_key_each_run_gets_its_own_random_key() -> None:
    from sitrep.redact import Redactor
    from sitrep.redact.engine import FileReport

    outs = set()
    for _ in range(2):
        out = Redactor().redact_buffer(LINE.encode(), "x", FileReport("x"))
        outs.add(out)
    assert len(outs) == 2


def test_user_pseudonyms_ignore_case_so_one_person_stays_one_user() -> None:
    pseudo = Pseudonymizer(b"k" * 32)
    assert pseudo.user(b"JSmith") == pseudo.user(b"jsmith")


def test_host_pseudonyms_keep_the_tld_and_share_labels_with_emails() -> None:
    pseudo = Pseudonymizer(b"k" * 32)
    host = pseudo.host(b"jira.acme.co.uk")
    assert host.endswith(b".co.uk") and b"acme" not in host
    assert pseudo.email(b"bob@acme.co.uk").split(b"@")[1] == host.split(b".", 1)[1]


def test_two_hundred_thousand_names_get_two_hundred_thousand_pseudonyms() -> None:
    # With 32-bit tags this many names collided almost surely (the birthday bound), and the
    # reverse map kept one original per pseudonym; with 48 bits the odds are about 1 in 10^5.
    pseudo = Pseudonymizer(b"k" * 32)
    names = [f"db{n}".encode() for n in range(200_000)]
    assert len({pseudo.label(name, registrable=False) for name in names}) == len(names)
    assert len(pseudo.mapping) == len(names)


def test_ipv4_pseudonyms_are_a_permutation_inside_a_subnet() -> None:
    pseudo = Pseudonymizer(b"k" * 32)
    outs = {pseudo.ipv4(f"10.9.8.{i}".encode()) for i in range(256)}
    assert len(outs) == 256  # no two hosts collapse into one pseudonym
    assert len({o.rsplit(b".", 1)[0] for o in outs}) == 1


def test_the_map_round_trips_encrypted_and_merges(tmp_path) -> None:
    key = b"m" * 32
    path = tmp_path / "key.map"
    save_map(path, key, {"user-00000001": "alice"})
    save_map(path, key, {"user-00000002": "bob"})
    assert b"alice" not in path.read_bytes()
    assert load_map(path, key) == {"user-00000001": "alice", "user-00000002": "bob"}
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_wrong_key_cannot_open_the_map(tmp_path) -> None:
    path = tmp_path / "key.map"
    save_map(path, b"m" * 32, {"user-00000001": "alice"})
    with pytest.raises(RedactionError, match="cannot be opened with this key"):
        load_map(path, b"x" * 32)


def test_unmask_restores_whole_pseudonyms_only() -> None:
    mapping = {"user-1a2b3c4d": "alice", "10.77.1.5": "10.1.2.3"}
    text = "ask user-1a2b3c4d about 10.77.1.5 and 10.77.1.55"
    assert unmask_text(text, mapping) == "ask alice about 10.1.2.3 and 10.77.1.55"


def test_a_key_file_is_created_private_and_read_back(tmp_path) -> None:
    path = tmp_path / "sitrep.key"
    key, created = load_key(path, create=True)
    again, created_again = load_key(path, create=True)
    assert created and not created_again and key == again and len(key) == 32
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_damaged_key_file_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "bad.key"
    path.write_text("not base64 at all!")
    with pytest.raises(RedactionError, match="not a Sitrep key"):
        load_key(path)


def test_redacting_then_unmasking_gives_back_the_original() -> None:
    from sitrep.redact import Redactor
    from sitrep.redact.engine import FileReport

    redactor = Redactor(key=b"r" * 32)
    out = redactor.redact_buffer(LINE.encode(), "x", FileReport("x")).decode()
    assert out != LINE
    assert unmask_text(out, redactor.mapping) == LINE


def test_the_stdlib_hkdf_matches_cryptography() -> None:
    # Pseudonyms must stay the same across releases: the key derivation is pinned.
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    from sitrep.redact.pseudonym import derive

    for key, info in ((b"k" * 32, b"sitrep pseudonyms v1"), (bytes(range(32)), b"x")):
        expected = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)
        assert derive(key, info) == expected


def test_loopback_keeps_its_spelling_and_an_escaped_address_its_escapes() -> None:
    pseudo = Pseudonymizer(b"k" * 32)
    assert pseudo.ipv6(b"0:0:0:0:0:0:0:1") == b"0:0:0:0:0:0:0:1"
    escaped = pseudo.ipv4(b"192\\.168\\.77\\.14")
    assert escaped == pseudo.ipv4(b"192.168.77.14").replace(b".", b"\\.")


def test_vendor_download_hosts_keep_their_public_domain_and_purpose() -> None:
    pseudo = Pseudonymizer(b"k" * 32)
    assert pseudo.host(b"charts.bitnami.com") == b"charts.bitnami.com"
    assert pseudo.host(b"updates.jenkins.io") == b"updates.jenkins.io"
    assert pseudo.host(b"acme.jenkins.io").endswith(b".jenkins.io")
    assert not pseudo.host(b"acme.jenkins.io").startswith(b"acme")


@pytest.mark.parametrize(
    ("mac", "shape"),
    [
        (b"0050.56a3.1f2b", rb"^0050\.56[0-9a-f]{2}\.[0-9a-f]{4}$"),
        (b"A0B1C2D3E4F5", rb"^A0B1C2[0-9A-F]{6}$"),
        (b"52-54-00-AB-CD-EF", rb"^52-54-00-[0-9A-F]{2}-[0-9A-F]{2}-[0-9A-F]{2}$"),
    ],
)
def test_mac_pseudonyms_keep_the_vendor_prefix_in_every_spelling(mac: bytes, shape: bytes) -> None:
    import re

    out = Pseudonymizer(b"k" * 32).mac(mac)
    assert out != mac and re.match(shape, out)


def test_broadcast_and_unset_macs_stay() -> None:
    pseudonymizer = Pseudonymizer(b"k" * 32)
    assert pseudonymizer.mac(b"ff:ff:ff:ff:ff:ff") == b"ff:ff:ff:ff:ff:ff"
    assert pseudonymizer.mac(b"00:00:00:00:00:00") == b"00:00:00:00:00:00"
