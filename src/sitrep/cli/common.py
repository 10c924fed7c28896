"""What every CLI area shares: consoles, JSON output and the one error handler."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from sitrep.errors import SitrepError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def print_json(data: Any) -> None:
    """Print data as JSON on stdout, for ``--json`` and for scripts."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")


def report_error(exc: SitrepError) -> None:
    """Print a user error as one paragraph with its fix, never a traceback."""
    err_console.print(f"[bold red]Error:[/] {exc.message}", markup=True, soft_wrap=True)
    if exc.fix:
        err_console.print(exc.fix, markup=False, soft_wrap=True)


class SitrepGroup(TyperGroup):
    """A command group that turns Sitrep errors into exit 1 and Ctrl-C into exit 130."""

    # Typer 0.29 vendors its own click, so the context type is left open here.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except SitrepError as exc:
            report_error(exc)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("Interrupted; temporary files were removed.")
            raise typer.Exit(130) from None


def make_app(help_text: str) -> typer.Typer:
    """Return a Typer app for one area, with Sitrep's error handling."""
    return typer.Typer(
        help=help_text,
        cls=SitrepGroup,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
