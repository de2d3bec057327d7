"""Build the FastAPI application: ``create_app(settings)``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from types import MappingProxyType

from fastapi import FastAPI

from . import __version__
from .admission import Admission, AdmissionMiddleware
from .api.bodies import install_openapi
from .api.deps import Services
from .api.routes import analyze, health, openrlhf, verify, vote
from .api.routes import slime as slime_route
from .dispatch import Scorer
from .drain import Drain, DrainMiddleware
from .errors import BodySizeLimit, install_error_handlers
from .gather import Gatherer
from .metrics import Metrics
from .parts import build_parts
from .sandboxes import code_domain, start_sandbox
from .schemas import AnalyzeRequest, VerifyRequest, VoteRequest
from .settings import Settings, get_settings
from .workers import PoolConfig, WorkerPool


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service app. Its parts are built once from ``settings`` when it starts (workers,
    sandbox, domains, default plan, limits) and handed to every route; they stop with it.
    ``app.state.drain`` is what a server flips on SIGTERM (see ``__main__``)."""
    settings = settings or get_settings()
    drain = Drain(settings.drain_timeout_s)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        parts = build_parts(settings)
        pool = WorkerPool(
            PoolConfig(
                size=settings.workers,
                hard_limit_s=settings.item_timeout_s + settings.kill_grace_s,
                kill_grace_s=settings.kill_grace_s,
                max_tasks=settings.worker_max_tasks,
                max_rss_bytes=settings.worker_max_rss_mb * 2**20,
            ),
            parts.domains,
        )
        sandbox = start_sandbox(settings)
        domains = dict(parts.domains)
        if sandbox is not None:
            domains["code"] = code_domain(settings, sandbox)
        everything = MappingProxyType(domains)
        threads = ThreadPoolExecutor(settings.sandbox_size, thread_name_prefix="io-scoring")
        scorer = Scorer(pool, everything, threads, settings.kill_grace_s)
        metrics = Metrics(everything)
        admission = Admission(
            settings.max_pending_items, lambda: scorer.pending, lambda: scorer.completed, metrics
        )
        gatherer = Gatherer(
            scorer,
            parts.limits,
            metrics,
            admission,
            window_s=settings.gather_ms / 1000,
            max_items=settings.gather_max_items,
            crowd=lambda: drain.inflight,
        )
        app.state.services = Services(
            settings=settings,
            domains=everything,
            default_plan=parts.plan,
            limits=parts.limits,
            pool=pool,
            scorer=scorer,
            metrics=metrics,
            drain=drain,
            admission=admission,
            gatherer=gatherer,
            sandbox=sandbox,
        )
        sampler = asyncio.get_running_loop().create_task(admission.rate.run())
        try:
            yield
        finally:
            sampler.cancel()
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
    app.state.drain = drain
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(AdmissionMiddleware)  # refuses (429) before the body is buffered
    app.add_middleware(DrainMiddleware, drain=drain)  # outermost: refuses before reading bodies
    app.include_router(verify.router)
    app.include_router(vote.router)
    app.include_router(analyze.router)
    app.include_router(openrlhf.router)
    app.include_router(slime_route.router)
    app.include_router(health.router)
    install_openapi(app, [VerifyRequest, VoteRequest, AnalyzeRequest])
    return app
