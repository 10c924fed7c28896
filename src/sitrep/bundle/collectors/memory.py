"""``memory`` (troubleshoot.sh/v1beta2): total, available and used memory in bytes."""

from __future__ import annotations

import os
from typing import Any

from sitrep.bundle.collectors.context import Context

KIND = "memory"
EXTENSION = False
FIELDS: dict[str, Any] = {}
REQUIRED = ()
DEFAULT_TIMEOUT = 5.0


def collect(params: dict[str, Any], ctx: Context) -> None:  # noqa: ARG001
    """Write ``memory.json`` with total, available and used (bytes)."""
    total, available = _meminfo()
    ctx.write_json(
        "memory.json", {"total": total, "available": available, "used": total - available}
    )


def _meminfo() -> tuple[int, int]:
    """Read /proc/meminfo; fall back to sysconf where it does not exist."""
    try:
        with open("/proc/meminfo") as fh:
            values = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in fh if ":" in line}
        return values["MemTotal"], values.get("MemAvailable", values.get("MemFree", 0))
    except (OSError, KeyError, ValueError, IndexError):
        page = os.sysconf("SC_PAGE_SIZE")
        return os.sysconf("SC_PHYS_PAGES") * page, os.sysconf("SC_AVPHYS_PAGES") * page
