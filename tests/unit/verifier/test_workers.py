"""The worker pool under faults that real answers rarely cause: C-level hangs and crashes.

A hang in C code ignores SIGALRM; blocking the signal and sleeping reproduces that
without needing an input that happens to trigger one. Workers are forked, so a
patch made before the pool starts is what the workers run.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator, Mapping

import pytest

from rlvr.verifier import scoring
from rlvr.verifier.domains import Domain, build_domains
from rlvr.verifier.scoring import Job, Outcome, ScoringPlan
from rlvr.verifier.workers import ScoringPool

PLAN = ScoringPlan(soft_timeout_s=0.5)


def _hang_in_c() -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(60)


def _pid(domains: Mapping[str, Domain]) -> Outcome:
    return Outcome("ok", details={"pid": os.getpid()})


def _job(n: int, completion: str | None = None) -> Job:
    return Job("math", completion or f"\\boxed{{{n}}}", {"answer": str(n)})


@pytest.fixture
def faulty_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScoringPool]:
    """Workers in which the completion HANG hangs in C and CRASH kills the process."""
    real = scoring._score

    def faulty(job: Job, plan: ScoringPlan, domains: Mapping[str, Domain]) -> Outcome:
        if job.completion == "HANG":
            _hang_in_c()
        if job.completion == "CRASH":
            os._exit(3)
        return real(job, plan, domains)

    monkeypatch.setattr(scoring, "_score", faulty)
    pool = ScoringPool(workers=2, item_timeout_s=0.5, kill_grace_s=0.5, domains=build_domains())
    yield pool
    pool.close()


def test_scores_a_group_in_a_worker(faulty_pool: ScoringPool) -> None:
    outcomes = asyncio.run(faulty_pool.score([_job(4), _job(4, "\\boxed{5}")], PLAN))
    assert [o.scores["accuracy"] for o in outcomes] == [1.0, 0.0]
    assert all(o.elapsed_s > 0 for o in outcomes)
    assert faulty_pool.pending == 0


def test_a_hung_item_is_killed_alone_and_the_pool_recovers(faulty_pool: ScoringPool) -> None:
    async def scenario() -> list[list[Outcome]]:
        group = faulty_pool.score([_job(1), _job(1, "HANG"), _job(1, "\\boxed{2}")], PLAN)
        others = [faulty_pool.score([_job(n)], PLAN) for n in range(10)]
        return await asyncio.gather(group, *others)

    started = time.monotonic()
    group, *others = asyncio.run(scenario())
    assert time.monotonic() - started < 15
    assert [o.status for o in group] == ["ok", "timeout", "ok"]
    assert group[1].error is not None and "worker killed" in group[1].error.message
    assert [o.scores["accuracy"] for o in (group[0], group[2])] == [1.0, 0.0]
    assert all(o.status == "ok" and o.scores["accuracy"] == 1.0 for [o] in others)
    assert faulty_pool.killed == 2  # the group task, then the culprit alone
    assert asyncio.run(faulty_pool.call(_pid)).status == "ok"


def test_a_crashed_worker_is_an_error_outcome_and_is_replaced(faulty_pool: ScoringPool) -> None:
    outcomes = asyncio.run(faulty_pool.score([_job(3), _job(3, "CRASH")], PLAN))
    assert outcomes[0].status == "ok"
    assert outcomes[1].status == "error" and outcomes[1].error is not None
    assert outcomes[1].error.code == "worker_crashed"
    assert asyncio.run(faulty_pool.call(_pid)).status == "ok"
