"""Score one item: the domain's verdict plus the selected format rewards, weighted.

This is what a worker process runs. Everything here is picklable plain data, so
the HTTP layer never leaks into the workers and the workers never see HTTP.

Every failure is attributed (``vocabulary.Blame``). When checking the answer fails —
it runs past the soft limit, raises, or raises a reference error — the reference is
checked *alone* (against an empty completion). If the reference alone is fine, the
completion caused the failure: the item is scored with accuracy 0, ``status: ok`` and
``details.reason``, so a policy can never escape a penalty by breaking the scorer. If the
reference alone fails, the reference is to blame: ``status: error``, ``reward: null``.
A reference new to the process is checked alone *first*, so its one-off set-up (parsing
the gold, building a reasoning-gym task) never uses up the answer's time.

>>> from rlvr.verifier.domains import build_domains
>>> plan = ScoringPlan(rewards=("accuracy", "format"), weights={"accuracy": 1.0, "format": 0.5})
>>> job = Job("math", "<think>2+2</think><answer>4</answer>", {"answer": "4"})
>>> out = score_item(job, plan, build_domains())
>>> (str(out.status), out.reward, out.scores)
('ok', 1.5, {'accuracy': 1.0, 'format': 1.0})
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from .domains import CannotScore, Domain, Verdict
from .domains.base import AnswerOptions, verify_with
from .domains.fmt import FORMAT_REWARDS, FormatOptions, Sample, as_written
from .timeouts import ItemTimeout, time_limit
from .vocabulary import BLAME, DOMAIN_SCORES, Blame, ErrorCode, Reason, Score, Status

log = logging.getLogger(__name__)

ACCURACY = Score.ACCURACY
REWARD_NAMES: tuple[str, ...] = tuple(Score)
T = TypeVar("T")
# References this process has scored with: their caches (parsed gold, task set-up) are warm.
_seen: dict[str, None] = {}
_SEEN_MAX = 4096


@dataclass(frozen=True)
class Job:
    """One item to score, without its id (identical jobs are scored once).

    ``oversize`` is set (to the completion's length) when the completion is over the size
    limit; its text is then not sent at all and the item scores as ``too_large``.
    """

    domain: str
    completion: str
    reference: Mapping[str, Any] | None
    num_tokens: int | None = None
    oversize: int | None = None


@dataclass(frozen=True)
class ScoringPlan:
    """What to compute for every item of a request."""

    rewards: tuple[str, ...] = (Score.ACCURACY, Score.FORMAT)
    weights: Mapping[str, float] = field(default_factory=lambda: {ACCURACY: 1.0})
    format_options: FormatOptions = field(default_factory=FormatOptions)
    soft_timeout_s: float = 0.0
    answer_options: AnswerOptions = field(default_factory=AnswerOptions)


@dataclass(frozen=True)
class ErrorInfo:
    code: ErrorCode
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
        cls, code: ErrorCode, message: str, status: Status = Status.ERROR, elapsed_s: float = 0.0
    ) -> Outcome:
        return cls(status=status, error=ErrorInfo(code, message), elapsed_s=elapsed_s)


def weighted_reward(scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Σ weight·score over the computed scores; a score without a weight counts 0.

    >>> weighted_reward({"accuracy": 1.0, "format": 0.0}, {"accuracy": 0.9, "format": 0.1})
    0.9
    """
    return round(sum(weights.get(name, 0.0) * value for name, value in scores.items()), 9)


def score_floor(name: str, options: FormatOptions) -> float:
    """The lowest value score ``name`` can take: what a completion that broke it gets."""
    if name in (Score.LENGTH, Score.OVERLONG):
        return -1.0
    if name == Score.REPETITION:
        return min(0.0, options.max_repetition_penalty)
    return 0.0


def score_item(job: Job, plan: ScoringPlan, domains: Mapping[str, Domain]) -> Outcome:
    """Score ``job`` under ``plan`` with ``domains``; every failure becomes an
    :class:`Outcome`, never a raise."""
    started = time.perf_counter()
    try:
        outcome = _score(job, plan, domains)
    except Exception as exc:  # a bug here must not lose the item
        log.exception("scoring failed for a %s item", job.domain)
        outcome = Outcome.failed(ErrorCode.INTERNAL_ERROR, f"{type(exc).__name__} while scoring")
    return replace(outcome, elapsed_s=time.perf_counter() - started)


def _score(job: Job, plan: ScoringPlan, domains: Mapping[str, Domain]) -> Outcome:
    domain = domains.get(job.domain)
    if domain is None:
        known = ", ".join(sorted(domains))
        return Outcome.failed(
            ErrorCode.UNKNOWN_DOMAIN, f"unknown domain {job.domain!r}; use one of {known}"
        )
    reference = job.reference
    if reference is None:
        return Outcome.failed(
            ErrorCode.MISSING_REFERENCE, f"domain {job.domain!r} needs a reference"
        )
    if job.oversize is not None:
        return penalised(job, plan, domain, Reason.TOO_LARGE, {"chars": job.oversize})
    cold = _first_use(job.domain, reference)
    if cold:
        # New to this worker: check (and warm) the reference alone first, so that its set-up
        # (parsing the gold, building a task) never eats the answer's time.
        fault = check_reference(domain, reference, plan)
        if fault is not None:
            _forget(job.domain, reference)
            return fault
    text = as_written(job.completion, plan.format_options.think_in_prompt)
    try:
        verdict = _limited(plan, lambda: verify_with(domain, text, reference, plan.answer_options))
    except CannotScore as exc:
        if BLAME.get(exc.code) is not Blame.REFERENCE:  # infrastructure: nobody's fault
            return Outcome.failed(exc.code, str(exc))
        # A reference error that the completion provoked is the completion's doing.
        info: dict[str, Any] = {"error": str(exc)}
        return penalised(job, plan, domain, Reason.SCORER_FAILED, info, checked=cold)
    except ItemTimeout:
        limit = {"limit_s": plan.soft_timeout_s}
        return penalised(job, plan, domain, Reason.TIMEOUT, limit, checked=cold)
    except Exception as exc:  # RecursionError, MemoryError, a parser's bug on this text…
        info = {"error": type(exc).__name__}
        return penalised(job, plan, domain, Reason.SCORER_FAILED, info, checked=cold)
    return _scored(job, plan, verdict)


def penalised(
    job: Job,
    plan: ScoringPlan,
    domain: Domain,
    reason: Reason,
    info: Mapping[str, Any],
    formats: bool = True,
    checked: bool = False,
) -> Outcome:
    """Checking the answer failed: blame the reference if it fails alone (unless it was just
    ``checked``), else score the completion 0 (every domain score 0, format rewards as
    computed, or at their floor without ``formats`` or when the text was too large to look
    at) with ``reason``."""
    assert job.reference is not None
    fault = None if checked else check_reference(domain, job.reference, plan)
    if fault is not None:
        return fault
    verdict = Verdict(0.0, None, {"reason": reason.value, **info}, {Score.PASS_RATE: 0.0})
    return _scored(job, plan, verdict, formats=formats and reason is not Reason.TOO_LARGE)


def check_reference(
    domain: Domain, reference: Mapping[str, Any], plan: ScoringPlan
) -> Outcome | None:
    """None when the reference can be used on its own (checked against an empty completion);
    else the reference's error."""
    try:
        _limited(plan, lambda: domain.verify("", reference))
    except CannotScore as exc:
        return Outcome.failed(exc.code, str(exc))
    except ItemTimeout:
        return Outcome.failed(
            ErrorCode.INVALID_REFERENCE,
            f"checking the reference alone takes longer than {plan.soft_timeout_s:g} s",
        )
    except Exception as exc:
        return Outcome.failed(
            ErrorCode.INVALID_REFERENCE,
            f"the reference alone makes the scorer fail ({type(exc).__name__})",
        )
    return None


def _first_use(domain: str, reference: Mapping[str, Any]) -> bool:
    """Whether this process scores with ``reference`` for the first time (then remembers it)."""
    try:
        key = domain + json.dumps(reference, sort_keys=True, default=str)
    except (ValueError, RecursionError):
        return True
    if key in _seen:
        return False
    if len(_seen) >= _SEEN_MAX:
        with contextlib.suppress(RuntimeError, KeyError, StopIteration):  # threads race here
            del _seen[next(iter(_seen))]
    _seen[key] = None
    return True


def _forget(domain: str, reference: Mapping[str, Any]) -> None:
    _seen.pop(domain + json.dumps(reference, sort_keys=True, default=str), None)


def _limited(plan: ScoringPlan, work: Callable[[], T]) -> T:
    with time_limit(plan.soft_timeout_s):
        return work()


def _scored(job: Job, plan: ScoringPlan, verdict: Verdict, formats: bool = True) -> Outcome:
    """The outcome of a verdict: domain scores, format rewards, the weighted reward."""
    options = plan.format_options
    sample = Sample(job.completion, job.num_tokens, correct=verdict.accuracy >= 1.0)
    scores = {name: score_floor(name, options) for name in plan.rewards}
    details = verdict.details
    for name in plan.rewards:
        if name in DOMAIN_SCORES:
            # A domain without a finer score (math) reports its accuracy for pass_rate.
            scores[name] = verdict.scores.get(name, verdict.accuracy)
    wanted = [name for name in plan.rewards if name not in DOMAIN_SCORES]
    if formats and wanted:
        try:
            with time_limit(plan.soft_timeout_s):
                for name in wanted:
                    scores[name] = FORMAT_REWARDS[name](sample, options)
        except ItemTimeout:  # the rest keep their floor: the text made them too slow
            details = {**details, "format_reason": Reason.TIMEOUT.value}
        except Exception as exc:
            details = {**details, "format_reason": Reason.SCORER_FAILED.value}
            log.warning("a format reward failed on a completion: %s", type(exc).__name__)
    reward = weighted_reward(scores, plan.weights)
    if not all(math.isfinite(value) for value in (reward, *scores.values())):
        return Outcome.failed(
            ErrorCode.SCORING_FAILED, "a score is not finite: check the request's options"
        )
    return Outcome(
        status=Status.OK,
        reward=reward,
        scores=scores,
        extracted=verdict.extracted,
        details=details,
    )
