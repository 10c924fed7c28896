"""The weekly report: ISO weeks (UTC), which days count, sampling and the report document.

A report covers one ISO week (Monday to Sunday, UTC). It carries only counters the
allow-list names, and of those only the ones whose rate is at least the report's random
X (``x <= rate``), so a counter with rate 0.1 is in about one report in ten. It never
carries counts from the as-of day of opting in or earlier: those were counted before
the admin said yes. Its ``report_id`` is random per report, never per installation.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sitrep.telemetry.config import Allowlist

#: Reports older than this are never sent, and the desk refuses them.
MAX_AGE = timedelta(days=21)

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def week_of(day: date) -> str:
    """Return the ISO week label of ``day``, such as ``2026-W48``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(week: str) -> tuple[date, date]:
    """Return the Monday and Sunday of an ISO week label; ValueError if it is not one."""
    match = WEEK_RE.fullmatch(week)
    if not match:
        raise ValueError(f"{week!r} is not an ISO week such as 2026-W48")
    monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    return monday, monday + timedelta(days=6)


def week_end(week: str) -> datetime:
    """Return the instant the week is over: the next Monday, 00:00 UTC."""
    monday, _ = week_bounds(week)
    return datetime.combine(monday + timedelta(days=7), datetime.min.time(), tzinfo=UTC)


def draw_x() -> float:
    """Return a cryptographically random X in [0, 1)."""
    return secrets.randbits(53) / (1 << 53)


def new_report_id() -> str:
    """Return a random report id (128 bits, hex)."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class Product:
    """What the report says about the software: the app and the host product it runs in."""

    app: str
    app_version: str
    host_product: str
    host_version: str


def select_counters(counts: dict[str, int], allowlist: Allowlist, x: float) -> dict[str, int]:
    """Return the counts the report may carry: listed, sampled in by ``x``, non-zero."""
    return {
        name: n
        for name, n in sorted(counts.items())
        if n > 0 and allowlist.allows(name) and x <= allowlist.rates[name]
    }


def build_report(
    *,
    product: Product,
    week: str,
    report_id: str,
    x: float,
    allowlist: Allowlist,
    counts: dict[str, int],
) -> dict[str, Any]:
    """Return the report document exactly as it is sent (DESIGN §3.5)."""
    return {
        "report_id": report_id,
        "week": week,
        "app": product.app,
        "app_version": product.app_version,
        "host_product": product.host_product,
        "host_version": product.host_version,
        "x": x,
        "allowlist_version": allowlist.version,
        "counters": select_counters(counts, allowlist, x),
    }


def reportable_days(week: str, asof: date | None) -> tuple[date, date] | None:
    """Return the days of ``week`` a report may cover, or None when none may be.

    Only days strictly after the as-of date count: on the as-of day itself some counts
    were made before the admin opted in, and day is the finest grain we keep.
    """
    monday, sunday = week_bounds(week)
    first = monday if asof is None else max(monday, asof + timedelta(days=1))
    return (first, sunday) if first <= sunday else None
