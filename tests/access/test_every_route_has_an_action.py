"""Every route of the desk, from every router, declares a policy action the policy knows."""

from __future__ import annotations

from fastapi.routing import APIRoute

from sitrep.desk import policy
from sitrep.desk.api import ROUTERS

#: FastAPI's own documentation routes: they serve the OpenAPI schema, no data.
BUILT_IN = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def _routes(routes):
    """Yield every route, descending into included routers (FastAPI wraps them)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield route


def _undeclared(app) -> list[str]:
    missing = []
    for route in _routes(app.routes):
        if getattr(route, "path", None) in BUILT_IN:
            continue
        action = (getattr(route, "openapi_extra", None) or {}).get("x-sitrep-action")
        if not isinstance(route, APIRoute) or action not in policy.ACTIONS:
            missing.append(f"{sorted(getattr(route, 'methods', None) or [])} {route.path}")
    return missing


def test_every_route_of_every_router_declares_a_known_action(desk_app):
    paths = {route.path for route in _routes(desk_app.routes)}
    for prefix in (
        "/healthz",
        "/api/v1/telemetry",
        "/api/v1/uploads",
        "/api/v1/signin",
        "/api/v1/audit",
        "/api/v1/agreements",
        "/rest/servicedeskapi",
        "/api/v1/attachments",
        "/api/v1/public",
    ):
        assert any(p.startswith(prefix) for p in paths), f"no route under {prefix}"
    assert len(paths) >= 50
    assert _undeclared(desk_app) == []


def test_a_route_without_an_action_is_reported(desk_app):
    from fastapi import APIRouter

    rogue = APIRouter()

    @rogue.get("/rogue")
    def rogue_route() -> dict[str, str]:
        return {}

    desk_app.include_router(rogue)
    assert _undeclared(desk_app) == ["['GET'] /rogue"]


def test_the_registry_is_what_the_app_mounts(desk_app):
    mounted = {id(r) for r in _routes(desk_app.routes)}
    assert all(id(r) in mounted for router in ROUTERS for r in router.routes)


def test_every_declared_action_can_be_decided_and_none_is_for_everyone_by_accident():
    open_to_all = {a for a, who in policy.ACTIONS.items() if "all" in who}
    assert policy.ANONYMOUS_ACTIONS <= open_to_all
    assert "telemetry.usage.view" not in open_to_all
    assert "attachment.download" not in open_to_all
