"""Thin routers, one module per resource. ``ROUTERS`` is the registry create_app mounts.

Add one line here per router module.
"""

from __future__ import annotations

from fastapi import APIRouter

from sitrep.desk.api import health
from sitrep.desk.api import agreements, audit, signin
from sitrep.desk.api import jsm_temporary, uploads
from sitrep.desk.api import telemetry
from sitrep.desk.api import jsm_attachments, jsm_comments, jsm_customers, jsm_desks, jsm_requests, native_attachments, native_requests, public_report  # noqa: E501

ROUTERS: list[APIRouter] = [
    health.router,
    audit.router,
    agreements.router,
    signin.router,
    uploads.router,
    jsm_temporary.router,
    telemetry.router,
    *(m.router for m in (jsm_desks, jsm_customers, jsm_requests, jsm_comments, jsm_attachments, native_requests, native_attachments, public_report)),  # noqa: E501
]
