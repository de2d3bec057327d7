"""Build the FastAPI application: ``create_app(settings)``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from types import MappingProxyType

from fastapi import FastAPI

from . import __version__
from .api.deps import Services
from .api.routes import analyze, health, openrlhf, verify, vote
from .dispatch import Scorer
from .errors import BodySizeLimit, install_error_handlers
from .metrics import Metrics
from .parts import build_parts
from .sandboxes import code_domain, start_sandbox
from .settings import Settings, get_settings
from .workers import ScoringPool


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service app. Its parts are built once from ``settings`` when it starts (workers,
    sandbox, domains, default plan, limits) and handed to every route; they stop with it."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        parts = build_parts(settings)
        # Workers fork before the sandbox starts: its threads and sockets stay here.
        pool = ScoringPool(
            settings.workers, settings.item_timeout_s, settings.kill_grace_s, parts.domains
        )
        sandbox = start_sandbox(settings)
        domains = dict(parts.domains)
        if sandbox is not None:
            domains["code"] = code_domain(settings, sandbox)
        everything = MappingProxyType(domains)
        threads = ThreadPoolExecutor(settings.sandbox_size, thread_name_prefix="io-scoring")
        app.state.services = Services(
            settings=settings,
            domains=everything,
            default_plan=parts.plan,
            limits=parts.limits,
            pool=pool,
            scorer=Scorer(pool, everything, threads),
            metrics=Metrics(everything),
            sandbox=sandbox,
        )
        try:
            yield
        finally:
            pool.close()
            threads.shutdown(wait=False, cancel_futures=True)
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
    app.include_router(health.router)
    return app
