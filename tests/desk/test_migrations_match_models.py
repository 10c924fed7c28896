"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL.

A column added to a model without a migration (or the other way round) would work in the
tests that create tables from the models, and fail on a real desk after `sitrep desk migrate`.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import sitrep.desk.models  # noqa: F401  (registers every table on Base.metadata)
from sitrep.desk.db import Base


def test_a_migrated_database_has_the_models_schema(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
