"""Fixtures of the desk tests: personas with real tokens in the test's database."""

from __future__ import annotations

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


@pytest.fixture
def people(desk_app) -> dict[str, Persona]:
    """The staff personas of DESIGN §7 plus two installations of different customers."""
    return {
        "root": add_staff(desk_app, "root@vendor.example", "admin"),
        "sam": add_staff(desk_app, "sam@vendor.example", "support"),
        "dev": add_staff(desk_app, "dev@vendor.example", "development"),
        "sub": add_staff(desk_app, "sub@partner.example", "subcontractor", firm="Partner Ltd"),
        "acme": add_installation(desk_app, "Acme Corp"),
        "globex": add_installation(desk_app, "Globex"),
    }


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
