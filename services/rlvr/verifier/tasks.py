"""Functions that run inside worker processes (besides :func:`.scoring.score_item`).

A worker task is a module-level function called as ``fn(*args, domains)``; workers import
it by name, so tasks live here, in a module the forkserver imports ahead of time
(:mod:`.worker_warmup`), and never in route modules, which would drag the web stack into
every fresh worker on its first task.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .behaviours import analyze_many
from .domains import Domain
from .scoring import Job, Outcome, ScoringPlan, penalised
from .vocabulary import ErrorCode, Reason


def score_penalty(
    job: Job,
    plan: ScoringPlan,
    reason: str,
    info: dict[str, Any],
    formats: bool,
    domains: Mapping[str, Domain],
) -> Outcome:
    """Worker task: the outcome of an item whose answer check killed its worker."""
    started = time.perf_counter()
    domain = domains.get(job.domain)
    if domain is None:
        return Outcome.failed(ErrorCode.UNKNOWN_DOMAIN, f"unknown domain {job.domain!r}")
    outcome = penalised(job, plan, domain, Reason(reason), info, formats=formats)
    return replace(outcome, elapsed_s=time.perf_counter() - started)


def analyze(texts: list[str], domains: Mapping[str, Domain]) -> list[dict[str, Any]]:
    """Reasoning behaviours of ``texts`` (they need no domain)."""
    return analyze_many(texts)
