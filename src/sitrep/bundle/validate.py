"""Validate untrusted zip files and extract them safely.

Uploads are hostile until validated (DESIGN §5). Everything here runs on the central
directory and the local headers *before* any member is decompressed, then streams each
member once to check its size and SHA-256 against the bundle's ``manifest.json``.
Every refusal is a :class:`sitrep.errors.ValidationError` whose message names the member
and the exact rule it broke, so the uploader can be told why.

Customer-side module: it must not import the desk or any server dependency.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sitrep.errors import ValidationError

if TYPE_CHECKING:
    from sitrep.bundle.member_digests import MemberDigest

MIB = 1024 * 1024
CHUNK = MIB
#: Top-level documents a bundle carries besides the collected files (DESIGN §3.3).
MANIFEST = "manifest.json"
DOCUMENTS = frozenset({MANIFEST, "redaction-report.json", "analysis.json"})
MAX_MANIFEST_BYTES = 64 * MIB
# Control and format characters (C0/C1 controls, bidirectional overrides such as U+202E,
# which make a name display as something it is not), surrogates, private-use and
# unassigned code points, and line separators.
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
LOCAL_SIGNATURE = b"PK\x03\x04"
#: A data descriptor (flag bit 3) follows the data: 12 to 24 bytes depending on its form.
DESCRIPTOR_SLACK = 24


@dataclass(frozen=True)
class Limits:
    """Caps applied to one zip file. The defaults match the desk's default settings."""

    max_bytes: int = 4096 * MIB  # size of the zip file itself
    max_members: int = 20_000
    max_ratio: int = 200  # uncompressed / compressed, for members over ratio_floor
    max_total_bytes: int = 4096 * MIB * 20  # sum of the members' uncompressed sizes
    ratio_floor: int = MIB  # small members may compress far better than logs do

    @classmethod
    def from_caps(cls, *, max_upload_mb: int, max_members: int, max_ratio: int) -> Limits:
        """Build limits from the desk's settings.

        The total uncompressed size is capped at 20 times the upload cap: logs compress
        10-20 times, so an honest bundle stays under it while a bomb does not.
        """
        return cls(
            max_bytes=max_upload_mb * MIB,
            max_members=max_members,
            max_ratio=max_ratio,
            max_total_bytes=max_upload_mb * MIB * 20,
        )


@dataclass
class CheckedZip:
    """The result of a validation: the file members, their hashes and the manifest, if any."""

    members: list[zipfile.ZipInfo]
    hashes: dict[str, str] = field(default_factory=dict)
    manifest: dict[str, Any] | None = None
    #: For a bundle, its :func:`bundle_sha256`; None for other zips.
    bundle_sha256: str | None = None

    @property
    def is_bundle(self) -> bool:
        """Return True when the zip is a Sitrep bundle (it carries a manifest)."""
        return self.manifest is not None


def show(name: str) -> str:
    """Return a member name that is safe to print: escaped and at most 120 characters."""
    shown = name.encode("unicode_escape").decode("ascii")
    return shown if len(shown) <= 120 else shown[:117] + "..."


def refuse(reason: str) -> ValidationError:
    """Return the error for a refused zip; the reason says exactly which rule was broken."""
    return ValidationError(f"The zip was refused: {reason}.")


def looks_like_zip(path: Path, filename: str) -> bool:
    """Return True when the file claims to be a zip by name or by its first bytes."""
    if filename.lower().endswith(".zip"):
        return True
    with path.open("rb") as fh:
        return fh.read(4) in (LOCAL_SIGNATURE, b"PK\x05\x06")


