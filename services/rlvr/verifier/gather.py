"""Cross-request batching: concurrent small requests that ask the same are scored as one batch.

OpenRLHF, slime's remote RM and verl's reward loop send one sample per request, so a
training step arrives as thousands of one-item requests. A request of at most
``RLVR_GATHER_MAX_ITEMS`` items waits up to ``RLVR_GATHER_MS`` for others with the same
scoring plan (rewards, weights, format options, answer options); together they are read
as one batch (:func:`.batch.prepare`), so identical items across requests are scored once
and a group's items are dispatched together, as in a batch sent whole. A larger request, a
request alone in the service, or ``RLVR_GATHER_MS=0`` goes at once, through the same path.

An identical job (same plan, same domain, completion, reference and num_tokens) that is
still queued or being scored for an earlier batch is joined rather than scored again: a
trainer's one-sample requests for a group rarely arrive within one window once the workers
are busy, but they do arrive while the first is still in the queue.

Each request keeps its own items, order, ids, deadline and hang-up: it holds the shared
jobs through a :class:`.claims.Claim`, so a request that gives up (deadline, client gone)
lets go of its share and never takes anything from the others.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import partial

from .admission import Admission
from .batch import Batch, ItemLimits, prepare, results
from .claims import Claim, JobRun
from .dispatch import Progress, Scorer
from .metrics import Metrics
from .schemas import InvalidItem, VerifyItem, VerifyResult
from .scoring import Job, Outcome, ScoringPlan

Items = Sequence[VerifyItem | InvalidItem]
FLUSH_ITEMS = 1024  # a gathered batch goes at once when it holds this many items
INLINE_ITEMS = 64  # up to this many items are read on the event loop (a thread hop costs more)


def plan_key(plan: ScoringPlan) -> Hashable:
    """Equal for plans that score alike (weights compared as a set, not by order)."""
    return (
        tuple(plan.rewards),
        tuple(sorted(plan.weights.items())),
        plan.format_options,
        plan.answer_options,
        plan.soft_timeout_s,
    )


@dataclass(eq=False)
class _Ticket:
    items: Items
    plan: ScoringPlan
    claim: asyncio.Future[Claim]


@dataclass(eq=False)
class _Group:
    tickets: list[_Ticket] = field(default_factory=list)
    size: int = 0
    timer: asyncio.TimerHandle | None = None


class Gatherer:
    """The one way the scoring routes score items (see the module's docstring)."""

    def __init__(
        self,
        scorer: Scorer,
        limits: ItemLimits,
        metrics: Metrics,
        admission: Admission,
        window_s: float,
        max_items: int,
        crowd: Callable[[], int],
    ) -> None:
        self.scorer, self.limits, self.metrics = scorer, limits, metrics
        self.admission = admission
        self.window_s, self.max_items = window_s, max_items
        self._crowd = crowd  # scoring requests in flight, this one included
        self._open: dict[Hashable, _Group] = {}
        self._live: dict[Hashable, JobRun] = {}  # (plan, job) → its run, until it is done
        self._dispatching: set[asyncio.Task[None]] = set()  # held so none is collected

    async def verify(
        self,
        items: Items,
        plan: ScoringPlan,
        deadline: float | None = None,
        deadline_s: float | None = None,
        gone: asyncio.Future[None] | None = None,
        admitted: bool = False,
    ) -> list[VerifyResult] | None:
        """One result per item, in order; None when ``gone`` completed first (the client
        hung up). ``deadline`` is event-loop time; raises ``overloaded`` (429) unless the
        caller ``admitted`` the items already (a request scored in parts is admitted whole,
        so that no part is scored for a request refused)."""
        if not admitted:
            self.admission.admit(len(items))
        loop = asyncio.get_running_loop()
        ticket = _Ticket(items, plan, loop.create_future())
        if self.window_s <= 0 or len(items) > self.max_items or self._crowd() <= 1:
            self._dispatch_soon([ticket])
        else:
            self._join(ticket)
        try:
            claim = await asyncio.shield(ticket.claim)
        except asyncio.CancelledError:
            # Cancelled while its batch is being read: let go of its share once it is.
            ticket.claim.add_done_callback(_release)
            raise
        outcomes = await claim.wait(deadline, deadline_s, gone)
        if outcomes is None:
            return None
        ids = [item.id for item in items]
        if len(items) <= INLINE_ITEMS:
            return results(ids, outcomes)
        return await asyncio.to_thread(results, ids, outcomes)

    # -- gathering ------------------------------------------------------------------------

    def _join(self, ticket: _Ticket) -> None:
        key = plan_key(ticket.plan)
        group = self._open.get(key)
        if group is None:
            group = self._open[key] = _Group()
            loop = asyncio.get_running_loop()
            group.timer = loop.call_later(self.window_s, self._flush, key)
        group.tickets.append(ticket)
        group.size += len(ticket.items)
        if group.size >= FLUSH_ITEMS:
            self._flush(key)

    def _flush(self, key: Hashable) -> None:
        group = self._open.pop(key, None)
        if group is None:
            return
        if group.timer is not None:
            group.timer.cancel()
        self._dispatch_soon(group.tickets)

    def _dispatch_soon(self, tickets: list[_Ticket]) -> None:
        task = asyncio.get_running_loop().create_task(self._dispatch(tickets))
        self._dispatching.add(task)
        task.add_done_callback(self._dispatching.discard)

    # -- one batch ------------------------------------------------------------------------

    async def _dispatch(self, tickets: list[_Ticket]) -> None:
        """Read the tickets' items as one batch, start each distinct job once, and hand
        every ticket a claim on its own items."""
        items = [item for ticket in tickets for item in ticket.items]
        try:
            if len(items) <= INLINE_ITEMS:
                batch = prepare(items, self.limits)
            else:
                batch = await asyncio.to_thread(prepare, items, self.limits)
            self._hand_out(tickets, batch)
        except BaseException as exc:  # a bug: every waiting request hears of it, none hangs
            for ticket in tickets:
                if not ticket.claim.done():
                    ticket.claim.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
        finally:
            self.admission.dispatched(len(items))

    def _hand_out(self, tickets: list[_Ticket], batch: Batch) -> None:
        """Start each distinct job of ``batch`` once (or join the same job already live) and
        give every ticket its claim: the runs and the known outcomes of its own items."""
        plan = tickets[0].plan
        owner: list[int] = []  # position in the batch → ticket
        starts: list[int] = []  # ticket → its first position
        for index, ticket in enumerate(tickets):
            starts.append(len(owner))
            owner.extend([index] * len(ticket.items))
        runs_of: list[list[tuple[JobRun, list[int]]]] = [[] for _ in tickets]
        share = self.window_s > 0  # RLVR_GATHER_MS=0: every request is scored on its own
        scope = plan_key(plan)
        for job, key, positions in zip(batch.jobs, batch.keys, batch.positions, strict=True):
            run = self._live.get((scope, key)) if share else None
            # a run nobody holds any more has been cancelled: never join it
            if run is not None and run.holders > 0 and not run.task.done():
                run.holders += len(positions)
            else:
                run = self._start(job, plan, len(positions), (scope, key) if share else None)
            if len(tickets) == 1:  # a large batch alone: its positions are its own
                runs_of[0].append((run, positions))
                continue
            by_ticket: defaultdict[int, list[int]] = defaultdict(list)
            for position in positions:
                index = owner[position]
                by_ticket[index].append(position - starts[index])
            for index, local in by_ticket.items():
                runs_of[index].append((run, local))
        known: list[dict[int, tuple[str, Outcome]]] = [{} for _ in tickets]
        for position, (domain, outcome) in batch.known.items():
            index = owner[position]
            known[index][position - starts[index]] = (domain, outcome)
            self.metrics.observe(domain, outcome.status, 0.0)
        self.metrics.gathered_requests.observe(len(tickets))
        for index, ticket in enumerate(tickets):
            ticket.claim.set_result(
                Claim(len(ticket.items), known[index], runs_of[index], self.metrics)
            )

    def _start(self, job: Job, plan: ScoringPlan, holders: int, key: Hashable | None) -> JobRun:
        progress = Progress()
        task = asyncio.get_running_loop().create_task(self.scorer.score(job, plan, progress))
        run = JobRun(job, task, progress, holders=holders)
        task.add_done_callback(partial(self._observe, run))
        if key is not None:
            self._live[key] = run
            task.add_done_callback(partial(self._forget, key, run))
        return run

    def _forget(self, key: Hashable, run: JobRun, _: asyncio.Task[Outcome]) -> None:
        if self._live.get(key) is run:
            del self._live[key]

    def _observe(self, run: JobRun, done: asyncio.Task[Outcome]) -> None:
        if done.cancelled() or done.exception() is not None:
            return
        outcome = done.result()
        # counted for the items that receive it (those given up at a deadline count there)
        count = max(run.holders, 0)
        if count:
            domain = run.job.domain
            self.metrics.observe(domain, outcome.status, outcome.elapsed_s, count=count)
            self.metrics.observe_judge(domain, outcome.details.get("judge"), count=count)


def _release(claim: asyncio.Future[Claim]) -> None:
    if not claim.cancelled() and claim.exception() is None:
        claim.result().release()
