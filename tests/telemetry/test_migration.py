"""Migration telemetry_0003 moves each report's counter rows into its inline JSON object,
and its downgrade moves them back (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import text

from sitrep.desk.db import make_engine
from sitrep.desk.migrate import alembic_config, upgrade

OLD_REPORT = (
    "INSERT INTO telemetry_reports (id, report_id, week, app, app_version, host_product, "
    "host_version, allowlist_version, x) VALUES (:id, :rid, '2026-W47', 'acme-reports', "
    "'2.4.1', 'jira', '9.12', 2, 0.25)"
)


def test_counters_move_inline_and_back(database_url):
    config = alembic_config(database_url)
    command.downgrade(config, "telemetry_0002")
    engine = make_engine(database_url)
    values = [(1, "dashboard/open", 10), (1, "export/format:csv", 2**53 - 1), (2, "a/b:<1000", 3)]
    with engine.begin() as conn:
        for pk in (1, 2, 3):  # report 3 carried no counter
            conn.execute(text(OLD_REPORT), {"id": pk, "rid": f"{pk:032x}"})
        conn.execute(
            text("INSERT INTO telemetry_values (report_pk, counter, n) VALUES (:p, :c, :n)"),
            [{"p": p, "c": c, "n": n} for p, c, n in values],
        )
    upgrade(database_url)
    engine.dispose()  # forget the old table's shape
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, counters FROM telemetry_reports ORDER BY id")).all()
    assert [(pk, json.loads(counters)) for pk, counters in rows] == [
        (1, {"dashboard/open": 10, "export/format:csv": 2**53 - 1}),
        (2, {"a/b:<1000": 3}),
        (3, {}),
    ]
    command.downgrade(config, "telemetry_0002")
    engine.dispose()
    with engine.connect() as conn:
        back = conn.execute(text("SELECT report_pk, counter, n FROM telemetry_values")).all()
    assert sorted(tuple(row) for row in back) == sorted(values)
    engine.dispose()
