"""Access: subcontractor agreements, web sessions, magic links and wrapped data keys.

Revision ID: access_0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "access_0001"
down_revision = None
branch_labels = ("access",)
# Sessions and magic links point at staff users and customers from the core branch.
depends_on = "core_0001"


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("firm", sa.String(200), nullable=False),
        sa.Column("scope", sa.String(200), nullable=False),
        _when("signed_at", nullable=True),
        _when("valid_from"),
        _when("valid_until"),
        _when("revoked_at", nullable=True),
        _when("created_at"),
    )
    op.create_index("ix_agreements_firm", "agreements", ["firm"])
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id"), nullable=True),
        _when("created_at"),
        _when("expires_at"),
        _when("revoked_at", nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_web_sessions_token_hash"),
    )
    op.create_index("ix_web_sessions_staff_id", "web_sessions", ["staff_id"])
    op.create_index("ix_web_sessions_customer_id", "web_sessions", ["customer_id"])
    op.create_table(
        "magic_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id"), nullable=False),
        _when("created_at"),
        _when("expires_at"),
        _when("used_at", nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_magic_links_token_hash"),
    )
    op.create_index("ix_magic_links_customer_id", "magic_links", ["customer_id"])
    op.create_table(
        "data_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("object_id", sa.String(200), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("ticket", sa.String(64), nullable=False),
        sa.Column("master_key_id", sa.String(16), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _when("created_at"),
        _when("rotated_at", nullable=True),
        sa.UniqueConstraint("object_id", name="uq_data_keys_object_id"),
    )
    op.create_index("ix_data_keys_master_key_id", "data_keys", ["master_key_id"])


def downgrade() -> None:
    for table in ("data_keys", "magic_links", "web_sessions", "agreements"):
        op.drop_table(table)
