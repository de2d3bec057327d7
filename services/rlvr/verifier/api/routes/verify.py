"""``POST /verify``: translate the HTTP batch into scoring calls and back."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from ...batch import verify_items
from ...schemas import ErrorResponse, VerifyRequest, VerifyResponse
from ..deps import Services, get_services

router = APIRouter()


@router.post(
    "/verify",
    response_model=VerifyResponse,
    responses={
        400: {"model": ErrorResponse},
        413: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
    summary="Score a batch of completions",
)
async def verify(
    request: VerifyRequest, services: Annotated[Services, Depends(get_services)]
) -> JSONResponse:
    """One result per item, same order and ids; one bad item never fails the batch."""
    services.check_count(len(request.items), "items")
    started = time.perf_counter()
    answer = request.answer.options() if request.answer else None
    plan = services.plan(request.rewards, request.weights, request.options, answer)
    results = await verify_items(
        request.items, plan, services.pool, services.limits, services.metrics
    )
    services.metrics.batch_latency.observe(time.perf_counter() - started)
    services.metrics.batch_items.observe(len(request.items))
    return JSONResponse({"results": results})
