"""`sitrep audit` commands."""

from __future__ import annotations

from sitrep.cli.common import make_app

app = make_app("audit commands.")
