"""Problem reports from the public page, waiting for their email address to be confirmed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sitrep.desk.db import Base
from sitrep.desk.models.identity import utcnow


class PendingReport(Base):
    """A report that becomes a request only when its confirmation link is opened.

    The client address is kept only as ``addr_hash`` (HMAC with a daily salt), for
    rate limiting; the confirmation token only as its SHA-256.
    """

    __tablename__ = "pending_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    addr_hash: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
