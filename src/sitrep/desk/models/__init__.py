"""Desk tables, one module per area. Importing this package registers them all on Base.

Add a module's import here when you add the module, so Alembic and tests see its tables.
"""

from sitrep.desk.db import Base
from sitrep.desk.models import identity  # noqa: F401
from sitrep.desk.models import telemetry  # noqa: F401
from sitrep.desk.models import uploads  # noqa: F401
from sitrep.desk.models import access, audit  # noqa: F401
from sitrep.desk.models import jobs, public_reports, requests, servicedesk  # noqa: F401

__all__ = ["Base"]
