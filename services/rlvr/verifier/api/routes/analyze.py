"""``POST /analyze``: reasoning behaviours (verification, subgoals, backtracking, backward
chaining) and thinking length, per completion."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from ... import tasks
from ...schemas import AnalyzeRequest, AnalyzeResponse, AnalyzeResult
from ...vocabulary import ErrorCode
from ...workers import Failure
from ..bodies import ERROR_RESPONSES, ServiceRoute, read_request, request_body, respond
from ..deps import Services, get_services

router = APIRouter(route_class=ServiceRoute)
CHUNK = 64


def _unanalysed(failure: Failure) -> dict[str, Any]:
    code = ErrorCode.ITEM_TIMEOUT if failure.kind == "killed" else ErrorCode.WORKER_CRASHED
    return {
        "counts": {},
        "spans": {},
        "thinking_words": 0,
        "thinking_chars": 0,
        "error": {"code": code, "message": failure.message},
    }


@router.post(
    "/analyze",
    response_model=AnalyzeResponse,
    responses=ERROR_RESPONSES,
    openapi_extra=request_body(AnalyzeRequest),
    summary="Reasoning behaviours per completion (lexical detector)",
)
async def analyze(
    request: Request, services: Annotated[Services, Depends(get_services)]
) -> Response:
    """One result per completion, in order."""
    body = await read_request(
        request,
        AnalyzeRequest,
        lambda body: len(body.completions),
        services.settings.max_items,
        "completions",
    )
    texts = body.texts
    limit = services.default_plan.soft_timeout_s + services.settings.kill_grace_s

    async def chunk(part: list[str]) -> list[dict[str, Any]]:
        done = await services.scorer.run_task(tasks.analyze, part, limit_s=limit)
        if not isinstance(done, Failure):
            return done  # type: ignore[no-any-return]
        if len(part) == 1:
            return [_unanalysed(done)]
        # One completion broke the chunk: analyse each alone, so only that one says so.
        return [r for one in await asyncio.gather(*(chunk([t]) for t in part)) for r in one]

    parts = await asyncio.gather(
        *(chunk(texts[i : i + CHUNK]) for i in range(0, len(texts), CHUNK))
    )

    def build() -> dict[str, Any]:
        results = [AnalyzeResult.model_validate(r) for part in parts for r in part]
        return {"results": [r.model_dump(mode="json") for r in results]}

    return await respond(build)
