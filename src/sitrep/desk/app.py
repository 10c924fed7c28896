"""create_app(): the desk's ASGI application. Stateless; all state lives in the database."""

from __future__ import annotations

from fastapi import FastAPI

from sitrep import __version__
from sitrep.config import Settings, get_settings
from sitrep.desk.api import ROUTERS
from sitrep.desk.db import make_engine, make_sessionmaker
from sitrep.desk.errors import install_error_handlers


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for ``settings`` (default: from the environment). Does not migrate."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Sitrep desk",
        version=__version__,
        description="JSM-compatible service desk, bundle uploads and anonymous telemetry ingest.",
    )
    engine = make_engine(settings.effective_database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    return app
