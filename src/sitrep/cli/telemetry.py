"""`sitrep telemetry`: the customer admin's view and control of anonymous usage counting.

Every command acts on the HostStore in the host product's database (``--store URL``):
the same rows the host app's ``Telemetry`` counts into.
"""

from __future__ import annotations

from pathlib import Path

import typer

from sitrep.cli.common import console, make_app, print_json
from sitrep.errors import ConfigError

app = make_app("Anonymous usage counting: see what is counted and sent, switch it on or off.")

STORE = typer.Option(..., "--store", help="SQLAlchemy URL of the host product's database.")
APP = typer.Option(None, "--app", help="App name (needed when the store holds several).")
ALLOWLIST = typer.Option(None, "--allowlist", help="Allow-list file or URL (default: the app's).")
ENDPOINT = typer.Option(None, "--endpoint", help="Desk base URL (default: the app's).")
JSON = typer.Option(False, "--json", help="Print JSON.")


def _open(store: str, app_name: str | None, allowlist: str | None, endpoint: str | None):
    from sitrep.telemetry import Telemetry

    return Telemetry.from_store(store, app=app_name, allowlist=allowlist, endpoint=endpoint)


def _show_status(status: dict, as_json: bool) -> None:
    if as_json:
        print_json(status)
        return
    console.print(f"app:        {status['app']}")
    console.print(f"mode:       {status['mode']} (as of {status['asof']}; {status['reason']})")
    console.print(f"endpoint:   {status['endpoint'] or 'none (nothing can be sent)'}")
    console.print(f"due weeks:  {', '.join(status['due_weeks']) or 'none'}")
    console.print(f"sent weeks: {', '.join(status['sent_weeks']) or 'none'}")


@app.command()
def status(
    store: str = STORE,
    app_name: str | None = APP,
    endpoint: str | None = ENDPOINT,
    as_json: bool = JSON,
) -> None:
    """Show the mode, its as-of date, and which weekly reports are due or sent."""
    _show_status(_open(store, app_name, None, endpoint).status(), as_json)


def _switch(mode: str, store: str, app_name: str | None, as_json: bool) -> None:
    telemetry = _open(store, app_name, None, None)
    telemetry.set_mode(mode)
    _show_status(telemetry.status(), as_json)


@app.command()
def on(store: str = STORE, app_name: str | None = APP, as_json: bool = JSON) -> None:
    """Opt in: send weekly reports from now on (never counts made before today)."""
    _switch("on", store, app_name, as_json)


@app.command()
def off(store: str = STORE, app_name: str | None = APP, as_json: bool = JSON) -> None:
    """Stop counting and sending."""
    _switch("off", store, app_name, as_json)


@app.command()
def local(store: str = STORE, app_name: str | None = APP, as_json: bool = JSON) -> None:
    """Count in the host database only; never send anything."""
    _switch("local", store, app_name, as_json)


@app.command()
def view(
    store: str = STORE,
    app_name: str | None = APP,
    allowlist: str | None = ALLOWLIST,
    week: str | None = typer.Option(None, "--week", help="ISO week such as 2026-W48."),
) -> None:
    """Print the exact report that would be sent (JSON), without sending anything."""
    if allowlist and not allowlist.startswith(("http://", "https://")):
        allowlist = str(Path(allowlist).resolve())
    telemetry = _open(store, app_name, allowlist, None)
    try:
        print_json(telemetry.view(week))
    except ValueError as exc:
        raise ConfigError(str(exc), fix="Give --week as YYYY-Www, e.g. 2026-W48.") from None


@app.command()
def upload(
    store: str = STORE,
    app_name: str | None = APP,
    allowlist: str | None = ALLOWLIST,
    endpoint: str | None = ENDPOINT,
    as_json: bool = JSON,
) -> None:
    """Send the weekly reports that are due (only when the mode is on)."""
    telemetry = _open(store, app_name, allowlist, endpoint)
    if telemetry.mode != "on":
        raise ConfigError(
            f"Telemetry is {telemetry.mode}; nothing is sent.",
            fix="Run `sitrep telemetry on` first if you want to send usage counts.",
        )
    if not telemetry.endpoint:
        raise ConfigError("No endpoint is configured.", fix="Pass --endpoint URL of the desk.")
    outcomes = telemetry.upload()
    if as_json:
        print_json(outcomes)
        return
    if not outcomes:
        console.print("Nothing is due: no finished week with counts is waiting.")
    for week, outcome in outcomes.items():
        console.print(f"{week}: {outcome}")
