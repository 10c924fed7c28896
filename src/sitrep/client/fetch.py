"""Staff side: download a ticket's files, verify them and extract bundles safely.

Every download is justified (the desk records it in the audit log before sending a byte),
checked against the SHA-256 the desk listed, and every bundle is extracted with
:func:`sitrep.bundle.validate.extract_zip`, which checks each member against the
bundle's manifest. Staff open the extracted folder, never the raw upload.

Bundles the customer encrypted to the vendor's age key (``sitrep bundle collect
--encrypt-to``, a ``.zip.age`` file) stay encrypted on the desk: the desk never holds the
vendor's age identity, so the plaintext first exists on the staff workstation, after the
desk's allowed and audited download, when ``--identity FILE`` decrypts it here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitrep.bundle.validate import extract_zip
from sitrep.client.desk import DeskClient
from sitrep.errors import NotFound, ValidationError

MIN_JUSTIFICATION = 10
AGE_MAGIC = b"age-encryption.org/v1"


@dataclass
class FetchedFile:
    """One downloaded attachment and, for a bundle, where it was extracted."""

    filename: str
    path: Path
    size: int
    sha256: str
    extracted: Path | None = None
    members: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "path": str(self.path),
            "size": self.size,
            "sha256": self.sha256,
            "extracted": str(self.extracted) if self.extracted else None,
            "members": self.members,
        }


def check_justification(text: str) -> str:
    """Return the justification, or refuse one too short to say why."""
    text = text.strip()
    if len(text) < MIN_JUSTIFICATION:
        raise ValidationError(
            f"The justification must say why you open this data (at least {MIN_JUSTIFICATION} "
            "characters).",
            fix='For example: --justification "SUP-12: customer asked us to look at the crash"',
        )
    return text


def local_name(attachment: dict[str, Any], taken: set[str]) -> str:
    """Return a safe, unique local file name for an attachment (never a path)."""
    name = Path(str(attachment["filename"]).replace("\\", "/")).name.strip()
    if not name or name.startswith("."):
        name = f"attachment-{attachment['id']}"
    if name in taken:
        name = f"{attachment['id']}-{name}"
    taken.add(name)
    return name


def load_identities(path: Path) -> list[Any]:
    """Read age identities (``AGE-SECRET-KEY-1...`` lines) from ``path``; never print them."""
    from pyrage import x25519

    try:
        lines = [ln.strip() for ln in path.read_text().splitlines()]
        keys = [x25519.Identity.from_str(ln) for ln in lines if ln and not ln.startswith("#")]
    except Exception as exc:  # OSError, UnicodeDecodeError and pyrage's own IdentityError
        raise ValidationError(
            f"{path} is not an age identity file ({type(exc).__name__}).",
            fix="Give the file age-keygen wrote (AGE-SECRET-KEY-1... lines).",
        ) from None
    if not keys:
        raise ValidationError(f"{path} holds no age identity.")
    return keys


def fetch_ticket(
    *,
    desk_url: str,
    token: str,
    key: str,
    out: Path,
    justification: str,
    identity: Path | None = None,
) -> list[FetchedFile]:
    """Download and verify every attachment of ticket ``key`` into ``out/KEY``.

    With ``identity``, bundles encrypted to the vendor's age key are decrypted here and
    extracted like any bundle; without it they are kept encrypted.
    """
    justification = check_justification(justification)
    identities = load_identities(identity) if identity else None
    client = DeskClient(desk_url, token)
    try:
        attachments = client.list_attachments(key)
        if not attachments:
            raise NotFound(f"{key} has no attachments.")
        folder = out / key
        folder.mkdir(parents=True, exist_ok=True)
        taken = {p.name for p in folder.iterdir()}
        fetched = [
            _fetch_one(client, a, folder, local_name(a, taken), justification) for a in attachments
        ]
        for item in fetched:
            if identities and _is_age(item.path):
                _open_age(item, identities, taken)
        return fetched
    finally:
        client.close()


def _fetch_one(
    client: DeskClient, attachment: dict[str, Any], folder: Path, name: str, justification: str
) -> FetchedFile:
    path = folder / name
    sha256 = client.download(attachment, justification, path)
    fetched = FetchedFile(
        filename=attachment["filename"], path=path, size=path.stat().st_size, sha256=sha256
    )
    if attachment.get("is_bundle"):
        target = folder / (path.stem if path.suffix == ".zip" else f"{name}.d")
        checked = extract_zip(path, target)
        fetched.extracted, fetched.members = target, len(checked.members)
    return fetched


def _is_age(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(AGE_MAGIC)) == AGE_MAGIC


def _open_age(item: FetchedFile, identities: list[Any], taken: set[str]) -> None:
    """Decrypt an age bundle next to its download, then extract it like any bundle."""
    import pyrage

    name = item.path.name.removesuffix(".age")
    if name in taken or name == item.path.name:
        name = f"decrypted-{name}"
    target, partial = item.path.with_name(name), item.path.with_name(f".{name}.partial")
    try:
        with item.path.open("rb") as src, partial.open("wb") as dst:
            pyrage.decrypt_io(src, dst, identities)
    except Exception as exc:  # pyrage.DecryptError and I/O errors: keep no partial plaintext
        partial.unlink(missing_ok=True)
        raise ValidationError(
            f"{item.path.name} could not be decrypted with the given identity "
            f"({type(exc).__name__}); it stays encrypted at {item.path}."
        ) from None
    os.replace(partial, target)
    folder = target.with_name(target.stem if target.suffix == ".zip" else f"{target.name}.d")
    checked = extract_zip(target, folder)
    item.extracted, item.members = folder, len(checked.members)
