"""``POST /openrlhf``: OpenRLHF's remote reward protocol (checked against OpenRLHF 0.11.2).

    --reward.remote_url http://127.0.0.1:8000/openrlhf?domain=math

OpenRLHF posts ``{"query": [...], "prompts": [...], "labels": [...]}``, one sample per request
in 0.11, each query being the prompt and the response decoded *with* special tokens; with
several URLs a request may carry no sample at all. The answer holds, per sample:

- ``rewards``: the weighted reward OpenRLHF trains on;
- ``scores``: the accuracy, which its dynamic filtering keeps a group by (0 < mean < 1);
- ``extra_logs``: every computed score, and ``unscorable`` (1.0 when the sample could not
  be scored: no usable label, or a prompt not found in its query; its reward is then 0.0).

The response is the query after its prompt (found even when OpenRLHF cut the front of a
long prompt), with its trailing special tokens removed; a label is read like any dataset
value (an answer, a JSON reference, a code ground truth): both by the client distribution's
``rlvr.trainer.items``, the one rule every adapter uses. A failure of the completion's own
doing scores as the worst answer (``rlvr.trainer.verdicts``).

Query parameters (repeat a parameter for several values: OpenRLHF splits its URL on commas):
``domain`` (default math), ``rewards`` and ``weights`` (``name:value``; default: the
server's), ``think_in_prompt`` (default: true when the prompt ends with ``<think>``) and
``mode`` (``lenient`` or ``strict``) and ``deadline_s``, e.g.
``/openrlhf?domain=math&rewards=accuracy&rewards=format&weights=accuracy:1&weights=format:0.2``.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from rlvr.trainer.items import reference_of, response_of
from rlvr.trainer.verdicts import trainer_reward, trainer_scores

from ...domains.fmt import FormatOptions
from ...errors import ApiError
from ...schemas import RewardName, VerifyItem, results_wire
from ...vocabulary import ErrorCode
from ..adapter_options import WeightPair, chosen_scores
from ..bodies import ServiceRoute
from ..deps import Services, get_services
from ..waiting import HEADER_PARAMETER, QUERY_PARAMETER, deadline_of, hang_up

router = APIRouter(route_class=ServiceRoute)

THINK_OPENER = "<think>"
PROMPT_NOT_FOUND = {
    "status": "error",
    "error": {
        "code": ErrorCode.INVALID_ITEM.value,
        "message": "the prompt is not at the start of the query",
    },
}


class OpenRLHFRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    query: list[str] = Field(description="prompt + response per sample, as decoded")
    prompts: list[str | None] | None = None
    labels: list[Any] | None = None


class OpenRLHFResponse(BaseModel):
    rewards: list[float]
    scores: list[float]
    extra_logs: dict[str, list[float]]


@router.post(
    "/openrlhf",
    openapi_extra={"parameters": [QUERY_PARAMETER, HEADER_PARAMETER]},
    response_model=OpenRLHFResponse,
    summary="OpenRLHF remote reward protocol",
)
async def openrlhf(
    request: OpenRLHFRequest,
    http: Request,
    services: Annotated[Services, Depends(get_services)],
    domain: Annotated[str, Query(description="scoring domain of every sample")] = "math",
    rewards: Annotated[list[RewardName] | None, Query(description="scores to compute")] = None,
    weights: Annotated[list[WeightPair] | None, Query(description="name:value per score")] = None,
    think_in_prompt: Annotated[bool | None, Query(description="default: from the prompt")] = None,
    mode: Annotated[Literal["lenient", "strict"], Query(description="format mode")] = "lenient",
) -> Any:
    """One reward, score and log entry per query; an empty request gets empty lists."""
    n = len(request.query)
    for name, values in (("prompts", request.prompts), ("labels", request.labels)):
        if values is not None and len(values) != n:
            raise ApiError(ErrorCode.INVALID_REQUEST, f"'{name}' must have one entry per query")
    services.check_count(n, "queries")
    computed, chosen = chosen_scores(services.settings, rewards, weights)

    prompts = request.prompts or [None] * n
    labels = request.labels or [None] * n
    results: list[dict[str, Any]] = [PROMPT_NOT_FOUND] * n
    by_think: dict[bool, list[tuple[int, VerifyItem]]] = {True: [], False: []}
    for i, (query, prompt, label) in enumerate(zip(request.query, prompts, labels, strict=True)):
        response = response_of(query, prompt)
        if response is None:
            continue
        think = think_in_prompt
        if think is None:
            think = (prompt or "").rstrip().endswith(THINK_OPENER)
        item = VerifyItem(
            id=str(i), domain=domain, completion=response, reference=reference_of(label)
        )
        by_think[think].append((i, item))
    deadline, seconds = deadline_of(http, query=True)
    groups = [(think, entries) for think, entries in by_think.items() if entries]
    # admitted whole before it is split: a 429 must not leave one part scoring
    services.gatherer.admission.admit(sum(len(entries) for _, entries in groups))
    async with hang_up(http) as gone:
        # one plan per think mode; both at once, so the request waits for the slower only
        scored = await asyncio.gather(
            *(
                services.gatherer.verify(
                    [item for _, item in entries],
                    services.plan(
                        computed, chosen, FormatOptions(mode=mode, think_in_prompt=think)
                    ),
                    deadline,
                    seconds,
                    gone,
                    admitted=True,
                )
                for think, entries in groups
            )
        )
    for (_, entries), group_results in zip(groups, scored, strict=True):
        if group_results is None:  # the client hung up: nobody to answer
            return Response(status_code=499)
        for (i, _), result in zip(entries, results_wire(group_results), strict=True):
            results[i] = result

    plain_options = asdict(FormatOptions(mode=mode))
    answer = OpenRLHFResponse(rewards=[], scores=[], extra_logs={k: [] for k in computed})
    answer.extra_logs["unscorable"] = []
    for result in results:
        scores = trainer_scores(result, computed, chosen, plain_options)
        reward = trainer_reward(result, chosen, plain_options)
        answer.rewards.append(0.0 if reward is None else reward)
        answer.scores.append(0.0 if scores is None else scores["accuracy"])
        for name in computed:
            answer.extra_logs[name].append(0.0 if scores is None else scores[name])
        answer.extra_logs["unscorable"].append(float(scores is None))
    return answer