def check_zip(
    path: Path,
    limits: Limits | None = None,
    *,
    streamed: Mapping[int, MemberDigest] | None = None,
) -> CheckedZip:
    """Validate the zip at ``path`` and return its members, hashes and manifest.

    Raises ValidationError naming the member and the rule for any refusal: caps on size,
    member count and compression ratio; overlapping or hidden entries (zip bombs, which
    Python 3.11.7 does not detect itself); unsafe, duplicate or case-colliding names;
    symlinks and other non-regular files; encrypted members; unknown compression methods;
    and, for a bundle, any member whose size or SHA-256 differs from ``manifest.json``.

    ``streamed`` holds member digests taken while these very bytes were written
    (:class:`sitrep.bundle.member_digests.MemberDigests`); a manifest-listed member whose
    digest is there, with the same method and sizes, is not read again.
    """
    limits = limits or Limits()
    with _open_zip(path, limits) as zf:
        members = _check_entries(zf, limits)
        manifest = _read_manifest(zf, members)
        hashes = _stream_members(zf, members, manifest, opener=None, streamed=streamed or {})
        _check_against_manifest(members, hashes, manifest)
        digest = _bundle_digest(zf, manifest) if manifest is not None else None
    return CheckedZip(members=members, hashes=hashes, manifest=manifest, bundle_sha256=digest)


def bundle_sha256(path: Path) -> str | None:
    """Return the bundle digest of the Sitrep bundle at ``path``; None if it is not one.

    The digest is the SHA-256 of the file's bytes in order, with the stored data of each
    member that ``manifest.json`` lists replaced by the 32 bytes of that member's SHA-256
    from the manifest. It covers every byte of the file: the members' contents through the
    manifest's hashes, and the rest (local headers, ``manifest.json`` and other unlisted
    members, the central directory) as they are. So a client proves end to end which bundle
    it sent by reading only its headers and manifest (kilobytes), not the whole file: the
    desk hashes every listed member anyway, compares it with the manifest, then computes the
    same digest (:attr:`CheckedZip.bundle_sha256`).
    """
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = _read_manifest(zf, zf.infolist())
            return _bundle_digest(zf, manifest) if manifest is not None else None
    except (OSError, zipfile.BadZipFile, ValidationError):
        return None


def extract_zip(path: Path, dest: Path, limits: Limits | None = None) -> CheckedZip:
    """Validate the zip at ``path`` and extract its members into the new directory ``dest``.

    ``dest`` must not exist yet. Files are created with O_EXCL|O_NOFOLLOW under names that
    passed validation, and each member is hashed while it is written. On any refusal the
    partly written ``dest`` is removed, so nothing half-extracted is left behind.
    """
    limits = limits or Limits()
    try:
        dest.mkdir(parents=True, exist_ok=False)
    except FileExistsError:
        raise ValidationError(
            f"{dest} already exists.", fix="Choose another output folder or remove it."
        ) from None
    try:
        with _open_zip(path, limits) as zf:
            members = _check_entries(zf, limits)
            manifest = _read_manifest(zf, members)
            opener = functools.partial(_create_file, dest)
            hashes = _stream_members(zf, members, manifest, opener=opener, streamed={})
        _check_against_manifest(members, hashes, manifest)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    return CheckedZip(members=members, hashes=hashes, manifest=manifest)


# --- opening: caps that must hold before zipfile parses anything ---------------------


