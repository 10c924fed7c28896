"""Run Alembic migrations programmatically (``sitrep desk migrate`` and app start-up in tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """Return an Alembic config pointing at the packaged migrations and ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the newest revision of every branch.

    Each area (core desk, telemetry, audit, ...) keeps its own Alembic branch, so
    ``heads`` is the target rather than a single ``head``.
    """
    command.upgrade(alembic_config(url), "heads")
