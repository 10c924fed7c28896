"""``copy`` (troubleshoot.sh/v1beta2): copy files or folders matching a glob."""

from __future__ import annotations

from typing import Any

from sitrep.bundle.collectors.capture import Planned, collect_paths, expand, plan_paths
from sitrep.bundle.collectors.context import Context, Limits

KIND = "copy"
EXTENSION = False
FIELDS: dict[str, Any] = {"path": str}
REQUIRED = ("path",)
DEFAULT_TIMEOUT = 60.0


def collect(params: dict[str, Any], ctx: Context) -> None:
    """Copy every file matching ``path`` into ``<collectorName>/<absolute path>``."""
    paths, missing = expand([params["path"]])
    for pattern in missing:
        ctx.skip(pattern, "no file matches this path")
    collect_paths(paths, ctx, ctx.limits.max_file_bytes, ctx.limits.since_days)


def plan(params: dict[str, Any], name: str, limits: Limits) -> list[Planned]:
    """List the files ``collect`` would copy, with their capped sizes."""
    paths, missing = expand([params["path"]])
    return plan_paths(paths, name, limits.max_file_bytes, limits.since_days) + [
        Planned(name, p, None, "skipped: no file matches") for p in missing
    ]
