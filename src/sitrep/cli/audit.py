"""`sitrep audit verify` and `sitrep audit checkpoint`: check and pin the desk's audit log."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import typer

from sitrep.cli.common import console, err_console, make_app, print_json
from sitrep.cli.keys import desk_sessions

app = make_app("Check the desk's tamper-evident audit log, and sign checkpoints of it.")


def _public_key(public_key: str | None) -> Any:
    """Return the key to check signatures with: the option, else the desk's own signing key."""
    from sitrep.config import load_settings
    from sitrep.desk import audit

    if public_key:
        return audit.load_public_key(public_key)
    settings = load_settings()
    return audit.load_signing_key(settings).public_key() if settings.audit_signing_key else None


@app.command("verify")
def verify(
    checkpoint: Path | None = typer.Option(
        None,
        "--checkpoint",
        help="A checkpoint file held outside the database (from `checkpoint --out`).",
    ),
    public_key: str | None = typer.Option(
        None,
        "--public-key",
        help="Base64 Ed25519 public key (default: from SITREP_AUDIT_SIGNING_KEY).",
    ),
    workers: int = typer.Option(
        max(1, (os.cpu_count() or 1) // 2),
        "--workers",
        min=1,
        help="Processes that re-hash a large log (each keeps about two cores busy).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Re-hash the whole log; exit 1 naming the first bad entry if anything was changed."""
    from sitrep.desk import audit

    key = _public_key(public_key)
    trusted = audit.Checkpoint.from_file(checkpoint) if checkpoint else None
    with desk_sessions()() as session:
        report = audit.verify_chain(
            session=session, public_key=key, trusted=trusted, workers=workers
        )
    if as_json:
        print_json(report.to_dict())
    elif report.ok:
        console.print(
            f"OK: {report.entries} entries, chain head {report.last_hash[:16]}…, "
            f"{report.checkpoints} signed checkpoints verified"
            + (f", and your checkpoint at entry {report.trusted_seq} matches." if trusted else "."),
            soft_wrap=True,
        )
        if key is None:
            err_console.print(
                "Signatures were not checked: pass --public-key or set SITREP_AUDIT_SIGNING_KEY."
            )
    else:
        err_console.print(
            f"[bold red]FAILED at entry {report.bad_seq}:[/] {report.problem}", soft_wrap=True
        )
    if not report.ok:
        raise typer.Exit(1)


@app.command("checkpoint")
def checkpoint(
    out: Path | None = typer.Option(None, "--out", help="Also write the checkpoint to this file."),
    as_json: bool = typer.Option(False, "--json", help="Print the checkpoint as JSON."),
) -> None:
    """Verify the newest entries and sign a checkpoint of the log (run it hourly from cron)."""
    from sitrep.config import load_settings
    from sitrep.desk import audit

    key = audit.load_signing_key(load_settings())
    with desk_sessions().begin() as session:
        signed = audit.create_checkpoint(session=session, key=key)
    if signed is None:
        console.print("The audit log is empty; nothing to sign yet.")
        return
    data = {**signed.to_dict(), "public_key": audit.public_key_b64(key.public_key())}
    if out:
        out.write_text(json.dumps(data, indent=2) + "\n")
    if as_json:
        print_json(data)
    else:
        console.print(
            f"Checkpoint at entry {signed.seq}: {signed.hash} (signed {signed.signed_at})"
            + (f"; written to {out}" if out else ""),
            soft_wrap=True,
        )
