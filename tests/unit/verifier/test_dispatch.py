"""Attribution of every failure, with real workers: what the completion breaks scores 0,
what the reference breaks is invalid_reference, a worker that died of something else is
retried. A policy must never get a null reward (a skipped item) by breaking the scorer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from rlvr.verifier.dispatch import Scorer
from rlvr.verifier.scoring import Job, Outcome, ScoringPlan
from rlvr.verifier.workers import PoolConfig, WorkerPool

from . import faults

PLAN = ScoringPlan(rewards=("accuracy", "format"), weights={"accuracy": 1.0}, soft_timeout_s=1.0)


@pytest.fixture(scope="module")
def scorer() -> Iterator[Scorer]:
    pool = WorkerPool(PoolConfig(size=2, hard_limit_s=1.5, kill_grace_s=0.5), faults.domains())
    threads = ThreadPoolExecutor(2)
    yield Scorer(pool, faults.domains(), threads, kill_grace_s=0.5)
    pool.close()
    threads.shutdown()


def _score(scorer: Scorer, completion: str, **reference: Any) -> Outcome:
    job = Job("faulty", completion, {"answer": "42", **reference})
    return asyncio.run(scorer.score(job, PLAN))


def _penalised(outcome: Outcome, reason: str) -> None:
    assert outcome.status == "ok", outcome
    assert outcome.scores["accuracy"] == 0.0 and outcome.reward == 0.0
    assert outcome.details["reason"] == reason


def test_a_right_answer(scorer: Scorer) -> None:
    outcome = _score(scorer, "42")
    assert (outcome.status, outcome.reward) == ("ok", 1.0)


def test_a_completion_that_hangs_in_c_scores_zero(scorer: Scorer) -> None:
    outcome = _score(scorer, "HANG")
    _penalised(outcome, "timeout")
    assert outcome.details["killed"] is True


def test_a_completion_past_the_soft_limit_scores_zero(scorer: Scorer) -> None:
    _penalised(_score(scorer, "SLOW"), "timeout")


def test_a_completion_that_crashes_its_worker_twice_scores_zero(scorer: Scorer) -> None:
    outcome = _score(scorer, "CRASH")
    _penalised(outcome, "scorer_failed")
    assert "exit code 3" in outcome.details["error"]


def test_a_worker_that_died_once_is_not_the_items_fault(scorer: Scorer, tmp_path: Path) -> None:
    command = f"CRASH_ONCE:{tmp_path / 'crashed'}"
    outcome = _score(scorer, command, answer=command)
    assert (outcome.status, outcome.reward) == ("ok", 1.0)  # scored on the retry


def test_a_completion_that_makes_the_scorer_raise_scores_zero(scorer: Scorer) -> None:
    _penalised(_score(scorer, "RAISE"), "scorer_failed")


@pytest.mark.parametrize("fault", ["HANG", "SLOW", "CRASH", "RAISE"])
def test_a_reference_that_breaks_alone_is_the_references_fault(scorer: Scorer, fault: str) -> None:
    outcome = _score(scorer, "42", fault=fault)
    assert outcome.status == "error" and outcome.reward is None
    assert outcome.error is not None and outcome.error.code == "invalid_reference"


def test_a_cold_reference_does_not_cost_a_right_answer(scorer: Scorer) -> None:
    # The reference's first set-up (0.7 s) plus the answer's check (0.5 s) exceed the 1 s
    # limit; the answer is not to blame and is checked again once the reference is warm.
    reference = {"answer": "SLEEP:0.5", "slow_once": 0.7}
    outcome = asyncio.run(scorer.score(Job("faulty", "SLEEP:0.5", reference), PLAN))
    assert (outcome.status, outcome.reward) == ("ok", 1.0), outcome


def test_too_large_scores_zero_with_every_score_at_its_floor(scorer: Scorer) -> None:
    plan = ScoringPlan(rewards=("accuracy", "format", "length", "repetition"), soft_timeout_s=1.0)
    job = Job("faulty", "", {"answer": "42"}, oversize=10**6)
    outcome = asyncio.run(scorer.score(job, plan))
    assert outcome.status == "ok"
    assert outcome.scores == {"accuracy": 0.0, "format": 0.0, "length": -1.0, "repetition": -1.0}
    assert outcome.details == {"reason": "too_large", "chars": 10**6}
    bad_reference = Job("faulty", "", {"answer": "42", "fault": "RAISE"}, oversize=10**6)
    outcome = asyncio.run(scorer.score(bad_reference, plan))
    assert outcome.error is not None and outcome.error.code == "invalid_reference"
