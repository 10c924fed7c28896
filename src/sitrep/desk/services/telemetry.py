"""Telemetry on the desk: ingest weekly reports, keep rollups, publish suppressed aggregates.

Ingest stores the report and nothing about its sender, refuses unlisted counters, and
updates the rollups in the same transaction, so dashboards read small rollup tables and
a report is either fully counted or not at all. Every published cell built from fewer
than ``min_cell`` reports is left out; with an epsilon, published numbers carry
differential-privacy noise from the two-sided geometric mechanism (see ``noise``).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import hmac
import io
import json
import logging
import math
import queue
import random
import secrets
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, cast

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, Engine, Select, Table, case, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from sitrep.desk.models.telemetry import (
    TelemetryReport,
    TelemetryRollup,
    TelemetryTotal,
    TelemetryWeek,
)
from sitrep.errors import Conflict, RateLimited, SitrepError, ValidationError
from sitrep.telemetry.config import LABEL_RE, MAX_NAME_LENGTH, Allowlist, load_allowlist_dir
from sitrep.telemetry.report import MAX_AGE, week_bounds, week_end

log = logging.getLogger("sitrep.desk")

#: Largest count a report may carry: the largest integer JSON numbers hold exactly.
MAX_COUNT = 2**53 - 1
#: Most counters one report may carry.
MAX_COUNTERS = 2000
#: A client clock may run this far ahead of ours when its week has just ended.
CLOCK_SKEW = timedelta(hours=12)
#: Each report adds at most this much to a cell's ``clamped`` sum (DP sensitivity of totals).
CLAMP = 10_000
#: Shards of the per-week totals (see ``TelemetryTotal``).
SHARDS = 8
#: Breakdowns a usage query may ask for, besides week and counter.
DIMENSIONS = ("app_version", "host_product", "host_version")

Label = Annotated[str, Field(pattern=LABEL_RE.pattern)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
CounterName = Annotated[str, Field(max_length=MAX_NAME_LENGTH)]


class ReportIn(BaseModel):
    """A weekly report as the client sends it (DESIGN §3.5); strict types, no extras."""

    model_config = ConfigDict(strict=True, extra="forbid")

    report_id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    week: Annotated[str, Field(pattern=r"^\d{4}-W\d{2}$")]
    app: Label
    app_version: Label
    host_product: Label
    host_version: Label
    x: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]
    allowlist_version: Annotated[int, Field(ge=1)]
    counters: Annotated[dict[CounterName, Count], Field(max_length=MAX_COUNTERS)]


class AllowlistUnavailable(SitrepError):
    """The desk's allow-lists cannot be loaded: an operator problem, so clients retry later."""

    status_code = 503


class StoreUnavailable(SitrepError):
    """The database refused or could not take a report; clients retry later.

    It stands in for the database's own error, whose text quotes the batch's reports.
    """

    status_code = 503


# --- allow-lists ----------------------------------------------------------------------
def load_allowlists(directory: Path | None) -> dict[str, Allowlist]:
    """Load the allow-lists from SITREP_TELEMETRY_ALLOWLISTS (none when it is unset)."""
    if directory is None:
        return {}
    try:
        return load_allowlist_dir(directory)
    except SitrepError as exc:
        raise AllowlistUnavailable(
            f"The desk's telemetry allow-lists are invalid: {exc.message}"
        ) from None


def allowlist_for(allowlists: dict[str, Allowlist], app: str) -> Allowlist:
    """Return the allow-list of ``app``, or raise ValidationError naming the app."""
    found = allowlists.get(app)
    if found is None:
        raise ValidationError(f"No allow-list for app {app!r}: this desk accepts no report for it.")
    return found


# --- ingest ---------------------------------------------------------------------------
REPLAYED = "This report id was already received; it is counted once."