class _Zip:
    """Context manager: open the file, check the end record, then hand it to zipfile."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path, self.limits = path, limits
        self.fh: IO[bytes] | None = None

    def __enter__(self) -> zipfile.ZipFile:
        size = self.path.stat().st_size
        if size > self.limits.max_bytes:
            raise refuse(f"it is {size} bytes, over the cap of {self.limits.max_bytes} bytes")
        self.fh = self.path.open("rb")
        try:
            _check_end_record(self.fh, self.limits)
            return zipfile.ZipFile(self.fh)
        except zipfile.BadZipFile as exc:
            self.fh.close()
            raise refuse(f"it is not a readable zip file ({exc})") from None
        except BaseException:
            self.fh.close()
            raise

    def __exit__(self, *exc: object) -> None:
        if self.fh is not None:
            self.fh.close()


def _open_zip(path: Path, limits: Limits) -> _Zip:
    return _Zip(path, limits)


def _check_end_record(fh: IO[bytes], limits: Limits) -> None:
    # zipfile reads the whole central directory into memory and builds one ZipInfo per
    # entry, so check the declared count and size first. _EndRecData is private but has
    # kept its shape since Python 2; it also understands the Zip64 end record.
    end = zipfile._EndRecData(fh)  # type: ignore[attr-defined]
    if end is None:
        raise refuse("it is not a zip file (no end of central directory record)")
    count, cd_size = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
    if count > limits.max_members:
        raise refuse(f"it has {count} members, over the cap of {limits.max_members}")
    if cd_size > (count + 1) * 4096 + 65536:
        raise refuse(f"its central directory is {cd_size} bytes, far too large for {count} members")


# --- entries: names, types, flags, sizes and layout -----------------------------------


def _check_entries(zf: zipfile.ZipFile, limits: Limits) -> list[zipfile.ZipInfo]:
    """Check every central-directory entry; return the file members (directories dropped)."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise refuse(f"it has {len(infos)} members, over the cap of {limits.max_members}")
    for info in infos:
        _check_name(info.filename)
        _check_kind(info)
        _check_size(info, limits)
    total = sum(info.file_size for info in infos)
    if total > limits.max_total_bytes:
        raise refuse(
            f"its members expand to {total} bytes, over the cap of {limits.max_total_bytes}"
        )
    # Layout first: an overlap bomb repeats one entry, and "overlap" is the truer reason.
    _check_layout(zf, infos)
    _check_collisions(infos)
    return [info for info in infos if not info.is_dir()]


def _check_name(name: str) -> None:
    shown = show(name)
    if not name.rstrip("/"):
        raise refuse("a member has an empty name")
    if any(unicodedata.category(c) in UNSAFE_CATEGORIES for c in name):
        raise refuse(f"member '{shown}' has control or bidirectional characters in its name")
    if "\\" in name:
        raise refuse(f"member '{shown}' has a backslash in its name")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise refuse(f"member '{shown}' has an absolute path")
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        raise refuse(f"member '{shown}' has a '..' path component")
    if any(part in ("", ".") for part in parts):
        raise refuse(f"member '{shown}' has an empty or '.' path component")
    if any(len(part.encode()) > 255 for part in parts):
        raise refuse(f"member '{shown}' has a path component longer than 255 bytes")


def _check_kind(info: zipfile.ZipInfo) -> None:
    shown = show(info.filename)
    # The Unix mode sits in the high 16 bits; check it whatever system wrote the zip.
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise refuse(f"member '{shown}' is a symbolic link")
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise refuse(f"member '{shown}' is not a regular file")
    if info.flag_bits & 0x41:  # bit 0: encrypted, bit 6: strong encryption
        raise refuse(f"member '{shown}' is encrypted")
    if info.flag_bits & 0x20:  # zipfile cannot read it (and raised NotImplementedError)
        raise refuse(f"member '{shown}' holds compressed patched data (flag bit 5)")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise refuse(
            f"member '{shown}' uses compression method {info.compress_type}; "
            "only stored and deflate are accepted"
        )


def _check_size(info: zipfile.ZipInfo, limits: Limits) -> None:
    shown = show(info.filename)
    if info.file_size > limits.max_total_bytes:
        raise refuse(f"member '{shown}' expands to {info.file_size} bytes, over the cap")
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        raise refuse(f"stored member '{shown}' declares two different sizes")
    if info.file_size > limits.ratio_floor:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            raise refuse(
                f"member '{shown}' expands {ratio:.0f} times, over the ratio cap of "
                f"{limits.max_ratio} (possible zip bomb)"
            )


def _check_collisions(infos: list[zipfile.ZipInfo]) -> None:
    seen: dict[str, str] = {}
    dirs: dict[str, str] = {}
    for info in infos:
        name = info.filename.rstrip("/")
        key = unicodedata.normalize("NFC", name).casefold()
        if key in seen and not info.is_dir():
            other = seen[key]
            if other == name:
                raise refuse(f"member '{show(name)}' appears twice (duplicate name)")
            raise refuse(f"members '{show(other)}' and '{show(name)}' collide when case is ignored")
        if info.is_dir():
            dirs.setdefault(key, name)
        else:
            seen[key] = name
        parts = key.split("/")
        for depth in range(1, len(parts)):
            dirs.setdefault("/".join(parts[:depth]), name)
    for key, name in seen.items():
        if key in dirs:
            raise refuse(f"member '{show(name)}' is both a file and a directory")


