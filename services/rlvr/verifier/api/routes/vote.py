"""``POST /vote``: majority vote, maj@k and pass@k per prompt."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError

from ...domains.fmt import as_written
from ...schemas import VotePrompt, VoteRequest, VoteResponse, VoteResult
from ...vocabulary import ErrorCode, Status
from ...voting import vote_safely
from ...workers import Failure, FailureKind
from ..bodies import ERROR_RESPONSES, ServiceRoute, read_request, request_body, respond
from ..deps import Services, get_services

router = APIRouter(route_class=ServiceRoute)


def _completions(body: VoteRequest) -> int:
    return sum(len(prompt.completions) for prompt in body.prompts)


def _failed(failure: Failure) -> dict[str, Any]:
    if failure.kind is FailureKind.KILLED:
        status, code = Status.TIMEOUT, ErrorCode.ITEM_TIMEOUT
    elif failure.kind is FailureKind.RAISED:
        status, code = Status.ERROR, ErrorCode.INTERNAL_ERROR
    else:
        status, code = Status.ERROR, ErrorCode.WORKER_CRASHED
    return {"status": status, "error": {"code": code, "message": failure.message}}


def _result(prompt_id: str, result: dict[str, Any]) -> VoteResult:
    try:
        return VoteResult.model_validate({**result, "id": prompt_id})
    except ValidationError as exc:  # the vote produced something off-contract: a bug
        error = {"code": ErrorCode.INTERNAL_ERROR, "message": f"bad vote result: {exc}"}
        return VoteResult(id=prompt_id, status=Status.ERROR, error=error)


@router.post(
    "/vote",
    response_model=VoteResponse,
    responses=ERROR_RESPONSES,
    openapi_extra=request_body(VoteRequest),
    summary="Majority vote and pass@k over k completions per prompt",
)
async def vote(request: Request, services: Annotated[Services, Depends(get_services)]) -> Response:
    """One result per prompt, same order and ids; one bad prompt never fails the request."""
    body = await read_request(
        request, VoteRequest, _completions, services.settings.max_items, "completions"
    )
    soft = services.default_plan.soft_timeout_s
    limit = soft + services.settings.kill_grace_s
    answer = body.answer.options() if body.answer else None

    async def one(prompt: VotePrompt) -> dict[str, Any]:
        texts = [as_written(text, body.think_in_prompt) for text in prompt.texts]
        args = (prompt.domain, texts, prompt.reference, body.k, soft, answer)
        result = await services.scorer.run_task(vote_safely, *args, limit_s=limit)
        return _failed(result) if isinstance(result, Failure) else result

    raw = await asyncio.gather(*(one(p) for p in body.prompts))

    def build() -> dict[str, Any]:
        results = [_result(p.id, r) for p, r in zip(body.prompts, raw, strict=True)]
        # unset fields stay out: no pass_at_k without a reference, no error when ok
        return {"results": [r.model_dump(mode="json", exclude_unset=True) for r in results]}

    return await respond(build)
