"""slime custom reward model backed by the service (checked against THUDM/slime's
``rm_hub`` at commit 0b420f1e: ``async_rm`` and ``batched_async_rm``)::

    --custom-rm-path rlvr.trainer.slime.reward --reward-key score

slime awaits ``reward(args, sample)`` once per sample (all samples of a rollout on one event
loop, so those scored together go to the service as one request), or ``reward(args, samples)``
with a list (``--group-rm``, or a generate function that fans out): both work. It answers,
per sample, a dict when ``--reward-key`` (or ``--eval-reward-key``) is set, else the bare
reward: ``score`` (the weighted reward), each score, ``unscorable``, ``verdict`` (``correct``,
``wrong``, ``failed``, ``unscorable``: ``--log-reward-category verdict`` logs their shares)
and ``pred``, as the service's ``/slime`` route does for ``--rm-url``.

An unscorable sample (no usable label, the code sandbox down) is slime's own "skip": its
``remove_sample`` is set, so slime zeroes its loss mask; its reward is 0.0, which still enters
the group's normalisation (slime has no way to leave it out). A failure of the completion's
own doing (a scoring timeout, a completion too large) scores as the worst answer
(:mod:`rlvr.trainer.verdicts`), never as a skip. A service that stays unreachable raises
(after the client's retries), which fails slime's rollout step rather than training on
made-up rewards.

Configuration, from the environment (slime's arguments have no room for ours): ``RLVR_URL``;
``RLVR_DOMAIN`` (default math; a sample's ``metadata["domain"]`` wins); ``RLVR_WEIGHTS``, a
JSON object (default ``{"accuracy": 0.9, "format": 0.1}``); ``RLVR_OPTIONS``, a JSON object of
format options (``think_in_prompt`` defaults to whether the templated prompt ends with
``<think>``). The label is read by :func:`rlvr.trainer.items.reference_of`: an answer, a
reference dict, a JSON string, a code ground truth.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import Any

from .items import plain, reference_of, strip_special_tokens
from .per_sample import (
    env_options,
    env_url,
    env_weights,
    format_options,
    loop_coalescer,
    verdict_of,
)


def _item(sample: Any) -> dict[str, Any]:
    metadata = getattr(sample, "metadata", None)
    metadata = metadata if isinstance(metadata, Mapping) else {}
    domain = metadata.get("domain") or os.environ.get("RLVR_DOMAIN") or "math"
    return {
        "id": str(getattr(sample, "index", "") or ""),
        "domain": str(domain),
        "completion": strip_special_tokens(str(getattr(sample, "response", "") or "")),
        "reference": reference_of(getattr(sample, "label", None)),
    }


async def _score(args: Any, sample: Any, weights: dict[str, float]) -> float | dict[str, Any]:
    names = list(weights) if "accuracy" in weights else ["accuracy", *weights]
    options = format_options(plain(getattr(sample, "prompt", None)), env_options())
    result = await loop_coalescer(env_url()).verify(_item(sample), names, weights, options)
    verdict = verdict_of(result, weights, names, options)
    if verdict.unscorable:
        sample.remove_sample = True  # slime zeroes the loss mask of such a sample
    score = 0.0 if verdict.reward is None else verdict.reward
    if not (getattr(args, "reward_key", None) or getattr(args, "eval_reward_key", None)):
        return score
    return {
        "score": score,
        **verdict.score_values(names),
        "unscorable": float(verdict.unscorable),
        "verdict": verdict.label,
        "pred": verdict.extracted,
    }


async def reward(
    args: Any, sample: Any, **kwargs: Any
) -> float | dict[str, Any] | list[float | dict[str, Any]]:
    """slime's custom reward: one sample, or a list of them (one reward each, in order)."""
    weights = env_weights()
    if isinstance(sample, list):
        return list(await asyncio.gather(*(_score(args, s, weights) for s in sample)))
    return await _score(args, sample, weights)
