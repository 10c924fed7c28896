"""Telemetry: a report's counters kept inline, as a JSON object, instead of one row each.

``telemetry_values`` held one row per counter of every report (50 rows, a primary-key
entry and a foreign-key check each, for a typical report): half of PostgreSQL's work
per ingested report. The counters move into ``telemetry_reports.counters`` as the JSON
object the report carried; existing rows are copied over, and downgrade copies back.

Revision ID: telemetry_0003
Revises: telemetry_0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "telemetry_0003"
down_revision = "telemetry_0002"
branch_labels = None
depends_on = None

TO_JSON = {
    "postgresql": "(SELECT json_object_agg(v.counter, v.n ORDER BY v.counter)::text"
    " FROM telemetry_values AS v WHERE v.report_pk = telemetry_reports.id)",
    "sqlite": "(SELECT json_group_object(counter, n) FROM (SELECT v.counter, v.n"
    " FROM telemetry_values AS v WHERE v.report_pk = telemetry_reports.id ORDER BY v.counter))",
}
FROM_JSON = {
    "postgresql": "SELECT r.id, c.key, CAST(c.value AS bigint)"
    " FROM telemetry_reports AS r, json_each_text(CAST(r.counters AS json)) AS c",
    "sqlite": "SELECT r.id, c.key, c.value FROM telemetry_reports AS r, json_each(r.counters) AS c",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("telemetry_reports", sa.Column("counters", sa.Text(), nullable=True))
    op.execute(f"UPDATE telemetry_reports SET counters = coalesce({TO_JSON[dialect]}, '{{}}')")
    op.drop_table("telemetry_values")
    with op.batch_alter_table("telemetry_reports") as batch:
        batch.alter_column("counters", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "telemetry_values",
        sa.Column(
            "report_pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("telemetry_reports.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("counter", sa.String(120), primary_key=True),
        sa.Column("n", sa.BigInteger(), nullable=False),
    )
    op.execute(f"INSERT INTO telemetry_values (report_pk, counter, n) {FROM_JSON[dialect]}")
    # A plain DROP COLUMN: SQLite's batch mode would rebuild the table and, through the
    # foreign key's ON DELETE CASCADE, empty telemetry_values again.
    op.execute("ALTER TABLE telemetry_reports DROP COLUMN counters")
