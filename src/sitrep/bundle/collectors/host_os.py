"""``hostOS`` (troubleshoot.sh/v1beta2): operating system, kernel and architecture."""

from __future__ import annotations

import platform
from typing import Any

from sitrep.bundle.collectors.context import Context

KIND = "hostOS"
EXTENSION = False
FIELDS: dict[str, Any] = {}
REQUIRED = ()
DEFAULT_TIMEOUT = 5.0


def collect(params: dict[str, Any], ctx: Context) -> None:  # noqa: ARG001
    """Write ``host_os.json`` (troubleshoot's field names, plus architecture)."""
    release = _os_release()
    uname = platform.uname()
    ctx.write_json(
        "host_os.json",
        {
            "name": uname.node,
            "kernelVersion": uname.release,
            "platform": release.get("ID", uname.system.lower()),
            "platformVersion": release.get("VERSION_ID", ""),
            "prettyName": release.get("PRETTY_NAME", uname.system),
            "architecture": uname.machine,
        },
    )


def _os_release() -> dict[str, str]:
    try:
        return platform.freedesktop_os_release()
    except OSError:
        return {}
