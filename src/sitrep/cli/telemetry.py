"""`sitrep telemetry` commands."""

from __future__ import annotations

from sitrep.cli.common import make_app

app = make_app("telemetry commands.")