def _check_layout(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse overlapping or hidden local entries.

    Check sizes before extracting: Python before 3.11.8 does not detect overlapping
    entries, so a few kB can point many central-directory records at one compressed
    stream. Each entry must start where the previous one ended (a gap could hide an
    entry that other unzip tools would see) and end before the central directory.
    """
    fh = zf.fp
    assert fh is not None
    expected, slack = 0, 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        shown = show(info.filename)
        if info.header_offset < expected:
            raise refuse(f"member '{shown}' overlaps the previous member (possible zip bomb)")
        if info.header_offset > expected + slack:
            raise refuse(f"there are unaccounted bytes before member '{shown}'")
        expected = _local_end(fh, info)
        slack = DESCRIPTOR_SLACK if info.flag_bits & 0x08 else 0
    start_dir = zf.start_dir
    if expected > start_dir:
        raise refuse("the last member runs into the central directory (possible zip bomb)")
    if start_dir > expected + slack:
        raise refuse("there are unaccounted bytes before the central directory")


def _local_end(fh: IO[bytes], info: zipfile.ZipInfo) -> int:
    """Return where the entry's data ends, after checking its local header."""
    name_len, extra_len = _local_header(fh, info)
    local_name = fh.read(name_len)
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    if local_name != info.orig_filename.encode(encoding, errors="replace"):
        raise refuse(f"member '{show(info.filename)}' has a different name in its local header")
    return info.header_offset + LOCAL_HEADER.size + name_len + extra_len + info.compress_size


def _local_header(fh: IO[bytes], info: zipfile.ZipInfo) -> tuple[int, int]:
    """Check the entry's local header; return its name and extra lengths (fh at the name)."""
    fh.seek(info.header_offset)
    raw = fh.read(LOCAL_HEADER.size)
    if len(raw) != LOCAL_HEADER.size or raw[:4] != LOCAL_SIGNATURE:
        raise refuse(f"member '{show(info.filename)}' has no valid local header")
    fields = LOCAL_HEADER.unpack(raw)
    return fields[10], fields[11]


# --- contents: manifest and member hashes --------------------------------------------


def _bundle_digest(zf: zipfile.ZipFile, manifest: dict[str, Any]) -> str:
    """Hash the zip with each listed member's data replaced by its SHA-256 (see bundle_sha256)."""
    fh = zf.fp
    assert fh is not None
    listed = {entry["path"]: bytes.fromhex(entry["sha256"]) for entry in manifest["files"]}
    digest, position = hashlib.sha256(), 0
    for info in sorted(zf.infolist(), key=lambda i: i.header_offset):
        content = listed.get(info.filename)
        if content is None or info.header_offset < position:
            continue  # its bytes are hashed as they are
        start = _data_start(fh, info)
        _hash_range(fh, position, start, digest)
        digest.update(content)
        position = start + info.compress_size
    _hash_range(fh, position, None, digest)
    return digest.hexdigest()


def _data_start(fh: IO[bytes], info: zipfile.ZipInfo) -> int:
    return info.header_offset + LOCAL_HEADER.size + sum(_local_header(fh, info))


def _hash_range(fh: IO[bytes], start: int, end: int | None, digest: Any) -> None:
    """Feed the file's bytes from ``start`` to ``end`` (None: the end of the file)."""
    fh.seek(start)
    left = end - start if end is not None else None
    while left is None or left > 0:
        chunk = fh.read(CHUNK if left is None else min(CHUNK, left))
        if not chunk:
            return
        digest.update(chunk)
        if left is not None:
            left -= len(chunk)


def _read_manifest(zf: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> dict[str, Any] | None:
    info = next((m for m in members if m.filename == MANIFEST), None)
    if info is None:
        return None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise refuse(f"{MANIFEST} is {info.file_size} bytes, over {MAX_MANIFEST_BYTES}")
    try:
        manifest = json.loads(_read_member(zf, info))
    except (ValueError, UnicodeDecodeError) as exc:
        raise refuse(f"{MANIFEST} is not valid JSON ({exc})") from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list) or not all(_is_file_entry(e) for e in files):
        raise refuse(f"{MANIFEST} has no valid 'files' list of {{path, size, sha256}}")
    return manifest


def _is_file_entry(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("path"), str)
        and isinstance(entry.get("size"), int)
        and isinstance(entry.get("sha256"), str)
        and len(entry["sha256"]) == 64
    )


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        return zf.read(info)
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        raise refuse(f"member '{show(info.filename)}' is corrupt ({exc})") from None


