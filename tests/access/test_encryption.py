"""Objects are encrypted at rest under per-object keys bound to tenant, ticket and object."""

from __future__ import annotations

import base64
import io
import os

import pytest

from sitrep.desk.crypto import (
    TAG,
    Binding,
    CiphertextError,
    MasterKey,
    decrypt_chunks,
    decrypt_stream,
    encrypt_file,
    encrypt_stream,
    unwrap_key,
    wrap_key,
)
from sitrep.errors import ConfigError

BINDING = Binding(tenant="org:4", ticket="SUP-12", object_id="attachment:55")
CHUNK = 1024


@pytest.fixture
def master() -> MasterKey:
    return MasterKey(os.urandom(32))


def seal(plaintext: bytes, key: bytes, binding: Binding = BINDING) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(plaintext), out, key, binding, chunk_size=CHUNK)
    return out.getvalue()


def opened(ciphertext: bytes, key: bytes, binding: Binding = BINDING) -> bytes:
    return b"".join(decrypt_chunks(io.BytesIO(ciphertext), key, binding))


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 7])
def test_it_round_trips_every_size_around_chunk_boundaries(size):
    key, plaintext = os.urandom(32), os.urandom(size)
    ciphertext = seal(plaintext, key)
    if size >= 16:  # a shorter random string turns up in the ciphertext by chance (1 byte: ~11%)
        assert plaintext[:64] not in ciphertext
    assert opened(ciphertext, key) == plaintext


def test_files_round_trip_through_a_wrapped_key_and_stream_in_chunks(tmp_path, master):
    src, dst = tmp_path / "bundle.zip", tmp_path / "bundle.enc"
    src.write_bytes(os.urandom(3 * 1024 * 1024 + 5))
    wrapped = encrypt_file(src, dst, BINDING, master)
    assert len(wrapped.wrapped) == 12 + 32 + TAG and wrapped.master_key_id == master.key_id
    with dst.open("rb") as reader:
        chunks = list(decrypt_stream(reader, wrapped, BINDING, master))
    assert b"".join(chunks) == src.read_bytes()
    assert max(len(c) for c in chunks) == 1024 * 1024  # streamed, never the whole file at once


def test_a_flipped_byte_fails_authentication():
    key = os.urandom(32)
    ciphertext = bytearray(seal(os.urandom(3 * CHUNK), key))
    ciphertext[12 + CHUNK + TAG + 5] ^= 1
    with pytest.raises(CiphertextError, match="chunk 1"):
        opened(bytes(ciphertext), key)


def test_a_file_cut_at_a_chunk_boundary_fails():
    key = os.urandom(32)
    ciphertext = seal(os.urandom(3 * CHUNK), key)
    with pytest.raises(CiphertextError, match="chunk 1"):
        opened(ciphertext[: 12 + 2 * (CHUNK + TAG)], key)


def test_reordered_or_appended_chunks_fail():
    key = os.urandom(32)
    ciphertext = seal(os.urandom(3 * CHUNK), key)
    header, body = ciphertext[:12], ciphertext[12:]
    c0, c1, c2 = (
        body[: CHUNK + TAG],
        body[CHUNK + TAG : 2 * (CHUNK + TAG)],
        body[2 * (CHUNK + TAG) :],
    )
    with pytest.raises(CiphertextError):
        opened(header + c1 + c0 + c2, key)
    with pytest.raises(CiphertextError):
        opened(ciphertext + c2, key)


def test_an_object_moved_to_another_ticket_does_not_decrypt(master):
    key = os.urandom(32)
    moved = Binding(tenant="org:4", ticket="SUP-13", object_id="attachment:55")
    with pytest.raises(CiphertextError):
        opened(seal(b"secret", key), key, moved)
    with pytest.raises(CiphertextError):
        unwrap_key(master, wrap_key(master, key, BINDING), moved)


def test_a_wrong_master_key_is_named_not_guessed(master):
    wrapped = wrap_key(master, os.urandom(32), BINDING)
    other = MasterKey(os.urandom(32))
    with pytest.raises(CiphertextError, match=master.key_id):
        unwrap_key(other, wrapped, BINDING)


def test_garbage_is_refused_before_decrypting():
    with pytest.raises(CiphertextError, match="not a Sitrep encrypted object"):
        opened(b"PK\x03\x04 plain zip", os.urandom(32))


def test_a_bad_master_key_setting_names_the_variable():
    with pytest.raises(ConfigError, match="SITREP_MASTER_KEY"):
        MasterKey.from_b64(base64.b64encode(b"short").decode())
    assert "secret" not in repr(MasterKey(b"k" * 32)) and "kkkk" not in repr(MasterKey(b"k" * 32))
