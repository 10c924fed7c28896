"""The native staff API: queue with filters, details, assign, transition, internal comments."""

from __future__ import annotations


def _three_tickets(client, people, raise_ticket):
    raise_ticket(client, people["acme"], email="alice@acme.example", summary="Export fails")
    raise_ticket(client, people["acme"], email="bob@acme.example", summary="Slow dashboard")
    raise_ticket(client, people["globex"], email="carol@globex.example", summary="Export is empty")


def keys(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["key"] for r in response.json()["values"]]


def test_the_queue_filters_by_text_org_status_assignee_and_desk(client, people, raise_ticket):
    _three_tickets(client, people, raise_ticket)
    sam = people["sam"].headers
    assert keys(client.get("/api/v1/requests", headers=sam)) == ["SUP-3", "SUP-2", "SUP-1"]
    assert keys(client.get("/api/v1/requests?text=EXPORT", headers=sam)) == ["SUP-3", "SUP-1"]
    assert keys(client.get("/api/v1/requests?org=Acme Corp", headers=sam)) == ["SUP-2", "SUP-1"]
    client.post(
        "/api/v1/requests/SUP-2/assign", json={"assignee": "sam@vendor.example"}, headers=sam
    )
    assert keys(client.get("/api/v1/requests?assignee=me", headers=sam)) == ["SUP-2"]
    assert keys(client.get("/api/v1/requests?assignee=none", headers=sam)) == ["SUP-3", "SUP-1"]
    client.post(
        "/api/v1/requests/SUP-1/transition", json={"transition": "Start progress"}, headers=sam
    )
    assert keys(client.get("/api/v1/requests?status=In progress", headers=sam)) == ["SUP-1"]
    assert keys(client.get("/api/v1/requests?desk=SUP&limit=1", headers=sam)) == ["SUP-3"]
    assert client.get("/api/v1/requests?desk=NOPE", headers=sam).status_code == 404


def test_assigning_to_a_subcontractor_lets_them_see_only_that_ticket(client, people, raise_ticket):
    _three_tickets(client, people, raise_ticket)
    sub = people["sub"].headers
    assert keys(client.get("/api/v1/requests", headers=sub)) == []
    response = client.post(
        "/api/v1/requests/SUP-2/assign",
        json={"assignee": "sub@partner.example"},
        headers=people["sam"].headers,
    )
    assert response.json()["assignee"] == "sub@partner.example"
    assert keys(client.get("/api/v1/requests", headers=sub)) == ["SUP-2"]
    assert client.get("/api/v1/requests/SUP-1", headers=sub).status_code == 404
    # A subcontractor may not reassign, even their own ticket.
    again = client.post("/api/v1/requests/SUP-2/assign", json={"assignee": None}, headers=sub)
    assert again.status_code == 403


def test_assigning_to_an_unknown_person_is_a_400(client, people, raise_ticket):
    _three_tickets(client, people, raise_ticket)
    response = client.post(
        "/api/v1/requests/SUP-1/assign",
        json={"assignee": "x@y.example"},
        headers=people["sam"].headers,
    )
    assert response.status_code == 400


def test_escalation_shows_the_ticket_to_development(client, people, raise_ticket):
    _three_tickets(client, people, raise_ticket)
    assert keys(client.get("/api/v1/requests", headers=people["dev"].headers)) == []
    detail = client.post(
        "/api/v1/requests/SUP-1/transition",
        json={"transition": "41", "comment": "Needs a code fix"},
        headers=people["sam"].headers,
    ).json()
    assert (detail["status"], detail["escalated"]) == ("Escalated", True)
    assert keys(client.get("/api/v1/requests", headers=people["dev"].headers)) == ["SUP-1"]


def test_internal_comments_stay_hidden_from_the_installation(client, people, raise_ticket):
    _three_tickets(client, people, raise_ticket)
    made = client.post(
        "/api/v1/requests/SUP-1/comments",
        json={"body": "Internal: check logs"},
        headers=people["dev"].headers,
    )
    assert made.status_code == 404  # development does not see unescalated tickets
    made = client.post(
        "/api/v1/requests/SUP-1/comments",
        json={"body": "Internal: check logs"},
        headers=people["sam"].headers,
    )
    assert made.status_code == 201 and made.json()["public"] is False
    seen = client.get("/rest/servicedeskapi/request/SUP-1/comment", headers=people["acme"].headers)
    assert seen.json()["values"] == []
    staff_view = client.get(
        "/rest/servicedeskapi/request/SUP-1/comment", headers=people["sam"].headers
    )
    assert [c["body"] for c in staff_view.json()["values"]] == ["Internal: check logs"]


def test_the_openapi_document_describes_the_native_api_with_response_models(client):
    schema = client.get("/openapi.json").json()
    queue = schema["paths"]["/api/v1/requests"]["get"]
    assert queue["x-sitrep-action"] == "queue.view"
    ref = queue["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/QueuePage")
    assert {"RequestSummary", "RequestDetail", "AttachmentList"} <= set(
        schema["components"]["schemas"]
    )


def test_staff_set_priority_and_labels_and_filter_by_label(client, people, raise_ticket):
    _three_tickets(client, people, raise_ticket)
    sam = people["sam"].headers
    edited = client.patch(
        "/api/v1/requests/SUP-2",
        json={"priority": "High", "labels": ["pdf", "regression", "pdf"]},
        headers=sam,
    )
    assert edited.status_code == 200
    assert (edited.json()["priority"], edited.json()["labels"]) == ("High", ["pdf", "regression"])
    assert keys(client.get("/api/v1/requests?label=pdf", headers=sam)) == ["SUP-2"]
    bad = client.patch("/api/v1/requests/SUP-2", json={"priority": "Urgent!!"}, headers=sam)
    assert bad.status_code == 400 and "Highest" in bad.json()["errorMessage"]
    denied = client.patch(
        "/api/v1/requests/SUP-2", json={"priority": "Low"}, headers=people["dev"].headers
    )
    assert denied.status_code == 404  # development does not see unescalated tickets
