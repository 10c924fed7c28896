"""Telemetry fixtures: an allow-list directory, a desk that loads it, staff tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from telemetry_helpers import ALLOWLIST, APP, MIN_CELL, Served


@pytest.fixture
def allowlist_dir(tmp_path: Path) -> Path:
    """A directory holding the allow-list of the test app."""
    directory = tmp_path / "allowlists"
    directory.mkdir()
    (directory / f"{APP}.yaml").write_text(ALLOWLIST)
    return directory


@pytest.fixture
def allowlist_file(allowlist_dir: Path) -> Path:
    return allowlist_dir / f"{APP}.yaml"


@pytest.fixture
def telemetry_settings(desk_settings, allowlist_dir: Path):
    """Desk settings with the allow-lists loaded and a small suppression threshold."""
    return desk_settings.model_copy(
        update={"telemetry_allowlists": allowlist_dir, "telemetry_min_cell": MIN_CELL}
    )


@pytest.fixture
def telemetry_app(telemetry_settings):
    from sitrep.desk.app import create_app

    app = create_app(telemetry_settings)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def telemetry_client(telemetry_app):
    from fastapi.testclient import TestClient

    with TestClient(telemetry_app) as test_client:
        yield test_client


@pytest.fixture
def staff_token(telemetry_app) -> str:
    """A support engineer's API token on the telemetry desk."""
    from sitrep.desk.services.identity import add_staff

    with telemetry_app.state.sessions() as session:
        _, token = add_staff(session=session, email="sam@vendor.example", role="support")
        session.commit()
    return token


@pytest.fixture
def telemetry_desk(telemetry_app) -> Iterator[Served]:
    """The telemetry desk served by a real uvicorn on 127.0.0.1."""
    with Served(telemetry_app) as served:
        yield served


@pytest.fixture
def recorded_desk(telemetry_app):
    """The telemetry desk behind a recorder of exact request bytes, on a real uvicorn."""
    from telemetry_helpers import Recording

    recorder = Recording(telemetry_app)
    with Served(recorder) as served:
        served.recorder = recorder
        yield served
