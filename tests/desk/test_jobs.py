"""The database job queue: every job runs exactly once with two workers, failures are
retried with backoff, and a job whose worker died is taken over after its lease."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from sitrep.desk import jobs
from sitrep.desk.db import make_engine, make_sessionmaker, transaction
from sitrep.desk.models.identity import utcnow
from sitrep.desk.models.jobs import Job

RUNS: Counter[int] = Counter()
LOCK = threading.Lock()


@jobs.handler("test.record")
def record_run(ctx: jobs.JobContext, payload: dict) -> None:
    with LOCK:
        RUNS[payload["n"]] += 1


@jobs.handler("test.fail")
def always_fail(ctx: jobs.JobContext, payload: dict) -> None:
    raise RuntimeError("the remote system is down")


def _context(desk_settings) -> jobs.JobContext:
    # Each worker gets its own engine, as two replicas would.
    engine = make_engine(desk_settings.effective_database_url)
    return jobs.JobContext(sessions=make_sessionmaker(engine), settings=desk_settings)


def test_two_workers_run_every_job_exactly_once(desk_settings):
    RUNS.clear()
    first, second = _context(desk_settings), _context(desk_settings)
    with transaction(first.sessions) as session:
        for n in range(120):
            jobs.enqueue(session=session, kind="test.record", payload={"n": n})
    counts: dict[str, int] = {}

    def work(name: str, ctx: jobs.JobContext) -> None:
        counts[name] = jobs.run_pending(ctx, worker=name, limit=1000)

    threads = [threading.Thread(target=work, args=(n, c)) for n, c in (("a", first), ("b", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert RUNS == Counter(dict.fromkeys(range(120), 1))
    assert counts["a"] + counts["b"] == 120
    with first.sessions() as session:
        assert {j.status for j in session.query(Job)} == {"done"}


def test_a_failing_job_is_retried_later_with_backoff_then_given_up(desk_settings):
    ctx = _context(desk_settings)
    with transaction(ctx.sessions) as session:
        job_id = jobs.enqueue(session=session, kind="test.fail", payload={}).id
    assert jobs.run_one(ctx) is True
    assert jobs.run_one(ctx) is False  # not runnable again before its backoff ends
    with ctx.sessions() as session:
        job = session.get(Job, job_id)
        assert (job.status, job.attempts, job.last_error) == ("queued", 1, "RuntimeError")
    for _ in range(jobs.MAX_ATTEMPTS - 1):
        with transaction(ctx.sessions) as session:
            session.get(Job, job_id).run_after = utcnow() - timedelta(seconds=1)
        assert jobs.run_one(ctx) is True
    with ctx.sessions() as session:
        assert session.get(Job, job_id).status == "failed"
    assert jobs.run_one(ctx) is False


def test_a_job_whose_worker_died_is_taken_over_after_the_lease(desk_settings):
    RUNS.clear()
    ctx = _context(desk_settings)
    with transaction(ctx.sessions) as session:
        jobs.enqueue(session=session, kind="test.record", payload={"n": 7})
    with ctx.sessions() as session:
        assert jobs.claim(session=session, worker="dead-worker") is not None
    assert jobs.run_one(ctx) is False  # still leased to the dead worker
    with transaction(ctx.sessions) as session:
        session.query(Job).one().locked_at = utcnow() - jobs.LEASE - timedelta(seconds=1)
    assert jobs.run_one(ctx) is True
    assert RUNS[7] == 1
