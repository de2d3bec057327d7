"""The supervised worker pool, with real processes and real faults: workers killed with
SIGKILL while idle or busy, hangs that ignore SIGALRM, memory growth, recycling."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest

from rlvr.verifier.workers import Failure, FailureKind, PoolConfig, WorkerPool

from . import faults


def _pool(**config: Any) -> WorkerPool:
    settings: dict[str, Any] = {"size": 2, "hard_limit_s": 30.0, "kill_grace_s": 0.5}
    settings.update(config)
    return WorkerPool(PoolConfig(**settings), faults.domains())


def _ready(pool: WorkerPool, timeout: float = 60) -> list[int]:
    """The worker pids, once every worker is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = [w.pid for w in pool.workers()]
        if all(pid is not None for pid in pids):
            return [pid for pid in pids if pid is not None]
        time.sleep(0.05)
    raise AssertionError(f"workers did not start: {pool.problems()}")


def _run(pool: WorkerPool, fn: Any, *args: Any, limit_s: float | None = None) -> Any:
    return pool.submit(fn, *args, limit_s=limit_s).result(timeout=120)


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    pool = _pool()
    yield pool
    pool.close()


def test_tasks_run_with_the_domains_given_at_start(pool: WorkerPool) -> None:
    pids = set(_ready(pool))
    assert _run(pool, faults.pid) in pids
    assert pool.problems() == [] and pool.alive == 2


def test_idle_workers_killed_are_replaced(pool: WorkerPool) -> None:
    before = _ready(pool)
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while pool.restarts().get("died", 0) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    after = _ready(pool)
    assert pool.restarts()["died"] == 2
    assert not set(after) & set(before)
    results = [pool.submit(faults.pid) for _ in range(6)]
    assert {r.result(timeout=60) for r in results} <= set(after)


def test_a_busy_worker_killed_fails_only_its_own_task(pool: WorkerPool) -> None:
    _ready(pool)
    slow = pool.submit(faults.obey, "SLEEP:60")
    deadline = time.monotonic() + 30
    busy = []
    while not busy and time.monotonic() < deadline:
        busy = [w.pid for w in pool.workers() if w.busy and w.pid is not None]
        time.sleep(0.02)
    others = [pool.submit(faults.pid) for _ in range(4)]
    os.kill(busy[0], signal.SIGKILL)
    failure = slow.result(timeout=30)
    assert isinstance(failure, Failure) and failure.kind is FailureKind.DIED
    assert "SIGKILL" in failure.message
    assert all(isinstance(o.result(timeout=30), int) for o in others)


def test_a_hang_deaf_to_the_soft_limit_is_killed_at_the_hard_limit(pool: WorkerPool) -> None:
    _ready(pool)
    failure = _run(pool, faults.obey, "HANG", limit_s=0.5)
    assert isinstance(failure, Failure) and failure.kind is FailureKind.KILLED
    assert pool.restarts()["hard_timeout"] == 1
    assert isinstance(_run(pool, faults.pid), int)


def test_a_soft_limit_moves_the_hard_limit_and_recycles_the_worker(pool: WorkerPool) -> None:
    _ready(pool)
    # The task's own hard limit is 0.3 s, but it starts a 1 s soft limit: the hard limit
    # becomes 1 s + grace, so the soft limit fires first and the worker survives the task.
    assert _run(pool, faults.soft_timeout, 1.0, limit_s=0.3) == "ItemTimeout"
    assert pool.restarts() == {"soft_timeout": 1}


def test_workers_are_replaced_after_max_tasks() -> None:
    pool = _pool(size=1, max_tasks=3)
    try:
        pids = [_run(pool, faults.pid) for _ in range(7)]
    finally:
        pool.close()
    assert len(set(pids)) == 3  # 3 + 3 + 1 tasks
    assert pool.restarts()["tasks"] == 2


def test_a_worker_above_the_memory_ceiling_is_replaced() -> None:
    pool = _pool(size=1, max_rss_bytes=400 * 2**20)
    try:
        first = _run(pool, faults.obey, "LEAK:500")
        second = _run(pool, faults.pid)
        rss = pool.workers()[0].rss_bytes
    finally:
        pool.close()
    assert first != second
    assert pool.restarts() == {"rss": 1}
    assert rss < 400 * 2**20


def test_a_task_that_raises_is_a_failure_not_a_dead_worker(pool: WorkerPool) -> None:
    _ready(pool)
    failure = _run(pool, faults.obey, "RAISE")
    assert isinstance(failure, Failure) and failure.kind is FailureKind.RAISED
    assert "ValueError" in failure.message
    assert pool.restarts() == {}


def test_async_callers_and_a_closed_pool(pool: WorkerPool) -> None:
    _ready(pool)

    async def many() -> list[Any]:
        return list(await asyncio.gather(*(pool.run(faults.pid) for _ in range(20))))

    assert all(isinstance(pid, int) for pid in asyncio.run(many()))
    pool.close()
    failure = _run(pool, faults.pid)
    assert isinstance(failure, Failure) and failure.kind is FailureKind.UNAVAILABLE
    assert pool.alive == 0
