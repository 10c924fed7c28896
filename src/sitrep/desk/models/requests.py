"""Customer requests (tickets) and what hangs off them: comments, participants, labels,
status history, attachments and the idempotency keys of their creation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sitrep.desk.db import Base
from sitrep.desk.models.identity import Customer, utcnow


class Request(Base):
    """A ticket, keyed like ``SUP-12``, raised by or on behalf of a customer."""

    __tablename__ = "requests"
    __table_args__ = (UniqueConstraint("desk_id", "number", name="uq_requests_desk_id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    desk_id: Mapped[int] = mapped_column(ForeignKey("service_desks.id"), index=True)
    number: Mapped[int]
    key: Mapped[str] = mapped_column(String(40), unique=True)
    request_type_id: Mapped[int] = mapped_column(ForeignKey("request_types.id"))
    summary: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    extra_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(40), index=True)
    priority: Mapped[str] = mapped_column(String(20), default="Medium")
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    raised_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    installation_id: Mapped[int | None] = mapped_column(ForeignKey("installations.id"), index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    shared_with_org: Mapped[bool] = mapped_column(default=False)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    escalated: Mapped[bool] = mapped_column(default=False, index=True)
    channel: Mapped[str] = mapped_column(String(20), default="api")
    app: Mapped[str | None] = mapped_column(String(100))
    app_version: Mapped[str | None] = mapped_column(String(100))
    host_product: Mapped[str | None] = mapped_column(String(100))
    host_version: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Nullable only because core_0003 adds it to existing tables; always set on insert.
    status_changed_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )
    # Loaded with the request (one LEFT JOIN): nearly every view of a request shows it.
    reporter: Mapped[Customer | None] = relationship(lazy="joined", viewonly=True)


class Comment(Base):
    """A comment; internal ones (``public=False``) are never shown to customers."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    public: Mapped[bool]
    author_kind: Mapped[str] = mapped_column(String(20))  # staff | customer | installation
    author_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Participant(Base):
    """A customer who follows a request and may see and comment on it."""

    __tablename__ = "request_participants"
    __table_args__ = (
        UniqueConstraint("request_id", "customer_id", name="uq_request_participants_req_cust"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)


class Label(Base):
    """A free label on a request, for staff filtering."""

    __tablename__ = "request_labels"
    __table_args__ = (UniqueConstraint("request_id", "name", name="uq_request_labels_req_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class StatusChange(Base):
    """One entry of a request's status history."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    status: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(60))  # e.g. "staff:3", never an email
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Attachment(Base):
    """A file on a request: a row pointing at a blob key, internal unless a customer added it."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    blob_key: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    is_bundle: Mapped[bool] = mapped_column(default=False)
    manifest: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    public: Mapped[bool] = mapped_column(default=False)
    added_by: Mapped[str] = mapped_column(String(60))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IdempotencyKey(Base):
    """Remembers the request an ``Idempotency-Key`` created, per caller."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
