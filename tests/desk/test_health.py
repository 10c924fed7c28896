"""The desk starts on a migrated database and answers its health check."""

import httpx


def test_it_answers_health_on_a_live_server(live_desk):
    response = httpx.get(f"{live_desk.url}/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_unknown_routes_answer_in_jsm_error_shape(client):
    response = client.get("/no/such/route")
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"errorMessage", "i18nErrorMessage"}


def test_the_desk_url_leads_a_browser_to_the_api_docs(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/docs"
    assert client.get("/docs").status_code == 200
