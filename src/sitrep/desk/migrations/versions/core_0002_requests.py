"""Service desks, request types, requests and their history, public reports, mail and jobs.

Revision ID: core_0002
Revises: core_0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "core_0002"
down_revision = "core_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_by", sa.String(length=100), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_run_after"), ["run_after"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_status"), ["status"], unique=False)

    op.create_table(
        "outbound_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_addr", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_mail")),
    )
    op.create_table(
        "service_desks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_desks")),
        sa.UniqueConstraint("key", name=op.f("uq_service_desks_key")),
    )
    op.create_table(
        "request_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("help_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["desk_id"], ["service_desks.id"], name=op.f("fk_request_types_desk_id_service_desks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_types")),
        sa.UniqueConstraint("desk_id", "name", name="uq_request_types_desk_id_name"),
    )
    with op.batch_alter_table("request_types", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_types_desk_id"), ["desk_id"], unique=False)

    op.create_table(
        "request_type_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_type_id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("field_type", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_type_id"],
            ["request_types.id"],
            name=op.f("fk_request_type_fields_request_type_id_request_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_type_fields")),
        sa.UniqueConstraint("request_type_id", "field_id", name="uq_request_type_fields_rt_field"),
    )
    with op.batch_alter_table("request_type_fields", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_type_fields_request_type_id"), ["request_type_id"], unique=False
        )

    op.create_table(
        "requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("request_type_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("extra_fields", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("raised_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("installation_id", sa.Integer(), nullable=True),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("shared_with_org", sa.Boolean(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("app", sa.String(length=100), nullable=True),
        sa.Column("app_version", sa.String(length=100), nullable=True),
        sa.Column("host_product", sa.String(length=100), nullable=True),
        sa.Column("host_version", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["staff_users.id"], name=op.f("fk_requests_assignee_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["desk_id"], ["service_desks.id"], name=op.f("fk_requests_desk_id_service_desks")
        ),
        sa.ForeignKeyConstraint(
            ["installation_id"],
            ["installations.id"],
            name=op.f("fk_requests_installation_id_installations"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_requests_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_staff_id"],
            ["staff_users.id"],
            name=op.f("fk_requests_raised_by_staff_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["customers.id"], name=op.f("fk_requests_reporter_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["request_type_id"],
            ["request_types.id"],
            name=op.f("fk_requests_request_type_id_request_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
        sa.UniqueConstraint("desk_id", "number", name="uq_requests_desk_id_number"),
        sa.UniqueConstraint("key", name=op.f("uq_requests_key")),
    )
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requests_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_requests_desk_id"), ["desk_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_requests_escalated"), ["escalated"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_requests_installation_id"), ["installation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_requests_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_requests_reporter_id"), ["reporter_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_requests_status"), ["status"], unique=False)

    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("author_kind", sa.String(length=20), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_comments_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comments_request_id"), ["request_id"], unique=False)

    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=60), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_idempotency_keys_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),
    )
    op.create_table(
        "pending_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("addr_hash", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_pending_reports_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_reports")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pending_reports_token_hash")),
    )
    with op.batch_alter_table("pending_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_reports_addr_hash"), ["addr_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pending_reports_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pending_reports_email"), ["email"], unique=False)

    op.create_table(
        "request_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_request_labels_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_labels")),
        sa.UniqueConstraint("request_id", "name", name="uq_request_labels_req_name"),
    )
    with op.batch_alter_table("request_labels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_labels_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "request_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_request_participants_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_request_participants_request_id_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_participants")),
        sa.UniqueConstraint("request_id", "customer_id", name="uq_request_participants_req_cust"),
    )
    with op.batch_alter_table("request_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_participants_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_request_participants_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_status_changes_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_changes")),
    )
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_status_changes_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("blob_key", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("is_bundle", sa.Boolean(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("added_by", sa.String(length=60), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_attachments_comment_id_comments")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_attachments_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachments_request_id"), ["request_id"], unique=False)

    _seed_default_desk()


def _seed_default_desk() -> None:
    """Give a fresh database the default desk SUP, so the system works before any setup.

    The values are copied here (not imported) so this migration never changes meaning.
    """
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    desks = sa.table(
        "service_desks",
        sa.column("id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("last_number", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    types = sa.table(
        "request_types",
        sa.column("id", sa.Integer),
        sa.column("desk_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("description", sa.Text),
        sa.column("help_text", sa.Text),
    )
    fields = sa.table(
        "request_type_fields",
        sa.column("request_type_id", sa.Integer),
        sa.column("field_id", sa.String),
        sa.column("name", sa.String),
        sa.column("description", sa.Text),
        sa.column("required", sa.Boolean),
        sa.column("field_type", sa.String),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        desks, [{"id": 1, "key": "SUP", "name": "Support", "last_number": 0, "created_at": now}]
    )
    op.bulk_insert(
        types,
        [
            {
                "id": 1,
                "desk_id": 1,
                "name": "Report a problem",
                "help_text": "",
                "description": "Something in the app does not work as expected. "
                "Attach a support bundle.",
            },
            {
                "id": 2,
                "desk_id": 1,
                "name": "Question",
                "help_text": "",
                "description": "Ask how something works.",
            },
        ],
    )
    problem = [
        ("summary", "Summary", True, "What went wrong, in one line"),
        ("description", "Description", False, "What you did, what you expected, what happened"),
        ("app", "App", False, "The app that has the problem"),
        ("appVersion", "App version", False, "Version of the app"),
        ("hostProduct", "Host product", False, "The product the app runs in (e.g. Jira)"),
        ("hostVersion", "Host version", False, "Version of the host product"),
    ]
    question = [
        ("summary", "Summary", True, "Your question, in one line"),
        ("description", "Description", False, "Details"),
    ]
    rows = [
        {
            "request_type_id": rt,
            "field_id": f,
            "name": n,
            "required": r,
            "description": d,
            "field_type": "string",
            "position": i,
        }
        for rt, spec in ((1, problem), (2, question))
        for i, (f, n, r, d) in enumerate(spec)
    ]
    op.bulk_insert(fields, rows)
    if op.get_bind().dialect.name == "postgresql":
        # Explicit ids do not move PostgreSQL's sequences; move them past the seeded rows.
        for table in ("service_desks", "request_types"):
            op.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachments_request_id"))

    op.drop_table("attachments")
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_changes_request_id"))

    op.drop_table("status_changes")
    with op.batch_alter_table("request_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_participants_request_id"))
        batch_op.drop_index(batch_op.f("ix_request_participants_customer_id"))

    op.drop_table("request_participants")
    with op.batch_alter_table("request_labels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_labels_request_id"))

    op.drop_table("request_labels")
    with op.batch_alter_table("pending_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_reports_email"))
        batch_op.drop_index(batch_op.f("ix_pending_reports_created_at"))
        batch_op.drop_index(batch_op.f("ix_pending_reports_addr_hash"))

    op.drop_table("pending_reports")
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comments_request_id"))

    op.drop_table("comments")
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requests_status"))
        batch_op.drop_index(batch_op.f("ix_requests_reporter_id"))
        batch_op.drop_index(batch_op.f("ix_requests_org_id"))
        batch_op.drop_index(batch_op.f("ix_requests_installation_id"))
        batch_op.drop_index(batch_op.f("ix_requests_escalated"))
        batch_op.drop_index(batch_op.f("ix_requests_desk_id"))
        batch_op.drop_index(batch_op.f("ix_requests_assignee_id"))

    op.drop_table("requests")
    with op.batch_alter_table("request_type_fields", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_type_fields_request_type_id"))

    op.drop_table("request_type_fields")
    with op.batch_alter_table("request_types", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_types_desk_id"))

    op.drop_table("request_types")
    op.drop_table("service_desks")
    op.drop_table("outbound_mail")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_jobs_run_after"))

    op.drop_table("jobs")
