"""``time`` (troubleshoot.sh/v1beta2): the host clock and time zone."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from sitrep.bundle.collectors.context import Context

KIND = "time"
EXTENSION = False
FIELDS: dict[str, Any] = {}
REQUIRED = ()
DEFAULT_TIMEOUT = 5.0


def collect(params: dict[str, Any], ctx: Context) -> None:  # noqa: ARG001
    """Write ``time.json`` with UTC and local time, the zone name and its offset."""
    now = datetime.now(UTC)
    local = now.astimezone()
    ctx.write_json(
        "time.json",
        {
            "utc": now.isoformat(),
            "local": local.isoformat(),
            "timezone": _zone_name() or local.tzname(),
            "utcOffsetSeconds": int(local.utcoffset().total_seconds()),  # type: ignore[union-attr]
        },
    )


def _zone_name() -> str | None:
    """Return the IANA zone from /etc/localtime's link target, when there is one."""
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        return None
    return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else None
