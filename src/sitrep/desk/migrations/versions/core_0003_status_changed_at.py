"""Requests: when the status last changed (JSM's statusDate), apart from any update.

Revision ID: core_0003
Revises: core_0002
Create Date: 2026-11-29

A plain ADD COLUMN (nullable, backfilled) rather than a batch rebuild: rebuilding
``requests`` on SQLite would drop a table that other tables reference.
"""

import sqlalchemy as sa
from alembic import op

revision = "core_0003"
down_revision = "core_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "requests", sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True)
    )
    # Existing requests: their last recorded status change (each has at least the first).
    op.execute(
        "UPDATE requests SET status_changed_at = (SELECT MAX(changed_at) FROM status_changes "
        "WHERE status_changes.request_id = requests.id)"
    )
    op.execute("UPDATE requests SET status_changed_at = updated_at WHERE status_changed_at IS NULL")


def downgrade() -> None:
    op.drop_column("requests", "status_changed_at")
