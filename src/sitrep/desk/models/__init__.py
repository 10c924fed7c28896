"""Desk tables, one module per area. Importing this package registers them all on Base.

Add a module's import here when you add the module, so Alembic and tests see its tables.
"""

from sitrep.desk.db import Base
from sitrep.desk.models import (  # noqa: F401  # noqa: F401
    access,
    audit,
    identity,  # noqa: F401
    jobs,
    public_reports,
    requests,
    servicedesk,
    telemetry,  # noqa: F401
    uploads,  # noqa: F401
)

__all__ = ["Base"]
