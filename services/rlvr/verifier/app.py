"""Build the FastAPI application: ``create_app(settings)``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from . import __version__
from .api.deps import Services
from .api.routes import analyze, health, openrlhf, verify, vote
from .api.routes import slime as slime_route
from .domains import DOMAINS, install
from .errors import BodySizeLimit, install_error_handlers
from .metrics import Metrics
from .sandboxes import code_domain, start_sandbox
from .settings import Settings, get_settings
from .workers import ScoringPool


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service app. Workers start with the app's lifespan and stop with it."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        domains = settings.domains()
        install(domains)
        # Workers fork before the sandbox starts: its threads and sockets stay here.
        pool = ScoringPool(
            settings.workers,
            settings.item_timeout_s,
            settings.kill_grace_s,
            domains,
            io_threads=settings.sandbox_size,  # one per container: no thread waits for one
        )
        sandbox = start_sandbox(settings)
        if sandbox is not None:
            install({"code": code_domain(settings, sandbox)})
        app.state.services = Services(settings, pool, Metrics(DOMAINS), sandbox)
        try:
            yield
        finally:
            pool.close()
            if sandbox is not None:
                sandbox.close()

    app = FastAPI(
        title="rlvr verifier",
        version=__version__,
        summary="Verifiable rewards for reasoning RL: batch scoring over HTTP",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.include_router(verify.router)
    app.include_router(vote.router)
    app.include_router(analyze.router)
    app.include_router(openrlhf.router)
    app.include_router(slime_route.router)
    app.include_router(health.router)
    return app
