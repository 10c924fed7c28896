"""The audit log appends a gapless hash chain that verifies, under concurrency too."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from tests.access.conftest import refuse_inserts
from tests.conftest import run_threads

from sitrep.desk.audit import (
    GENESIS,
    HASHED_COLUMNS,
    canonical,
    chain_hash,
    create_checkpoint,
    entry_canonical,
    entry_halves,
    load_signing_key,
    record,
    verify_chain,
)
from sitrep.desk.models.audit import AuditEntry, AuditPrivate

field_values = st.one_of(
    st.none(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.text(alphabet=st.characters(exclude_categories=["Cs"])),  # RFC 8785 refuses lone surrogates
)


@given(st.dictionaries(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1), field_values))
def test_canonical_form_is_byte_identical_to_the_rfc8785_reference(fields):
    assert canonical(fields) == rfc8785.dumps(fields)


unicode_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]))


@given(
    st.integers(min_value=1, max_value=2**53 - 1),
    st.lists(unicode_text, min_size=7, max_size=7),
    st.one_of(st.none(), unicode_text),
    st.one_of(st.none(), st.integers(min_value=0, max_value=2**31)),
    st.one_of(st.none(), st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)),
)
def test_the_fast_entry_encoding_is_byte_identical_to_rfc8785(seq, texts, ticket, tenant, private):
    ts, actor, role, action, target, outcome, _ = texts
    fields = {
        "v": 1,
        "seq": seq,
        "ts": ts,
        "actor": actor,
        "role": role,
        "action": action,
        "target": target,
        "ticket": ticket,
        "tenant": tenant,
        "outcome": outcome,
        "private": private,
    }
    fast = entry_canonical(seq, ts, actor, role, action, target, ticket, tenant, outcome, private)
    assert fast == rfc8785.dumps(fields)


@given(
    st.integers(min_value=0, max_value=2**53 - 1),
    st.lists(unicode_text, min_size=6, max_size=6),
    st.one_of(st.none(), unicode_text),
    st.one_of(st.none(), st.integers(min_value=0, max_value=2**31)),
    st.one_of(st.none(), st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)),
)
def test_the_halves_the_postgresql_sequencer_joins_around_seq_make_the_entry(
    seq, texts, ticket, tenant, private
):
    ts, actor, role, action, target, outcome = texts
    rest = (ts, actor, role, action, target, ticket, tenant, outcome, private)
    before, after = entry_halves(*rest)
    assert before + str(seq).encode() + after == entry_canonical(seq, *rest)


def test_entries_chain_from_genesis_with_gapless_sequence_numbers(sessions, append):
    append(5)
    with sessions() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
        prev = GENESIS
        for row in rows:
            fields = {c: getattr(row, c) for c in HASHED_COLUMNS[:-1]}
            fields |= {"v": 1, "private": row.private_digest}
            assert row.hash == chain_hash(prev, rfc8785.dumps(fields))
            prev = row.hash
        report = verify_chain(session=session)
    assert report.ok and report.entries == 5 and report.last_hash == prev


def test_a_rolled_back_append_leaves_no_gap(sessions, append, sam):
    append(2)
    with sessions() as session:
        record(session=session, actor=sam, action="attachment.read", target="attachment:9")
        session.rollback()
    append(1)
    with sessions() as session:
        assert session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all() == [1, 2, 3]
        assert verify_chain(session=session).ok


def test_a_session_that_rolled_back_an_append_commits_later_work_cleanly(sessions, sam, caplog):
    with sessions() as session:
        record(session=session, actor=sam, action="attachment.read", target="attachment:9")
        session.rollback()
        session.execute(text("SELECT 1"))
        session.commit()  # nothing of the rolled-back entry is left to chain
        record(session=session, actor=sam, action="attachment.read", target="attachment:10")
        session.commit()
    with sessions() as session:
        targets = session.scalars(select(AuditEntry.target)).all()
        assert targets == ["attachment:10"] and verify_chain(session=session).ok
    assert "audit sequencer failed" not in caplog.text


def test_personal_data_stays_out_of_the_hashed_row(sessions, append):
    append(1, justification="SUP-1: alice@customer.example asked us to look")
    with sessions() as session:
        row = session.execute(select(AuditEntry.__table__)).one()
        hashed = " ".join(str(v) for v in row)
        assert "@" not in hashed and "alice" not in hashed
        assert row.actor == "staff:3"
        private = session.scalar(select(AuditPrivate.payload))
        assert "alice@customer.example" in private and "sam@vendor.example" in private


def test_erasing_private_data_keeps_the_chain_verifiable(sessions, append):
    append(3)
    with sessions.begin() as session:
        session.execute(text("DELETE FROM audit_private WHERE seq = 2"))
    with sessions() as session:
        report = verify_chain(session=session)
    assert report.ok and report.erased == 1


def test_eight_concurrent_writers_produce_one_contiguous_chain(sessions, append):
    assert run_threads(lambda _w: append(15), 8) == []
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 120
        assert session.scalar(select(func.max(AuditEntry.seq))) == 120
        assert verify_chain(session=session).ok


def test_checkpoints_are_signed_and_verified_with_the_public_key(sessions, signing_key_b64, append):
    from sitrep.config import load_settings

    key = load_signing_key(load_settings(audit_signing_key=signing_key_b64))
    append(3)
    with sessions.begin() as session:
        cp = create_checkpoint(session=session, key=key)
    assert cp is not None and cp.seq == 3 and cp.valid_under(key.public_key())
    append(2)
    with sessions() as session:
        report = verify_chain(session=session, public_key=key.public_key())
        assert report.ok and report.checkpoints == 1 and report.last_seq == 5
        other = load_signing_key(load_settings(audit_signing_key="A" * 43 + "="))
        wrong = verify_chain(session=session, public_key=other.public_key())
    assert not wrong.ok and wrong.bad_seq == 3 and "bad signature" in wrong.problem


def test_on_postgresql_entries_queued_while_the_sequencer_failed_are_chained_later(
    sessions, engine, append, database_url
):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite chains each entry in its writer's transaction; there is no queue")
    refuse_inserts(engine, "audit_entries")  # make the sequencer's INSERT fail, for real
    append(2)  # the writers' commits succeed: their entries are durable in the queue
    with sessions() as session:
        report = verify_chain(session=session)
        assert report.ok and report.entries == 0 and report.pending == 2
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER refuse ON audit_entries"))
    append(1)  # the next commit's sequencer chains all three, oldest first
    with sessions() as session:
        report = verify_chain(session=session)
        targets = session.scalars(select(AuditEntry.target).order_by(AuditEntry.seq)).all()
    assert report.ok and report.entries == 3 and report.pending == 0
    assert targets == ["attachment:1", "attachment:2", "attachment:1"]


def test_on_postgresql_a_stale_queue_fails_verification(sessions, engine, append, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no queue")
    append(1)
    with engine.begin() as conn:  # an entry someone keeps from being chained
        conn.execute(
            text(
                "INSERT INTO audit_pending (ts, actor, role, action, target, outcome) VALUES "
                "('2026-01-01T00:00:00.000000Z', 'staff:3', 'support', 'attachment.download', "
                "'attachment:7', 'allow')"
            )
        )
    with sessions() as session:
        report = verify_chain(session=session)
    assert not report.ok and report.pending == 1 and "never chained" in report.problem


def _replica(url: str, actor_id: int, count: int, ready) -> None:
    """One desk replica: its own process and engine, appending as real routes do."""
    from sitrep.desk.auth import Principal
    from sitrep.desk.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    actor = Principal(kind="staff", id=actor_id, role="support", email=f"s{actor_id}@v.example")
    with sessions() as session:  # connected and warmed up before the other starts
        session.execute(text("SELECT 1"))
    ready.wait(60)
    for i in range(count):
        with sessions.begin() as session:
            record(session=session, actor=actor, action="attachment.read", target=f"attachment:{i}")
        time.sleep(0.003)  # requests arrive apart; SQLite's busy wait would otherwise starve one
    engine.dispose()


def test_two_desk_replicas_appending_at_once_extend_one_linear_chain(sessions, database_url):
    spawn = multiprocessing.get_context("spawn")
    ready = spawn.Barrier(2)  # both start appending once both have started up
    replicas = [spawn.Process(target=_replica, args=(database_url, n, 80, ready)) for n in (1, 2)]
    for p in replicas:
        p.start()
    for p in replicas:
        p.join(120)
    assert [p.exitcode for p in replicas] == [0, 0]
    with sessions() as session:
        actors = session.scalars(select(AuditEntry.actor).order_by(AuditEntry.seq)).all()
        seqs = session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
        report = verify_chain(session=session)
    assert seqs == list(range(1, 161)) and report.ok and report.pending == 0
    assert sorted(actors) == ["staff:1"] * 80 + ["staff:2"] * 80
    switches = sum(a != b for a, b in zip(actors, actors[1:], strict=False))
    assert switches > 1  # the replicas really did append at the same time


def test_on_postgresql_entries_queued_before_the_upgrade_are_chained_after_it(
    sessions, engine, append, database_url
):
    """Migration audit_0003 gives entries left queued by the old sequencer their halves."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no queue")
    from alembic import command

    from sitrep.desk.audit import sequence_pending
    from sitrep.desk.migrate import alembic_config, upgrade

    url = engine.url.render_as_string(hide_password=False)
    append(2)
    command.downgrade(alembic_config(url), "audit_0002")
    with engine.begin() as conn:  # queued, as the previous version wrote them
        for target in ("attachment:8", "attachment:9"):
            conn.execute(
                text(
                    "INSERT INTO audit_pending (ts, actor, role, action, target, ticket, "
                    "outcome) VALUES ('2026-11-29T10:00:00.000000Z', 'staff:3', 'support', "
                    "'attachment.read', :target, 'SUP-1', 'allow')"
                ),
                {"target": target},
            )
    upgrade(url)
    engine.dispose()  # forget cached plans of the old audit_pending
    assert sequence_pending(engine) == 2
    append(1)
    with sessions() as session:
        targets = session.scalars(select(AuditEntry.target).order_by(AuditEntry.seq)).all()
        report = verify_chain(session=session)
    assert targets == [
        "attachment:1",
        "attachment:2",
        "attachment:8",
        "attachment:9",
        "attachment:1",
    ]
    assert report.ok and report.entries == 5


