"""Thin routers, one module per resource. ``ROUTERS`` is the registry create_app mounts.

Add one line here per router module.
"""

from __future__ import annotations

from fastapi import APIRouter

from sitrep.desk.api import health

ROUTERS: list[APIRouter] = [
    health.router,
]
