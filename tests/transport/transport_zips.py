"""Build honest bundles and hostile zips on disk for the transport tests.

Every hostile zip is generated here, byte by byte where zipfile refuses to write it,
so the tests show exactly which trick each refusal is about.
"""

from __future__ import annotations

import hashlib
import json
import stat
import struct
import warnings
import zipfile
import zlib
from pathlib import Path


def manifest_for(files: dict[str, bytes]) -> dict:
    """Return a manifest.json document listing ``files`` (DESIGN §3.3)."""
    return {
        "tool_version": "test",
        "profile": "standard",
        "files": [
            {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in files.items()
        ],
        "skipped": [],
        "collectors": [],
    }


def write_bundle(
    path: Path,
    files: dict[str, bytes],
    manifest: dict | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """Write a valid Sitrep bundle: the files plus a manifest that lists their hashes."""
    with zipfile.ZipFile(path, "w", compression) as zf:
        zf.writestr("manifest.json", json.dumps(manifest or manifest_for(files)))
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def sample_files() -> dict[str, bytes]:
    return {
        "logs/app.log": b"2026-11-29 10:00:00 INFO started\n" * 200,
        "host/os.json": b'{"name": "Debian", "version": "12"}',
    }


def ratio_bomb(path: Path, megabytes: int = 20) -> Path:
    """One member of zeros that deflates about 1000 times."""
    files = {"logs/zeros.log": b"\0" * (megabytes * 1024 * 1024)}
    return write_bundle(path, files)


def overlap_bomb(path: Path, copies: int = 50) -> Path:
    """Many central-directory entries pointing at one local entry (Fifield's trick).

    Python 3.11.7 extracts every copy (gh-109858 was fixed only in 3.11.8).
    """
    data = b"A" * 1_000_000
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = comp.compress(data) + comp.flush()
    name = b"bomb.txt"
    crc = zlib.crc32(data)
    local = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(deflated), len(data), len(name), 0
    )
    body = local + name + deflated
    central = b""
    for _ in range(copies):
        central += (
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(deflated),
                len(data),
                len(name),
                0,
                0,
                0,
                0,
                0,
                0,
            )
            + name
        )
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, copies, copies, len(central), len(body), 0)
    path.write_bytes(body + central + end)
    return path


def named(path: Path, names: list[str], data: bytes = b"x") -> Path:
    """A zip whose members have exactly these names (zipfile writes what it is given)."""
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as zf:
        warnings.simplefilter("ignore")  # zipfile warns about duplicates, then writes them
        for name in names:
            zf.writestr(zipfile.ZipInfo(name), data)
    return path


def symlink_zip(path: Path) -> Path:
    """A member whose Unix mode says symbolic link, pointing at /etc/passwd."""
    info = zipfile.ZipInfo("logs/passwd")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    return path


def duplicate_zip(path: Path) -> Path:
    """Two members with the same name; zipfile only warns when writing this."""
    return named(path, ["notes.txt", "notes.txt"])


def flagged_zip(path: Path, name: str, flag: int) -> Path:
    """One member with ``flag`` set in the general-purpose bits of both its headers."""
    named(path, [name], b"not really encrypted")
    raw = bytearray(path.read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.find(signature)
        raw[at + flag_at] |= flag
    path.write_bytes(bytes(raw))
    return path


def encrypted_zip(path: Path) -> Path:
    """A member flagged as encrypted (bit 0)."""
    return flagged_zip(path, "secret.txt", 0x01)


def many_members(path: Path, count: int) -> Path:
    return named(path, [f"f{i}.txt" for i in range(count)])


def tampered_bundle(path: Path) -> Path:
    """A bundle whose log was changed after the manifest was written."""
    files = sample_files()
    manifest = manifest_for(files)
    files["logs/app.log"] = b"tampered\n"
    return write_bundle(path, files, manifest)


#: (name, builder, the exact reason) for every hostile zip; caps: 100 members, ratio 200.
HOSTILE = [
    ("ratio", lambda p: ratio_bomb(p), "over the ratio cap of 200 (possible zip bomb)"),
    ("overlap", lambda p: overlap_bomb(p), "overlaps the previous member (possible zip bomb)"),
    ("dotdot", lambda p: named(p, ["logs/../../x"]), "'logs/../../x' has a '..' path component"),
    ("absolute", lambda p: named(p, ["/etc/cron.d/x"]), "'/etc/cron.d/x' has an absolute path"),
    ("drive", lambda p: named(p, ["C:/x"]), "'C:/x' has an absolute path"),
    ("backslash", lambda p: named(p, ["..\\x"]), "has a backslash in its name"),
    ("control", lambda p: named(p, ["a\x01b"]), "has control or bidirectional characters"),
    ("bidi", lambda p: named(p, ["exe.\u202etxt"]), "has control or bidirectional characters"),
    ("c1", lambda p: named(p, ["a\x85b"]), "has control or bidirectional characters"),
    ("symlink", lambda p: symlink_zip(p), "'logs/passwd' is a symbolic link"),
    ("duplicate", lambda p: duplicate_zip(p), "'notes.txt' appears twice (duplicate name)"),
    (
        "case",
        lambda p: named(p, ["A.txt", "a.txt"]),
        "'A.txt' and 'a.txt' collide when case is ignored",
    ),
    ("file-dir", lambda p: named(p, ["x", "x/y"]), "'x' is both a file and a directory"),
    ("file-dir-entry", lambda p: named(p, ["x", "x/"]), "'x' is both a file and a directory"),
    ("encrypted", lambda p: encrypted_zip(p), "'secret.txt' is encrypted"),
    (
        "patched",  # zipfile raised NotImplementedError for it: a 500 before it was refused
        lambda p: flagged_zip(p, "patch.bin", 0x20),
        "'patch.bin' holds compressed patched data",
    ),
    ("members", lambda p: many_members(p, 101), "it has 101 members, over the cap of 100"),
    (
        "manifest",
        lambda p: tampered_bundle(p),
        "'logs/app.log' does not match the size and SHA-256 recorded in manifest.json",
    ),
    ("not-zip", lambda p: p.write_bytes(b"just text") and p, "it is not a zip file"),
]
