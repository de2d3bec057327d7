"""verl custom reward function backed by the service.

In the verl config::

    custom_reward_function.path=/path/to/rlvr/trainer/verl.py
    custom_reward_function.name=compute_score          # one call per sample
    # or, with reward_model.reward_manager=batch:
    custom_reward_function.name=compute_score_batch    # one HTTP request per batch

The service URL comes from ``RLVR_URL`` (default http://127.0.0.1:8000). ``data_source``
picks the domain (see :func:`domain_for`); ``ground_truth`` is the reference: a dict as is,
a JSON object string parsed, anything else ``{"answer": ground_truth}``.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

from .client import VerifierClient

_DOMAIN_HINTS = (
    ("code", ("code", "apps", "taco", "humaneval", "mbpp", "leetcode", "livecodebench")),
    ("science", ("gpqa", "mmlu", "scibench", "science", "physics", "chemistry")),
    ("logic", ("logic", "reasoning_gym", "reasoning-gym", "knights", "zebra", "puzzle")),
)


def domain_for(data_source: str) -> str:
    """A verl ``data_source`` mapped to a domain; math when nothing else fits.

    >>> domain_for("openai/gsm8k"), domain_for("codecontests"), domain_for("Idavidrein/gpqa")
    ('math', 'code', 'science')
    """
    override = os.environ.get("RLVR_DOMAIN")
    if override:
        return override
    name = data_source.lower()
    for domain, hints in _DOMAIN_HINTS:
        if any(hint in name for hint in hints):
            return domain
    return "math"


def _reference(ground_truth: Any) -> dict[str, Any]:
    if isinstance(ground_truth, dict):
        return ground_truth
    if isinstance(ground_truth, str) and ground_truth.lstrip().startswith("{"):
        try:
            parsed = json.loads(ground_truth)
            if isinstance(parsed, dict):
                return parsed
        except ValueError:
            pass
    return {"answer": ground_truth}


@cache
def _client() -> VerifierClient:
    return VerifierClient()


def compute_score_batch(
    data_sources: list[str],
    solution_strs: list[str],
    ground_truths: list[Any],
    extra_infos: list[Any] | None = None,
    **_: Any,
) -> list[float]:
    """Rewards for a batch, one ``POST /verify``; an unscorable item gets 0.0 (verl needs
    a number)."""
    items = [
        {
            "id": str(i),
            "domain": domain_for(source),
            "completion": solution,
            "reference": _reference(truth),
        }
        for i, (source, solution, truth) in enumerate(
            zip(data_sources, solution_strs, ground_truths, strict=True)
        )
    ]
    results = _client().verify(items)
    return [float(r["reward"]) if r["reward"] is not None else 0.0 for r in results]


def compute_score(
    data_source: str, solution_str: str, ground_truth: Any, extra_info: Any = None, **_: Any
) -> float:
    """verl's per-sample signature."""
    return compute_score_batch([data_source], [solution_str], [ground_truth], [extra_info])[0]
