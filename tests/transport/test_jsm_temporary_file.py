"""JSM's attachTemporaryFile, driven by atlassian-python-api's ServiceDesk against a live desk."""

from __future__ import annotations

import hashlib

import httpx
import pytest
import transport_zips as z
from atlassian import ServiceDesk
from requests.exceptions import HTTPError

from sitrep.desk.models.uploads import TemporaryFile


@pytest.fixture
def sam(live_desk, staff_token) -> ServiceDesk:
    return ServiceDesk(url=live_desk.url, username="sam@vendor.example", password=staff_token)


def _desk_id(sam: ServiceDesk) -> str:
    return sam.get_service_desks()[0]["id"]


def test_atlassian_python_api_attaches_a_temporary_bundle(sam, desk_app, tmp_path):
    bundle = z.write_bundle(tmp_path / "support.zip", z.sample_files())
    temp_id = sam.attach_temporary_file(_desk_id(sam), str(bundle))
    with desk_app.state.sessions() as session:
        temp = session.get_one(TemporaryFile, temp_id)
    assert temp.sha256 == hashlib.sha256(bundle.read_bytes()).hexdigest()
    assert temp.manifest is not None and temp.owner_kind == "staff"


def test_several_parts_each_become_a_temporary_file(live_desk, auth, tmp_path):
    files = [("file", ("a.log", b"alpha\n")), ("file", ("b.log", b"beta\n"))]
    response = httpx.post(
        f"{live_desk.url}/rest/servicedeskapi/servicedesk/1/attachTemporaryFile",
        headers={**auth, "X-Atlassian-Token": "no-check"},
        files=files,
    )
    assert response.status_code == 201
    names = [t["fileName"] for t in response.json()["temporaryAttachments"]]
    assert names == ["a.log", "b.log"]


def test_a_hostile_zip_is_refused_with_its_reason(sam, desk_app, tmp_path):
    path = z.named(tmp_path / "evil.zip", ["../../etc/cron.d/x"])
    with pytest.raises(HTTPError) as err:
        sam.attach_temporary_file(_desk_id(sam), str(path))
    assert err.value.response.status_code == 422
    assert str(err.value) == (
        "evil.zip: The zip was refused: member '../../etc/cron.d/x' has a '..' path component."
    )
    with desk_app.state.sessions() as session:
        assert session.query(TemporaryFile).count() == 0


def test_it_needs_the_xsrf_header_a_known_desk_and_credentials(live_desk, auth):
    url = f"{live_desk.url}/rest/servicedeskapi/servicedesk/1/attachTemporaryFile"
    files = {"file": ("a.log", b"alpha")}
    assert httpx.post(url, headers=auth, files=files).status_code == 403
    unknown = url.replace("/servicedesk/1/", "/servicedesk/999/")
    xsrf = {"X-Atlassian-Token": "no-check"}
    assert httpx.post(unknown, headers={**auth, **xsrf}, files=files).status_code == 404
    assert httpx.post(url, headers=xsrf, files=files).status_code == 401
    no_file = httpx.post(url, headers={**auth, **xsrf}, files={"other": ("a", b"x")})
    assert no_file.status_code == 400
    assert "part named 'file'" in no_file.json()["errorMessage"]
