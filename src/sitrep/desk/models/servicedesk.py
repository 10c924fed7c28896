"""Service desks and their request types, each with the fields a customer fills in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sitrep.desk.db import Base
from sitrep.desk.models.identity import utcnow


class ServiceDesk(Base):
    """A help desk with a project key (``SUP``) that numbers its requests ``SUP-1``, ``SUP-2``."""

    __tablename__ = "service_desks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The last number handed out. Incremented with UPDATE ... RETURNING in the same
    # transaction that inserts the request, so keys never repeat, even across replicas.
    last_number: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RequestType(Base):
    """A kind of request a customer may raise on a desk ("Report a problem", "Question")."""

    __tablename__ = "request_types"
    __table_args__ = (UniqueConstraint("desk_id", "name", name="uq_request_types_desk_id_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    desk_id: Mapped[int] = mapped_column(ForeignKey("service_desks.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    help_text: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[list[RequestTypeField]] = relationship(
        order_by="RequestTypeField.position", lazy="selectin"
    )


class RequestTypeField(Base):
    """One field of a request type; ``field_id`` is the key in JSM's ``requestFieldValues``."""

    __tablename__ = "request_type_fields"
    __table_args__ = (
        UniqueConstraint("request_type_id", "field_id", name="uq_request_type_fields_rt_field"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_type_id: Mapped[int] = mapped_column(ForeignKey("request_types.id"), index=True)
    field_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(default=False)
    field_type: Mapped[str] = mapped_column(String(20), default="string")
    position: Mapped[int] = mapped_column(default=0)
