"""Alembic environment: run migrations against the URL given in the config."""

from __future__ import annotations

from alembic import context

import sitrep.desk.models  # noqa: F401  (registers every table on Base.metadata)
from sitrep.desk.db import Base, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "sitrep.desk.migrate sets sqlalchemy.url"
engine = make_engine(url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
