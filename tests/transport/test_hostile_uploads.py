"""Every hostile zip sent through tus to a live desk is refused by the PATCH that completes
it: 422, JSM's error shape, the exact reason, and nothing becomes a temporary file."""

from __future__ import annotations

import base64

import httpx
import pytest
import transport_zips as z

from sitrep.config import load_settings
from sitrep.desk.models.uploads import TemporaryFile, Upload

TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture
def desk_settings(database_url, tmp_path):
    """The shared desk settings with the corpus's caps: 100 members, ratio 200."""
    return load_settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        demo=True,
        secret_key="test-secret-key",
        smtp_url="console://",
        max_members=100,
        max_ratio=200,
    )


def _send(url: str, auth: dict[str, str], name: str, data: bytes) -> httpx.Response:
    meta = "filename " + base64.b64encode(name.encode()).decode()
    created = httpx.post(
        f"{url}/api/v1/uploads",
        headers={**auth, **TUS, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
    )
    assert created.status_code == 201, created.text
    headers = {**auth, **TUS, "Upload-Offset": "0"}
    headers["Content-Type"] = "application/offset+octet-stream"
    return httpx.patch(created.headers["location"], content=data, headers=headers)


def test_every_hostile_zip_is_refused_with_its_exact_reason(
    live_desk, desk_app, desk_settings, auth, tmp_path
):
    for kind, build, reason in z.HOSTILE:
        path = tmp_path / f"{kind}.zip"
        build(path)
        response = _send(live_desk.url, auth, path.name, path.read_bytes())
        assert response.status_code == 422, kind
        body = response.json()
        assert set(body) == {"errorMessage", "i18nErrorMessage"}
        assert body["errorMessage"].startswith(f"{kind}.zip: The zip was refused: "), kind
        assert reason in body["errorMessage"], kind
    with desk_app.state.sessions() as session:
        assert session.query(TemporaryFile).count() == 0
        assert {u.status for u in session.query(Upload)} == {"refused"}
    assert list((desk_settings.data_dir / "uploads").glob("*.part")) == []
