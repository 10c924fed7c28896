"""Telemetry: weekly reports, their counter values, rollups by week and version.

Revision ID: telemetry_0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "telemetry_0001"
down_revision = None
branch_labels = ("telemetry",)
depends_on = None

DIMENSIONS = ("app_version", "host_product", "host_version")


def _dimensions() -> list[sa.Column]:
    return [sa.Column(name, sa.String(64), nullable=False) for name in DIMENSIONS]


def upgrade() -> None:
    op.create_table(
        "telemetry_reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("report_id", sa.String(32), nullable=False),
        sa.Column("week", sa.String(8), nullable=False),
        sa.Column("app", sa.String(64), nullable=False),
        *_dimensions(),
        sa.Column("allowlist_version", sa.Integer(), nullable=False),
        sa.Column("x", sa.Float(), nullable=False),
        sa.UniqueConstraint("report_id", name="uq_telemetry_reports_report_id"),
    )
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
    # Primary keys lead with (app, week), the range every dashboard query filters on.
    op.create_table(
        "telemetry_rollups",
        sa.Column("app", sa.String(64), primary_key=True),
        sa.Column("week", sa.String(8), primary_key=True),
        sa.Column("counter", sa.String(120), primary_key=True),
        *[sa.Column(name, sa.String(64), primary_key=True) for name in DIMENSIONS],
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("clamped", sa.BigInteger(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
    )
    op.create_table(
        "telemetry_weeks",
        sa.Column("app", sa.String(64), primary_key=True),
        sa.Column("week", sa.String(8), primary_key=True),
        *[sa.Column(name, sa.String(64), primary_key=True) for name in DIMENSIONS],
        sa.Column("reports", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    for table in ("telemetry_weeks", "telemetry_rollups", "telemetry_values", "telemetry_reports"):
        op.drop_table(table)
