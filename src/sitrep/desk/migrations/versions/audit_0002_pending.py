"""Audit: a pending queue, so PostgreSQL writers commit in parallel and a sequencer chains them.

Revision ID: audit_0002
Revises: audit_0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "audit_0002"
down_revision = "audit_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_pending",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("ticket", sa.String(64), nullable=True),
        sa.Column("tenant", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("private_digest", sa.String(64), nullable=True),
        sa.Column("salt", sa.String(64), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("audit_pending")
