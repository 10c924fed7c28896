"""`sitrep desk rotate-master-key` rewraps every data key; `sitrep desk passwd` sets a password."""

from __future__ import annotations

import base64
import io
import json
import os

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from sitrep.cli import keys
from sitrep.cli.common import make_app
from sitrep.desk.crypto import (
    Binding,
    CiphertextError,
    MasterKey,
    decrypt_stream,
    encrypt_stream,
    load_data_key,
    save_data_key,
    wrap_key,
)
from sitrep.desk.models.access import DataKey
from sitrep.desk.models.audit import AuditEntry

runner = CliRunner()


@pytest.fixture
def desk_cli() -> typer.Typer:
    app = make_app("desk")
    keys.register(app)
    return app


@pytest.fixture
def old_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def env(database_url, tmp_path, old_key):
    return {
        "SITREP_DATABASE_URL": database_url,
        "SITREP_DATA_DIR": str(tmp_path / "data"),
        "SITREP_MASTER_KEY": old_key,
    }


def store_objects(sessions, master: MasterKey, count: int) -> dict[str, bytes]:
    """Encrypt ``count`` objects for two tenants, store their wrapped keys, return ciphertexts."""
    blobs = {}
    with sessions.begin() as session:
        for i in range(count):
            binding = Binding(tenant=f"org:{i % 2}", ticket=f"SUP-{i}", object_id=f"attachment:{i}")
            data_key, out = os.urandom(32), io.BytesIO()
            encrypt_stream(io.BytesIO(f"bundle {i}".encode() * 100), out, data_key, binding)
            save_data_key(
                session=session, binding=binding, wrapped=wrap_key(master, data_key, binding)
            )
            blobs[binding.object_id] = out.getvalue()
    return blobs


def test_rotation_rewraps_every_key_and_the_old_key_stops_working(
    desk_cli, env, sessions, old_key, tmp_path
):
    old = MasterKey.from_b64(old_key)
    blobs = store_objects(sessions, old, 7)
    new_key_file = tmp_path / "new.key"
    new_key_file.write_text(base64.b64encode(os.urandom(32)).decode())
    new = MasterKey.from_b64(new_key_file.read_text())
    result = runner.invoke(
        desk_cli, ["rotate-master-key", "--new-key-file", str(new_key_file), "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"rewrapped": 7, "from": old.key_id, "to": new.key_id}
    with sessions() as session:
        assert set(session.scalars(select(DataKey.master_key_id))) == {new.key_id}
        for object_id, blob in blobs.items():
            binding, wrapped = load_data_key(session=session, object_id=object_id)
            plain = b"".join(decrypt_stream(io.BytesIO(blob), wrapped, binding, new))
            assert plain.startswith(f"bundle {object_id.split(':')[1]}".encode())
            with pytest.raises(CiphertextError):
                decrypt_stream(io.BytesIO(blob), wrapped, binding, old)
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "keys.rotate"))
        assert entry is not None and entry.target == f"master-key:{new.key_id}"
    # Running it again (e.g. after an interruption) resumes: nothing is left under the old key.
    again = runner.invoke(
        desk_cli, ["rotate-master-key", "--new-key-file", str(new_key_file)], env=env
    )
    assert again.exit_code == 0 and "Rewrapped 0 data keys" in again.stdout
    env_new = {**env, "SITREP_MASTER_KEY": new_key_file.read_text()}
    same = runner.invoke(
        desk_cli, ["rotate-master-key", "--new-key-file", str(new_key_file)], env=env_new
    )
    assert same.exit_code == 1 and "same as the current one" in same.stderr


def test_rotation_refuses_a_bad_new_key_and_changes_nothing(
    desk_cli, env, sessions, old_key, tmp_path
):
    store_objects(sessions, MasterKey.from_b64(old_key), 2)
    bad = tmp_path / "bad.key"
    bad.write_text("not a key")
    result = runner.invoke(desk_cli, ["rotate-master-key", "--new-key-file", str(bad)], env=env)
    assert result.exit_code == 1 and "is not base64 of 32 bytes" in result.stderr
    missing = runner.invoke(
        desk_cli, ["rotate-master-key", "--new-key-file", str(tmp_path / "nope")], env=env
    )
    assert missing.exit_code == 1 and "Cannot read" in missing.stderr
    with sessions() as session:
        assert set(session.scalars(select(DataKey.master_key_id))) == {
            MasterKey.from_b64(old_key).key_id
        }


def test_passwd_sets_an_argon2id_hash_and_refuses_short_passwords(desk_cli, env, sessions):
    from sitrep.desk.models.identity import StaffUser
    from sitrep.desk.services.identity import add_staff

    with sessions.begin() as session:
        add_staff(session=session, email="root@vendor.example", role="admin")
    result = runner.invoke(
        desk_cli,
        ["passwd", "root@vendor.example", "--password-stdin"],
        input="correct horse battery staple\n",
        env=env,
    )
    assert result.exit_code == 0, result.output
    short = runner.invoke(
        desk_cli, ["passwd", "root@vendor.example", "--password-stdin"], input="short\n", env=env
    )
    assert short.exit_code == 1 and "12 to 1024 characters" in short.stderr
    with sessions() as session:
        stored = session.scalar(select(StaffUser.password_hash))
    # The desk's own parameters: argon2-cffi's RFC 9106 low-memory defaults.
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and "staple" not in stored
