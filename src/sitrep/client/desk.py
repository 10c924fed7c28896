"""The native Sitrep desk client: tus uploads, JSM-compatible requests, staff downloads."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from sitrep.client.jsm import JsmClient
from sitrep.client.upload import Progress, TusUploader, UploadResult, raise_for_answer
from sitrep.errors import ValidationError

CHUNK = 1024 * 1024


class DeskClient:
    """Talk to a Sitrep desk with an installation token (report) or a staff token (fetch)."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 120.0, **retry: Any) -> None:
        self.base_url = base_url.rstrip("/")
        auth = {"Authorization": f"Bearer {token}"}
        self.jsm = JsmClient(self.base_url, headers=auth, timeout=timeout, **retry)
        self.http = httpx.Client(base_url=self.base_url, headers=auth, timeout=timeout)
        self.uploader = TusUploader(
            f"{self.base_url}/api/v1/uploads", headers=auth, http=self.http, **retry
        )

    def upload(
        self, path: Path, *, state_file: Path | None = None, on_progress: Progress | None = None
    ) -> UploadResult:
        """Upload a file resumably; return its temporary attachment id."""
        return self.uploader.upload(path, state_file=state_file, on_progress=on_progress)

    def list_attachments(self, key: str) -> list[dict[str, Any]]:
        """Return a request's attachments (staff): id, filename, size, sha256, is_bundle."""
        response = self.http.get(f"/api/v1/requests/{key}/attachments")
        raise_for_answer(response, f"Listing the attachments of {key}")
        return list(response.json()["values"])

    def download(
        self,
        attachment: dict[str, Any],
        justification: str,
        dest: Path,
        on_progress: Callable[[int], None] | None = None,
    ) -> str:
        """Stream an attachment to ``dest`` and check its SHA-256 against the listing.

        Bytes go to ``dest.part`` first, which is renamed only after the hash matched, so
        a broken or tampered download never looks like a finished file.
        """
        part = dest.with_name(dest.name + ".part")
        digest = hashlib.sha256()
        url = f"/api/v1/attachments/{attachment['id']}/content"
        with self.http.stream("GET", url, params={"justification": justification}) as response:
            if not response.is_success:
                response.read()
                raise_for_answer(response, f"Downloading {attachment['filename']}")
            with part.open("wb") as out:
                for chunk in response.iter_bytes(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    if on_progress:
                        on_progress(len(chunk))
        return _accept(part, dest, digest.hexdigest(), attachment)

    def close(self) -> None:
        """Close the connection pools."""
        self.http.close()
        self.jsm.close()


def _accept(part: Path, dest: Path, sha256: str, attachment: dict[str, Any]) -> str:
    if sha256 != attachment["sha256"]:
        part.unlink(missing_ok=True)
        raise ValidationError(
            f"{attachment['filename']}: the downloaded bytes do not match the SHA-256 the "
            "desk listed; nothing was kept."
        )
    if dest.exists():
        part.unlink(missing_ok=True)
        raise ValidationError(f"{dest} already exists; choose another --out folder.")
    os.replace(part, dest)
    return sha256
