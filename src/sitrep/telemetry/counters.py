"""Counters and histograms: cheap in-memory increments, flushed to the HostStore.

An increment takes a lock and adds to a dict entry keyed by (counter name, UTC day); it
never touches the database. ``CounterBuffer.flush`` moves the buffered counts into the
HostStore with one atomic upsert per row (``n = n + ?``) in a single transaction, so
concurrent threads and processes never lose or double an increment. A background
thread flushes every few seconds, and at interpreter exit.

Histogram bucket names (the part after ``:``) are named by their upper bound, as in Go's
telemetry: with ``buckets=[1000, 10000]`` a value goes to ``<1000`` if it is below 1000,
to ``<10000`` if it is below 10000, and to ``>=10000`` otherwise. A unit, if given, is
appended: ``buckets=[50, 200], unit="ms"`` gives ``<50ms``, ``<200ms``, ``>=200ms``.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime

from sitrep.telemetry.config import check_counter_name

log = logging.getLogger("sitrep.telemetry")

Flusher = Callable[[dict[tuple[str, str], int]], None]


class CounterBuffer:
    """Thread-safe, fork-safe buffer of increments keyed by (name, day)."""

    def __init__(self, clock: Callable[[], datetime], flusher: Flusher) -> None:
        self._clock = clock
        self._flusher = flusher
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._pending: dict[tuple[str, str], int] = {}
        self.enabled = True
        ref = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: _reset_after_fork(ref))

    def _forget_after_fork(self) -> None:
        # A forked child inherits the parent's unflushed counts, which the parent will
        # flush, and possibly locks held by parent threads that do not exist here.
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._pending = {}

    def add(self, name: str, n: int) -> None:
        """Buffer ``n`` more counts of ``name`` on today's (UTC) date."""
        if not self.enabled:
            return
        key = (name, self._clock().date().isoformat())
        with self._lock:
            self._pending[key] = self._pending.get(key, 0) + n

    def flush(self) -> None:
        """Write the buffered counts to the store; on failure keep them for the next flush.

        Flushes run one at a time, so when ``flush`` returns, every count made before
        the call is in the store, even if the background thread was mid-flush.
        """
        with self._flush_lock:
            with self._lock:
                pending, self._pending = self._pending, {}
            if pending:
                self._write(pending)

    def _write(self, pending: dict[tuple[str, str], int]) -> None:
        try:
            self._flusher(pending)
        except Exception:
            with self._lock:
                for key, n in pending.items():
                    self._pending[key] = self._pending.get(key, 0) + n
            raise


def _reset_after_fork(ref: weakref.ref[CounterBuffer]) -> None:
    buffer = ref()
    if buffer is not None:
        buffer._forget_after_fork()


class Counter:
    """A named counter; ``inc`` is cheap and safe from any thread."""

    def __init__(self, name: str, buffer: CounterBuffer) -> None:
        self.name = check_counter_name(name)
        self._buffer = buffer

    def inc(self, n: int = 1) -> None:
        """Add ``n`` (a positive int) to the counter."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError("a counter increment must be a positive int")
        self._buffer.add(self.name, n)


def bucket_names(buckets: Sequence[float], unit: str = "") -> list[str]:
    """Return the bucket labels for upper bounds ``buckets``: ``<b1``, ..., ``>=bn``."""
    shown = [f"{b:g}{unit}" for b in buckets]
    return [f"<{s}" for s in shown] + [f">={shown[-1]}"]


class Histogram:
    """Counts values by bucket: ``observe(v)`` increments ``name:<bound`` (see module doc)."""

    def __init__(
        self, name: str, buckets: Sequence[float], buffer: CounterBuffer, unit: str = ""
    ) -> None:
        bounds = list(buckets)
        if not bounds or any(b >= c for b, c in zip(bounds, bounds[1:], strict=False)):
            raise ValueError("histogram buckets must be a non-empty increasing list")
        self.name = name
        self.bounds = bounds
        self.names = [check_counter_name(f"{name}:{label}") for label in bucket_names(bounds, unit)]
        self._buffer = buffer

    def observe(self, value: float) -> None:
        """Count one observation of ``value`` in its bucket."""
        for bound, name in zip(self.bounds, self.names, strict=False):
            if value < bound:
                self._buffer.add(name, 1)
                return
        self._buffer.add(self.names[-1], 1)


class FlushThread(threading.Thread):
    """Daemon thread that flushes a buffer every ``interval`` seconds until stopped."""

    def __init__(self, buffer: CounterBuffer, interval: float) -> None:
        super().__init__(name="sitrep-telemetry-flush", daemon=True)
        self._buffer = weakref.ref(buffer)
        self._interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self._interval):
            buffer = self._buffer()
            if buffer is None:
                return
            try:
                buffer.flush()
            except Exception as exc:
                # Never hurt the host app: keep the counts and try again next time.
                log.warning("telemetry flush failed (%s); will retry", type(exc).__name__)


def start_flushing(buffer: CounterBuffer, interval: float) -> FlushThread:
    """Start the background flush thread and an at-exit flush for ``buffer``."""
    thread = FlushThread(buffer, interval)
    thread.start()
    ref = weakref.ref(buffer)

    def _at_exit() -> None:
        # Let a flush in progress finish first: the daemon thread would otherwise be
        # killed mid-write with the counts it had already taken from the buffer.
        thread.stopped.set()
        thread.join(timeout=10)
        live = ref()
        if live is not None:
            try:
                live.flush()
            except Exception as exc:
                log.warning("telemetry flush at exit failed (%s)", type(exc).__name__)

    atexit.register(_at_exit)
    return thread
