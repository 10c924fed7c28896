"""``files`` (sitrep.dev/v1): log files by glob, with size and age caps and rotated logs.

Fields: ``paths`` (globs), ``maxSizeMB`` (per file; the newest lines are kept when a file
is larger), ``sinceDays`` (skip files not modified since), ``rotated`` (how many rotated
siblings such as ``app.log.1`` or ``app.log.2024-05-01.gz`` to keep per log; ``.gz``
rotations are decompressed).
"""

from __future__ import annotations

from typing import Any

from sitrep.bundle.collectors.capture import (
    Planned,
    collect_paths,
    expand,
    keep_newest_rotations,
    plan_paths,
)
from sitrep.bundle.collectors.context import MB, Context, Limits

KIND = "files"
EXTENSION = True
FIELDS: dict[str, Any] = {
    "paths": list,
    "maxSizeMB": (int, float),
    "sinceDays": (int, float),
    "rotated": int,
}
REQUIRED = ("paths",)
DEFAULT_TIMEOUT = 120.0


def check(values: dict[str, Any], params: Any, where: Any) -> None:
    """Refuse empty or non-string globs and non-positive caps."""
    if not values["paths"] or not all(isinstance(p, str) and p for p in values["paths"]):
        raise where.fail("`files.paths` must be a list of globs", params.line_of("paths"))
    for key in ("maxSizeMB", "sinceDays", "rotated"):
        if key in values and values[key] < 0:
            raise where.fail(f"`files.{key}` must not be negative", params.line_of(key))


def _cap(params: dict[str, Any], limits: Limits) -> int:
    if "maxSizeMB" in params:
        return min(int(params["maxSizeMB"] * MB), limits.max_file_bytes)
    return limits.max_file_bytes


def _since(params: dict[str, Any], limits: Limits) -> float | None:
    return params.get("sinceDays", limits.since_days)


def collect(params: dict[str, Any], ctx: Context) -> None:
    """Copy the matching logs, newest lines first when they are over the cap."""
    paths, missing = expand(params["paths"])
    for pattern in missing:
        ctx.skip(pattern, "no file matches this glob")
    if "rotated" in params:
        paths = keep_newest_rotations(paths, params["rotated"], ctx)
    collect_paths(paths, ctx, _cap(params, ctx.limits), _since(params, ctx.limits))


def plan(params: dict[str, Any], name: str, limits: Limits) -> list[Planned]:
    """List the files ``collect`` would copy, with their capped sizes."""
    paths, missing = expand(params["paths"])
    planned = plan_paths(paths, name, _cap(params, limits), _since(params, limits))
    return planned + [Planned(name, p, None, "skipped: no file matches") for p in missing]
