"""Send each job where it is scored, and attribute what the workers cannot.

CPU-bound domains run in worker processes, one item per task, so a slow item holds
one worker and delays nothing else; domains that wait on a sandbox run on threads of
the service. Inside a worker, :mod:`.scoring` attributes soft timeouts and crashes of
the scorer itself. What it cannot see, this module handles:

* the worker **died** (crash, OOM killer, ``kill -9``): the item is tried once more on
  a fresh worker, since the cause may have been outside it;
* the worker was **killed** at the hard limit (C code deaf to the soft limit), or died
  again: a follow-up task checks the reference alone and computes the format rewards;
  if the reference is fine the completion is to blame (accuracy 0, ``details.reason``),
  else ``invalid_reference``. Should that follow-up die too, a last one checks the
  reference only (format rewards at their floor).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from .domains import Domain
from .scoring import Job, Outcome, ScoringPlan, score_item
from .tasks import score_penalty
from .vocabulary import ErrorCode, Reason
from .workers import Failure, FailureKind, Priority, WorkerPool


@dataclass(frozen=True)
class Scorer:
    """Scores jobs with the app's domains (all of them, code included)."""

    pool: WorkerPool
    domains: Mapping[str, Domain]
    threads: ThreadPoolExecutor  # one per sandbox container: no thread waits for one
    kill_grace_s: float

    async def score(self, job: Job, plan: ScoringPlan) -> Outcome:
        """One Outcome for ``job``, whatever happens to the worker scoring it."""
        domain = self.domains.get(job.domain)
        if domain is not None and domain.waits_on_io:
            # SIGALRM works only on a main thread; the sandbox enforces these items' limits.
            threaded = replace(plan, soft_timeout_s=0.0)
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self.threads, score_item, job, threaded, self.domains)
        limit = plan.soft_timeout_s + self.kill_grace_s
        result = await self.run_task(score_item, job, plan, limit_s=limit)
        if isinstance(result, Outcome):
            return result
        return await self._after_failure(job, plan, result)

    async def run_task(
        self,
        fn: Callable[..., Any],
        *args: Any,
        limit_s: float | None = None,
        priority: Priority = Priority.NORMAL,
    ) -> Any:
        """``fn(*args, domains)`` in a worker; a task whose worker died is run once more."""
        result = await self.pool.run(fn, *args, limit_s=limit_s, priority=priority)
        if isinstance(result, Failure) and result.kind is FailureKind.DIED:
            result = await self.pool.run(fn, *args, limit_s=limit_s, priority=Priority.FOLLOW_UP)
        return result

    async def _after_failure(self, job: Job, plan: ScoringPlan, failure: Failure) -> Outcome:
        if failure.kind is FailureKind.UNAVAILABLE:
            return Outcome.failed(ErrorCode.WORKER_CRASHED, failure.message)
        if failure.kind is FailureKind.RAISED:  # score_item catches everything: a bug
            return Outcome.failed(ErrorCode.INTERNAL_ERROR, failure.message)
        info: dict[str, Any]
        if failure.kind is FailureKind.KILLED:
            reason, info = Reason.TIMEOUT, {"limit_s": plan.soft_timeout_s, "killed": True}
        else:
            reason, info = Reason.SCORER_FAILED, {"error": failure.message}
        limit = plan.soft_timeout_s + self.kill_grace_s
        for formats in (True, False):
            follow_up = await self.pool.run(
                score_penalty,
                job,
                plan,
                reason.value,
                info,
                formats,
                limit_s=limit,
                priority=Priority.FOLLOW_UP,
            )
            if isinstance(follow_up, Outcome):
                return follow_up
            if follow_up.kind is FailureKind.UNAVAILABLE:
                return Outcome.failed(ErrorCode.WORKER_CRASHED, follow_up.message)
        return Outcome.failed(
            ErrorCode.INVALID_REFERENCE, "checking the reference alone kills the scoring worker"
        )