def check_report(report: ReportIn, allowlist: Allowlist, now: datetime) -> None:
    """Refuse a report whose week is not over or is too old, or that has an unlisted counter."""
    try:
        week_bounds(report.week)
    except ValueError:
        raise ValidationError(f"week {report.week!r} does not exist.") from None
    end = week_end(report.week)
    if end > now + CLOCK_SKEW:
        raise ValidationError(f"The report is for {report.week}, which is not over yet.")
    if end + MAX_AGE < now:
        raise ValidationError(f"The report is for {report.week}, more than 3 weeks ago.")
    for name in sorted(report.counters):
        if not allowlist.allows(name):
            raise ValidationError(f"Counter {name!r} is not in the allow-list of {report.app}.")


def ingest_report(
    *, session: Session, report: ReportIn, allowlists: dict[str, Allowlist], now: datetime
) -> None:
    """Check and store one report in the caller's transaction (Conflict if its id is known)."""
    check_report(report, allowlist_for(allowlists, report.app), now)
    if not store_reports(session.connection(), [report]):
        raise Conflict(REPLAYED)


def store_reports(conn: Connection, reports: list[ReportIn]) -> set[str]:
    """Store checked reports and add them to the rollups, all in the caller's transaction.

    Returns the report ids stored; a report whose id was received before (or earlier in
    ``reports``) is skipped and stores nothing.
    """
    if conn.dialect.name == "postgresql":
        return _store_postgresql(conn, reports)
    return _store_portable(conn, reports)


#: One statement stores a whole batch of reports on PostgreSQL, and PostgreSQL sums the
#: batch's counters per rollup row itself: one round trip and one upsert per touched
#: row, however many reports touched it. The reports arrive as one JSON array; a report
#: id received before is skipped by ON CONFLICT and so are its counters (they are read
#: back from the rows actually inserted). Each upsert sorts its rows, so two processes writing
#: batches lock rollup rows in the same order and cannot deadlock. The transaction turns
#: synchronous_commit off: anonymous counts can afford losing the last fraction of a
#: second in a crash.
PG_INGEST = text(
    """
WITH settings AS (
  SELECT set_config('synchronous_commit', 'off', true)
), incoming AS (
  SELECT * FROM json_to_recordset(CAST(:reports AS json)) AS i(
    report_id varchar, week varchar, app varchar, app_version varchar, host_product varchar,
    host_version varchar, allowlist_version integer, x float8, counters json)
), report AS (
  INSERT INTO telemetry_reports (report_id, week, app, app_version, host_product,
    host_version, allowlist_version, x, counters)
  SELECT report_id, week, app, app_version, host_product, host_version, allowlist_version, x,
         CAST(counters AS text)
  FROM settings, incoming
  ON CONFLICT (report_id) DO NOTHING
  RETURNING report_id, week, app, app_version, host_product, host_version, counters
), counts AS (
  SELECT app, week, app_version, host_product, host_version, c.key AS counter,
         CAST(c.value AS bigint) AS n
  FROM report, json_each_text(CAST(report.counters AS json)) AS c
), rolled AS (
  INSERT INTO telemetry_rollups AS r
    (app, week, counter, app_version, host_product, host_version, total, clamped, reports)
  SELECT app, week, counter, app_version, host_product, host_version,
         sum(n), sum(least(n, :clamp)), count(*)
  FROM counts GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (app, week, counter, app_version, host_product, host_version) DO UPDATE
  SET total = r.total + excluded.total, clamped = r.clamped + excluded.clamped,
      reports = r.reports + excluded.reports
), totalled AS (
  INSERT INTO telemetry_totals AS t (app, week, counter, shard, total, clamped, reports)
  SELECT app, week, counter, :shard, sum(n), sum(least(n, :clamp)), count(*)
  FROM counts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (app, week, counter, shard) DO UPDATE
  SET total = t.total + excluded.total, clamped = t.clamped + excluded.clamped,
      reports = t.reports + excluded.reports
), weekly AS (
  INSERT INTO telemetry_weeks AS w (app, week, app_version, host_product, host_version, reports)
  SELECT app, week, app_version, host_product, host_version, count(*)
  FROM report GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (app, week, app_version, host_product, host_version) DO UPDATE
  SET reports = w.reports + excluded.reports
)
SELECT report_id FROM report
"""
)


