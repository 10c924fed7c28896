"""``diskUsage`` (troubleshoot.sh/v1beta2): size and use of the filesystem holding ``path``."""

from __future__ import annotations

import shutil
from typing import Any

from sitrep.bundle.collectors.capture import Planned
from sitrep.bundle.collectors.context import Context, Limits

KIND = "diskUsage"
EXTENSION = False
FIELDS: dict[str, Any] = {"path": str}
REQUIRED = ("path",)
DEFAULT_TIMEOUT = 5.0


def collect(params: dict[str, Any], ctx: Context) -> None:
    """Write ``disk_usage.json`` with path, total, used and available (bytes)."""
    usage = shutil.disk_usage(params["path"])
    ctx.write_json(
        "disk_usage.json",
        {"path": params["path"], "total": usage.total, "used": usage.used, "available": usage.free},
    )


def plan(params: dict[str, Any], name: str, limits: Limits) -> list[Planned]:  # noqa: ARG001
    """Name the filesystem that would be measured."""
    return [Planned(name, f"disk usage of {params['path']}", None)]
