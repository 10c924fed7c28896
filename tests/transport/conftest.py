"""Fixtures for the transport tests: tokens issued on the test's fresh desk database."""

from __future__ import annotations

import pytest


def _issue(desk_app, make):
    with desk_app.state.sessions() as session:
        token = make(session)
        session.commit()
    return token


@pytest.fixture
def installation_token(desk_app) -> str:
    """An installation token of the customer organization Acme."""
    from sitrep.desk.services.identity import add_installation

    return _issue(
        desk_app, lambda s: add_installation(session=s, org_name="Acme", app="reports")[1]
    )


@pytest.fixture
def other_installation_token(desk_app) -> str:
    """An installation token of another customer, Globex."""
    from sitrep.desk.services.identity import add_installation

    return _issue(desk_app, lambda s: add_installation(session=s, org_name="Globex")[1])


@pytest.fixture
def staff_token(desk_app) -> str:
    """A support engineer's API token (sam)."""
    from sitrep.desk.services.identity import add_staff

    return _issue(
        desk_app, lambda s: add_staff(session=s, email="sam@vendor.example", role="support")[1]
    )


@pytest.fixture
def auth(installation_token) -> dict[str, str]:
    return {"Authorization": f"Bearer {installation_token}"}


@pytest.fixture(scope="session")
def moto_endpoint():
    """A local moto server on 127.0.0.1 standing in for S3 (S3 cannot run here)."""
    from desk_process import free_port
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_env(monkeypatch):
    # boto3 reads its credentials from the environment; moto accepts any.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def s3_bucket(moto_endpoint, s3_env, tmp_path) -> str:
    """A fresh bucket on the moto server."""
    import boto3

    bucket = f"b{tmp_path.name.lower().replace('_', '-')[-40:]}"
    boto3.client("s3", endpoint_url=moto_endpoint).create_bucket(Bucket=bucket)
    return bucket
