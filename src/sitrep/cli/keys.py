"""`sitrep desk rotate-master-key` and `sitrep desk passwd`: key and password administration.

Add to the desk's CLI with ``keys.register(desk.app)``. Server-stack imports stay inside the
commands, so the customer-side CLI does not load them.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import typer

from sitrep.cli.common import console, print_json


def desk_sessions() -> Any:
    """Return a session factory on the configured desk database."""
    from sitrep.config import load_settings
    from sitrep.desk.db import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(load_settings().effective_database_url))


def operator_details() -> dict[str, str]:
    """Return who ran the command, for the audit entry's private details (not hashed)."""
    return {"os_user": getpass.getuser(), "via": "cli"}


def rotate_master_key(
    new_key_file: Path = typer.Option(
        ..., "--new-key-file", help="File holding the new master key (base64 of 32 bytes)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Rewrap every data key from SITREP_MASTER_KEY to a new master key."""
    from sitrep.config import load_settings
    from sitrep.desk import audit, crypto
    from sitrep.desk.auth import OPERATOR
    from sitrep.errors import ConfigError

    old = crypto.master_key_from_settings(load_settings())
    try:
        new = crypto.MasterKey.from_b64(new_key_file.read_text(), name=str(new_key_file))
    except OSError as exc:
        raise ConfigError(f"Cannot read {new_key_file}: {exc.strerror}.") from None
    # The rotation commits batch by batch (so it can resume), hence a plain session here.
    with desk_sessions()() as session:
        count = crypto.rotate_master_key(session=session, old=old, new=new)
        audit.record(
            session=session,
            actor=OPERATOR,
            action="keys.rotate",
            target=f"master-key:{new.key_id}",
            details={
                "from": old.key_id,
                "to": new.key_id,
                "rewrapped": count,
                **operator_details(),
            },
        )
        session.commit()
    result = {"rewrapped": count, "from": old.key_id, "to": new.key_id}
    if as_json:
        print_json(result)
        return
    console.print(f"Rewrapped {count} data keys from master key {old.key_id} to {new.key_id}.")
    console.print(
        "Now set SITREP_MASTER_KEY (or SITREP_MASTER_KEY_FILE) to the new key and restart the desk."
    )


def passwd(
    email: str = typer.Argument(..., help="The staff user's email address."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin."
    ),
) -> None:
    """Set a staff user's sign-in password (argon2id); prompts twice unless --password-stdin."""
    from sitrep.desk.auth import OPERATOR
    from sitrep.desk.services import signin

    if password_stdin:
        password = typer.get_text_stream("stdin").readline().rstrip("\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    with desk_sessions().begin() as session:
        user = signin.set_password(session=session, email=email, password=password, actor=OPERATOR)
        console.print(f"Password set for {user.email}; their open web sessions were signed out.")


def register(desk_app: typer.Typer) -> None:
    """Add the key and password commands to ``sitrep desk``."""
    desk_app.command("rotate-master-key")(rotate_master_key)
    desk_app.command("passwd")(passwd)
