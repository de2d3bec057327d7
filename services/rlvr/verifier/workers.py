"""A pool of worker processes that score items, with a hard time limit per item.

Built on pebble's ``ProcessPool``: a task that outlives its timeout is killed
together with its worker process and pebble starts a fresh worker (forked from
this process, so it is born with the parsers imported), so a hung sympy call
costs one worker restart, never the service. Two limits apply to every item:

* the soft limit (``item_timeout_s``), raised inside the worker by SIGALRM
  (see :mod:`rlvr.verifier.timeouts`); cheap, the worker survives;
* the hard limit (soft + ``kill_grace_s``), enforced by pebble killing the worker,
  for code that never yields back to the interpreter.

Items that share a reference (a GRPO group) are sent as one task: the worker
parses the gold once and reuses its caches, and inter-process overhead is paid
once per group. If such a task is killed or its worker dies, its items are
retried one per task, so only the item at fault ends as ``timeout``/``error``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from types import MappingProxyType
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessPool

from .domains import Domain
from .scoring import Job, Outcome, ScoringPlan, score_item, score_many
from .vocabulary import ErrorCode, Status

log = logging.getLogger(__name__)
T = TypeVar("T")

# This worker process's domains, received once when it starts (empty in the service process).
_domains: Mapping[str, Domain] = MappingProxyType({})


def _start_worker(domains: Mapping[str, Domain]) -> None:
    """Keep the domains the app built, then exercise the parsers once so that a new
    worker's first items are not slow."""
    global _domains
    _domains = domains
    warm_up = Job("math", "\\boxed{\\frac{1}{2}}", {"answer": "x^2"})
    score_item(warm_up, ScoringPlan(), domains)


def _with_domains(fn: Callable[..., Any], *args: Any) -> Any:
    """Run a task in a worker: a task takes the worker's domains as its last argument."""
    return fn(*args, _domains)


class ScoringPool:
    """Runs scoring tasks in ``workers`` processes and turns every failure into an Outcome.

    Each worker receives ``domains`` when it starts; a task ``fn(*args)`` runs in a worker
    as ``fn(*args, domains)``.
    """

    def __init__(
        self,
        workers: int,
        item_timeout_s: float,
        kill_grace_s: float,
        domains: Mapping[str, Domain],
    ) -> None:
        self.workers = workers
        self.item_timeout_s = item_timeout_s
        self.kill_grace_s = kill_grace_s
        self.pending = 0  # items submitted and not finished: the queue depth metric
        self.killed = 0  # workers killed for running past the hard limit or crashing
        self._pool = ProcessPool(
            max_workers=workers, initializer=_start_worker, initargs=(dict(domains),)
        )

    def hard_timeout_s(self, items: int = 1) -> float:
        return items * self.item_timeout_s + self.kill_grace_s

    async def score(self, jobs: Sequence[Job], plan: ScoringPlan) -> list[Outcome]:
        """Score ``jobs`` (ideally sharing a reference) in one task; one Outcome per job."""
        self.pending += len(jobs)
        try:
            if len(jobs) == 1:
                return [await self.call(score_item, jobs[0], plan)]
            outcomes = await self._run(score_many, list(jobs), plan, items=len(jobs))
            if isinstance(outcomes, list):
                return outcomes
            # The group was killed or crashed: find the culprit by retrying one by one.
            return list(await asyncio.gather(*(self.call(score_item, j, plan) for j in jobs)))
        finally:
            self.pending -= len(jobs)

    async def call(self, fn: Callable[..., Outcome], *args: Any) -> Outcome:
        """Run ``fn(*args)`` in a worker under the one-item hard limit."""
        outcome = await self._run(fn, *args, items=1)
        assert isinstance(outcome, Outcome)
        return outcome

    async def run_task(self, fn: Callable[..., T], *args: Any) -> T | Outcome:
        """Run any ``fn(*args)`` in a worker under the one-item hard limit; a kill or a
        crash comes back as a failed :class:`Outcome`."""
        self.pending += 1
        try:
            result: T | Outcome = await self._run(fn, *args, items=1)
            return result
        finally:
            self.pending -= 1

    async def _run(self, fn: Callable[..., Any], *args: Any, items: int) -> Any:
        limit = self.hard_timeout_s(items)
        try:
            future = self._pool.schedule(_with_domains, args=(fn, *args), timeout=limit)
            return await asyncio.wrap_future(future)
        except FutureTimeout:
            self.killed += 1
            return Outcome.failed(
                ErrorCode.ITEM_TIMEOUT,
                f"scoring ran past the hard limit of {limit:g} s; worker killed",
                Status.TIMEOUT,
                elapsed_s=limit,
            )
        except ProcessExpired as exc:
            self.killed += 1
            log.warning("a scoring worker died: %s", str(exc))
            return Outcome.failed(
                ErrorCode.WORKER_CRASHED, "the scoring worker died; retry the item"
            )

    def close(self) -> None:
        """Stop the workers without waiting for queued items."""
        self._pool.stop()  # type: ignore[no-untyped-call]
        self._pool.join(timeout=5)
