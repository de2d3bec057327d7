"""Score one item: the domain's verdict plus the selected format rewards, weighted.

This is what a worker process runs. Everything here is picklable plain data, so
the HTTP layer never leaks into the workers and the workers never see HTTP.

>>> plan = ScoringPlan(rewards=("accuracy", "format"), weights={"accuracy": 1.0, "format": 0.5})
>>> out = score_item(Job("math", "<think>2+2</think><answer>4</answer>", {"answer": "4"}), plan)
>>> (out.status, out.reward, out.scores)
('ok', 1.5, {'accuracy': 1.0, 'format': 1.0})
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .domains import DOMAINS, CannotScore, MissingReference, Verdict
from .domains.base import AnswerOptions, verify_with
from .domains.fmt import FORMAT_REWARDS, FormatOptions, Sample
from .timeouts import ItemTimeout, time_limit

log = logging.getLogger(__name__)

Status = Literal["ok", "timeout", "error"]
ACCURACY = "accuracy"
DOMAIN_SCORES: tuple[str, ...] = (ACCURACY, "pass_rate")  # from the domain's verdict
REWARD_NAMES: tuple[str, ...] = (*DOMAIN_SCORES, *FORMAT_REWARDS)


@dataclass(frozen=True)
class Job:
    """One item to score, without its id (identical jobs are scored once)."""

    domain: str
    completion: str
    reference: Mapping[str, Any] | None
    num_tokens: int | None = None


@dataclass(frozen=True)
class ScoringPlan:
    """What to compute for every item of a request."""

    rewards: tuple[str, ...] = (ACCURACY, "format")
    weights: Mapping[str, float] = field(default_factory=lambda: {ACCURACY: 1.0})
    format_options: FormatOptions = field(default_factory=FormatOptions)
    soft_timeout_s: float = 0.0
    answer_options: AnswerOptions = field(default_factory=AnswerOptions)


@dataclass(frozen=True)
class ErrorInfo:
    code: str
    message: str


@dataclass(frozen=True)
class Outcome:
    """The verdict for one job, before an id and timing are attached."""

    status: Status
    reward: float | None = None
    scores: dict[str, float] = field(default_factory=dict)
    extracted: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    error: ErrorInfo | None = None
    elapsed_s: float = 0.0  # time spent scoring in the worker, queueing excluded

    @classmethod
    def failed(
        cls, code: str, message: str, status: Status = "error", elapsed_s: float = 0.0
    ) -> Outcome:
        return cls(status=status, error=ErrorInfo(code, message), elapsed_s=elapsed_s)


def weighted_reward(scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Σ weight·score over the computed scores; a score without a weight counts 0.

    >>> weighted_reward({"accuracy": 1.0, "format": 0.0}, {"accuracy": 0.9, "format": 0.1})
    0.9
    """
    return round(sum(weights.get(name, 0.0) * value for name, value in scores.items()), 9)


def _verdict(job: Job, options: AnswerOptions) -> Verdict:
    domain = DOMAINS[job.domain]
    if job.reference is None:
        raise MissingReference(f"domain {job.domain!r} needs a reference")
    return verify_with(domain, job.completion, job.reference, options)


def _score(job: Job, plan: ScoringPlan) -> Outcome:
    if job.domain not in DOMAINS:
        known = ", ".join(sorted(DOMAINS))
        return Outcome.failed(
            "unknown_domain", f"unknown domain {job.domain!r}; use one of {known}"
        )
    try:
        verdict = _verdict(job, plan.answer_options)
    except CannotScore as exc:
        return Outcome.failed(exc.code, str(exc))
    sample = Sample(job.completion, job.num_tokens, correct=verdict.accuracy >= 1.0)
    scores: dict[str, float] = {}
    for name in plan.rewards:
        if name in DOMAIN_SCORES:
            # A domain without a finer score (math) reports its accuracy for pass_rate.
            scores[name] = verdict.scores.get(name, verdict.accuracy)
        else:
            scores[name] = FORMAT_REWARDS[name](sample, plan.format_options)
    return Outcome(
        status="ok",
        reward=weighted_reward(scores, plan.weights),
        scores=scores,
        extracted=verdict.extracted,
        details=verdict.details,
    )


def score_item(job: Job, plan: ScoringPlan) -> Outcome:
    """Score ``job`` under ``plan``; every failure becomes an :class:`Outcome`, never a raise."""
    started = time.perf_counter()
    outcome = _score_safely(job, plan)
    return replace(outcome, elapsed_s=time.perf_counter() - started)


def _score_safely(job: Job, plan: ScoringPlan) -> Outcome:
    try:
        with time_limit(plan.soft_timeout_s):
            return _score(job, plan)
    except ItemTimeout:
        return Outcome.failed(
            "item_timeout", f"scoring took longer than {plan.soft_timeout_s:g} s", "timeout"
        )
    except RecursionError:
        return Outcome.failed("scoring_failed", "the answer is nested too deeply to compare")
    except Exception as exc:  # a bug or a library crash must not lose the item
        log.exception("scoring failed for a %s item", job.domain)
        return Outcome.failed("scoring_failed", f"{type(exc).__name__} while scoring the item")


def score_many(jobs: list[Job], plan: ScoringPlan) -> list[Outcome]:
    """Score several jobs in one worker call (amortises inter-process overhead)."""
    return [score_item(job, plan) for job in jobs]