def _store_postgresql(conn: Connection, reports: list[ReportIn]) -> set[str]:
    # Only the first report of an id goes in: a second in the same statement would join
    # its counters to the first one's row.
    unique: dict[str, ReportIn] = {}
    for report in reports:
        unique.setdefault(report.report_id, report)
    # The batch travels as one JSON document: binding arrays of thousands of counter
    # names cost more Python time than PostgreSQL takes to parse the JSON.
    documents = "[" + ",".join(r.model_dump_json() for r in unique.values()) + "]"
    params = {"reports": documents, "clamp": CLAMP, "shard": secrets.randbelow(SHARDS)}
    return set(conn.scalars(PG_INGEST, params))


def _store_portable(conn: Connection, reports: list[ReportIn]) -> set[str]:
    """Store reports with portable statements (SQLite), one executemany per table and report."""
    insert_report, upsert_rollups, upsert_totals, upsert_weeks = _statements()
    stored: set[str] = set()
    for report in reports:
        fields = report.model_dump(exclude={"counters"})
        counters = json.dumps(report.counters, separators=(",", ":"))
        report_pk = conn.execute(insert_report, fields | {"counters": counters}).scalar()
        if report_pk is None:  # an id received before
            continue
        stored.add(report.report_id)
        dims = {"app": report.app, "week": report.week}
        dims |= {d: fields[d] for d in DIMENSIONS}
        if report.counters:
            sums = [
                {"counter": name, "total": n, "clamped": min(n, CLAMP), "reports": 1}
                for name, n in sorted(report.counters.items())
            ]
            conn.execute(upsert_rollups, [dims | row for row in sums])
            shard = {"app": report.app, "week": report.week, "shard": secrets.randbelow(SHARDS)}
            conn.execute(upsert_totals, [shard | row for row in sums])
        conn.execute(upsert_weeks, [dims | {"reports": 1}])
    return stored


@functools.cache
def _statements() -> tuple[Any, ...]:
    """Build the SQLite ingest statements once (building them per report cost more than SQL)."""
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    reports = cast(Table, TelemetryReport.__table__)
    return (
        sqlite_insert(reports).on_conflict_do_nothing().returning(reports.c.id),
        _upsert(TelemetryRollup, ("total", "clamped", "reports")),
        _upsert(TelemetryTotal, ("total", "clamped", "reports")),
        _upsert(TelemetryWeek, ("reports",)),
    )


def _upsert(model: Any, added: tuple[str, ...]) -> Any:
    """Return a SQLite INSERT that adds ``added`` columns to an existing row instead."""
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    table = model.__table__
    stmt = sqlite_insert(table)
    keys = [c.name for c in table.primary_key.columns]
    return stmt.on_conflict_do_update(
        index_elements=keys, set_={c: table.c[c] + stmt.excluded[c] for c in added}
    )


