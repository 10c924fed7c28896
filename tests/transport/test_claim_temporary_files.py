"""claim_temporary_files: the contract the attachment endpoints rely on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import transport_zips as z

from sitrep.desk.auth import Principal
from sitrep.desk.models.uploads import TemporaryFile
from sitrep.desk.services.uploads import (
    Refused,
    claim_temporary_files,
    purge_expired,
    store_temporary_file,
)
from sitrep.desk.storage import blobstore_from_settings
from sitrep.errors import NotFound, ValidationError

ACME = Principal(kind="installation", id=1, role="installation", org_id=1)
GLOBEX = Principal(kind="installation", id=2, role="installation", org_id=2)
STAFF_ONE = Principal(kind="staff", id=1, role="support")


@pytest.fixture
def session(desk_app):
    with desk_app.state.sessions() as session:
        yield session


def _store(session, settings, tmp_path, principal=ACME, name="support.zip"):
    path = z.write_bundle(tmp_path / name, z.sample_files())
    temp = store_temporary_file(
        session=session, settings=settings, principal=principal, path=path, filename=name
    )
    session.commit()
    return temp


def test_the_uploader_claims_its_file_once_with_manifest_and_hashes(
    session, desk_settings, tmp_path
):
    temp = _store(session, desk_settings, tmp_path)
    [claimed] = claim_temporary_files(session=session, principal=ACME, temp_ids=[temp.id])
    assert (claimed.filename, claimed.size, claimed.sha256) == (
        temp.filename,
        temp.size,
        temp.sha256,
    )
    assert claimed.blob_key == temp.sha256 and claimed.content_type == "application/zip"
    assert claimed.manifest["files"][1]["path"] == "host/os.json"
    session.commit()
    with pytest.raises(NotFound, match="already used"):
        claim_temporary_files(session=session, principal=ACME, temp_ids=[temp.id])


def test_another_principal_cannot_claim_it(session, desk_settings, tmp_path):
    temp = _store(session, desk_settings, tmp_path)
    for other in (GLOBEX, STAFF_ONE):  # staff id 1 is not installation id 1
        with pytest.raises(NotFound):
            claim_temporary_files(session=session, principal=other, temp_ids=[temp.id])


def test_nothing_is_claimed_unless_every_id_is_valid(session, desk_settings, tmp_path):
    temp = _store(session, desk_settings, tmp_path)
    with pytest.raises(NotFound):
        claim_temporary_files(session=session, principal=ACME, temp_ids=[temp.id, "nope"])
    session.rollback()
    assert len(claim_temporary_files(session=session, principal=ACME, temp_ids=[temp.id])) == 1


def test_empty_and_repeated_lists_are_refused(session):
    with pytest.raises(ValidationError, match="at least one"):
        claim_temporary_files(session=session, principal=ACME, temp_ids=[])
    with pytest.raises(ValidationError, match="same id twice"):
        claim_temporary_files(session=session, principal=ACME, temp_ids=["a", "a"])


def test_expired_files_cannot_be_claimed_and_are_purged_with_their_blob(
    session, desk_settings, tmp_path
):
    temp = _store(session, desk_settings, tmp_path)
    temp.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    session.commit()
    with pytest.raises(NotFound, match="expired"):
        claim_temporary_files(session=session, principal=ACME, temp_ids=[temp.id])
    assert purge_expired(session=session, settings=desk_settings) == 1
    session.commit()
    assert session.get(TemporaryFile, temp.id) is None
    assert not blobstore_from_settings(desk_settings).exists(temp.blob_key)


def test_a_purged_duplicate_keeps_the_blob_a_claimed_file_still_uses(
    session, desk_settings, tmp_path
):
    kept = _store(session, desk_settings, tmp_path)
    claim_temporary_files(session=session, principal=ACME, temp_ids=[kept.id])
    dropped = _store(session, desk_settings, tmp_path / "..", name="again.zip")
    dropped.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    session.commit()
    purge_expired(session=session, settings=desk_settings)
    session.commit()
    assert blobstore_from_settings(desk_settings).exists(kept.blob_key)


def test_a_refused_file_never_becomes_a_temporary_file(session, desk_settings, tmp_path):
    path = z.tampered_bundle(tmp_path / "t.zip")
    with pytest.raises(Refused, match="does not match the size and SHA-256"):
        store_temporary_file(
            session=session, settings=desk_settings, principal=ACME, path=path, filename="t.zip"
        )
    assert session.query(TemporaryFile).count() == 0
