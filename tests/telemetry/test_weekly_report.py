"""The weekly report: only allow-listed counters, sampled by X, sent once with retries and
never before the week is over; view() is exactly what is sent (real uvicorn desk)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from telemetry_helpers import (
    Clock,
    Recording,
    Served,
    closed_port_url,
    last_week,
    monday_of,
    table_counts,
)

from sitrep.config import load_settings
from sitrep.telemetry import Telemetry
from sitrep.telemetry.report import week_of

ARGS = {
    "app": "acme-reports",
    "app_version": "2.4.1",
    "host_product": "jira",
    "host_version": "9.12",
}
NO_WAIT = {"sleep": lambda _seconds: None}


def _opted_in(tmp_path, allowlist_file, endpoint, week=None, debug=False):
    """A host app that opted in on the Monday of ``week`` and counted on its Tuesday."""
    week = week or last_week()
    clock = Clock(monday_of(week))
    t = Telemetry(
        **ARGS,
        store=f"sqlite:///{tmp_path / 'host.db'}",
        allowlist=allowlist_file,
        endpoint=endpoint,
        clock=clock,
        default_mode="on",
        flush_interval=None,
        settings=load_settings(do_not_track=False, telemetry_debug=debug),
    )
    clock.now += timedelta(days=1)
    t.counter("export/format:csv").inc(3)
    t.counter("dashboard/open").inc(2)
    t.counter("internal/debug-flag").inc()  # counted locally, not in the allow-list
    clock.now = datetime.now(UTC)
    return t, clock


def test_it_sends_a_finished_week_once_and_view_was_exactly_what_went(
    tmp_path, allowlist_file, recorded_desk, telemetry_app
):
    t, _ = _opted_in(tmp_path, allowlist_file, recorded_desk.url)
    shown = t.view()
    assert shown["counters"] == {"dashboard/open": 2, "export/format:csv": 3}
    assert t.upload(**NO_WAIT) == {last_week(): "sent"}
    (sent,) = [r for r in recorded_desk.recorder.requests if r["method"] == "POST"]
    assert json.loads(sent["body"]) == shown
    assert t.upload(**NO_WAIT) == {}  # once only
    assert t.view(last_week()) == shown  # a sent week shows the body that was sent
    assert table_counts(telemetry_app)["telemetry_reports"] == 1


def test_nothing_is_sent_before_the_week_is_over(tmp_path, allowlist_file, recorded_desk):
    t, clock = _opted_in(tmp_path, allowlist_file, recorded_desk.url)
    clock.now = monday_of(last_week()) + timedelta(days=6, hours=13)  # Sunday 23:00
    assert t.due_weeks() == []
    assert t.upload(**NO_WAIT) == {}
    assert recorded_desk.recorder.requests == []


def test_a_report_is_retried_until_the_desk_answers(tmp_path, allowlist_file, telemetry_app):
    flaky = Recording(telemetry_app, fail_first=2)
    with Served(flaky) as served:
        t, _ = _opted_in(tmp_path, allowlist_file, served.url)
        sleeps: list[float] = []
        assert t.upload(sleep=sleeps.append) == {last_week(): "sent"}
    posts = [r for r in flaky.requests if r["method"] == "POST"]
    assert len(posts) == 3
    assert len({r["body"] for r in posts}) == 1  # the same report id each time
    assert sleeps == [1.0, 2.0]


def test_an_unreachable_desk_leaves_the_week_due(tmp_path, allowlist_file):
    t, _ = _opted_in(tmp_path, allowlist_file, closed_port_url())
    assert t.upload(**NO_WAIT) == {last_week(): "failed"}
    assert t.due_weeks() == [last_week()]


def test_a_refused_report_is_not_retried(tmp_path, allowlist_file, recorded_desk):
    # The host app ships a newer allow-list than the desk knows: the desk says 400.
    newer = tmp_path / "newer.yaml"
    newer.write_text(allowlist_file.read_text() + '  - name: "brand/new"\n    rate: 1.0\n')
    t, clock = _opted_in(tmp_path, newer, recorded_desk.url)
    clock.now = monday_of(last_week()) + timedelta(days=2)
    t.counter("brand/new").inc()
    clock.now = datetime.now(UTC)
    assert t.upload(**NO_WAIT) == {last_week(): "rejected"}
    assert t.upload(**NO_WAIT) == {}
    assert t.status()["rejected_weeks"] == [last_week()]


def test_the_debug_switch_prints_the_report_instead_of_sending_it(
    tmp_path, allowlist_file, recorded_desk, capsys
):
    t, _ = _opted_in(tmp_path, allowlist_file, recorded_desk.url, debug=True)
    assert t.upload(**NO_WAIT) == {last_week(): "printed"}
    printed = capsys.readouterr().err
    assert printed.startswith("[sitrep telemetry] ")
    assert json.loads(printed.split(" ", 2)[2]) == t.view()
    assert [r for r in recorded_desk.recorder.requests if r["method"] == "POST"] == []


@pytest.mark.parametrize(("x", "sampled_in"), [(0.5, True), (0.5000001, False)])
def test_x_decides_which_sampled_counters_a_report_carries(tmp_path, allowlist_file, x, sampled_in):
    t, clock = _opted_in(tmp_path, allowlist_file, None)
    clock.now = monday_of(last_week()) + timedelta(days=2)
    t.counter("report/schedule:daily").inc()  # rate 0.5 in the allow-list
    clock.now = datetime.now(UTC)
    t.store.add_report("acme-reports", last_week(), "f" * 32, x)  # fix this week's X
    counters = t.view(last_week())["counters"]
    assert ("report/schedule:daily" in counters) is sampled_in
    assert counters["dashboard/open"] == 2  # rate 1.0 is always in


def test_weeks_older_than_three_weeks_are_never_sent(tmp_path, allowlist_file, recorded_desk):
    old = week_of(datetime.now(UTC).date() - timedelta(days=35))
    t, _ = _opted_in(tmp_path, allowlist_file, recorded_desk.url, week=old)
    assert t.due_weeks() == []
    assert t.upload(**NO_WAIT) == {}


def test_the_allowlist_can_come_from_the_desk(tmp_path, telemetry_desk):
    clock = Clock(monday_of(last_week()))
    t = Telemetry(
        **ARGS,
        store=f"sqlite:///{tmp_path / 'host.db'}",
        endpoint=telemetry_desk.url,
        clock=clock,
        default_mode="on",
        flush_interval=None,
        settings=load_settings(),
    )
    clock.now += timedelta(days=1)
    t.counter("export/format:xlsx").inc()
    clock.now = datetime.now(UTC)
    assert t.upload(**NO_WAIT) == {last_week(): "sent"}
    # Once fetched (mode on), the copy in the host DB lets view work offline.
    assert t.allowlist().version == 2
