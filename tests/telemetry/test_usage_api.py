"""GET /api/v1/telemetry/usage and /weeks: staff-only aggregates, JSON and CSV, with cells
from fewer than k reports hidden everywhere, and optional DP noise."""

from __future__ import annotations

import csv
import io
import math
import statistics

import pytest
from telemetry_helpers import MIN_CELL, last_week, make_report

INGEST = "/api/v1/telemetry/reports"


def _send(client, count: int, **overrides) -> None:
    for _ in range(count):
        assert client.post(INGEST, json=make_report(**overrides)).status_code == 201


def _get(client, token: str, path: str = "/api/v1/telemetry/usage", **params):
    params.setdefault("app", "acme-reports")
    return client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})


def test_it_shows_cells_with_at_least_k_reports_and_hides_smaller_ones(
    telemetry_client, staff_token
):
    _send(telemetry_client, MIN_CELL, app_version="2.4.1")
    _send(telemetry_client, MIN_CELL - 1, app_version="2.5.0")
    body = _get(telemetry_client, staff_token, by="app_version").json()
    shown = {(v["app_version"], v["counter"]): (v["total"], v["reports"]) for v in body["values"]}
    assert shown == {
        ("2.4.1", "dashboard/open"): (10 * MIN_CELL, MIN_CELL),
        ("2.4.1", "export/format:csv"): (3 * MIN_CELL, MIN_CELL),
    }
    assert body["suppressed"] == 2
    assert body["min_cell"] == MIN_CELL
    # Without the breakdown, both versions fall into one cell that is large enough.
    total = _get(telemetry_client, staff_token, counter="dashboard/").json()["values"]
    assert total == [
        {
            "week": last_week(),
            "counter": "dashboard/open",
            "total": 10 * (2 * MIN_CELL - 1),
            "reports": 2 * MIN_CELL - 1,
        }
    ]


def test_the_csv_export_hides_the_same_cells(telemetry_client, staff_token):
    _send(telemetry_client, MIN_CELL, host_product="jira")
    _send(telemetry_client, 1, host_product="confluence")
    response = _get(telemetry_client, staff_token, by="host_product", format="csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["host_product"] for r in rows} == {"jira"}
    assert rows[0].keys() == {"week", "counter", "host_product", "total", "reports"}
    assert "confluence" not in response.text


def test_weekly_report_counts_are_suppressed_too(telemetry_client, staff_token):
    _send(telemetry_client, MIN_CELL, host_version="9.12")
    _send(telemetry_client, 1, host_version="8.20")
    path = "/api/v1/telemetry/weeks"
    body = _get(telemetry_client, staff_token, path, by="host_version").json()
    assert body["values"] == [{"week": last_week(), "host_version": "9.12", "reports": MIN_CELL}]
    assert body["suppressed"] == 1
    text = _get(telemetry_client, staff_token, path, by="host_version", format="csv").text
    assert text.splitlines() == ["week,host_version,reports", f"{last_week()},9.12,{MIN_CELL}"]


def test_only_staff_can_read_aggregates(telemetry_client, telemetry_app):
    from sitrep.desk.services.identity import add_installation

    with telemetry_app.state.sessions() as session:
        _, installation_token = add_installation(
            session=session, org_name="Acme", app="acme-reports"
        )
        session.commit()
    anonymous = telemetry_client.get("/api/v1/telemetry/usage", params={"app": "acme-reports"})
    assert anonymous.status_code == 401
    assert _get(telemetry_client, installation_token).status_code == 403


def test_bad_query_parameters_get_a_clear_400(telemetry_client, staff_token):
    assert (
        "ISO week"
        in _get(telemetry_client, staff_token, **{"from": "last year"}).json()["errorMessage"]
    )
    assert "break down" in _get(telemetry_client, staff_token, by="ip").json()["errorMessage"]
    assert _get(telemetry_client, staff_token, format="xml").status_code == 400


def test_the_allowlist_is_served_to_anyone(telemetry_client):
    body = telemetry_client.get("/api/v1/telemetry/allowlists/acme-reports").json()
    assert body["version"] == 2
    assert body["counters"][0]["name"] == "export/format:{csv,xlsx,pdf}"
    missing = telemetry_client.get("/api/v1/telemetry/allowlists/nope")
    assert missing.status_code == 404


def test_with_an_epsilon_published_numbers_are_noisy_but_stable(telemetry_app, staff_token):
    from fastapi.testclient import TestClient

    telemetry_app.state.settings = telemetry_app.state.settings.model_copy(
        update={"telemetry_epsilon": 0.5}
    )
    with TestClient(telemetry_app) as client:
        _send(client, 40, counters={"dashboard/open": 5})
        first = _get(client, staff_token).json()
        second = _get(client, staff_token).json()
    assert first == second  # The noise is seeded per cell: asking again reveals nothing new.
    assert first["epsilon"] == 0.5
    (cell,) = first["values"]
    assert cell["reports"] != 40 or cell["total"] != 200  # noise moved at least one number


def test_geometric_noise_has_the_documented_spread():
    from sitrep.desk.services.telemetry import geometric_noise

    epsilon = 1.0
    draws = [geometric_noise(epsilon, 1, b"k", f"cell{i}") for i in range(4000)]
    alpha = math.exp(-epsilon)
    expected_variance = 2 * alpha / (1 - alpha) ** 2
    assert abs(statistics.fmean(draws)) < 0.15
    assert statistics.pvariance(draws) == pytest.approx(expected_variance, rel=0.15)
    assert geometric_noise(epsilon, 1, b"k", "same") == geometric_noise(epsilon, 1, b"k", "same")
