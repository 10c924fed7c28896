"""`sitrep desk agreement` commands: subcontractor agreements."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import typer
from rich import box
from rich.table import Table

from sitrep.cli.common import console, make_app, print_json
from sitrep.cli.keys import desk_sessions
from sitrep.errors import ValidationError

app = make_app("Subcontractor agreements: who may act for the vendor, and until when.")


def parse_moment(text: str, option: str) -> datetime:
    """Parse ``YYYY-MM-DD`` (midnight UTC) or an ISO 8601 time (UTC unless it has an offset)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            f"{option}: '{text}' is not a date.", fix="Use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+00:00."
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _operator() -> Any:
    from sitrep.desk.auth import OPERATOR

    return OPERATOR


def _day(value: Any) -> str:
    # Dates only, so the table fits 80 columns; --json gives the exact seconds.
    return value[:10] if isinstance(value, str) else "-"


def _show(rows: list[dict[str, Any]]) -> None:
    table = Table(
        "id", "firm", "signed", "from", "until", "revoked", "valid now", box=box.SIMPLE_HEAD
    )
    for row in rows:
        days = (_day(row[k]) for k in ("signed_at", "valid_from", "valid_until", "revoked_at"))
        table.add_row(str(row["id"]), row["firm"], *days, "yes" if row["valid_now"] else "no")
    console.print(table)


@app.command("add")
def add(
    firm: str = typer.Argument(
        ..., help="The subcontractor firm, as on its staff accounts (--firm)."
    ),
    valid_from: str = typer.Option(
        ..., "--valid-from", help="First valid moment (YYYY-MM-DD = 00:00 UTC)."
    ),
    valid_until: str = typer.Option(
        ..., "--valid-until", help="First moment it is no longer valid."
    ),
    signed_at: str | None = typer.Option(
        None, "--signed-at", help="When it was signed (default: now)."
    ),
    scope: str = typer.Option("support", "--scope", help="What the firm may do, e.g. 'support'."),
    as_json: bool = typer.Option(False, "--json", help="Print the agreement as JSON."),
) -> None:
    """Record a signed agreement; the firm's staff may act from --valid-from until --valid-until."""
    from sitrep.desk.services import agreements

    data = agreements.AgreementIn(
        firm=firm,
        valid_from=parse_moment(valid_from, "--valid-from"),
        valid_until=parse_moment(valid_until, "--valid-until"),
        signed_at=parse_moment(signed_at, "--signed-at") if signed_at else None,
        scope=scope,
    )
    with desk_sessions().begin() as session:
        row = agreements.add_agreement(session=session, data=data, actor=_operator())
        shown = agreements.agreement_dict(row)
    if as_json:
        print_json(shown)
    else:
        console.print(
            f"Agreement {shown['id']} for {shown['firm']}: valid from {shown['valid_from']} "
            f"until {shown['valid_until']}.",
            soft_wrap=True,
        )


@app.command("revoke")
def revoke(
    firm: str = typer.Argument(..., help="The firm whose agreements end now."),
    as_json: bool = typer.Option(False, "--json", help="Print the revoked agreements as JSON."),
) -> None:
    """Revoke every agreement of FIRM, effective immediately."""
    from sitrep.desk.services import agreements

    with desk_sessions().begin() as session:
        rows = agreements.revoke_agreements(session=session, firm=firm, actor=_operator())
        shown = [agreements.agreement_dict(r) for r in rows]
    if as_json:
        print_json(shown)
    else:
        console.print(f"Revoked {len(shown)} agreement(s) of {firm}; its staff lost access now.")


@app.command("list")
def list_(
    firm: str | None = typer.Option(None, "--firm", help="Only this firm."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List agreements, newest first, with whether each is valid now."""
    from sitrep.desk.services import agreements

    now = datetime.now(UTC)
    with desk_sessions()() as session:
        rows = agreements.list_agreements(session=session, firm=firm)
        shown = [agreements.agreement_dict(r) for r in rows]
        for row, data in zip(rows, shown, strict=True):
            data["valid_now"] = agreements.agreement_is_valid(row, now)
    if as_json:
        print_json(shown)
    elif shown:
        _show(shown)
    else:
        console.print(
            "No agreements yet. Add one with: "
            "sitrep desk agreement add FIRM --valid-from D --valid-until D"
        )
