"""Uploads: resumable tus uploads and temporary files.

Revision ID: uploads_0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "uploads_0001"
down_revision = None
branch_labels = ("uploads",)
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner_kind", sa.String(20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("refusal", sa.Text(), nullable=True),
        sa.Column("temporary_file_id", sa.String(36), nullable=True),
        _when("created_at"),
        _when("expires_at"),
    )
    op.create_index("ix_uploads_owner_id", "uploads", ["owner_id"])
    op.create_index("ix_uploads_expires_at", "uploads", ["expires_at"])
    op.create_table(
        "temporary_files",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner_kind", sa.String(20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("blob_key", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=True),
        _when("created_at"),
        _when("expires_at"),
        _when("claimed_at", nullable=True),
    )
    op.create_index("ix_temporary_files_owner_id", "temporary_files", ["owner_id"])
    op.create_index("ix_temporary_files_blob_key", "temporary_files", ["blob_key"])
    op.create_index("ix_temporary_files_expires_at", "temporary_files", ["expires_at"])


def downgrade() -> None:
    op.drop_table("temporary_files")
    op.drop_table("uploads")
