"""Thin routers, one module per resource. ``ROUTERS`` is the registry create_app mounts.

Add one line here per router module.
"""

from __future__ import annotations

from fastapi import APIRouter

from sitrep.desk.api import (  # noqa: E501
    agreements,
    audit,
    health,
    jsm_attachments,
    jsm_comments,
    jsm_customers,
    jsm_desks,
    jsm_requests,
    jsm_temporary,
    native_attachments,
    native_requests,
    public_report,
    signin,
    telemetry,
    uploads,
)

ROUTERS: list[APIRouter] = [
    health.router,
    # Early: FastAPI tries routes in order, and telemetry ingest is the busiest route.
    telemetry.router,
    audit.router,
    agreements.router,
    signin.router,
    uploads.router,
    jsm_temporary.router,
    *(
        m.router
        for m in (
            jsm_desks,
            jsm_customers,
            jsm_requests,
            jsm_comments,
            jsm_attachments,
            native_requests,
            native_attachments,
            public_report,
        )
    ),  # noqa: E501
]
