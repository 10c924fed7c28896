"""Telemetry: received weekly reports, their counter values, and the rollups dashboards read.

Nothing here identifies an installation: a report row holds exactly the fields of the
report document (DESIGN §3.5), with no IP, no time of arrival and no request header.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sitrep.desk.db import Base

#: Counter names sort bytewise on PostgreSQL, so ``LIKE 'prefix%'`` can use an index.
COUNTER_C = String(120).with_variant(String(120, collation="C"), "postgresql")


class TelemetryReport(Base):
    """One received weekly report, its counters kept as the JSON object it carried.

    The counters are stored inline so that rollups can be rebuilt from raw reports; one
    row per report instead of one per counter made ingest cost half as much on
    PostgreSQL (``json_each`` reads them back on SQLite and PostgreSQL alike).
    """

    __tablename__ = "telemetry_reports"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    report_id: Mapped[str] = mapped_column(String(32), unique=True)
    week: Mapped[str] = mapped_column(String(8))
    app: Mapped[str] = mapped_column(String(64))
    app_version: Mapped[str] = mapped_column(String(64))
    host_product: Mapped[str] = mapped_column(String(64))
    host_version: Mapped[str] = mapped_column(String(64))
    allowlist_version: Mapped[int] = mapped_column(Integer)
    x: Mapped[float] = mapped_column(Float)
    counters: Mapped[str] = mapped_column(Text)


class TelemetryRollup(Base):
    """Sum of one counter over the reports of a week, app version and host product/version.

    ``clamped`` sums each report's value capped at ``CLAMP`` (the bound differential
    privacy needs); ``reports`` is how many reports carried the counter.
    """

    __tablename__ = "telemetry_rollups"
    __table_args__ = (Index("ix_telemetry_rollups_counter", "app", "counter", "week"),)

    app: Mapped[str] = mapped_column(String(64), primary_key=True)
    week: Mapped[str] = mapped_column(String(8), primary_key=True)
    counter: Mapped[str] = mapped_column(COUNTER_C, primary_key=True)
    app_version: Mapped[str] = mapped_column(String(64), primary_key=True)
    host_product: Mapped[str] = mapped_column(String(64), primary_key=True)
    host_version: Mapped[str] = mapped_column(String(64), primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)
    clamped: Mapped[int] = mapped_column(BigInteger)
    reports: Mapped[int] = mapped_column(Integer)


class TelemetryTotal(Base):
    """Sum of one counter over every report of a week, whatever its versions, in shards.

    A report adds to one random shard of 8 (``SHARDS``), so that concurrent reports seldom wait for
    the same row; readers sum the shards. The weekly dashboard reads only this table.
    """

    __tablename__ = "telemetry_totals"

    app: Mapped[str] = mapped_column(String(64), primary_key=True)
    week: Mapped[str] = mapped_column(String(8), primary_key=True)
    counter: Mapped[str] = mapped_column(COUNTER_C, primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)
    clamped: Mapped[int] = mapped_column(BigInteger)
    reports: Mapped[int] = mapped_column(Integer)


class TelemetryWeek(Base):
    """How many reports arrived for a week, app version and host product/version."""

    __tablename__ = "telemetry_weeks"

    app: Mapped[str] = mapped_column(String(64), primary_key=True)
    week: Mapped[str] = mapped_column(String(8), primary_key=True)
    app_version: Mapped[str] = mapped_column(String(64), primary_key=True)
    host_product: Mapped[str] = mapped_column(String(64), primary_key=True)
    host_version: Mapped[str] = mapped_column(String(64), primary_key=True)
    reports: Mapped[int] = mapped_column(Integer)
