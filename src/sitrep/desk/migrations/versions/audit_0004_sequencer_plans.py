"""Audit: the PostgreSQL sequencer reads its queue through the index and chains a batch at once.

``sitrep_audit_sequence`` (audit_0003) chains the same way, to the same hashes; only how it
reaches its rows changes:

* the queue is small, so the planner read ``ORDER BY id LIMIT batch`` with a sequential scan
  and a sort: every pass read every row deleted since the last vacuum (autovacuum visits a
  database at most once a minute), so passes grew slower the longer appends went on. The
  function now runs with ``enable_seqscan = off``: the primary key index finds the oldest
  rows, and skips dead ones once their deletion is flushed;
* its statements were planned again on every call (custom plans for the function's
  variables); a generic plan is made once per connection;
* the entries, their private rows and the queue rows leave in one statement per pass
  instead of three per entry.

Measured with one writer that queues 8 entries (each INSERT committed synchronously), then
runs a pass, over three runs of 8,000 entries in a row: the database's CPU per entry for
the passes went 111, 155, 179 us with audit_0003 (155, 214, 219 in a database that had
seen 24,000 entries) and 74, 94, 77 us with this version (62-80 in the other).

Revision ID: audit_0004
Revises: audit_0003
Create Date: 2026-11-29
"""

import runpy
from pathlib import Path

from alembic import op

revision = "audit_0004"
down_revision = "audit_0003"
branch_labels = None
depends_on = None

COLUMNS = "ts, actor, role, action, target, ticket, tenant, outcome, private_digest"
# The SET clauses hold only while the function runs; synchronous_commit, set inside with
# set_config(..., true), lasts until the pass commits (see audit_0003 for why it is off).
SEQUENCE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION sitrep_audit_sequence(batch integer) RETURNS integer
LANGUAGE plpgsql
SET enable_seqscan = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    head_seq integer;
    head_hash bytea;
    r record;
    n integer := 0;
    ids bigint[] := '{{}}';
    seqs integer[] := '{{}}';
    hashes text[] := '{{}}';
BEGIN
    PERFORM 1 FROM audit_pending ORDER BY id LIMIT 1;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    PERFORM pg_advisory_xact_lock(1366649204);
    PERFORM set_config('synchronous_commit', 'off', true);
    SELECT seq, decode(hash, 'hex') INTO head_seq, head_hash FROM audit_head WHERE id = 1;
    FOR r IN SELECT id, before_seq, after_seq FROM audit_pending ORDER BY id LIMIT batch LOOP
        head_seq := head_seq + 1;
        head_hash := sha256(
            head_hash || r.before_seq || convert_to(head_seq::text, 'UTF8') || r.after_seq
        );
        n := n + 1;
        ids[n] := r.id;
        seqs[n] := head_seq;
        hashes[n] := encode(head_hash, 'hex');
    END LOOP;
    IF n = 0 THEN
        RETURN 0;
    END IF;
    WITH chained AS (
        SELECT * FROM unnest(ids, seqs, hashes) AS c(id, seq, hash)
    ), taken AS (
        DELETE FROM audit_pending p USING chained c WHERE p.id = c.id
        RETURNING p.*, c.seq AS chained_seq, c.hash AS chained_hash
    ), entries AS (
        INSERT INTO audit_entries (seq, {COLUMNS}, hash)
        SELECT chained_seq, {COLUMNS}, chained_hash FROM taken
    )
    INSERT INTO audit_private (seq, salt, payload)
    SELECT chained_seq, salt, payload FROM taken WHERE payload IS NOT NULL;
    UPDATE audit_head SET seq = head_seq, hash = encode(head_hash, 'hex') WHERE id = 1;
    RETURN n;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(SEQUENCE_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        previous = runpy.run_path(str(Path(__file__).with_name("audit_0003_sequencer.py")))
        op.execute(
            previous["SEQUENCE_FUNCTION"].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
        )
