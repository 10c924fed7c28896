"""``python`` (sitrep.dev/v1): a Python interpreter's version and installed packages.

``executable`` names the interpreter (default: the one running Sitrep); it is run with a
small script and killed at the timeout.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from sitrep.bundle.collectors.capture import Planned
from sitrep.bundle.collectors.context import Context, Limits

KIND = "python"
EXTENSION = True
FIELDS: dict[str, Any] = {"executable": str}
REQUIRED = ()
DEFAULT_TIMEOUT = 20.0

SCRIPT = """
import importlib.metadata as md, json, platform, sys
packages = sorted({(d.metadata["Name"] or "?", d.version) for d in md.distributions()})
print(json.dumps({
    "version": platform.python_version(),
    "implementation": platform.python_implementation(),
    "executable": sys.executable,
    "packages": [{"name": n, "version": v} for n, v in packages],
}))
"""


def collect(params: dict[str, Any], ctx: Context) -> None:
    """Write ``python.json`` with version, implementation, executable and packages."""
    # The running interpreter is described the same way, in a child, so its imports
    # (and any failure) stay out of the collecting process.
    executable = params.get("executable", sys.executable)
    try:
        done = subprocess.run(
            [executable, "-c", SCRIPT], capture_output=True, timeout=ctx.timeout, check=True
        )
    except FileNotFoundError:
        raise RuntimeError(f"interpreter not found: {executable}") from None
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"interpreter exited with {exc.returncode}") from None
    ctx.write_json("python.json", json.loads(done.stdout))


def plan(params: dict[str, Any], name: str, limits: Limits) -> list[Planned]:  # noqa: ARG001
    """Name the interpreter that would be described."""
    return [
        Planned(name, f"python packages of {params.get('executable', 'this interpreter')}", None)
    ]
