"""Resumable uploads (tus) and the temporary files they, or JSM's attachTemporaryFile, become.

An upload's bytes live in a staging file under ``data_dir/uploads`` until they are
complete; only the offset committed here counts, so bytes a killed server wrote past it
are discarded on resume. A finished, validated upload becomes a TemporaryFile whose
bytes are in the BlobStore, until a request claims it as an attachment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sitrep.desk.db import Base
from sitrep.desk.models.identity import utcnow


class Upload(Base):
    """One tus upload: who started it, how long it is and how far it got."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # 32 hex characters
    owner_kind: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int] = mapped_column(index=True)
    filename: Mapped[str] = mapped_column(String(255))
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | done | refused
    refusal: Mapped[str | None] = mapped_column(Text)
    temporary_file_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class TemporaryFile(Base):
    """A validated file waiting to be attached to a request (JSM's temporary attachment)."""

    __tablename__ = "temporary_files"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # a UUID, as JSM's ids
    owner_kind: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int] = mapped_column(index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    blob_key: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(100))
    manifest: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: A bundle's digest (sitrep.bundle.validate.bundle_sha256); None for other files.
    bundle_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
