"""``POST /analyze``: reasoning behaviours (verification, subgoals, backtracking, backward
chaining) and thinking length, per completion."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from ...behaviours import analyze_many
from ...domains import Domain
from ...errors import ApiError
from ...schemas import AnalyzeRequest, AnalyzeResponse, ErrorResponse
from ...scoring import Outcome
from ...vocabulary import ErrorCode
from ..deps import Services, get_services

router = APIRouter()
CHUNK = 64


@router.post(
    "/analyze",
    response_model=AnalyzeResponse,
    responses={
        400: {"model": ErrorResponse},
        413: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
        503: {"model": ErrorResponse},
    },
    summary="Reasoning behaviours per completion (lexical detector)",
)
async def analyze(
    request: AnalyzeRequest, services: Annotated[Services, Depends(get_services)]
) -> JSONResponse:
    """One result per completion, in order."""
    texts = request.texts
    services.check_count(len(texts), "completions")
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    done = await asyncio.gather(*(services.pool.run_task(_analyze, c) for c in chunks))
    results: list[dict[str, Any]] = []
    for part in done:
        if isinstance(part, Outcome):  # a regex cannot hang, but a worker can die
            raise ApiError(ErrorCode.WORKER_CRASHED, "a scoring worker died; retry the request")
        results.extend(part)
    return JSONResponse({"results": results})


def _analyze(texts: list[str], domains: Mapping[str, Domain]) -> list[dict[str, Any]]:
    """The worker task: behaviours need no domain."""
    return analyze_many(texts)
