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