def test_on_postgresql_a_writer_waits_out_another_replicas_pass_then_chains_its_entry(
    sessions, engine, append, database_url
):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no queue")
    count = "SELECT (SELECT count(*) FROM audit_entries), (SELECT count(*) FROM audit_pending)"
    with engine.connect() as other:  # another replica's sequencer, in the middle of a pass
        other.execute(text("SELECT pg_advisory_lock(1366649204)"))  # the key in audit_0003
        writer = threading.Thread(target=append, args=(1,))
        writer.start()
        writer.join(1.0)
        assert writer.is_alive()  # committed, and waiting for the lock rather than leaving
        with sessions() as session:
            assert tuple(session.execute(text(count)).one()) == (0, 1)  # durable, queued
        other.execute(text("SELECT pg_advisory_unlock(1366649204)"))
        other.commit()
    writer.join(30)
    with sessions() as session:
        assert tuple(session.execute(text(count)).one()) == (1, 0)
        assert verify_chain(session=session).ok


def test_on_postgresql_a_writer_interrupted_in_its_pass_does_not_block_the_others(
    sessions, append, database_url, monkeypatch
):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no queue")
    import sitrep.desk.audit as audit

    class Interrupted(BaseException):  # as a KeyboardInterrupt or a worker's hard timeout
        pass

    real = audit._chain_queued

    def interrupted_once(dbapi_connection):
        monkeypatch.setattr(audit, "_chain_queued", real)
        raise Interrupted

    monkeypatch.setattr(audit, "_chain_queued", interrupted_once)  # the fault, injected
    with pytest.raises(Interrupted):
        append(1)  # committed and queued; its pass was cut short
    later = threading.Thread(target=append, args=(1,))
    later.start()
    later.join(30)
    assert not later.is_alive()  # the next writer led a pass instead of waiting forever
    with sessions() as session:
        report = verify_chain(session=session)
    assert report.ok and report.entries == 2 and report.pending == 0
