"""Fixtures of the desk tests: personas with real tokens in the test's database."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest


@dataclass
class Persona:
    """A caller with a real token; ``id`` is the staff user's or installation's id."""

    email: str | None
    token: str
    id: int
    org_id: int | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def add_staff(desk_app, email: str, role: str, firm: str | None = None) -> Persona:
    """Create a staff user in the app's database and return it with its token."""
    from sitrep.desk.db import transaction
    from sitrep.desk.services.identity import add_staff as add

    with transaction(desk_app.state.sessions) as session:
        user, token = add(session=session, email=email, role=role, firm=firm)
        return Persona(email=user.email, token=token, id=user.id)


def add_installation(desk_app, org: str) -> Persona:
    """Register an installation for ``org`` and return it with its token."""
    from sitrep.desk.db import transaction
    from sitrep.desk.services.identity import add_installation as add

    with transaction(desk_app.state.sessions) as session:
        inst, token = add(session=session, org_name=org, app="acme-reports")
        return Persona(email=None, token=token, id=inst.id, org_id=inst.org_id)


def add_valid_agreement(desk_app, firm: str) -> None:
    """Give ``firm`` a signed agreement valid from a year ago to a year ahead."""
    from datetime import UTC, datetime, timedelta

    from sitrep.desk.auth import OPERATOR
    from sitrep.desk.db import transaction
    from sitrep.desk.services.agreements import AgreementIn, add_agreement

    now = datetime.now(UTC)
    year = timedelta(days=365)
    data = AgreementIn(firm, now - year, now + year, signed_at=now - year)
    with transaction(desk_app.state.sessions) as session:
        add_agreement(session=session, data=data, actor=OPERATOR)


def make_people(desk_app) -> dict[str, Persona]:
    """Create the staff personas of DESIGN §7 plus two installations of different customers.

    The subcontractor's firm holds a valid agreement (without one the policy denies them).
    """
    add_valid_agreement(desk_app, "Partner Ltd")
    return {
        "root": add_staff(desk_app, "root@vendor.example", "admin"),
        "sam": add_staff(desk_app, "sam@vendor.example", "support"),
        "dev": add_staff(desk_app, "dev@vendor.example", "development"),
        "sub": add_staff(desk_app, "sub@partner.example", "subcontractor", firm="Partner Ltd"),
        "acme": add_installation(desk_app, "Acme Corp"),
        "globex": add_installation(desk_app, "Globex"),
    }


@pytest.fixture
def people(desk_app) -> dict[str, Persona]:
    """The personas, with tokens, in the test's database."""
    return make_people(desk_app)


@pytest.fixture
def people_factory():
    """Return ``make_people``, for tests that build their own app."""
    return make_people


def _raise_ticket(client, persona: Persona, email: str = "alice@acme.example", **fields) -> dict:
    """Raise a request on SUP ("Report a problem") and return the JSM response body."""
    body = {
        "serviceDeskId": "1",
        "requestTypeId": "1",
        "requestFieldValues": {"summary": "Export fails", "description": "Timeout", **fields},
        "raiseOnBehalfOf": email,
    }
    response = client.post("/rest/servicedeskapi/request", json=body, headers=persona.headers)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def raise_ticket():
    """Return a function that raises a request on SUP and returns the JSM response body."""
    return _raise_ticket


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve ``app`` with a real uvicorn on 127.0.0.1 in a thread; yield its base URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def serve_app():
    """Return ``serve``, a context manager that serves an app on 127.0.0.1."""
    return serve


@pytest.fixture
def port_factory():
    """Return ``free_port``."""
    return free_port
