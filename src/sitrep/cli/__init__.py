"""The ``sitrep`` command: one Typer sub-app per area, joined here.

Area modules must not import the desk's server stack at import time, so that the
customer-side commands work with only the core dependencies installed.
"""

from __future__ import annotations

from sitrep.cli import agreement, audit, bundle, desk, fetch, keys, redact, report, telemetry
from sitrep.cli.common import make_app

app = make_app("Sitrep: support bundles, tickets and anonymous usage counts.")
app.add_typer(bundle.app, name="bundle")
desk.app.add_typer(agreement.app, name="agreement")
keys.register(desk.app)
app.add_typer(desk.app, name="desk")
app.add_typer(telemetry.app, name="telemetry")
app.add_typer(audit.app, name="audit")
redact.register(app)
report.register(app)
fetch.register(app)


def main() -> None:
    """Entry point of the ``sitrep`` console script."""
    app()
