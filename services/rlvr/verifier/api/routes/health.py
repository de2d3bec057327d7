"""``GET /health`` and ``GET /metrics``: cheap reads of the pool's state, never any work,
so they answer quickly however busy the workers are."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ... import __version__
from ...errors import WireJSON
from ...schemas import HealthResponse, SandboxHealth, WorkerHealth
from ...scoring import REWARD_NAMES
from ..deps import Services, get_services

router = APIRouter()


def problems(services: Services) -> list[str]:
    """What keeps the service from answering as it should; empty when all is well."""
    pool = services.pool
    found = pool.problems()
    sandbox = services.sandbox
    if sandbox is not None and sandbox.ready == 0 and sandbox.last_error:
        found.append(f"code sandbox has no executor: {sandbox.last_error}")
    return found


@router.get(
    "/health",
    response_model=HealthResponse,
    responses={503: {"model": HealthResponse, "description": "degraded or draining"}},
    summary="Liveness and pool state: 200 ok, 503 degraded or draining",
)
async def health(services: Annotated[Services, Depends(get_services)]) -> Response:
    found = problems(services)
    status = "draining" if services.drain.draining else "degraded" if found else "ok"
    pool = services.pool
    body = HealthResponse(
        status=status,
        problems=found,
        version=__version__,
        workers=pool.size,
        workers_alive=pool.alive,
        worker_restarts=pool.restarts(),
        processes=[
            WorkerHealth(
                pid=w.pid, rss_mb=round(w.rss_bytes / 2**20, 1), tasks=w.tasks, busy=w.busy
            )
            for w in pool.workers()
        ],
        pending_items=services.admission.depth,
        inflight_requests=services.drain.inflight,
        domains=sorted(services.domains),
        rewards=list(REWARD_NAMES),
        sandbox=_sandbox_health(services),
    )
    return WireJSON(body.model_dump(mode="json"), status_code=200 if status == "ok" else 503)


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
    pool = services.pool
    restarts = pool.restarts()
    gauges.pool_workers.set(pool.alive)
    gauges.queue_depth.set(services.admission.depth)
    gauges.drain_rate.set(services.admission.rate.per_second() or 0.0)
    gauges.workers_killed.set(restarts.get("hard_timeout", 0) + restarts.get("died", 0))
    for reason, count in restarts.items():
        gauges.worker_restarts.labels(reason=reason).set(count)
    gauges.inflight_requests.set(services.drain.inflight)
    gauges.draining.set(1 if services.drain.draining else 0)
    return Response(generate_latest(gauges.registry), media_type=CONTENT_TYPE_LATEST)
