"""A job queue in the database, so any replica can run any job and each runs once.

Workers claim a job with a compare-and-set UPDATE (and ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so concurrent workers pass over each other's rows instead of queueing on
them). A failed job goes back to the queue with exponential backoff; a job whose worker
died is taken over once its lease runs out. On SQLite the runner is a thread in the
serving process.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from sitrep.config import Settings
from sitrep.desk.models.identity import utcnow
from sitrep.desk.models.jobs import Job

log = logging.getLogger("sitrep.desk.jobs")

MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=10)


@dataclass
class JobContext:
    """What a job handler may use: sessions, settings and the backoff base in seconds."""

    sessions: sessionmaker[Session]
    settings: Settings
    backoff_base: float = 2.0
    extras: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[JobContext, dict[str, Any]], None]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function as the handler of jobs of ``kind``."""

    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        return func

    return register


def enqueue(
    *, session: Session, kind: str, payload: dict[str, Any], run_after: datetime | None = None
) -> Job:
    """Add a job in the caller's transaction: it exists only if the caller commits."""
    job = Job(
        kind=kind, payload=payload, status="queued", attempts=0, run_after=run_after or utcnow()
    )
    session.add(job)
    session.flush()
    return job


def worker_name() -> str:
    """Return a name for this worker thread: host, process and thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def claim(*, session: Session, worker: str, now: datetime | None = None) -> Job | None:
    """Take the oldest runnable job for ``worker`` and commit, or return None."""
    now = now or utcnow()
    runnable = or_(
        and_(Job.status == "queued", Job.run_after <= now),
        and_(Job.status == "running", Job.locked_at < now - LEASE),
    )
    query = select(Job).where(runnable).order_by(Job.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job = session.scalar(query)
    if job is None:
        session.rollback()
        return None
    # Compare-and-set: only one worker can move the row from the state it read.
    result = session.execute(
        update(Job)
        .where(Job.id == job.id, Job.status == job.status, Job.attempts == job.attempts)
        .values(status="running", locked_by=worker, locked_at=now, attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    won = result.rowcount  # type: ignore[attr-defined]  # DML results carry rowcount
    session.commit()
    if won != 1:
        return None
    session.refresh(job)
    return job


def _finish(ctx: JobContext, job: Job, error: BaseException | None) -> None:
    with ctx.sessions() as session:
        row = session.get(Job, job.id)
        if row is None:
            return
        if error is None:
            row.status, row.finished_at = "done", utcnow()
        else:
            # Only the exception's type: its message may quote an address or a mail.
            row.last_error = type(error).__name__
            delay = min(ctx.backoff_base * 2 ** (row.attempts - 1), 300.0)
            row.status = "failed" if row.attempts >= MAX_ATTEMPTS else "queued"
            row.run_after = utcnow() + timedelta(seconds=delay)
        session.commit()


def run_one(ctx: JobContext, worker: str | None = None) -> bool:
    """Claim and run one job; return False when none was runnable."""
    with ctx.sessions() as session:
        job = claim(session=session, worker=worker or worker_name())
    if job is None:
        return False
    func = HANDLERS.get(job.kind)
    try:
        if func is None:
            raise LookupError(f"no handler for job kind {job.kind}")
        func(ctx, dict(job.payload))
    except Exception as exc:  # a failing job must not stop the runner; it is retried
        log.warning("job %s (%s) failed with %s", job.id, job.kind, type(exc).__name__)
        _finish(ctx, job, exc)
    else:
        _finish(ctx, job, None)
    return True


def run_pending(ctx: JobContext, worker: str | None = None, limit: int = 100) -> int:
    """Run runnable jobs until none is left or ``limit`` ran; return how many ran."""
    count = 0
    while count < limit and run_one(ctx, worker):
        count += 1
    return count


class JobRunner:
    """A background thread that polls for jobs every ``interval`` seconds."""

    def __init__(self, ctx: JobContext, interval: float = 0.5) -> None:
        self.ctx = ctx
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sitrep-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                run_pending(self.ctx, limit=50)
            except Exception as exc:  # e.g. the database restarting; try again next tick
                log.warning("job runner tick failed with %s", type(exc).__name__)
            self._stop.wait(self.interval)
