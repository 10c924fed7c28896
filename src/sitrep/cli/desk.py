"""`sitrep desk` commands: serve, migrate, users, installations and the demo.

The server stack (FastAPI, uvicorn, Alembic) is imported inside the commands, so the
customer-side commands keep working without the server extra.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import typer

from sitrep.cli.common import console, make_app, print_json
from sitrep.config import Settings, load_settings

app = make_app("Run and administer the Sitrep desk (the vendor's service desk).")
user_app = make_app("Staff users.")
installation_app = make_app("Customer installations and their tokens.")
app.add_typer(user_app, name="user")
app.add_typer(installation_app, name="installation")

DEMO_DIR = ".sitrep-demo"


def _say(text: str) -> None:
    """Print a line without wrapping it, so tokens and URLs stay whole and copyable."""
    console.print(text, soft_wrap=True)


def _safe_url(url: str) -> str:
    """Return ``url`` with any password hidden, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _sessions(settings: Settings) -> Any:
    from sitrep.desk.db import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(settings.effective_database_url))


def migrate_and_seed(settings: Settings) -> None:
    """Bring the database to the newest schema and create the default desk if missing."""
    from sitrep.desk.db import transaction
    from sitrep.desk.migrate import upgrade
    from sitrep.desk.seed import seed_defaults

    upgrade(settings.effective_database_url)
    with transaction(_sessions(settings)) as session:
        seed_defaults(session)


def _check_migrated(settings: Settings) -> None:
    """Refuse to serve a database that `sitrep desk migrate` has not prepared."""
    from sqlalchemy import inspect

    from sitrep.desk.db import make_engine
    from sitrep.errors import ConfigError

    engine = make_engine(settings.effective_database_url)
    try:
        ready = inspect(engine).has_table("service_desks")
    finally:
        engine.dispose()
    if not ready:
        raise ConfigError(
            f"The database {_safe_url(settings.effective_database_url)} has no desk tables.",
            fix="Run `sitrep desk migrate` first (with the same SITREP_DATABASE_URL).",
        )


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from sitrep.desk.app import create_app

    _check_migrated(settings)
    # No access log: it would write client addresses and the one-time tokens in
    # confirmation and sign-in links, which the desk promises never to keep.
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", access_log=False)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Serve the desk (run `sitrep desk migrate` first)."""
    _serve(load_settings(), host, port)


@app.command()
def migrate() -> None:
    """Create or upgrade the database, then seed the default desk SUP."""
    settings = load_settings()
    migrate_and_seed(settings)
    _say(f"Database {_safe_url(settings.effective_database_url)} is up to date.")
    _say("Default service desk SUP (Support) is ready.")


@user_app.command("add")
def user_add(
    email: str = typer.Argument(..., help="The staff member's email."),
    role: str = typer.Option(..., help="admin, support, development or subcontractor."),
    firm: str | None = typer.Option(None, help="Firm of a subcontractor."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Create a staff user and print their API token (shown only this once)."""
    from sitrep.desk.db import transaction
    from sitrep.desk.services.identity import add_staff

    with transaction(_sessions(load_settings())) as session:
        user, token = add_staff(session=session, email=email, role=role, firm=firm)
        out = {"email": user.email, "role": user.role, "token": token}
    if as_json:
        print_json(out)
        return
    _say(f"Staff user {out['email']} ({out['role']}) created.")
    _say(f"API token (shown once; store it now): {token}")


@installation_app.command("add")
def installation_add(
    org: str = typer.Argument(..., help="The customer organization's name."),
    app_name: str = typer.Option("", "--app", help="The vendor app installed."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Register a customer installation and print its token (shown only this once)."""
    from sitrep.desk.db import transaction
    from sitrep.desk.services.identity import add_installation

    with transaction(_sessions(load_settings())) as session:
        inst, token = add_installation(session=session, org_name=org, app=app_name)
        out = {
            "organization": org.strip(),
            "installation": str(inst.id),
            "app": inst.app,
            "token": token,
        }
    if as_json:
        print_json(out)
        return
    _say(f"Installation {out['installation']} of {out['organization']} registered.")
    _say(f"Installation token (shown once; give it to the customer's admin): {token}")


def free_port_from(host: str, port: int, tries: int = 50) -> int:
    """Return ``port`` if it is free on ``host``, else the next free one."""
    for candidate in range(port, port + tries):
        with socket.socket() as sock:
            try:
                sock.bind((host, candidate))
            except OSError:
                continue
            return candidate
    raise typer.BadParameter(f"No free port in {port}..{port + tries - 1}.")


def _demo_settings(host: str, port: int) -> Settings:
    """Return demo settings: a data dir under the current directory unless one is configured,
    a demo secret and console mail unless those are configured."""
    from sitrep.config import DEMO_SECRET

    settings = load_settings(demo=True)
    overrides: dict[str, Any] = {"demo": True, "public_url": f"http://{host}:{port}"}
    if settings.data_dir == Settings.model_fields["data_dir"].default:
        overrides["data_dir"] = Path.cwd() / DEMO_DIR
    if settings.secret_key is None:
        overrides["secret_key"] = DEMO_SECRET
    if settings.smtp_url is None:
        overrides["smtp_url"] = "console://"
    return load_settings(**overrides)


def _demo_bundle(settings: Settings, ticket: str) -> str | None:
    """Attach a freshly collected bundle to ``ticket``; on failure say why and go on."""
    from sitrep.desk.db import transaction
    from sitrep.desk.seed import attach_demo_bundle
    from sitrep.errors import SitrepError

    try:
        with transaction(_sessions(settings)) as session:
            name = attach_demo_bundle(
                session, settings=settings, ticket=ticket, work=settings.data_dir / "demo-bundle"
            )
    except SitrepError as exc:
        _say(f"[yellow]Note:[/] the demo bundle was not attached: {exc.message}")
        return None
    _say(f"Attached the support bundle {name} to {ticket}.")
    return ticket


def _print_demo(data: Any, url: str, settings: Settings) -> None:
    _say(f"[bold]Sitrep desk demo[/] on {url}  (data in {settings.data_dir})")
    _say("Staff logins (API tokens, shown once; Basic email:token also works):")
    for email, (role, token) in data.staff_tokens.items():
        _say(f"  {role:<14} {email:<24} {token}")
    _say(f"Installation token of 'Acme Corp': {data.installation_token}")
    if data.tickets:
        _say(f"Tickets: {', '.join(data.tickets)}")
    _say(f"Try: curl -H 'Authorization: Bearer <token>' {url}/api/v1/requests")
    _say(f"API docs: {url}/docs")


@app.command()
def demo(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to try first; the next free one is used."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Seed and print, then exit."),
) -> None:
    """Run the desk with demo data: staff logins, a customer org, tickets. Ctrl-C stops it."""
    from sitrep.desk.db import transaction
    from sitrep.desk.seed import seed_demo

    port = free_port_from(host, port)
    settings = _demo_settings(host, port)
    migrate_and_seed(settings)
    with transaction(_sessions(settings)) as session:
        data = seed_demo(session)
    if data.tickets:
        data.bundle_ticket = _demo_bundle(settings, data.tickets[0])
    _print_demo(data, f"http://{host}:{port}", settings)
    if not no_serve:
        _serve(settings, host, port)
