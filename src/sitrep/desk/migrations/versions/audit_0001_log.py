"""Audit log: hash-chained entries, private side data, head row, checkpoints, append-only triggers.

Revision ID: audit_0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "audit_0001"
down_revision = None
branch_labels = ("audit",)
depends_on = None

GENESIS = "0" * 64

# Triggers make the log append-only for the application. A superuser can still bypass them
# (session_replication_role = replica, or dropping the trigger on SQLite), which is why
# `sitrep audit verify` re-hashes everything instead of trusting them.
PG_TRIGGERS = [
    """CREATE FUNCTION sitrep_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the audit log is append-only (% on %)', TG_OP, TG_TABLE_NAME; END $$""",
    """CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION sitrep_audit_append_only()""",
    """CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION sitrep_audit_append_only()""",
    """CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION sitrep_audit_append_only()""",
    """CREATE TRIGGER audit_private_no_update BEFORE UPDATE ON audit_private
    FOR EACH ROW EXECUTE FUNCTION sitrep_audit_append_only()""",
]
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER {table}_no_{op_name} BEFORE {op_name.upper()} ON {table}
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"""
    for table, op_name in [
        ("audit_entries", "update"),
        ("audit_entries", "delete"),
        ("audit_checkpoints", "update"),
        ("audit_checkpoints", "delete"),
        ("audit_private", "update"),
    ]
]


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("ticket", sa.String(64), nullable=True),
        sa.Column("tenant", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("private_digest", sa.String(64), nullable=True),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("hash", name="uq_audit_entries_hash"),
    )
    for column in ("action", "target", "ticket", "tenant"):
        op.create_index(f"ix_audit_entries_{column}", "audit_entries", [column])
    op.create_table(
        "audit_private",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    op.create_table(
        "audit_checkpoints",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("signed_at", sa.String(32), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
    )
    triggers = PG_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("audit_entries", "audit_checkpoints", "audit_private"):
            op.execute(f"DROP TABLE {table} CASCADE")
        op.execute("DROP FUNCTION sitrep_audit_append_only()")
    else:
        for table in ("audit_entries", "audit_checkpoints", "audit_private"):
            op.drop_table(table)
    op.drop_table("audit_head")
