"""Cross-request batching and deadlines, with a real worker pool (one worker, so the order in
which items start is known) and the fault domain (completions that sleep on command): what
is shared is scored once, what each request asks stays its own, a deadline cuts only items
that have not started, and a request that gives up never takes anything from another."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from rlvr.verifier.admission import Admission
from rlvr.verifier.batch import ItemLimits
from rlvr.verifier.dispatch import Scorer
from rlvr.verifier.gather import Gatherer, plan_key
from rlvr.verifier.metrics import Metrics
from rlvr.verifier.schemas import VerifyItem, VerifyResult
from rlvr.verifier.scoring import ScoringPlan
from rlvr.verifier.workers import PoolConfig, WorkerPool

from . import faults

T = TypeVar("T")
PLAN = ScoringPlan(rewards=("accuracy",), weights={"accuracy": 1.0}, soft_timeout_s=1.0)
LIMITS = ItemLimits(max_completion_chars=10_000, max_reference_chars=10_000, max_id_chars=100)


@pytest.fixture(scope="module")
def scorer() -> Iterator[Scorer]:
    pool = WorkerPool(PoolConfig(size=1, hard_limit_s=3.0, kill_grace_s=0.5), faults.domains())
    threads = ThreadPoolExecutor(1)
    scorer = Scorer(pool, faults.domains(), threads, kill_grace_s=0.5)
    deadline = time.monotonic() + 60
    while pool.alive < 1:  # the first worker starts with the forkserver (seconds)
        assert time.monotonic() < deadline, pool.problems()
        time.sleep(0.05)
    yield scorer
    pool.close()
    threads.shutdown()


def _gatherer(scorer: Scorer, window_s: float = 0.05, limit: int = 0) -> Gatherer:
    metrics = Metrics(["faulty"])
    admission = Admission(limit, lambda: scorer.pending, lambda: scorer.completed, metrics)
    return Gatherer(scorer, LIMITS, metrics, admission, window_s, max_items=64, crowd=lambda: 2)


def _item(item_id: str, completion: str, answer: str | None = None) -> VerifyItem:
    reference = {"answer": completion if answer is None else answer}
    return VerifyItem(id=item_id, domain="faulty", completion=completion, reference=reference)


def _run(coroutine: Awaitable[T]) -> T:
    async def main() -> T:
        return await coroutine

    return asyncio.run(main())


def _summary(results: list[VerifyResult] | None) -> list[tuple[Any, ...]]:
    assert results is not None
    return [
        (r.id, r.status, r.reward, r.error.code if r.error else r.details.get("reason"))
        for r in results
    ]


def _gathered(gatherer: Gatherer) -> tuple[float, float]:
    """(gathered batches, requests in them) so far."""
    histogram = gatherer.metrics.gathered_requests
    count = sum_ = 0.0
    for metric in histogram.collect():
        for sample in metric.samples:
            if sample.name.endswith("_count"):
                count = sample.value
            elif sample.name.endswith("_sum"):
                sum_ = sample.value
    return count, sum_


def test_concurrent_requests_with_one_plan_are_one_batch_and_repeats_score_once(
    scorer: Scorer,
) -> None:
    gatherer = _gatherer(scorer)
    before = scorer.completed

    async def main() -> list[list[VerifyResult] | None]:
        # 24 one-item requests: 3 distinct completions, each sent by 8 "clients"
        calls = [
            gatherer.verify([_item(f"r{n}", f"SLEEP:0.0{n % 3}", f"SLEEP:0.0{n % 2}")], PLAN)
            for n in range(24)
        ]
        return await asyncio.gather(*calls)

    answers = _run(main())
    for n, results in enumerate(answers):
        expected = 1.0 if n % 3 == n % 2 else 0.0
        assert _summary(results) == [(f"r{n}", "ok", expected, None)]
    assert _gathered(gatherer) == (1, 24)
    # distinct (completion, reference) pairs: (0,0), (1,1), (2,0), (0,1), (1,0), (2,1)
    assert scorer.completed - before == 6


def test_requests_that_ask_differently_are_never_mixed(scorer: Scorer) -> None:
    gatherer = _gatherer(scorer)
    halved = ScoringPlan(rewards=("accuracy",), weights={"accuracy": 0.5}, soft_timeout_s=1.0)
    renamed = ScoringPlan(rewards=("pass_rate",), weights={"pass_rate": 2.0}, soft_timeout_s=1.0)

    async def main() -> list[list[VerifyResult] | None]:
        calls = []
        for n in range(12):
            plan = (PLAN, halved, renamed)[n % 3]
            calls.append(gatherer.verify([_item(f"r{n}", "same", "same")], plan))
        return await asyncio.gather(*calls)

    answers = _run(main())
    for n, results in enumerate(answers):
        assert results is not None
        assert results[0].reward == (1.0, 0.5, 2.0)[n % 3]
        assert list(results[0].scores) == [("accuracy", "accuracy", "pass_rate")[n % 3]]
    assert _gathered(gatherer) == (3, 12)  # one batch per plan
    assert plan_key(PLAN) == plan_key(
        ScoringPlan(("accuracy",), {"accuracy": 1.0}, PLAN.format_options, 1.0)
    )


def test_a_deadline_cuts_what_has_not_started_and_finishes_what_has(scorer: Scorer) -> None:
    gatherer = _gatherer(scorer, window_s=0)
    before = scorer.completed
    items = [_item("busy", "SLEEP:0.6"), _item("queued-1", "x"), _item("queued-2", "y", "z")]

    async def main() -> list[VerifyResult] | None:
        loop = asyncio.get_running_loop()
        return await gatherer.verify(items, PLAN, loop.time() + 0.2, 0.2)

    assert _summary(_run(main())) == [
        ("busy", "ok", 1.0, None),  # it had started: finished, not cut
        ("queued-1", "timeout", None, "deadline_exceeded"),
        ("queued-2", "timeout", None, "deadline_exceeded"),
    ]
    time.sleep(0.3)
    assert scorer.completed - before == 1  # the cut items never ran
    assert scorer.pending == 0


def test_a_slow_completion_cannot_trade_its_penalty_for_a_deadline(scorer: Scorer) -> None:
    """A deadline shorter than the item limit must not turn "too slow to check" (the
    completion's fault: accuracy 0) into an unscorable, skipped item."""
    gatherer = _gatherer(scorer, window_s=0)

    async def main() -> list[VerifyResult] | None:
        loop = asyncio.get_running_loop()
        return await gatherer.verify([_item("slow", "SLOW", "42")], PLAN, loop.time() + 0.1, 0.1)

    [(item_id, status, reward, reason)] = _summary(_run(main()))
    assert (item_id, status, reward, reason) == ("slow", "ok", 0.0, "timeout")


def test_one_request_giving_up_leaves_the_shared_work_to_the_others(scorer: Scorer) -> None:
    gatherer = _gatherer(scorer)
    before = scorer.completed
    shared = [_item("s1", "SLEEP:0.05"), _item("s2", "SLEEP:0.06")]

    async def main() -> tuple[Any, ...]:
        loop = asyncio.get_running_loop()
        gone: asyncio.Future[None] = loop.create_future()
        blocker = asyncio.ensure_future(
            _gatherer(scorer, window_s=0).verify([_item("blocker", "SLEEP:0.5")], PLAN)
        )
        await asyncio.sleep(0.1)  # the only worker is busy: what follows waits in the queue
        own = [_item("mine", "SLEEP:0.07")]
        hung_up = asyncio.ensure_future(gatherer.verify(shared + own, PLAN, gone=gone))
        timed_out = asyncio.ensure_future(gatherer.verify(shared, PLAN, loop.time() + 0.2, 0.2))
        patient = asyncio.ensure_future(gatherer.verify(list(reversed(shared)), PLAN))
        await asyncio.sleep(0.15)
        gone.set_result(None)  # the first client hangs up while everything still waits
        return await asyncio.gather(blocker, hung_up, timed_out, patient)

    blocker, hung_up, timed_out, patient = _run(main())
    assert _summary(blocker) == [("blocker", "ok", 1.0, None)]
    assert hung_up is None
    assert [r[3] for r in _summary(timed_out)] == ["deadline_exceeded"] * 2
    assert _summary(patient) == [("s2", "ok", 1.0, None), ("s1", "ok", 1.0, None)]
    assert _gathered(gatherer) == (1, 3)
    time.sleep(0.2)
    # the blocker and the two shared items; "mine", held by nobody else, was cancelled
    assert scorer.completed - before == 3
    assert scorer.pending == 0


def test_a_repeat_arriving_after_its_window_joins_the_job_still_in_the_queue(
    scorer: Scorer,
) -> None:
    """One-sample requests of a group rarely meet within one window once the workers are
    busy; a repeat still finds the first one's job queued, and is not scored again."""
    gatherer = _gatherer(scorer, window_s=0.01)
    before = scorer.completed

    async def main() -> list[list[VerifyResult] | None]:
        blocker = asyncio.ensure_future(gatherer.verify([_item("blocker", "SLEEP:0.3")], PLAN))
        await asyncio.sleep(0.1)
        first = asyncio.ensure_future(gatherer.verify([_item("first", "same")], PLAN))
        await asyncio.sleep(0.05)  # the first's window has closed: its job is in the queue
        second = asyncio.ensure_future(gatherer.verify([_item("second", "same")], PLAN))
        other = asyncio.ensure_future(
            gatherer.verify([_item("other", "same", "else")], PLAN)  # another reference
        )
        return list(await asyncio.gather(blocker, first, second, other))

    _, first, second, other = _run(main())
    assert _summary(first) == [("first", "ok", 1.0, None)]
    assert _summary(second) == [("second", "ok", 1.0, None)]
    assert _summary(other) == [("other", "ok", 0.0, None)]
    assert _gathered(gatherer)[0] >= 3  # three batches at least: nothing met in a window
    assert scorer.completed - before == 3  # blocker, "same" once, "other"


def test_without_a_window_nothing_is_shared_across_requests(scorer: Scorer) -> None:
    gatherer = _gatherer(scorer, window_s=0)
    before = scorer.completed

    async def main() -> list[list[VerifyResult] | None]:
        calls = [gatherer.verify([_item(f"r{n}", "same")], PLAN) for n in range(4)]
        return list(await asyncio.gather(*calls))

    assert all(_summary(r)[0][2] == 1.0 for r in _run(main()))
    assert scorer.completed - before == 4