# --- batching -----------------------------------------------------------------------------
class IngestWriter:
    """One thread per process that stores queued reports in batches, a transaction each.

    ``submit`` queues a checked report and returns a future that is resolved only after
    the transaction holding it has committed (or with Conflict for a replayed id). While
    one batch is being written the next one gathers, so under load a transaction carries
    many reports and a rollup row touched by several of them is updated once; alone, a
    report is written at once. A batch that fails is retried one report at a time, so a
    report the database refuses fails alone. The thread keeps one connection while it
    has work (no pool checkout, ping and reset per batch), and ends, closing it, after
    ``idle_seconds`` without work; the next report starts it again.
    """

    def __init__(self, engine: Engine, max_batch: int = 256, idle_seconds: float = 5.0) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.idle_seconds = idle_seconds
        self._queue: queue.SimpleQueue[tuple[ReportIn, Future[None]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, report: ReportIn) -> Future[None]:
        """Queue ``report``; the future is done once it is committed (or refused)."""
        future: Future[None] = Future()
        self._queue.put((report, future))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="telemetry-writer", daemon=True
                )
                self._thread.start()
        return future

    def _run(self) -> None:
        try:
            with self.engine.connect() as conn:
                while (batch := self._next_batch()) is not None:
                    if batch:
                        self._write(conn, batch)
        except Exception as exc:  # No connection: fail what waits; the next report retries.
            with self._lock:
                self._thread = None
                waiting = []
                while not self._queue.empty():
                    waiting.append(self._queue.get_nowait())
            _fail([f for _, f in waiting if f.set_running_or_notify_cancel()], exc)

    def _next_batch(self) -> list[tuple[ReportIn, Future[None]]] | None:
        """Return the queued reports (up to max_batch), or None when the thread should end."""
        while True:
            try:
                batch = [self._queue.get(timeout=self.idle_seconds)]
                break
            except queue.Empty:
                with self._lock:  # submit() queues first, then looks at the thread.
                    if self._queue.empty():
                        self._thread = None
                        return None
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        # A request given up while queued has cancelled its future: store nothing for it.
        return [item for item in batch if item[1].set_running_or_notify_cancel()]

    def _write(self, conn: Connection, batch: list[tuple[ReportIn, Future[None]]]) -> None:
        try:
            with conn.begin():
                stored = store_reports(conn, [report for report, _ in batch])
        except Exception as exc:
            if len(batch) > 1 and not _connection_lost(exc):
                for item in batch:
                    self._write(conn, [item])
            else:
                _fail([future for _, future in batch], exc)
            return
        for report, future in batch:
            if report.report_id in stored:
                stored.discard(report.report_id)  # a second report with this id is a replay
                future.set_result(None)
            else:
                future.set_exception(Conflict(REPLAYED))


def _fail(futures: list[Future[None]], exc: Exception) -> None:
    """Answer ``futures`` with StoreUnavailable; log the error's type only (never its text)."""
    log.warning("telemetry: %d report(s) not stored (%s)", len(futures), type(exc).__name__)
    for future in futures:
        future.set_exception(StoreUnavailable("The desk cannot store reports now; retry later."))


def _connection_lost(exc: Exception) -> bool:
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


# --- rate limit -------------------------------------------------------------------------
@dataclass
class IngestLimiter:
    """Token buckets per sender and overall, in memory only, keyed by a rotating salted hash.

    The sender's address is hashed with a random salt that is replaced (and every bucket
    forgotten) each ``rotate_seconds``, so no address or stable pseudonym is ever kept.
    ``per_source=None`` turns the per-sender limit off (benchmarks from one address).
    """

    per_source: float | None = 2.0  # reports per second, sustained
    source_burst: float = 120.0
    overall: float = 5000.0
    overall_burst: float = 10000.0
    rotate_seconds: float = 3600.0
    _salt: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    _rotated: float = field(default_factory=time.monotonic)
    _buckets: dict[bytes, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, address: str | None) -> None:
        """Take one token for ``address`` and one overall; raise RateLimited when empty."""
        now = time.monotonic()
        with self._lock:
            if now - self._rotated > self.rotate_seconds:
                self._salt, self._rotated, self._buckets = secrets.token_bytes(16), now, {}
            if not self._take(b"*", now, self.overall, self.overall_burst):
                raise RateLimited("The desk is receiving too many reports; retry later.")
            if self.per_source is not None and address:
                key = hashlib.blake2b(address.encode(), key=self._salt, digest_size=16).digest()
                if not self._take(key, now, self.per_source, self.source_burst):
                    raise RateLimited("Too many reports from one sender; retry later.")

    def _take(self, key: bytes, now: float, rate: float, burst: float) -> bool:
        tokens, last = self._buckets.get(key, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1, now)
        return True


