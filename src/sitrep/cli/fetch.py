"""`sitrep fetch`: staff download a ticket's bundles, verify them and extract them safely."""

from __future__ import annotations

from pathlib import Path

import typer

from sitrep.cli.common import console, print_json
from sitrep.config import get_settings


def register(app: typer.Typer) -> None:
    """Add this module's top-level commands to the main app."""
    app.command("fetch")(fetch_command)


def fetch_command(
    ticket: str = typer.Argument(..., help="Ticket key, e.g. SUP-12."),
    justification: str = typer.Option(
        ...,
        "--justification",
        help="Why you open this customer's data (recorded in the audit log).",
    ),
    out: Path = typer.Option(
        Path("."), "--out", help="Folder to download into (a KEY folder is made)."
    ),
    desk: str = typer.Option(None, "--desk", help="Sitrep desk URL (or SITREP_DESK_URL)."),
    token: str = typer.Option(None, "--token", help="Your staff API token (or SITREP_TOKEN)."),
    identity: Path = typer.Option(
        None,
        "--identity",
        help="age identity file (AGE-SECRET-KEY-1...) to decrypt bundles encrypted to you.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Download TICKET's files, verify them, and extract bundles safely.

    Each file's SHA-256 is checked against the desk's listing, and each bundle member
    against the bundle's manifest, before anything is extracted.
    """
    from sitrep.client.fetch import fetch_ticket

    settings = get_settings()
    fetched = fetch_ticket(
        desk_url=desk or settings.require("desk_url"),
        token=token or settings.require("token"),
        key=ticket.strip().upper(),
        out=out,
        justification=justification,
        identity=identity,
    )
    if as_json:
        print_json([f.as_dict() for f in fetched])
        return
    for f in fetched:
        console.print(
            f"Downloaded {f.path} ({f.size:,} bytes, SHA-256 {f.sha256[:16]}…, matches the desk)",
            soft_wrap=True,
        )
        if f.extracted:
            console.print(
                f"Extracted {f.members} files to {f.extracted} (each checked against the manifest)",
                soft_wrap=True,
            )
