"""``cpu`` (troubleshoot.sh/v1beta2): CPU count, load average and a short usage sample."""

from __future__ import annotations

import os
import time
from typing import Any

from sitrep.bundle.collectors.context import Context

KIND = "cpu"
EXTENSION = False
FIELDS: dict[str, Any] = {}
REQUIRED = ()
DEFAULT_TIMEOUT = 5.0
SAMPLE_SECONDS = 0.2


def collect(params: dict[str, Any], ctx: Context) -> None:  # noqa: ARG001
    """Write ``cpu.json``: logicalCount, loadAverage1/5/15 and usedPercent (Linux)."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    facts: dict[str, Any] = {
        "logicalCount": os.cpu_count() or 1,
        "loadAverage1": round(load[0], 2),
        "loadAverage5": round(load[1], 2),
        "loadAverage15": round(load[2], 2),
    }
    used = _used_percent()
    if used is not None:
        facts["usedPercent"] = used
    ctx.write_json("cpu.json", facts)


def _used_percent() -> float | None:
    """Sample /proc/stat twice; return the busy share in percent, or None off Linux."""
    try:
        first = _proc_stat()
        time.sleep(SAMPLE_SECONDS)
        second = _proc_stat()
    except OSError:
        return None
    total = sum(second) - sum(first)
    idle = (second[3] + second[4]) - (first[3] + first[4])
    return round(100.0 * (total - idle) / total, 1) if total > 0 else 0.0


def _proc_stat() -> list[int]:
    with open("/proc/stat") as fh:
        return [int(v) for v in fh.readline().split()[1:]]
