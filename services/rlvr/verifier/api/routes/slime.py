"""``POST /slime``: slime's remote reward protocol (``--rm-type remote_rm``; checked against
THUDM/slime ``slime/rollout/rm_hub/__init__.py`` at commit 0b420f1e).

    --rm-type remote_rm --rm-url http://127.0.0.1:8000/slime?domain=math --reward-key score

slime posts ``{"prompt", "response", "label"}``, one sample per request, to the URL as given
(so options ride in its query), and stores the JSON answer as the sample's reward; with
``--reward-key`` it trains on that key of a dict. The answer:

- ``score``: the weighted reward (``--reward-key score``);
- each computed score (``accuracy``, ``format``, ...), the extracted answer as ``pred``;
- ``unscorable``: 1.0 when the sample could not be scored (no usable label); its ``score``
  is then 0.0, since slime has no "skip" on this path (a ``null`` reward crashes its group
  normalisation). Use ``rlvr.trainer.slime`` as ``--custom-rm-path`` to drop such samples
  from the loss instead;
- ``verdict``: ``correct``, ``wrong``, ``failed`` or ``unscorable``, which slime logs as
  shares with ``--log-reward-category verdict``.

The response's trailing special tokens are removed; the label is read by the client
distribution's ``rlvr.trainer.items`` like every dataset value, and the result by its
verdict rule (``rlvr.trainer.per_sample``): a failure of the completion's own doing scores
as the worst answer. Query parameters as for ``/openrlhf``: ``domain`` (default math),
``rewards``, ``weights`` (``name:value``), ``think_in_prompt`` (default: when the prompt ends
with ``<think>``), ``mode`` and ``deadline_s``. Concurrent requests are scored together
(:mod:`rlvr.verifier.gather`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from rlvr.trainer.items import reference_of, strip_special_tokens
from rlvr.trainer.per_sample import think_in_prompt as prompt_opens_think
from rlvr.trainer.per_sample import verdict_of

from ...domains.fmt import FormatOptions
from ...schemas import RewardName, VerifyItem, results_wire
from ..adapter_options import WeightPair, chosen_scores
from ..bodies import ServiceRoute
from ..deps import Services, get_services
from ..waiting import HEADER_PARAMETER, QUERY_PARAMETER, deadline_of, hang_up

router = APIRouter(route_class=ServiceRoute)


class SlimeRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    prompt: str | list[dict[str, Any]] | None = Field(
        None, description="the dataset prompt: chat messages, or the templated text"
    )
    response: str = Field(description="the generated response, as decoded")
    label: Any = Field(None, description="the --label-key value: an answer or a reference")


@router.post(
    "/slime",
    openapi_extra={"parameters": [QUERY_PARAMETER, HEADER_PARAMETER]},
    response_model=dict[str, Any],
    summary="slime remote reward protocol",
)
async def slime(
    request: SlimeRequest,
    http: Request,
    services: Annotated[Services, Depends(get_services)],
    domain: Annotated[str, Query(description="scoring domain")] = "math",
    rewards: Annotated[list[RewardName] | None, Query(description="scores to compute")] = None,
    weights: Annotated[list[WeightPair] | None, Query(description="name:value per score")] = None,
    think_in_prompt: Annotated[bool | None, Query(description="default: from the prompt")] = None,
    mode: Annotated[Literal["lenient", "strict"], Query(description="format mode")] = "lenient",
) -> Any:
    """The sample's reward as a dict: ``score``, each score, ``unscorable``, ``verdict``."""
    computed, chosen = chosen_scores(services.settings, rewards, weights)
    think = prompt_opens_think(request.prompt) if think_in_prompt is None else think_in_prompt
    options = FormatOptions(mode=mode, think_in_prompt=think)
    item = VerifyItem(
        id="0",
        domain=domain,
        completion=strip_special_tokens(request.response),
        reference=reference_of(request.label),
    )
    deadline, seconds = deadline_of(http, query=True)
    plan = services.plan(computed, chosen, options)
    async with hang_up(http) as gone:
        scored = await services.gatherer.verify([item], plan, deadline, seconds, gone)
    if scored is None:  # the client hung up: nobody to answer
        return Response(status_code=499)
    [result] = results_wire(scored)
    verdict = verdict_of(result, chosen, computed, asdict(options))
    return {
        "score": 0.0 if verdict.reward is None else verdict.reward,
        **verdict.score_values(computed),
        "unscorable": float(verdict.unscorable),
        "verdict": verdict.label,
        "pred": verdict.extracted,
    }
