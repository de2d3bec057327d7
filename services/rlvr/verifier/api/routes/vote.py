"""``POST /vote``: majority vote, maj@k and pass@k per prompt."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from ...schemas import ErrorResponse, VotePrompt, VoteRequest, VoteResponse
from ...scoring import Outcome
from ...voting import vote_safely
from ..deps import Services, get_services

router = APIRouter()


@router.post(
    "/vote",
    response_model=VoteResponse,
    responses={
        400: {"model": ErrorResponse},
        413: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
    summary="Majority vote and pass@k over k completions per prompt",
)
async def vote(
    request: VoteRequest, services: Annotated[Services, Depends(get_services)]
) -> JSONResponse:
    """One result per prompt, same order and ids; one bad prompt never fails the request."""
    services.check_count(sum(len(p.completions) for p in request.prompts), "completions")

    async def one(prompt: VotePrompt) -> dict[str, Any]:
        result = await services.pool.run_task(
            vote_safely,
            prompt.domain,
            prompt.texts,
            prompt.reference,
            request.k,
            services.settings.item_timeout_s,
            request.answer.options() if request.answer else None,
        )
        if isinstance(result, Outcome):  # the worker was killed or died
            assert result.error is not None
            result = {
                "status": result.status,
                "error": {"code": result.error.code, "message": result.error.message},
            }
        return {"id": prompt.id, **result}

    results = await asyncio.gather(*(one(p) for p in request.prompts))
    return JSONResponse({"results": results})
