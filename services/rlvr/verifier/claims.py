"""Scoring shared by requests, and each request's wait for its own items.

A distinct job (domain, completion, reference, num_tokens) is scored once, as a
:class:`JobRun`, for every item of every request that holds it: identical items sent by
concurrent one-sample requests cost one task. A request holds its runs through a
:class:`Claim` and waits for them until they are done, its deadline passes or its client
hangs up, and then lets go of the rest. A run nobody holds any more is cancelled if it is
still waiting for a worker; the other holders are never disturbed.

**Deadlines cut only what has not started.** At the deadline, an item still waiting for a
worker comes back ``status: timeout``, ``deadline_exceeded``, ``reward: null`` (not the
completion's doing: it was never looked at). An item whose scoring has started is finished
under its own limits (``RLVR_ITEM_TIMEOUT_S``; past it the completion is charged, as
always): cutting it would let a completion that is slow to check trade its wrong-answer
penalty for a skipped item whenever a caller sets a deadline shorter than the item limit.
So a request answers by its deadline, plus at most one item limit (and the kill grace)
while a slow item is in a worker at that moment.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from .dispatch import Progress
from .metrics import Metrics
from .scoring import Job, Outcome
from .vocabulary import ErrorCode, Status

log = logging.getLogger(__name__)


@dataclass(eq=False)
class JobRun:
    """One distinct job being scored for everyone who holds it."""

    job: Job
    task: asyncio.Task[Outcome]
    progress: Progress
    holders: int = 0  # items, of every request, that still wait for it

    def release(self, count: int) -> None:
        """``count`` items stop waiting; cancel the run when nobody waits any more (a
        task already in a worker runs to its end, its answer unread)."""
        self.holders -= count
        if self.holders <= 0 and not self.task.done():
            self.task.cancel()

    def outcome(self) -> Outcome | None:
        """The verdict, once scored (None if the run was cancelled or is not done)."""
        if not self.task.done() or self.task.cancelled():
            return None
        error = self.task.exception()
        if error is not None:  # the scorer answers every failure: this is a bug
            log.error("scoring a %s item raised", self.job.domain, exc_info=error)
            return Outcome.failed(ErrorCode.INTERNAL_ERROR, f"{type(error).__name__} while scoring")
        return self.task.result()


def deadline_outcome(deadline_s: float) -> Outcome:
    return Outcome.failed(
        ErrorCode.DEADLINE_EXCEEDED,
        f"not scored within the request's deadline of {deadline_s:g} s (it was still waiting "
        "for a worker): send it again with a longer deadline, or to a less busy service",
        status=Status.TIMEOUT,
    )


class Claim:
    """One request's items: outcomes known before scoring (by position) and the runs the
    other positions wait on."""

    def __init__(
        self,
        size: int,
        known: dict[int, tuple[str, Outcome]],
        runs: Sequence[tuple[JobRun, list[int]]],
        metrics: Metrics,
    ) -> None:
        self.size, self.known, self.runs, self.metrics = size, known, runs, metrics
        # the runs this claim has not let go of yet, with how many of its items wait on each
        self._held = {id(run): (run, len(positions)) for run, positions in runs}

    async def wait(
        self, deadline: float | None, deadline_s: float | None, gone: asyncio.Future[None] | None
    ) -> list[Outcome | None] | None:
        """Each position's outcome once every run is done or the ``deadline`` (event-loop
        time) has passed; None when ``gone`` (the client hung up) completes first."""
        loop = asyncio.get_running_loop()
        cut: set[int] = set()  # id() of the runs given up at the deadline
        try:
            waiting = [run for run, _ in self._held.values() if not run.task.done()]
            timeout = None if deadline is None else max(0.0, deadline - loop.time())
            if waiting and not await _all_done(waiting, gone, timeout):
                if gone is not None and gone.done():
                    self.release()
                    return None
                # The deadline passed: give up what has not started, finish the rest.
                started = []
                for run in waiting:
                    if run.task.done():
                        continue
                    if run.progress.started():
                        started.append(run)
                    else:
                        cut.add(id(run))
                        self._let_go(run)
                if started and not await _all_done(started, gone, None):
                    self.release()
                    return None
        except BaseException:  # cancelled (the server stops): let the others carry on
            self.release()
            raise
        return self._outcomes(cut, deadline_s)

    def _outcomes(self, cut: set[int], deadline_s: float | None) -> list[Outcome | None]:
        outcomes: list[Outcome | None] = [None] * self.size
        for position, (_, outcome) in self.known.items():
            outcomes[position] = outcome
        for run, positions in self.runs:
            found = run.outcome()  # a cut run another request kept may have finished since
            if found is None and id(run) in cut:
                self.metrics.observe(run.job.domain, Status.TIMEOUT, 0.0, count=len(positions))
                found = deadline_outcome(deadline_s or 0.0)
            for position in positions:
                outcomes[position] = found
        return outcomes

    def release(self) -> None:
        """Let go of every run still held (the answer is not wanted any more)."""
        held, self._held = self._held, {}
        for run, count in held.values():
            run.release(count)

    def _let_go(self, run: JobRun) -> None:
        entry = self._held.pop(id(run), None)
        if entry is not None:
            run.release(entry[1])


async def _all_done(
    runs: Sequence[JobRun], gone: asyncio.Future[None] | None, timeout: float | None
) -> bool:
    """Whether every run finished before ``timeout`` seconds passed or ``gone`` completed."""
    loop = asyncio.get_running_loop()
    finished = loop.create_future()
    remaining = len(runs)

    def one_done(_: object) -> None:
        nonlocal remaining
        remaining -= 1
        if remaining == 0 and not finished.done():
            finished.set_result(None)

    for run in runs:
        run.task.add_done_callback(one_done)
    try:
        waiters: set[asyncio.Future[None]] = {finished}
        if gone is not None:
            waiters.add(gone)
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        return finished.done()
    finally:
        for run in runs:
            run.task.remove_done_callback(one_done)
        if not finished.done():
            finished.cancel()
