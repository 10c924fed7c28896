"""``run`` (troubleshoot.sh/v1beta2): run a command and keep its output.

The command runs in its own process group and is killed with the group at its timeout.
stdout is capped at the per-file cap and stderr at 1 MB; the rest is read and dropped,
so a chatty command can neither fill the memory nor block on a full pipe.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

from sitrep.bundle.collectors.capture import Planned
from sitrep.bundle.collectors.context import MB, CollectorTimeout, Context, Limits

KIND = "run"
EXTENSION = False
FIELDS: dict[str, Any] = {"command": str, "args": list, "env": list}
REQUIRED = ("command",)
DEFAULT_TIMEOUT = 30.0
STDERR_CAP = MB


def check(values: dict[str, Any], params: Any, where: Any) -> None:
    """Refuse non-string args and env entries not shaped like ``NAME=value``."""
    if not all(isinstance(a, (str, int, float)) for a in values.get("args", [])):
        raise where.fail("`run.args` must be a list of strings", params.line_of("args"))
    for item in values.get("env", []):
        if not isinstance(item, str) or "=" not in item:
            raise where.fail("`run.env` entries must look like NAME=value", params.line_of("env"))


def collect(params: dict[str, Any], ctx: Context) -> None:
    """Run the command; write stdout.txt, stderr.txt and result.json."""
    argv = [params["command"], *(str(a) for a in params.get("args", []))]
    env = dict(ctx.env) | dict(item.split("=", 1) for item in params.get("env", []))
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, start_new_session=True,
        )  # fmt: skip
    except FileNotFoundError:
        raise RuntimeError(f"command not found: {params['command']}") from None
    ctx.processes.add(proc)
    try:
        result = _wait(proc, ctx, started)
    finally:
        ctx.processes.discard(proc)
    ctx.write_json("result.json", result)
    if result["timedOut"]:
        raise CollectorTimeout(f"command killed after {ctx.timeout:g}s timeout")


def _wait(proc: subprocess.Popen[bytes], ctx: Context, started: float) -> dict[str, Any]:
    assert proc.stdout is not None and proc.stderr is not None
    readers = [
        _Drain(proc.stdout, ctx.path("stdout.txt"), ctx.limits.max_file_bytes),
        _Drain(proc.stderr, ctx.path("stderr.txt"), STDERR_CAP),
    ]
    timed_out = False
    try:
        proc.wait(timeout=ctx.timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_group(proc)
        proc.wait()
    for reader in readers:
        # A grandchild that left the process group can keep a pipe open forever;
        # do not wait for it longer than a moment.
        reader.join(timeout=5)
    for name, reader in zip(("stdout.txt", "stderr.txt"), readers, strict=True):
        if reader.dropped:
            ctx.truncated.add(name)
    return {
        # Only the program name: arguments may carry values substituted from ${ENV}
        # references (passwords, tokens), and they are in the vendor's spec anyway.
        "command": Path(str(proc.args[0])).name,  # type: ignore[index]
        "exitCode": proc.returncode,
        "seconds": round(time.monotonic() - started, 3),
        "timedOut": timed_out,
        "stdoutTruncated": readers[0].dropped > 0,
        "stderrTruncated": readers[1].dropped > 0,
    }


class _Drain(threading.Thread):
    """Copy a pipe to a file up to ``cap`` bytes and discard (but count) the rest."""

    def __init__(self, pipe: IO[bytes], target: Path, cap: int) -> None:
        super().__init__(daemon=True)
        self.pipe, self.target, self.cap, self.dropped = pipe, target, cap, 0
        self.start()

    def run(self) -> None:
        kept = 0
        with open(self.target, "wb") as out:
            while chunk := self.pipe.read1(64 * 1024):  # type: ignore[attr-defined]
                room = max(0, self.cap - kept)
                out.write(chunk[:room])
                kept += min(room, len(chunk))
                self.dropped += max(0, len(chunk) - room)
        self.pipe.close()


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the command and everything it started."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def plan(params: dict[str, Any], name: str, limits: Limits) -> list[Planned]:
    """Name the command that would run (nothing is executed in a dry run)."""
    command = " ".join([params["command"], *(str(a) for a in params.get("args", []))])
    return [
        Planned(name, f"run: {command}", None, f"output capped at {limits.max_file_bytes // MB} MB")
    ]
