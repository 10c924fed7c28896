"""Staff side: download a ticket's files, verify them and extract bundles safely.

Every download is justified (the desk records it in the audit log before sending a byte),
checked against the SHA-256 the desk listed, and every bundle is extracted with
:func:`sitrep.bundle.validate.extract_zip`, which checks each member against the
bundle's manifest. Staff open the extracted folder, never the raw upload.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitrep.bundle.validate import extract_zip
from sitrep.client.desk import DeskClient
from sitrep.errors import NotFound, ValidationError

MIN_JUSTIFICATION = 10


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


def fetch_ticket(
    *, desk_url: str, token: str, key: str, out: Path, justification: str
) -> list[FetchedFile]:
    """Download and verify every attachment of ticket ``key`` into ``out/KEY``."""
    justification = check_justification(justification)
    client = DeskClient(desk_url, token)
    try:
        attachments = client.list_attachments(key)
        if not attachments:
            raise NotFound(f"{key} has no attachments.")
        folder = out / key
        folder.mkdir(parents=True, exist_ok=True)
        taken = {p.name for p in folder.iterdir()}
        return [
            _fetch_one(client, a, folder, local_name(a, taken), justification) for a in attachments
        ]
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
