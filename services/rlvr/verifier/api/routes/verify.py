"""``POST /verify``: translate the HTTP batch into scoring calls and back."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from ...gather import INLINE_ITEMS
from ...schemas import VerifyRequest, VerifyResponse, results_wire
from ..bodies import ERROR_RESPONSES, ServiceRoute, read_request, request_body, respond
from ..deps import Services, get_services
from ..waiting import HEADER_PARAMETER, deadline_of, hang_up

router = APIRouter(route_class=ServiceRoute)


@router.post(
    "/verify",
    response_model=VerifyResponse,
    responses=ERROR_RESPONSES,
    openapi_extra={**request_body(VerifyRequest), "parameters": [HEADER_PARAMETER]},
    summary="Score a batch of completions",
)
async def verify(
    request: Request,
    services: Annotated[Services, Depends(get_services)],
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
    deadline, seconds = deadline_of(request, body.deadline_s)
    async with hang_up(request) as gone:
        results = await services.gatherer.verify(body.items, plan, deadline, seconds, gone)
    if results is None:  # the client hung up: nobody to answer
        return Response(status_code=499)
    inline = len(results) <= INLINE_ITEMS  # small: rendered on the event loop, no thread hop
    response = await respond(lambda: {"results": results_wire(results)}, inline)
    services.metrics.batch_latency.observe(time.perf_counter() - started)
    services.metrics.batch_items.observe(len(results))
    return response
