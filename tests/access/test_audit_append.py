"""``audit.append``: an entry committed and chained in a transaction of its own (downloads)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select, text
from tests.access.conftest import SAM, refuse_inserts
from tests.conftest import run_threads

from sitrep.desk import audit
from sitrep.desk.audit import verify_chain
from sitrep.desk.models.audit import AuditEntry, AuditPending, AuditPrivate


def _append(engine, n: int, **kwargs) -> None:
    audit.append(
        engine=engine,
        actor=SAM,
        action="attachment.download",
        target=f"attachment:{n}",
        ticket="SUP-1",
        justification=kwargs.get("justification", f"SUP-1: reading log {n} to find the crash"),
    )


def _counts(sessions) -> tuple[int, int]:
    with sessions() as session:
        entries = session.scalar(select(func.count()).select_from(AuditEntry))
        queued = session.scalar(select(func.count()).select_from(AuditPending))
    return entries, queued


@pytest.fixture
def pg_engine(engine, database_url):
    """The engine, on PostgreSQL only: SQLite appends through the engine's own pool."""
    if not database_url.startswith("postgresql"):
        pytest.skip("on SQLite append() uses the engine's pool; there is no connection of its own")
    return engine


def _idle_backend(engine) -> int:
    [conn] = audit._writers(engine).idle  # the one connection the appends so far have used
    return int(conn.info.backend_pid)


def test_each_entry_is_committed_and_chained_when_append_returns(engine, sessions):
    for n in (1, 2, 3):
        _append(engine, n)
        assert _counts(sessions) == (n, 0)  # seen by another connection: committed, chained
    with sessions() as session:
        targets = session.scalars(select(AuditEntry.target).order_by(AuditEntry.seq)).all()
        private = session.scalar(select(AuditPrivate.payload).where(AuditPrivate.seq == 2))
        report = verify_chain(session=session)
    assert targets == ["attachment:1", "attachment:2", "attachment:3"]
    assert "SUP-1: reading log 2 to find the crash" in private
    assert report.ok and report.entries == 3


def test_entries_from_append_and_record_extend_one_chain(engine, sessions):
    _append(engine, 1)
    with sessions.begin() as session:
        audit.record(session=session, actor=SAM, action="auth.login", target="staff:3")
    _append(engine, 2)
    with sessions() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
        assert verify_chain(session=session).ok
    assert actions == ["attachment.download", "auth.login", "attachment.download"]


def test_bad_fields_are_refused_before_anything_is_written(engine, sessions):
    with pytest.raises(audit.ValidationError, match="valid Unicode"):
        _append(engine, 1, justification="\ud800 a lone surrogate")
    assert _counts(sessions) == (0, 0)


def test_eight_threads_appending_at_once_produce_one_contiguous_chain(engine, sessions):
    def writer(w: int) -> None:
        for i in range(15):
            _append(engine, w * 100 + i)

    assert run_threads(writer, 8) == []
    assert _counts(sessions) == (120, 0)
    with sessions() as session:
        assert session.scalar(select(func.max(AuditEntry.seq))) == 120
        assert verify_chain(session=session).ok


def test_on_postgresql_a_failed_insert_raises_and_leaves_nothing_queued(pg_engine, sessions):
    _append(pg_engine, 1)
    refuse_inserts(pg_engine, "audit_pending")
    with pytest.raises(Exception, match="disk full"):
        _append(pg_engine, 2)
    assert _counts(sessions) == (1, 0)  # not retried: only a lost connection is
    with pg_engine.begin() as conn:
        conn.execute(text("DROP TRIGGER refuse ON audit_pending"))
    _append(pg_engine, 3)
    assert _counts(sessions) == (2, 0)


def test_on_postgresql_the_next_append_commits_synchronously_after_an_asynchronous_pass(
    pg_engine,
):
    _append(pg_engine, 1)  # its pass, on the same connection, committed asynchronously
    [conn] = audit._writers(pg_engine).idle
    assert conn.execute("SHOW synchronous_commit").fetchone() == ("on",)


def test_on_postgresql_a_connection_the_server_closed_is_replaced_and_records_once(
    pg_engine, sessions
):
    _append(pg_engine, 1)
    stale = _idle_backend(pg_engine)
    with pg_engine.connect() as conn:  # as a server restart or an idle timeout would
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": stale})
    _append(pg_engine, 2)
    assert _counts(sessions) == (2, 0)
    assert _idle_backend(pg_engine) != stale
    with sessions() as session:
        assert verify_chain(session=session).ok


def test_on_postgresql_disposing_the_engine_closes_the_append_connections(pg_engine, sessions):
    _append(pg_engine, 1)
    backend = _idle_backend(pg_engine)
    pg_engine.dispose()
    alive = "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"
    for _ in range(50):  # the server notices the closed socket within milliseconds
        with pg_engine.connect() as conn:
            if conn.execute(text(alive), {"pid": backend}).scalar() == 0:
                break
        time.sleep(0.02)
    else:
        pytest.fail("the append connection outlived pg_engine.dispose()")
    _append(pg_engine, 2)  # and appends go on, on new connections
    assert _counts(sessions) == (2, 0)
