"""``POST /verify``: translate the HTTP batch into scoring calls and back."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from ...batch import verify_items
from ...schemas import VerifyRequest, VerifyResponse, results_wire
from ..bodies import ERROR_RESPONSES, ServiceRoute, read_request, request_body, respond
from ..deps import Services, get_services

router = APIRouter(route_class=ServiceRoute)


@router.post(
    "/verify",
    response_model=VerifyResponse,
    responses=ERROR_RESPONSES,
    openapi_extra=request_body(VerifyRequest),
    summary="Score a batch of completions",
)
async def verify(
    request: Request, services: Annotated[Services, Depends(get_services)]
) -> Response:
    """One result per item, same order and ids; one bad item never fails the batch."""
    started = time.perf_counter()
    body = await read_request(
        request,
        VerifyRequest,
        lambda body: len(body.items),
        services.settings.max_items,
        "items",
    )
    answer = body.answer.options() if body.answer else None
    plan = services.plan(body.rewards, body.weights, body.options, answer)
    results = await verify_items(
        body.items, plan, services.scorer, services.limits, services.metrics
    )
    response = await respond(lambda: {"results": results_wire(results)})
    services.metrics.batch_latency.observe(time.perf_counter() - started)
    services.metrics.batch_items.observe(len(results))
    return response
