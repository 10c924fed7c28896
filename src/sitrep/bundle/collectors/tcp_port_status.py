"""``tcpPortStatus`` (troubleshoot.sh/v1beta2): can this host connect to a TCP port?

Only the address and port named in the spec are contacted (default 127.0.0.1).
"""

from __future__ import annotations

import errno
import socket
from typing import Any

from sitrep.bundle.collectors.capture import Planned
from sitrep.bundle.collectors.context import Context, Limits

KIND = "tcpPortStatus"
EXTENSION = False
FIELDS: dict[str, Any] = {"port": int, "address": str, "interface": str}
REQUIRED = ("port",)
DEFAULT_TIMEOUT = 5.0


def check(values: dict[str, Any], params: Any, where: Any) -> None:
    """Refuse ports outside 1-65535."""
    if not 0 < values["port"] < 65536:
        raise where.fail("`tcpPortStatus.port` must be between 1 and 65535", params.line_of("port"))


def collect(params: dict[str, Any], ctx: Context) -> None:
    """Try to connect and write ``status.json`` with connected / connection-refused / ..."""
    address = params.get("address", "127.0.0.1")
    try:
        with socket.create_connection((address, params["port"]), timeout=ctx.timeout):
            status = "connected"
    except TimeoutError:
        status = "connection-timeout"
    except OSError as exc:
        status = "connection-refused" if exc.errno == errno.ECONNREFUSED else "error"
    ctx.write_json("status.json", {"address": address, "port": params["port"], "status": status})


def plan(params: dict[str, Any], name: str, limits: Limits) -> list[Planned]:  # noqa: ARG001
    """Name the port that would be probed."""
    address = params.get("address", "127.0.0.1")
    return [Planned(name, f"tcp connect {address}:{params['port']}", None)]