# --- aggregates -------------------------------------------------------------------------
def geometric_noise(epsilon: float, sensitivity: float, key: bytes, cell: str) -> int:
    """Return two-sided geometric noise for ``cell`` (the discrete Laplace mechanism).

    With ``alpha = exp(-epsilon / sensitivity)``, the noise is the difference of two
    geometric draws, which gives ``epsilon``-differential privacy for a count whose
    value one report changes by at most ``sensitivity``. The draws come from a
    generator seeded by HMAC-SHA256(key, cell), so asking again for the same cell gives
    the same noise and averaging repeated queries cannot remove it.
    """
    seed = hmac.new(key, cell.encode(), hashlib.sha256).digest()
    rng = random.Random(int.from_bytes(seed, "big"))
    alpha = math.exp(-epsilon / sensitivity)

    def draw() -> int:
        # Inverse transform of Geometric(1 - alpha) on {0, 1, ...}; 1 - random() is in (0, 1].
        return int(math.floor(math.log(1.0 - rng.random()) / math.log(alpha)))

    return draw() - draw()


@dataclass(frozen=True)
class Publication:
    """How aggregates are published: the suppression threshold and optional DP noise."""

    min_cell: int
    epsilon: float | None = None
    noise_key: bytes = b""


def _week_range(first: str | None, last: str | None, now: datetime) -> tuple[str, str]:
    """Return validated (first, last) weeks; by default the 52 weeks up to now."""
    from sitrep.telemetry.report import week_of

    last = last or week_of(now.date())
    first = first or week_of(now.date() - timedelta(weeks=51))
    for week in (first, last):
        try:
            week_bounds(week)
        except ValueError:
            raise ValidationError(f"{week!r} is not an ISO week such as 2026-W48.") from None
    return first, last


def _dimensions(by: list[str]) -> list[str]:
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise ValidationError(f"Cannot break down by {unknown[0]!r}; use {', '.join(DIMENSIONS)}.")
    return list(dict.fromkeys(by))


def usage_query(app: str, first: str, last: str, by: list[str], prefix: str | None) -> Select:
    """Return the query of counters per week (and ``by`` dimensions), summed.

    Without a breakdown it reads the per-week totals (a few rows per counter and week);
    with one, the rollups by version.
    """
    r: Any = TelemetryRollup if by else TelemetryTotal
    dims = [getattr(r, d) for d in by]
    query = (
        select(
            r.week, r.counter, *dims, func.sum(r.total), func.sum(r.clamped), func.sum(r.reports)
        )
        .where(r.app == app, r.week >= first, r.week <= last)
        .group_by(r.week, r.counter, *dims)
        .order_by(r.week, r.counter, *dims)
    )
    if prefix:
        # A range, not LIKE: counter names are ASCII below 0x7f and sort bytewise ("C"
        # collation), and a range keeps using the index even in a prepared, generic plan.
        query = query.where(r.counter >= prefix, r.counter < prefix + "\x7f")
    return query


