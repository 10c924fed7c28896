"""`sitrep desk agreement` commands: subcontractor agreements."""

from __future__ import annotations

from sitrep.cli.common import make_app

app = make_app("Subcontractor agreements: who may act for the vendor, and until when.")
