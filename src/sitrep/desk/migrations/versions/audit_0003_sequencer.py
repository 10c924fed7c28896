"""Audit: the PostgreSQL sequencer runs in the database, one statement per batch.

Each queued entry carries its canonical JSON in two halves, the bytes before and after its
``seq`` (which is not known until it is chained), computed by the writer in Python. The
function ``sitrep_audit_sequence`` takes the sequencer lock, then chains a batch:
``hash = sha256(previous hash || before_seq || seq || after_seq)``. A pass costs one round
trip instead of ten; ``sitrep audit verify`` still re-hashes every entry from its fields in
Python, so a chain the function got wrong would not verify.

Revision ID: audit_0003
Revises: audit_0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "audit_0003"
down_revision = "audit_0002"
branch_labels = None
depends_on = None

COLUMNS = "ts, actor, role, action, target, ticket, tenant, outcome, private_digest"
# Returns how many entries it chained (see sitrep.desk.audit.sequence_pending).
# 1366649204 is the key of the advisory lock that serialises passes; only this function
# takes it. Unlike a row lock it gives a pass that finds nothing to do no xid, so no flush.
SEQUENCE_FUNCTION = f"""
CREATE FUNCTION sitrep_audit_sequence(batch integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    head_seq integer;
    head_hash bytea;
    r record;
    chained integer := 0;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM audit_pending) THEN
        RETURN 0;
    END IF;
    PERFORM pg_advisory_xact_lock(1366649204);
    -- The entries are durable in the queue already. A pass lost in a crash (its commit not
    -- yet flushed: a fraction of a second) is undone as a whole, queue rows and head back,
    -- and its entries are chained again, possibly numbered otherwise than a reader saw in
    -- that moment. A checkpoint commits synchronously, which flushes every pass before it.
    PERFORM set_config('synchronous_commit', 'off', true);
    SELECT seq, decode(hash, 'hex') INTO head_seq, head_hash FROM audit_head WHERE id = 1;
    FOR r IN
        WITH taken AS (
            DELETE FROM audit_pending
            WHERE id IN (SELECT id FROM audit_pending ORDER BY id LIMIT batch)
            RETURNING *
        )
        SELECT * FROM taken ORDER BY id
    LOOP
        head_seq := head_seq + 1;
        head_hash := sha256(
            head_hash || r.before_seq || convert_to(head_seq::text, 'UTF8') || r.after_seq
        );
        INSERT INTO audit_entries (seq, {COLUMNS}, hash)
        VALUES (head_seq, r.ts, r.actor, r.role, r.action, r.target, r.ticket, r.tenant,
                r.outcome, r.private_digest, encode(head_hash, 'hex'));
        IF r.payload IS NOT NULL THEN
            INSERT INTO audit_private (seq, salt, payload) VALUES (head_seq, r.salt, r.payload);
        END IF;
        chained := chained + 1;
    END LOOP;
    IF chained > 0 THEN
        UPDATE audit_head SET seq = head_seq, hash = encode(head_hash, 'hex') WHERE id = 1;
    END IF;
    RETURN chained;
END $$
"""


def upgrade() -> None:
    op.add_column("audit_pending", sa.Column("before_seq", sa.LargeBinary(), nullable=True))
    op.add_column("audit_pending", sa.Column("after_seq", sa.LargeBinary(), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite chains each entry in its writer's transaction; it has no queue
    # Entries left queued by the previous sequencer get their halves here. The canonical
    # form is version 1 of the log and never changes (old entries must keep verifying).
    from sitrep.desk.audit import entry_halves

    conn = op.get_bind()
    rows = conn.execute(sa.text(f"SELECT id, {COLUMNS} FROM audit_pending")).all()
    for row in rows:
        before, after = entry_halves(*row[1:])
        conn.execute(
            sa.text("UPDATE audit_pending SET before_seq = :b, after_seq = :a WHERE id = :id"),
            {"b": before, "a": after, "id": row.id},
        )
    op.execute(SEQUENCE_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION sitrep_audit_sequence(integer)")
    with op.batch_alter_table("audit_pending") as batch:
        batch.drop_column("after_seq")
        batch.drop_column("before_seq")
