"""Members hashed while a zip's bytes arrive (MemberDigests), and check_zip's use of them:
the same hashes as reading the finished file, never a way around a refusal."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import random
import zipfile

import pytest
import transport_zips as z

from sitrep.bundle.archive import BundleWriter
from sitrep.bundle.member_digests import MemberDigests
from sitrep.bundle.validate import Limits, check_zip
from sitrep.errors import ValidationError

SMALL = Limits(max_bytes=50 * 1024 * 1024, max_members=100, max_ratio=200)


def _fed(data: bytes, limits: Limits = SMALL, seed: int = 0) -> MemberDigests:
    """Feed ``data`` in pieces of random sizes, as PATCH bodies and socket reads cut it."""
    digests, rng, at = MemberDigests(limits), random.Random(seed), 0
    while at < len(data):
        step = rng.choice([1, 7, 30, 31, 4096, 65536, 300_000])
        digests.update(data[at : at + step])
        at += step
    return digests


def _members_by_offset(path) -> dict[int, str]:
    with zipfile.ZipFile(path) as zf:
        return {
            info.header_offset: hashlib.sha256(zf.read(info)).hexdigest() for info in zf.infolist()
        }


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_it_hashes_every_member_whatever_pieces_the_bytes_arrive_in(tmp_path, compression, seed):
    files = {**z.sample_files(), "logs/random.bin": os.urandom(700_000), "empty.txt": b""}
    path = z.write_bundle(tmp_path / "b.zip", files, compression=compression)
    digests = _fed(path.read_bytes(), seed=seed)
    found = {offset: d.sha256 for offset, d in digests.digests.items()}
    assert found == _members_by_offset(path)


def test_it_follows_zip64_headers_as_the_bundle_writer_writes_them(tmp_path):
    source = tmp_path / "app.log"
    rng = random.Random(0)
    lines = (
        f"10:00:{rng.random():.9f} INFO request {rng.getrandbits(64):x}\n" for _ in range(40_000)
    )
    source.write_text("".join(lines))
    path = tmp_path / "bundle.zip"
    writer = BundleWriter(path)
    writer.add_file("logs/app.log", source)
    writer.add_json("notes.json", {"note": "hello"})
    writer.close()
    assert _fed(path.read_bytes()).digests.keys() == _members_by_offset(path).keys()


def test_check_zip_takes_the_streamed_hashes_for_listed_members(tmp_path):
    path = z.write_bundle(tmp_path / "b.zip", z.sample_files())
    digests = _fed(path.read_bytes())
    assert check_zip(path, SMALL, streamed=digests.digests).hashes == check_zip(path, SMALL).hashes
    # Proof that they are used, not read again: a wrong streamed hash is refused.
    wrong = {
        offset: dataclasses.replace(d, sha256="0" * 64) for offset, d in digests.digests.items()
    }
    with pytest.raises(ValidationError, match="does not match the size and SHA-256"):
        check_zip(path, SMALL, streamed=wrong)


def test_a_streamed_hash_for_other_sizes_or_method_is_ignored(tmp_path):
    # As when a local header declares other sizes than the central directory.
    path = z.write_bundle(tmp_path / "b.zip", z.sample_files())
    digests = _fed(path.read_bytes()).digests
    for change in ({"compress_size": 1}, {"file_size": 1}, {"compress_type": 0}):
        lying = {
            offset: dataclasses.replace(d, sha256="0" * 64, **change)
            for offset, d in digests.items()
        }
        assert check_zip(path, SMALL, streamed=lying).hashes == check_zip(path, SMALL).hashes


@pytest.mark.parametrize(("kind", "build", "reason"), z.HOSTILE, ids=[h[0] for h in z.HOSTILE])
def test_every_hostile_zip_is_still_refused_with_its_reason(tmp_path, kind, build, reason):
    path = tmp_path / f"{kind}.zip"
    build(path)
    digests = _fed(path.read_bytes())
    with pytest.raises(ValidationError) as err:
        check_zip(path, SMALL, streamed=digests.digests)
    assert reason in err.value.message


def test_it_does_not_inflate_a_member_over_the_ratio_cap(tmp_path):
    path = z.ratio_bomb(tmp_path / "bomb.zip", megabytes=20)
    digests = _fed(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        bomb = zf.getinfo("logs/zeros.log").header_offset
    assert digests.stopped and bomb not in digests.digests


def test_it_stops_at_a_data_descriptor_and_check_zip_reads_the_rest(tmp_path):
    # zipfile writes data descriptors when it cannot seek back: no sizes in the local header.
    files = z.sample_files()
    stream = io.BytesIO()
    with zipfile.ZipFile(_Unseekable(stream), "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(z.manifest_for(files)))
        for name, data in files.items():
            with zf.open(name, "w") as member:
                member.write(data)
    path = tmp_path / "streamed.zip"
    path.write_bytes(stream.getvalue())
    digests = _fed(path.read_bytes())
    assert digests.stopped
    assert check_zip(path, SMALL, streamed=digests.digests).manifest is not None


def test_a_copy_goes_on_independently(tmp_path):
    path = z.write_bundle(tmp_path / "b.zip", {"logs/random.bin": os.urandom(300_000)})
    data = path.read_bytes()
    first = MemberDigests(SMALL)
    first.update(data[:150_000])
    second = first.copy()
    second.update(os.urandom(10_000))  # a PATCH that was later discarded
    first.update(data[150_000:])
    assert {o: d.sha256 for o, d in first.digests.items()} == _members_by_offset(path)


class _Unseekable(io.RawIOBase):
    def __init__(self, target: io.BytesIO) -> None:
        self.target = target

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        return self.target.write(data)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize(("field", "change"), [(18, 10), (22, -1)], ids=["compressed", "size"])
def test_a_local_header_that_lies_about_its_sizes_yields_no_digest(tmp_path, field, change):
    # zipfile reads by the central directory, so such a zip can pass; the streamed hash of
    # what the local header described must then not stand in for the member's real hash.
    path = z.write_bundle(tmp_path / "b.zip", z.sample_files())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("logs/app.log")
    raw = bytearray(path.read_bytes())
    at = info.header_offset + field
    raw[at : at + 4] = (int.from_bytes(raw[at : at + 4], "little") + change).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    digests = _fed(bytes(raw))
    assert info.header_offset not in digests.digests
    assert check_zip(path, SMALL, streamed=digests.digests).hashes == check_zip(path, SMALL).hashes
