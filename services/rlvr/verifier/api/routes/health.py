"""``GET /health`` and ``GET /metrics``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ... import __version__
from ...schemas import HealthResponse, SandboxHealth
from ...scoring import REWARD_NAMES
from ..deps import Services, get_services

router = APIRouter()


@router.get("/health", response_model=HealthResponse, summary="Liveness and pool state")
async def health(services: Annotated[Services, Depends(get_services)]) -> HealthResponse:
    return HealthResponse(
        status="ok",
        version=__version__,
        workers=services.pool.workers,
        pending_items=services.pool.pending,
        domains=sorted(services.domains),
        rewards=list(REWARD_NAMES),
        sandbox=_sandbox_health(services),
    )


def _sandbox_health(services: Services) -> SandboxHealth | None:
    pool = services.sandbox
    if pool is None:
        return None
    return SandboxHealth(
        backend=services.settings.sandbox_backend,
        size=pool.size,
        ready=pool.ready,
        recycled=pool.recycled,
        last_error=pool.last_error,
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(services: Annotated[Services, Depends(get_services)]) -> Response:
    gauges = services.metrics
    gauges.pool_workers.set(services.pool.workers)
    gauges.queue_depth.set(services.pool.pending)
    gauges.workers_killed.set(services.pool.killed)
    return Response(generate_latest(gauges.registry), media_type=CONTENT_TYPE_LATEST)
