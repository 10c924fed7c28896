"""A client that drops its connection in the middle of a PATCH body: the desk keeps the
bytes that arrived when no checksum was sent, and discards the partial chunk when one was
(it cannot be verified). Raw sockets against a live uvicorn, since no HTTP client sends
half a body on purpose."""

from __future__ import annotations

import base64
import hashlib
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from sitrep.desk.models.uploads import TemporaryFile

TUS = {"Tus-Resumable": "1.0.0"}


def _create(live_desk, auth, length: int) -> str:
    headers = {**auth, **TUS, "Upload-Length": str(length)}
    response = httpx.post(f"{live_desk.url}/api/v1/uploads", headers=headers)
    assert response.status_code == 201
    return response.headers["location"]


def _half_patch(url: str, token: str, body: bytes, sent: int, checksum: bool) -> None:
    """Send PATCH headers announcing all of ``body`` but only ``sent`` bytes, then hang up."""
    parts = urlsplit(url)
    lines = [
        f"PATCH {parts.path} HTTP/1.1",
        f"Host: {parts.netloc}",
        f"Authorization: Bearer {token}",
        "Tus-Resumable: 1.0.0",
        "Upload-Offset: 0",
        "Content-Type: application/offset+octet-stream",
        f"Content-Length: {len(body)}",
    ]
    if checksum:
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        lines.append(f"Upload-Checksum: sha256 {digest}")
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body[:sent])
        time.sleep(0.3)  # let the desk read what was sent before the line drops


def _offset_when_settled(url: str, auth) -> int:
    # The desk notices the hang-up asynchronously; wait until the PATCH has let go.
    for _ in range(50):
        head = httpx.head(url, headers={**auth, **TUS})
        offset = int(head.headers["upload-offset"])
        probe = httpx.patch(
            url,
            content=b"",
            headers={
                **auth,
                **TUS,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
        )
        if probe.status_code == 204:
            return offset
        time.sleep(0.1)
    raise AssertionError("the interrupted PATCH never finished")


@pytest.mark.parametrize(("checksum", "kept"), [(False, 600_000), (True, 0)])
def test_a_dropped_connection_keeps_or_discards_the_partial_chunk(
    live_desk, desk_app, installation_token, auth, checksum, kept
):
    body = bytes(range(256)) * 4000  # 1,024,000 bytes
    url = _create(live_desk, auth, len(body))
    _half_patch(url, installation_token, body, 600_000, checksum)
    assert _offset_when_settled(url, auth) == kept
    rest = httpx.patch(
        url,
        content=body[kept:],
        headers={
            **auth,
            **TUS,
            "Upload-Offset": str(kept),
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert rest.status_code == 204 and "sitrep-temporary-attachment-id" in rest.headers
    # The desk hashes the file as it arrives; the kept or discarded bytes must not skew it.
    with desk_app.state.sessions() as session:
        temp = session.get_one(TemporaryFile, rest.headers["sitrep-temporary-attachment-id"])
    assert temp.sha256 == hashlib.sha256(body).hexdigest()
