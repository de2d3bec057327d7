"""``POST /openrlhf``: OpenRLHF's ``--remote_rm_url`` protocol on top of the verifier.

OpenRLHF posts ``{"query": [...], "prompts": [...], "labels": [...]}``, where each query is
the prompt followed by the response. The answer carries ``rewards`` (what OpenRLHF trains
on), ``scores`` (the same values) and ``extra_logs`` (each score, for its logger). The
domain is the ``domain`` query parameter (default math); a label is the reference: a JSON
object string as is, anything else ``{"answer": label}``.

    --remote_rm_url http://127.0.0.1:8000/openrlhf?domain=math
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from ...batch import verify_items
from ...errors import ApiError
from ...schemas import VerifyItem
from ...vocabulary import ErrorCode
from ..bodies import ServiceRoute
from ..deps import Services, get_services

router = APIRouter(route_class=ServiceRoute)


class OpenRLHFRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    query: list[str] = Field(min_length=1)
    prompts: list[str] | None = None
    labels: list[Any] | None = None


class OpenRLHFResponse(BaseModel):
    rewards: list[float]
    scores: list[float]
    extra_logs: dict[str, list[float]]


def _reference(label: Any) -> dict[str, Any] | None:
    if label is None:
        return None
    if isinstance(label, dict):
        return label
    if isinstance(label, str) and label.lstrip().startswith("{"):
        try:
            parsed = json.loads(label)
            if isinstance(parsed, dict):
                return parsed
        except ValueError:
            pass
    return {"answer": label}


def _response_text(query: str, prompt: str | None) -> str:
    return query[len(prompt) :] if prompt and query.startswith(prompt) else query


@router.post(
    "/openrlhf", response_model=OpenRLHFResponse, summary="OpenRLHF remote reward model protocol"
)
async def openrlhf(
    request: OpenRLHFRequest,
    services: Annotated[Services, Depends(get_services)],
    domain: Annotated[str, Query(description="scoring domain of every query")] = "math",
) -> OpenRLHFResponse:
    """Rewards for OpenRLHF; an unscorable item gets 0.0 (OpenRLHF needs a number)."""
    n = len(request.query)
    for name, values in (("prompts", request.prompts), ("labels", request.labels)):
        if values is not None and len(values) != n:
            raise ApiError(ErrorCode.INVALID_REQUEST, f"'{name}' must have one entry per query")
    services.check_count(n, "queries")
    prompts: list[str | None] = list(request.prompts) if request.prompts else [None] * n
    labels = request.labels or [None] * n
    items = [
        VerifyItem(
            id=str(i), domain=domain, completion=_response_text(q, p), reference=_reference(label)
        )
        for i, (q, p, label) in enumerate(zip(request.query, prompts, labels, strict=True))
    ]
    plan = services.default_plan
    results = await verify_items(items, plan, services.scorer, services.limits, services.metrics)
    rewards = [float(r.reward) if r.reward is not None else 0.0 for r in results]
    logs = {name: [float(r.scores.get(name, 0.0)) for r in results] for name in plan.rewards}
    return OpenRLHFResponse(rewards=rewards, scores=rewards, extra_logs=logs)