Opener = Callable[[str], IO[bytes]] | None


def _stream_members(
    zf: zipfile.ZipFile,
    members: list[zipfile.ZipInfo],
    manifest: dict[str, Any] | None,
    opener: Opener,
    streamed: Mapping[int, MemberDigest],
) -> dict[str, str]:
    """Decompress each member once, hashing it and optionally writing it out.

    A member the manifest lists is checked against its SHA-256 afterwards, a stronger test
    than the zip's CRC-32 of the same bytes, so only the other members pay for the CRC, and
    a listed member that was hashed as it arrived is not read at all.
    """
    listed = {entry["path"] for entry in manifest["files"]} if manifest else set()
    hashes: dict[str, str] = {}
    for info in members:
        known = streamed.get(info.header_offset) if info.filename in listed else None
        if known is not None and _same_member(known, info):
            hashes[info.filename] = known.sha256
            continue
        out = opener(info.filename) if opener else None
        try:
            hashes[info.filename] = _hash_member(zf, info, out, crc=info.filename not in listed)
        finally:
            if out is not None:
                out.close()
    return hashes


def _same_member(known: MemberDigest, info: zipfile.ZipInfo) -> bool:
    """Return True when the central directory describes the member ``known`` was taken of.

    The digest was taken from the bytes after the local header at the same offset; with
    the same method and sizes, zipfile would decompress exactly those bytes.
    """
    facts = (known.compress_type, known.compress_size, known.file_size)
    return facts == (info.compress_type, info.compress_size, info.file_size)


def _hash_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, out: IO[bytes] | None, *, crc: bool
) -> str:
    digest = hashlib.sha256()
    try:
        # zipfile stops at the declared size, so the declared sizes (already capped) bound
        # what a member can expand to; it checks the CRC unless told not to.
        with zf.open(info) as src:
            if not crc:
                src._expected_crc = None  # type: ignore[attr-defined]
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                if out is not None:
                    out.write(chunk)
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise refuse(f"member '{show(info.filename)}' is corrupt ({exc})") from None
    return digest.hexdigest()


def _check_against_manifest(
    members: list[zipfile.ZipInfo], hashes: dict[str, str], manifest: dict[str, Any] | None
) -> None:
    if manifest is None:
        return
    listed = {entry["path"]: entry for entry in manifest["files"]}
    for info in members:
        entry = listed.pop(info.filename, None)
        if entry is None:
            if info.filename in DOCUMENTS:
                continue
            raise refuse(f"member '{show(info.filename)}' is not listed in {MANIFEST}")
        if entry["size"] != info.file_size or entry["sha256"] != hashes[info.filename]:
            raise refuse(
                f"member '{show(info.filename)}' does not match the size and SHA-256 "
                f"recorded in {MANIFEST}"
            )
    if listed:
        missing = show(next(iter(listed)))
        raise refuse(f"{MANIFEST} lists '{missing}' but the zip does not contain it")


def _create_file(dest: Path, name: str) -> IO[bytes]:
    """Create ``dest/name`` exclusively, never following a symlink."""
    target = dest.joinpath(*name.split("/"))
    target.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    return os.fdopen(os.open(target, flags, 0o600), "wb")
