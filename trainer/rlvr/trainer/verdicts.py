"""From a ``/verify`` result to the numbers a trainer trains on.

A result that is not ``ok`` is one of two kinds, and they must not be confused:

- **unscorable**: nothing the completion did could have changed it (no or a bad reference,
  an unknown domain or language, the code sandbox down, a malformed item, the request's
  deadline passing before the item was started). Every sample of
  the prompt shares it, so the adapters give ``None`` where the trainer can skip a sample
  (TRL) and a neutral number where it cannot (verl, OpenRLHF), flagged ``unscorable``.
- **the completion's doing**: scoring timed out, the completion was too large, it crashed
  a worker or the scorer, or any code this module does not know. A policy that could earn
  ``None`` or 0 that way would learn to escape its penalties (a 0 beats the −1 of
  ``overlong``), so these score as the *worst* answer: each score at the low end of its
  range (the high end under a negative weight).

Stdlib only: the service's ``/openrlhf`` route applies the same rule.

>>> timeout = {"status": "timeout", "error": {"code": "item_timeout"}, "scores": {}}
>>> trainer_scores(timeout, ["accuracy", "overlong"])
{'accuracy': 0.0, 'overlong': -1.0}
>>> trainer_scores({"status": "error", "error": {"code": "invalid_reference"}}, ["accuracy"])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Result = Mapping[str, Any]

# The failures a completion cannot cause (default deny: anything else is the completion's).
NOT_THE_COMPLETIONS_DOING = frozenset(
    {
        "missing_reference",
        "invalid_reference",
        "unknown_domain",
        "unsupported_language",
        "sandbox_unavailable",
        "invalid_item",
        # The caller's deadline passed while the item still waited for a worker: the
        # service cuts only items it has not started, so a slow completion cannot earn it.
        "deadline_exceeded",
    }
)

_UNIT = (0.0, 1.0)


def score_range(name: str, options: Mapping[str, Any] | None = None) -> tuple[float, float]:
    """The lowest and highest value of score ``name`` under the format ``options``
    (the ranges of the README's score table)."""
    options = options or {}
    if name == "length":
        lows = (options.get("cosine_min_wrong", -1.0), options.get("cosine_min_correct", 0.5))
        highs = (options.get("cosine_max_wrong", -0.5), options.get("cosine_max_correct", 1.0))
        return float(min(lows)), float(max(highs))
    if name == "overlong":
        return -1.0, 0.0
    if name == "repetition":
        penalty = float(options.get("max_repetition_penalty", -1.0))
        return min(penalty, 0.0), max(penalty, 0.0)
    return _UNIT  # accuracy, pass_rate, format, tag_count, reasoning_steps, language_consistency


def worst_score(name: str, weight: float = 1.0, options: Mapping[str, Any] | None = None) -> float:
    """The value of ``name`` that contributes least to a reward in which it has ``weight``."""
    low, high = score_range(name, options)
    return low if weight >= 0 else high


def is_unscorable(result: Result) -> bool:
    """True when the result is not ``ok`` for a reason the completion cannot cause."""
    if result.get("status") == "ok":
        return False
    error = result.get("error") or {}
    return error.get("code") in NOT_THE_COMPLETIONS_DOING


# ``details.reason`` of a result the service scored 0 because checking the completion failed
# (other reasons, such as ``no_answer``, explain an ordinary wrong answer).
SCORER_FAILURES = frozenset({"timeout", "too_large", "scorer_failed"})


def completion_failed(result: Result) -> bool:
    """True when scoring failed through the completion's own doing: the service scored it 0
    with a :data:`SCORER_FAILURES` reason (too large, timed out, broke the scorer), or
    answered an error that is not :func:`is_unscorable`.

    >>> completion_failed({"status": "ok", "details": {"reason": "too_large"}})
    True
    """
    if result.get("status") == "ok":
        return (result.get("details") or {}).get("reason") in SCORER_FAILURES
    return not is_unscorable(result)


def trainer_scores(
    result: Result,
    names: Sequence[str],
    weights: Mapping[str, float] | None = None,
    options: Mapping[str, Any] | None = None,
) -> dict[str, float] | None:
    """Each of ``names`` for this result: the service's scores, the worst ones for a failure
    of the completion's doing, ``None`` when the item is unscorable."""
    weights = weights or {}
    if result.get("status") == "ok":
        scores = result.get("scores") or {}
        return {
            name: float(scores[name])
            if name in scores
            else worst_score(name, weights.get(name, 1.0), options)
            for name in names
        }
    if is_unscorable(result):
        return None
    return {name: worst_score(name, weights.get(name, 1.0), options) for name in names}


def trainer_reward(
    result: Result, weights: Mapping[str, float], options: Mapping[str, Any] | None = None
) -> float | None:
    """The weighted reward: the service's, the worst one for a failure of the completion's
    doing, ``None`` when the item is unscorable.

    >>> crash = {"status": "error", "error": {"code": "worker_crashed"}}
    >>> trainer_reward(crash, {"accuracy": 1.0, "repetition": 0.5})
    -0.5
    """
    if result.get("status") == "ok" and result.get("reward") is not None:
        return float(result["reward"])
    scores = trainer_scores(result, list(weights), weights, options)
    if scores is None:
        return None
    return round(sum(weights[name] * value for name, value in scores.items()), 9)
