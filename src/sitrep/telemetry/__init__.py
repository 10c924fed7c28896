"""Anonymous product analytics, Go-telemetry style (DESIGN §3.5).

Counters are counted in memory, kept in the host product's database (never in a file),
and sent as one weekly report of allow-listed counters, only after the admin opts in.
See ``docs/telemetry.md``.
"""

from sitrep.telemetry.config import Allowlist, check_counter_name, load_allowlist
from sitrep.telemetry.sdk import MODES, Telemetry

__all__ = ["MODES", "Allowlist", "Telemetry", "check_counter_name", "load_allowlist"]
