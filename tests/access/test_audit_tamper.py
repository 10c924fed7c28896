"""`verify_chain` catches every way of tampering with the stored log, on both databases.

The attacker here is a database superuser: the append-only triggers are bypassed in every
case (``session_replication_role = replica`` on PostgreSQL, dropped triggers on SQLite).
"""

from __future__ import annotations

import pytest
from sqlalchemy import exc, text

from sitrep.config import load_settings
from sitrep.desk.audit import create_checkpoint, load_signing_key, verify_chain


@pytest.fixture
def key(signing_key_b64):
    return load_signing_key(load_settings(audit_signing_key=signing_key_b64))


def verify(sessions, key=None, trusted=None):
    with sessions() as session:
        return verify_chain(
            session=session, public_key=key.public_key() if key else None, trusted=trusted
        )


def checkpoint(sessions, key):
    with sessions.begin() as session:
        return create_checkpoint(session=session, key=key)


def test_the_triggers_refuse_updates_and_deletes_from_the_application(sessions, append, tamper):
    append(2)
    for statement in (
        "UPDATE audit_entries SET action = 'x' WHERE seq = 1",
        "DELETE FROM audit_entries WHERE seq = 2",
    ):
        with pytest.raises(exc.DBAPIError, match="append-only"):
            with sessions.begin() as session:
                session.execute(text(statement))
    assert verify(sessions).ok


def test_it_names_an_edited_entry_changed_with_triggers_bypassed(sessions, engine, append, tamper):
    append(6)
    tamper("UPDATE audit_entries SET outcome = 'deny' WHERE seq = 4")
    report = verify(sessions)
    assert not report.ok and report.bad_seq == 4 and "entry 4 was changed" in report.problem


def test_it_names_an_edited_justification(sessions, engine, append, tamper):
    append(3)
    tamper("UPDATE audit_private SET payload = replace(payload, 'crash', 'bug') WHERE seq = 2")
    report = verify(sessions)
    assert not report.ok and report.bad_seq == 2 and "justification" in report.problem


def test_it_names_a_deleted_entry(sessions, engine, append, tamper):
    append(6)
    tamper("DELETE FROM audit_entries WHERE seq = 3")
    report = verify(sessions)
    assert not report.ok and report.bad_seq == 3 and "entry 3 is missing" in report.problem


def test_it_catches_a_deleted_entry_when_the_rest_was_renumbered(sessions, engine, append, tamper):
    append(5)
    tamper(
        "DELETE FROM audit_entries WHERE seq = 3",
        "UPDATE audit_entries SET seq = seq - 1 WHERE seq > 3",
    )
    report = verify(sessions)
    assert not report.ok and report.bad_seq == 3


def test_it_names_reordered_entries(sessions, engine, append, tamper):
    append(6)
    tamper(
        "UPDATE audit_entries SET seq = -1 WHERE seq = 2",
        "UPDATE audit_entries SET seq = 2 WHERE seq = 3",
        "UPDATE audit_entries SET seq = 3 WHERE seq = -1",
    )
    report = verify(sessions)
    assert not report.ok and report.bad_seq == 2


def test_it_catches_a_rewritten_chain_against_the_signed_checkpoint(
    sessions, engine, key, append, tamper
):
    from sitrep.desk.audit import GENESIS, _entry_fields, canonical, chain_hash

    append(5)
    checkpoint(sessions, key)
    # A careful attacker edits entry 2 and recomputes every hash after it (and the head).
    tamper("UPDATE audit_entries SET outcome = 'deny' WHERE seq = 2")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit_entries ORDER BY seq")).all()
    prev, updates = GENESIS, []
    for row in rows:
        prev = chain_hash(prev, canonical(_entry_fields(row)))
        updates.append(f"UPDATE audit_entries SET hash = '{prev}' WHERE seq = {row.seq}")
    tamper(*updates, f"UPDATE audit_head SET hash = '{prev}'")
    report = verify(sessions, key)
    assert not report.ok and report.bad_seq == 5 and "signed checkpoint" in report.problem


def test_it_catches_a_truncated_tail_by_the_head_row(sessions, engine, append, tamper):
    append(6)
    tamper("DELETE FROM audit_entries WHERE seq > 4")
    report = verify(sessions)
    assert not report.ok and report.bad_seq == 5 and "head says 6" in report.problem


def test_it_catches_a_truncated_tail_and_head_by_the_checkpoint(
    sessions, engine, key, append, tamper
):
    append(6)
    checkpoint(sessions, key)
    with engine.connect() as conn:
        seq4 = conn.execute(text("SELECT hash FROM audit_entries WHERE seq = 4")).scalar_one()
    tamper(
        "DELETE FROM audit_entries WHERE seq > 4",
        f"UPDATE audit_head SET seq = 4, hash = '{seq4}'",
    )
    report = verify(sessions, key)
    assert not report.ok and report.bad_seq == 5 and "truncated" in report.problem


def test_it_catches_a_restored_old_copy_with_a_checkpoint_held_elsewhere(
    sessions, engine, key, append, tamper
):
    append(4)
    checkpoint(sessions, key)
    with engine.connect() as conn:
        old = {
            t: conn.execute(text(f"SELECT * FROM {t}")).mappings().all()
            for t in ("audit_entries", "audit_private", "audit_head", "audit_checkpoints")
        }
    append(3)
    held_by_customer = checkpoint(sessions, key)
    # Restore the whole old copy of the log: it is self-consistent, so only the checkpoint
    # the customer holds outside the database can show that seven entries became four.
    statements = [f"DELETE FROM {t}" for t in old]
    tamper(*statements)
    with engine.begin() as conn:
        for table, rows in old.items():
            if rows:
                cols = ", ".join(rows[0].keys())
                params = ", ".join(f":{c}" for c in rows[0].keys())
                conn.execute(
                    text(f"INSERT INTO {table} ({cols}) VALUES ({params})"), [dict(r) for r in rows]
                )
    assert verify(sessions, key).ok
    report = verify(sessions, key, trusted=held_by_customer)
    assert not report.ok and report.bad_seq == 5 and "rolled back" in report.problem


def test_it_refuses_a_forged_checkpoint_file(sessions, key, append, tamper):
    from dataclasses import replace

    append(3)
    held = checkpoint(sessions, key)
    forged = replace(held, seq=2)
    report = verify(sessions, key, trusted=forged)
    assert not report.ok and "does not verify" in report.problem


@pytest.mark.slow
def test_a_parallel_verify_finds_the_same_first_bad_entry(
    sessions, engine, append, tamper, monkeypatch
):
    import sitrep.desk.audit_verify as audit_verify

    if engine.dialect.name == "postgresql":
        pytest.skip("the range logic is the same on both databases; worker start-up is slow")
    monkeypatch.setattr(audit_verify, "PARALLEL_MIN", 0)  # parallelise even this small log
    append(9)  # two workers check entries 1-5 and 6-9

    def both():
        with sessions() as session:
            seq = verify_chain(session=session)
            par = verify_chain(session=session, workers=2)
        assert (par.ok, par.entries, par.last_hash, par.bad_seq, par.problem) == (
            seq.ok,
            seq.entries,
            seq.last_hash,
            seq.bad_seq,
            seq.problem,
        )
        return par

    tamper("UPDATE audit_entries SET outcome = 'deny' WHERE seq = 8")
    assert both().bad_seq == 8
    tamper("DELETE FROM audit_entries WHERE seq = 5")  # the last entry of the first range
    assert both().bad_seq == 5
