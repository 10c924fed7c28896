"""create_app(): the desk's ASGI application. Stateless; all state lives in the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from sitrep import __version__
from sitrep.config import Settings, get_settings
from sitrep.desk.api import ROUTERS
from sitrep.desk.db import make_engine, make_sessionmaker
from sitrep.desk.errors import install_error_handlers


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the job runner (outbound mail and other queued work) while the app serves."""
    from sitrep.desk import mail  # noqa: F401  (registers the mail.send job handler)
    from sitrep.desk.jobs import JobContext, JobRunner

    runner = None
    if app.state.run_jobs:
        runner = JobRunner(JobContext(sessions=app.state.sessions, settings=app.state.settings))
        runner.start()
    try:
        yield
    finally:
        if runner is not None:
            runner.stop()


def create_app(settings: Settings | None = None, *, run_jobs: bool = True) -> FastAPI:
    """Build the app for ``settings`` (default: from the environment). Does not migrate.

    ``run_jobs`` starts a background job runner while the app serves (every replica may
    run one: jobs are claimed so that each runs once).
    """
    settings = settings or get_settings()
    app = FastAPI(
        lifespan=_lifespan,
        title="Sitrep desk",
        version=__version__,
        description="JSM-compatible service desk, bundle uploads and anonymous telemetry ingest.",
    )
    engine = make_engine(settings.effective_database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.run_jobs = run_jobs
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    return app
