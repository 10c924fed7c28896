"""HostStore: Sitrep's settings and usage counters, kept in the host product's database.

The data-protection promise is that the vendor's app keeps nothing on local disk, so
HostStore never creates a file: it reaches the host product's database through a
SQLAlchemy URL or an Engine the host app already has, and keeps its rows in namespaced
tables (``sitrep_settings``, ``sitrep_counters``, ``sitrep_reports``) that it creates on
first use. Counts are added with one atomic upsert per row (``n = n + ?``) inside a
transaction, so any number of threads and processes can add to the same counter.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Float,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

metadata = MetaData()

settings_table = Table(
    "sitrep_settings",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),
)

#: One row per app, counter and UTC day, so reports can leave out days before opt-in.
counters_table = Table(
    "sitrep_counters",
    metadata,
    Column("app", String(64), primary_key=True),
    Column("name", String(120), primary_key=True),
    Column("day", String(10), primary_key=True),  # ISO date; text compares in date order
    Column("n", BigInteger, nullable=False),
)

#: One row per app and ISO week: the report's random id and X, then what was sent.
reports_table = Table(
    "sitrep_reports",
    metadata,
    Column("app", String(64), primary_key=True),
    Column("week", String(8), primary_key=True),
    Column("report_id", String(32), nullable=False),
    Column("x", Float, nullable=False),
    Column("status", String(16), nullable=False),  # draft | sent | rejected
    Column("body", Text),
)


def _engine(store: str | Engine) -> Engine:
    """Return an engine for a URL (psycopg 3 for bare postgresql:// URLs) or the engine given."""
    if isinstance(store, Engine):
        return store
    if store.startswith("postgresql://"):
        store = "postgresql+psycopg://" + store.removeprefix("postgresql://")
    return create_engine(store)


def store_exists(url: str) -> bool:
    """Return False for a SQLite URL whose file does not exist (opening it would create it)."""
    if not url.startswith("sqlite"):
        return True
    path = url.split("///", 1)[-1].split("?", 1)[0]
    return path in ("", ":memory:") or Path(path).exists()


class HostStore:
    """Settings and counters in the host product's database (see the module docstring)."""

    def __init__(self, store: str | Engine) -> None:
        self.engine = _engine(store)
        self._create_tables()

    def _create_tables(self) -> None:
        # Two processes starting at once may both try to create a table; the loser of
        # that race sees an error, and a second checkfirst pass then finds the table.
        for attempt in range(3):
            try:
                metadata.create_all(self.engine, checkfirst=True)
                return
            except (IntegrityError, DBAPIError):
                if attempt == 2:
                    raise
                time.sleep(0.05 * (attempt + 1))

    # --- settings -----------------------------------------------------------------
    def get(self, key: str) -> str | None:
        """Return the setting ``key``, or None."""
        with self.engine.connect() as conn:
            return conn.scalar(select(settings_table.c.value).where(settings_table.c.key == key))

    def set(self, key: str, value: str) -> None:
        """Store the setting ``key`` (insert or replace)."""
        for attempt in range(2):
            try:
                with self.engine.begin() as conn:
                    done = conn.execute(
                        update(settings_table)
                        .where(settings_table.c.key == key)
                        .values(value=value)
                    )
                    if done.rowcount == 0:
                        conn.execute(settings_table.insert().values(key=key, value=value))
                return
            except IntegrityError:
                # Another process inserted the key between our UPDATE and INSERT; the
                # second attempt updates the row it created.
                if attempt:
                    raise

    def apps(self) -> list[str]:
        """Return the apps whose telemetry this store holds."""
        key = settings_table.c.key
        query = select(key).where(key.like("telemetry.%.product"))
        with self.engine.connect() as conn:
            return sorted(
                k.removeprefix("telemetry.").removesuffix(".product") for k in conn.scalars(query)
            )

    # --- counters -----------------------------------------------------------------
    def add_counts(self, app: str, counts: Mapping[tuple[str, str], int]) -> None:
        """Add ``{(name, day): n}`` to the stored counters in one transaction."""
        rows = [{"app": app, "name": k[0], "day": k[1], "n": n} for k, n in sorted(counts.items())]
        if not rows:
            return
        for attempt in range(5):
            try:
                with self.engine.begin() as conn:
                    conn.execute(self._upsert(conn.dialect.name), rows)
                return
            except (IntegrityError, DBAPIError) as exc:
                # SQLite answers "database is locked" under heavy contention; the rows were
                # not written (the transaction rolled back), so adding them again is safe.
                if attempt == 4 or not _retryable(exc):
                    raise
                time.sleep(0.05 * (attempt + 1))

    def _upsert(self, dialect: str) -> Any:
        """Return an INSERT that adds to an existing row instead of failing on it."""
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        else:
            raise NotImplementedError(f"HostStore supports SQLite and PostgreSQL, not {dialect}")
        stmt = insert(counters_table)
        return stmt.on_conflict_do_update(
            index_elements=["app", "name", "day"], set_={"n": counters_table.c.n + stmt.excluded.n}
        )

    def counts(self, app: str, first_day: date, last_day: date) -> dict[str, int]:
        """Return each counter's total over the days ``first_day..last_day`` (inclusive)."""
        c = counters_table.c
        query = (
            select(c.name, func.sum(c.n))
            .where(c.app == app, c.day >= first_day.isoformat(), c.day <= last_day.isoformat())
            .group_by(c.name)
        )
        with self.engine.connect() as conn:
            return {name: int(total) for name, total in conn.execute(query)}

    def days(self, app: str, after: date | None = None) -> list[date]:
        """Return the days that have counts for ``app`` (only those after ``after``)."""
        query = select(counters_table.c.day).where(counters_table.c.app == app).distinct()
        if after is not None:
            query = query.where(counters_table.c.day > after.isoformat())
        with self.engine.connect() as conn:
            return sorted(date.fromisoformat(day) for day in conn.scalars(query))

    # --- reports ------------------------------------------------------------------
    def report(self, app: str, week: str) -> dict[str, Any] | None:
        """Return the stored report row of ``app`` for ``week``, or None."""
        r = reports_table.c
        with self.engine.connect() as conn:
            row = conn.execute(select(reports_table).where(r.app == app, r.week == week)).first()
        return dict(row._mapping) if row else None

    def add_report(self, app: str, week: str, report_id: str, x: float) -> dict[str, Any]:
        """Record the identity of a week's report once; return the row that won."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    reports_table.insert().values(
                        app=app, week=week, report_id=report_id, x=x, status="draft"
                    )
                )
        except IntegrityError:
            pass  # Another process drew this week's X first; everyone uses its row.
        row = self.report(app, week)
        assert row is not None
        return row

    def finish_report(self, app: str, week: str, status: str, body: str | None) -> None:
        """Mark a week's report sent or rejected, keeping the exact body sent."""
        r = reports_table.c
        with self.engine.begin() as conn:
            conn.execute(
                update(reports_table)
                .where(r.app == app, r.week == week)
                .values(status=status, body=body)
            )

    def reports(self, app: str) -> list[dict[str, Any]]:
        """Return every stored report row of ``app``, oldest week first."""
        r = reports_table.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(reports_table).where(r.app == app).order_by(r.week))
            return [dict(row._mapping) for row in rows]


def _retryable(exc: Exception) -> bool:
    """Return True for lock timeouts and unique-key races that a retry resolves."""
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, IntegrityError) or "locked" in text or "deadlock" in text


def settings_key(app: str, name: str) -> str:
    """Return the namespaced settings key of ``name`` for ``app``."""
    return f"telemetry.{app}.{name}"
