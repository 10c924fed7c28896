"""Temporary files: a bundle's digest, to check a repeated completing PATCH against.

Revision ID: uploads_0002
Revises: uploads_0001
Create Date: 2026-11-29

Files stored before it have none; they were checked against the whole file's SHA-256.
"""

import sqlalchemy as sa
from alembic import op

revision = "uploads_0002"
down_revision = "uploads_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("temporary_files", sa.Column("bundle_sha256", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("temporary_files", "bundle_sha256")
