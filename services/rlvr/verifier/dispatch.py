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
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from .domains import Domain
from .scoring import Job, Outcome, ScoringPlan, score_item
from .tasks import score_penalty
from .vocabulary import ErrorCode, Reason
from .workers import Failure, FailureKind, Priority, WorkerPool


class _Tally:
    """Tasks queued or running, and answered; updated from the threads that finish them."""

    def __init__(self) -> None:
        self.live = self.completed = 0
        self._lock = threading.Lock()

    def started(self) -> None:
        with self._lock:
            self.live += 1

    def settled(self, future: Future[Any]) -> None:
        with self._lock:
            self.live -= 1
            if not future.cancelled():
                self.completed += 1


@dataclass
class Progress:
    """The tasks one job has used so far, so a waiter can tell whether its scoring started
    (a started item is finished under its own limits; a queued one can be cancelled)."""

    futures: list[Future[Any]] = field(default_factory=list)

    def started(self) -> bool:
        return any(future.running() or future.done() for future in self.futures)


@dataclass(frozen=True)
class Scorer:
    """Scores jobs with the app's domains (all of them, code included)."""

    pool: WorkerPool
    domains: Mapping[str, Domain]
    threads: ThreadPoolExecutor  # one per sandbox container: no thread waits for one
    kill_grace_s: float
    # jobs on ``threads``: queued or running, and answered (the pool counts its own)
    _threaded: _Tally = field(default_factory=lambda: _Tally(), repr=False)

    async def score(self, job: Job, plan: ScoringPlan, progress: Progress | None = None) -> Outcome:
        """One Outcome for ``job``, whatever happens to the worker scoring it. Cancelling
        the caller cancels the job's task if it has not started."""
        progress = progress if progress is not None else Progress()
        domain = self.domains.get(job.domain)
        if domain is not None and domain.waits_on_io:
            # SIGALRM works only on a main thread; the sandbox enforces these items' limits.
            threaded = replace(plan, soft_timeout_s=0.0)
            future = self.threads.submit(score_item, job, threaded, self.domains)
            self._threaded.started()
            future.add_done_callback(self._threaded.settled)
            progress.futures.append(future)
            outcome: Outcome = await asyncio.wrap_future(future)
            return outcome
        limit = plan.soft_timeout_s + self.kill_grace_s
        result = await self.run_task(score_item, job, plan, limit_s=limit, progress=progress)
        if isinstance(result, Outcome):
            return result
        return await self._after_failure(job, plan, result, progress)

    @property
    def pending(self) -> int:
        """Jobs queued or running, in the workers and on the sandbox threads."""
        return self.pool.pending + self._threaded.live

    @property
    def completed(self) -> int:
        """Tasks answered since start, in the workers and on the sandbox threads."""
        return self.pool.completed + self._threaded.completed

    async def run_task(
        self,
        fn: Callable[..., Any],
        *args: Any,
        limit_s: float | None = None,
        priority: Priority = Priority.NORMAL,
        progress: Progress | None = None,
    ) -> Any:
        """``fn(*args, domains)`` in a worker; a task whose worker died is run once more."""
        result = await self._run(fn, args, limit_s, priority, progress)
        if isinstance(result, Failure) and result.kind is FailureKind.DIED:
            result = await self._run(fn, args, limit_s, Priority.FOLLOW_UP, progress)
        return result

    async def _run(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        limit_s: float | None,
        priority: Priority,
        progress: Progress | None,
    ) -> Any:
        future = self.pool.submit(fn, *args, limit_s=limit_s, priority=priority)
        if progress is not None:
            progress.futures.append(future)
        return await asyncio.wrap_future(future)

    async def _after_failure(
        self, job: Job, plan: ScoringPlan, failure: Failure, progress: Progress
    ) -> Outcome:
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
            args = (job, plan, reason.value, info, formats)
            follow_up = await self._run(score_penalty, args, limit, Priority.FOLLOW_UP, progress)
            if isinstance(follow_up, Outcome):
                return follow_up
            if follow_up.kind is FailureKind.UNAVAILABLE:
                return Outcome.failed(ErrorCode.WORKER_CRASHED, follow_up.message)
        return Outcome.failed(
            ErrorCode.INVALID_REFERENCE, "checking the reference alone kills the scoring worker"
        )
