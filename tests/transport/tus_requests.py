"""Raw tus requests for the transport tests: create an upload, PATCH bytes at an offset."""

from __future__ import annotations

import base64

import httpx

TUS = {"Tus-Resumable": "1.0.0"}


def create(live_desk, auth, length: int, name: str = "bundle.zip") -> str:
    """Create an upload of ``length`` bytes named ``name``; return its URL."""
    meta = "filename " + base64.b64encode(name.encode()).decode()
    response = httpx.post(
        f"{live_desk.url}/api/v1/uploads",
        headers={**auth, **TUS, "Upload-Length": str(length), "Upload-Metadata": meta},
    )
    assert response.status_code == 201, response.text
    return response.headers["location"]


def patch(
    url,
    auth,
    offset: int,
    body: bytes,
    checksum: bytes | None = None,
    sha256: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """PATCH ``body`` at ``offset``, with an Upload-Checksum digest, a whole-file hash and
    any other ``headers``."""
    headers = {
        **auth,
        **TUS,
        "Upload-Offset": str(offset),
        "Content-Type": "application/offset+octet-stream",
        **(headers or {}),
    }
    if checksum is not None:
        headers["Upload-Checksum"] = "sha256 " + base64.b64encode(checksum).decode()
    if sha256 is not None:
        headers["Sitrep-Upload-Sha256"] = sha256
    return httpx.patch(url, content=body, headers=headers)
