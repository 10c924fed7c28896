"""POST /api/v1/telemetry/reports: valid reports are stored once; bad input is a clear 4xx
that stores nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from telemetry_helpers import make_report, stored_counters, table_counts

from sitrep.telemetry.report import week_of

URL = "/api/v1/telemetry/reports"
EMPTY = {
    "telemetry_reports": 0,
    "telemetry_rollups": 0,
    "telemetry_totals": 0,
    "telemetry_weeks": 0,
}


def test_it_stores_a_valid_report_with_its_rollups(telemetry_client, telemetry_app):
    report = make_report()
    response = telemetry_client.post(URL, json=report)
    assert response.status_code == 201, response.text
    assert response.json() == {"status": "stored", "week": report["week"]}
    assert table_counts(telemetry_app) == {
        "telemetry_reports": 1,
        "telemetry_rollups": 2,
        "telemetry_totals": 2,
        "telemetry_weeks": 1,
    }
    # The raw report keeps its counters, so rollups can be rebuilt from it.
    assert stored_counters(telemetry_app) == {report["report_id"]: report["counters"]}


def test_it_adds_reports_of_the_same_cell_together(telemetry_client, telemetry_app):
    from sqlalchemy import text

    for n in (3, 4):
        telemetry_client.post(URL, json=make_report(counters={"export/format:csv": n}))
    with telemetry_app.state.engine.connect() as conn:
        row = conn.execute(text("SELECT total, reports FROM telemetry_rollups")).one()
    assert tuple(row) == (7, 2)


def test_a_replayed_report_id_answers_409_and_is_stored_once(telemetry_client, telemetry_app):
    report = make_report()
    assert telemetry_client.post(URL, json=report).status_code == 201
    replay = telemetry_client.post(URL, json=report)
    assert replay.status_code == 409
    assert "already received" in replay.json()["errorMessage"]
    assert table_counts(telemetry_app)["telemetry_reports"] == 1
    assert table_counts(telemetry_app)["telemetry_rollups"] == 2


def _bad(**overrides):
    return json.dumps(make_report(**overrides)).encode()


def _now_week(days: int) -> str:
    return week_of(datetime.now(UTC).date() + timedelta(days=days))


BAD_INPUTS = {
    "malformed JSON": (b'{"report_id": "ab', 400, "not valid JSON"),
    "not an object": (b"[1, 2]", 400, "Invalid report"),
    "NaN as X": (
        _bad().replace(b'"x":0.25', b'"x":NaN').replace(b'"x": 0.25', b'"x": NaN'),
        400,
        "JSON",
    ),
    "this week (not over)": (_bad(week=_now_week(0)), 400, "not over yet"),
    "a future week": (_bad(week=_now_week(21)), 400, "not over yet"),
    "more than 3 weeks old": (_bad(week=_now_week(-30)), 400, "more than 3 weeks ago"),
    "a week that does not exist": (_bad(week="2026-W60"), 400, "does not exist"),
    "a negative count": (_bad(counters={"dashboard/open": -1}), 400, "greater than or equal to 0"),
    "a count over 2^53": (_bad(counters={"dashboard/open": 2**53}), 400, "less than or equal"),
    "a count over 2^63": (_bad(counters={"dashboard/open": 2**63 + 5}), 400, "less than or equal"),
    "a float count": (_bad(counters={"dashboard/open": 1.5}), 400, "valid integer"),
    "a string count": (_bad(counters={"dashboard/open": "7"}), 400, "valid integer"),
    "an unlisted counter": (_bad(counters={"user/email:alice": 1}), 400, "'user/email:alice'"),
    "an unknown app": (_bad(app="other-app"), 400, "No allow-list for app 'other-app'"),
    "an extra field": (_bad(hostname="db1"), 400, "hostname"),
    "a missing field": (json.dumps({"report_id": "0" * 32}).encode(), 400, "week"),
    "a bad report id": (_bad(report_id="installation-42"), 400, "report_id"),
    "a newline in a version": (_bad(app_version="2.4.1\n"), 400, "app_version"),
    "X out of range": (_bad(x=1.5), 400, "x"),
    "an oversized report": (
        _bad(counters={f"export/long-feature-name-{i:05d}": 1 for i in range(3000)}),
        413,
        "at most",
    ),
}


def _midweek() -> datetime:
    """Return Wednesday noon (UTC) of the current ISO week.

    The desk accepts a week's report up to 12 hours before the week ends (client clock
    skew), so "this week is not over" only holds mid-week: pin the clock there.
    """
    today = datetime.now(UTC).date()
    wednesday = today - timedelta(days=today.weekday()) + timedelta(days=2)
    return datetime(wednesday.year, wednesday.month, wednesday.day, 12, tzinfo=UTC)


def test_every_bad_input_gets_a_clear_4xx_and_stores_nothing(telemetry_client, telemetry_app):
    # One database for all cases (a fresh one per case cost a minute of setup); every
    # case is still checked and reported on its own.
    with time_machine.travel(_midweek(), tick=True):
        wrong = _post_bad_inputs(telemetry_client, telemetry_app)
    assert wrong == []


def _post_bad_inputs(telemetry_client, telemetry_app) -> list[str]:
    wrong = []
    for case, (body, status, message) in BAD_INPUTS.items():
        response = telemetry_client.post(
            URL, content=body, headers={"Content-Type": "application/json"}
        )
        error = response.json().get("errorMessage", "")
        if response.status_code != status or message not in error:
            wrong.append(f"{case}: {response.status_code} {error!r}")
        if table_counts(telemetry_app) != EMPTY:
            wrong.append(f"{case}: stored rows {table_counts(telemetry_app)}")
    return wrong


def test_a_bad_report_in_a_stream_of_good_ones_leaves_no_partial_rows(
    telemetry_client, telemetry_app
):
    # The unlisted counter sorts last, after rows for listed counters could have been written.
    good = make_report()
    telemetry_client.post(URL, json=good)
    bad = make_report(counters={"dashboard/open": 1, "zzz/unlisted": 1})
    assert telemetry_client.post(URL, json=bad).status_code == 400
    assert stored_counters(telemetry_app) == {good["report_id"]: good["counters"]}
    assert table_counts(telemetry_app)["telemetry_rollups"] == 2


def test_an_oversized_body_is_refused_before_it_is_read(telemetry_client):
    response = telemetry_client.post(
        URL, content=b"{" + b" " * 70_000 + b"}", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_error_messages_do_not_quote_submitted_values(telemetry_client):
    response = telemetry_client.post(URL, json=make_report(host_version="alice@example.com"))
    assert response.status_code == 400
    assert "alice" not in response.text


def test_it_rate_limits_one_sender_without_keeping_its_address(telemetry_client, telemetry_app):
    from sitrep.desk.services.telemetry import IngestLimiter

    limiter = IngestLimiter(per_source=0.001, source_burst=2)
    telemetry_app.state.telemetry_limiter = limiter
    answers = [telemetry_client.post(URL, json=make_report()).status_code for _ in range(3)]
    assert answers == [201, 201, 429]
    # The buckets are keyed by a salted hash: the address itself is nowhere in memory state.
    assert all(b"testclient" not in key for key in limiter._buckets)
    assert table_counts(telemetry_app)["telemetry_reports"] == 2


def test_the_rate_limit_forgets_senders_when_the_salt_rotates():
    from sitrep.desk.services.telemetry import IngestLimiter
    from sitrep.errors import RateLimited

    limiter = IngestLimiter(per_source=0.001, source_burst=1, rotate_seconds=0.05)
    limiter.check("192.0.2.1")
    with pytest.raises(RateLimited):
        limiter.check("192.0.2.1")
    salt = limiter._salt
    import time

    time.sleep(0.06)
    limiter.check("192.0.2.1")
    assert limiter._salt != salt


def test_a_broken_allowlist_on_the_desk_answers_503_so_clients_retry(
    telemetry_client, telemetry_app, allowlist_dir
):
    (allowlist_dir / "broken.yaml").write_text("version: [\n")
    telemetry_app.state.telemetry_allowlists = None  # reload on the next request
    response = telemetry_client.post(URL, json=make_report())
    assert response.status_code == 503
    assert "allow-lists are invalid" in response.json()["errorMessage"]
    assert table_counts(telemetry_app) == EMPTY
