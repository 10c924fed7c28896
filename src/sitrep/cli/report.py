"""`sitrep report`: raise a ticket on behalf of a user, with a bundle, in a desk or in JSM."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

from sitrep.cli.common import console, print_json
from sitrep.config import get_settings
from sitrep.errors import ConfigError, ValidationError


def register(app: typer.Typer) -> None:
    """Add this module's top-level commands to the main app."""
    app.command("report")(report_command)


def report_command(
    desk: str = typer.Option(None, "--desk", help="Sitrep desk URL (or SITREP_DESK_URL)."),
    jsm: str = typer.Option(None, "--jsm", help="Jira Service Management URL (or SITREP_JSM_URL)."),
    email: str = typer.Option(..., "--email", help="Raise the ticket on behalf of this address."),
    summary: str = typer.Option(..., "--summary", help="One line saying what went wrong."),
    description: str = typer.Option("", "--description", help="More detail for support."),
    bundle: Path = typer.Option(None, "--bundle", help="Support bundle zip to attach."),
    token: str = typer.Option(
        None,
        "--token",
        help="Installation token (desk) or JSM API token (SITREP_TOKEN, SITREP_JSM_TOKEN).",
    ),
    jsm_user: str = typer.Option(None, "--jsm-user", help="JSM account email (SITREP_JSM_USER)."),
    service_desk: str = typer.Option(None, "--service-desk", help="Desk id or key (default SUP)."),
    request_type: str = typer.Option(None, "--request-type", help="Request type id or name."),
    keep: bool = typer.Option(False, "--keep", help="Keep the local bundle after the upload."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Raise a ticket on behalf of EMAIL and attach the bundle.

    The bundle is checked locally, uploaded (resumably, to a Sitrep desk), and deleted
    once the server confirmed it, unless --keep is given.
    """
    from sitrep.client.report import Report, report_to_desk, report_to_jsm

    if "@" not in email.strip(" @"):
        raise ValidationError(
            f"'{email}' is not an email address.", fix="Pass --email user@example.com."
        )
    report = Report(
        email=email.strip(),
        summary=summary,
        description=description,
        bundle=bundle,
        keep=keep,
        service_desk=service_desk,
        request_type=request_type,
    )
    settings = get_settings()
    target, url = _target(desk, jsm, settings)
    if target == "jsm":
        user = jsm_user or settings.require("jsm_user")
        api_token = token or settings.require("jsm_token")
        result = report_to_jsm(report, jsm_url=url, email=user, api_token=api_token)
    else:
        with _progress(bundle, quiet=as_json) as on_progress:
            result = report_to_desk(
                report,
                desk_url=url,
                token=token or settings.require("token"),
                on_progress=on_progress,
            )
    _print(result.as_dict(), report, as_json)


def _target(desk: str | None, jsm: str | None, settings: Any) -> tuple[str, str]:
    if desk and jsm:
        raise ConfigError("Pass either --desk or --jsm, not both.")
    if jsm:
        return "jsm", jsm
    if desk:
        return "desk", desk
    if settings.desk_url:
        return "desk", settings.desk_url
    if settings.jsm_url:
        return "jsm", settings.jsm_url
    raise ConfigError(
        "No support system given.", fix="Pass --desk URL or --jsm URL (or set SITREP_DESK_URL)."
    )


class _progress:
    """A Rich progress bar for the upload when stderr is a terminal; nothing otherwise."""

    def __init__(self, bundle: Path | None, *, quiet: bool) -> None:
        self.enabled = bundle is not None and not quiet and sys.stderr.isatty()
        self.bar: Progress | None = None

    def __enter__(self) -> Any:
        if not self.enabled:
            return None
        self.bar = Progress(BarColumn(), DownloadColumn(), TransferSpeedColumn(), transient=True)
        self.bar.start()
        task = self.bar.add_task("upload", total=None)
        bar = self.bar
        return lambda done, total: bar.update(task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print(result: dict[str, Any], report: Any, as_json: bool) -> None:
    if as_json:
        print_json(result)
        return
    link = f": {result['link']}" if result.get("link") else "."
    console.print(f"Raised {result['key']} on behalf of {report.email}{link}", soft_wrap=True)
    for name in result["attached"]:
        console.print(f"Attached {name}.")
    if report.bundle is not None and result["bundleDeleted"]:
        console.print(
            f"Deleted the local bundle {report.bundle} (use --keep to keep it).", soft_wrap=True
        )
    elif report.bundle is not None:
        console.print(f"Kept the local bundle {report.bundle}.")
