"""What a collector gets to work with: its output folder, the caps and a way to skip.

Collectors run in threads, so everything shared here (the total budget, the list of
running processes) is guarded by a lock.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MB = 1024 * 1024


class CollectorSkipped(Exception):
    """The collector had nothing to do here (for example its env variable is unset)."""


class CollectorTimeout(Exception):
    """The collector hit its timeout; what it wrote so far is kept."""


@dataclass
class Limits:
    """Caps for one bundle run."""

    max_file_bytes: int = 100 * MB
    max_total_bytes: int = 2048 * MB
    since_days: float | None = None


class Budget:
    """The bundle's total byte budget, shared by all collectors."""

    def __init__(self, total: int) -> None:
        self._left = total
        self._lock = threading.Lock()

    def reserve(self, wanted: int) -> int:
        """Take up to ``wanted`` bytes from the budget and return how many were granted."""
        with self._lock:
            granted = max(0, min(wanted, self._left))
            self._left -= granted
            return granted

    def refund(self, unused: int) -> None:
        """Give back bytes that were reserved but not written."""
        with self._lock:
            self._left += max(0, unused)


class Processes:
    """Child processes still running, so an interrupted bundle can kill them.

    ``cancelled`` is set once the bundle is abandoned; collectors still running in
    their threads then stop creating files, so the work folder can be removed.
    """

    def __init__(self) -> None:
        self._live: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()
        self.cancelled = threading.Event()

    def add(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._live.add(proc)

    def discard(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._live.discard(proc)

    def kill_all(self) -> None:
        """Cancel the run and kill every child still running (and its process group)."""
        from sitrep.bundle.collectors.run import kill_group

        self.cancelled.set()
        with self._lock:
            live = list(self._live)
        for proc in live:
            kill_group(proc)


@dataclass
class Context:
    """The working state of one collector during one bundle run."""

    name: str
    root: Path
    limits: Limits
    budget: Budget
    env: Mapping[str, str]
    timeout: float
    processes: Processes = field(default_factory=Processes)
    skipped: list[dict[str, str]] = field(default_factory=list)
    truncated: set[str] = field(default_factory=set)

    @property
    def folder(self) -> Path:
        """Return this collector's output folder inside the work directory."""
        return self.root / self.name

    def prepare(self) -> None:
        """Create this collector's folder (refused once the bundle is cancelled)."""
        self.path("placeholder").parent.mkdir(parents=True, exist_ok=True)

    def path(self, relative: str) -> Path:
        """Return where to write ``relative`` (inside this collector's folder), creating parents."""
        if self.processes.cancelled.is_set():
            raise RuntimeError("the bundle was cancelled")
        target = self.folder / relative.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_json(self, relative: str, data: Any) -> None:
        """Write a small JSON document into the bundle."""
        text = json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
        self.path(relative).write_text(text, encoding="utf-8")

    def skip(self, source: str, reason: str) -> None:
        """Record a source that was not collected, and why."""
        self.skipped.append({"source": source, "reason": reason})
