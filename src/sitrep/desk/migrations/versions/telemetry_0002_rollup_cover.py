"""Telemetry: per-week totals (sharded) and a per-counter index for fast dashboard queries.

``telemetry_totals`` sums each counter per week over every version, in shards so that
concurrent reports rarely update the same row (a report picks a random shard). The
per-counter index serves breakdowns of one counter family; on PostgreSQL the counter
column uses the "C" collation so that a prefix is a bytewise range that index serves.

Revision ID: telemetry_0002
Revises: telemetry_0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "telemetry_0002"
down_revision = "telemetry_0001"
branch_labels = None
depends_on = None

COUNTER_C = sa.String(120).with_variant(sa.String(120, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "telemetry_totals",
        sa.Column("app", sa.String(64), primary_key=True),
        sa.Column("week", sa.String(8), primary_key=True),
        sa.Column("counter", COUNTER_C, primary_key=True),
        sa.Column("shard", sa.SmallInteger(), primary_key=True),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("clamped", sa.BigInteger(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "telemetry_rollups", "counter", type_=sa.String(120, collation="C"), nullable=False
        )
    op.create_index("ix_telemetry_rollups_counter", "telemetry_rollups", ["app", "counter", "week"])


def downgrade() -> None:
    op.drop_index("ix_telemetry_rollups_counter", table_name="telemetry_rollups")
    op.drop_table("telemetry_totals")