def usage(
    *,
    session: Session,
    app: str,
    publication: Publication,
    first: str | None = None,
    last: str | None = None,
    by: list[str] | None = None,
    prefix: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Return counter totals per week (and breakdown), with small cells suppressed."""
    first, last = _week_range(first, last, now or datetime.now(UTC))
    dims = _dimensions(by or [])
    query = usage_query(app, first, last, dims, prefix)
    if publication.epsilon is None:
        cells, suppressed = _exact_cells(session, query, publication.min_cell)
    else:
        cells, suppressed = [tuple(row) for row in session.execute(query)], 0
    rows = []
    for week, counter, *rest in cells:
        *values, total, clamped, reports = rest
        cell = dict(zip(dims, values, strict=True))
        published = _publish(
            publication, week, counter, cell, int(total), int(clamped), int(reports)
        )
        if published is None:
            suppressed += 1
            continue
        rows.append({"week": week, "counter": counter, **cell, **published})
    return _envelope(app, first, last, dims, publication, rows, suppressed)


def _exact_cells(session: Session, query: Select, k: int) -> tuple[list[tuple], int]:
    """Return the cells with at least ``k`` reports, and how many cells were hidden.

    Without noise the threshold is exact, so the database drops small cells itself; a
    window over the groups counts them in the same query (never their values).
    """
    reports = list(query.selected_columns)[-1]
    hidden = func.sum(case((reports < k, 1), else_=0)).over().label("hidden")
    grouped = query.add_columns(hidden).order_by(None).subquery()
    columns = list(grouped.c)
    kept = select(*columns).where(columns[-2] >= k).order_by(*columns[:-4])
    rows = session.execute(kept).all()
    if rows:
        return [tuple(row)[:-1] for row in rows], int(rows[0][-1])
    # Every cell is hidden (or there is none): count them directly.
    every = select(func.count()).select_from(query.order_by(None).subquery())
    return [], int(session.scalar(every) or 0)


def _publish(
    publication: Publication,
    week: str,
    counter: str,
    cell: dict[str, str],
    total: int,
    clamped: int,
    reports: int,
) -> dict[str, int] | None:
    """Return the published numbers of one cell, or None when it must be suppressed."""
    if publication.epsilon is not None:
        # Half the budget for the report count (sensitivity 1), half for the clamped total.
        name = "|".join([week, counter, *(f"{k}={v}" for k, v in sorted(cell.items()))])
        eps = publication.epsilon / 2
        reports = max(0, reports + geometric_noise(eps, 1, publication.noise_key, "r|" + name))
        total = max(0, clamped + geometric_noise(eps, CLAMP, publication.noise_key, "t|" + name))
    if reports < publication.min_cell:
        return None
    return {"total": total, "reports": reports}


def _envelope(
    app: str,
    first: str,
    last: str,
    by: list[str],
    publication: Publication,
    rows: list[dict[str, Any]],
    suppressed: int,
) -> dict[str, Any]:
    return {
        "app": app,
        "from": first,
        "to": last,
        "by": by,
        "min_cell": publication.min_cell,
        "epsilon": publication.epsilon,
        "suppressed": suppressed,
        "values": rows,
    }


def weekly_reports(
    *,
    session: Session,
    app: str,
    publication: Publication,
    first: str | None = None,
    last: str | None = None,
    by: list[str] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Return how many reports arrived per week (and breakdown), small cells suppressed."""
    first, last = _week_range(first, last, now or datetime.now(UTC))
    dims = _dimensions(by or [])
    w = TelemetryWeek
    cols = [getattr(w, d) for d in dims]
    query = (
        select(w.week, *cols, func.sum(w.reports))
        .where(w.app == app, w.week >= first, w.week <= last)
        .group_by(w.week, *cols)
        .order_by(w.week, *cols)
    )
    rows, suppressed = [], 0
    for week, *rest in session.execute(query):
        *values, reports = rest
        cell = dict(zip(dims, values, strict=True))
        published = _publish(publication, week, "*", cell, 0, 0, int(reports))
        if published is None:
            suppressed += 1
            continue
        rows.append({"week": week, **cell, "reports": published["reports"]})
    return _envelope(app, first, last, dims, publication, rows, suppressed)


def to_csv(document: dict[str, Any], *, per_counter: bool = True) -> str:
    """Return the ``values`` of a usage (or, with ``per_counter=False``, weekly) document as CSV."""
    by = document["by"]
    columns = (
        ["week", "counter", *by, "total", "reports"] if per_counter else ["week", *by, "reports"]
    )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(document["values"])
    return buffer.getvalue()
