"""Backpressure's rules on their own: when a request is refused, what Retry-After it is told,
and how the drain rate is measured (idle stretches left out). The queue and the clock are
plain counters the test moves."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rlvr.verifier.admission import (
    MAX_RETRY_AFTER_S,
    MIN_RETRY_AFTER_S,
    SAMPLE_EVERY_S,
    Admission,
    DrainRate,
)
from rlvr.verifier.errors import ApiError
from rlvr.verifier.metrics import Metrics


class Queue:
    """A scorer's two counters and a clock."""

    def __init__(self) -> None:
        self.pending = 0
        self.completed = 0
        self.now = 0.0

    def work(self, seconds: float, per_second: float, rate: DrainRate) -> None:
        """``seconds`` of the workers answering ``per_second``, sampled as the service does."""
        for _ in range(round(seconds / SAMPLE_EVERY_S)):
            self.now += SAMPLE_EVERY_S
            self.completed += round(per_second * SAMPLE_EVERY_S)
            rate.sample()


def _admission(limit: int, queue: Queue) -> Admission:
    return Admission(
        limit,
        lambda: queue.pending,
        lambda: queue.completed,
        Metrics(["math"]),
        clock=lambda: queue.now,
    )


def _refused(call: Callable[[], None]) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call()
    assert caught.value.status == 429 and caught.value.code == "overloaded"
    assert caught.value.headers is not None
    return caught.value


def test_requests_are_refused_past_the_limit_and_let_in_below_it() -> None:
    queue = Queue()
    gate = _admission(100, queue)
    gate.check()
    gate.admit(60)  # reserved until dispatched
    assert gate.depth == 60
    _refused(lambda: gate.admit(41))  # would take the depth past the limit
    gate.admit(40)
    _refused(gate.check)  # at the limit: refused before its body is read
    gate.dispatched(100)
    queue.pending = 30  # the jobs they came to (repeats scored once)
    assert gate.depth == 30
    gate.check()
    gate.admit(70)


def test_a_request_larger_than_the_limit_gets_in_when_the_queue_is_empty() -> None:
    queue = Queue()
    gate = _admission(100, queue)
    gate.admit(5000)
    gate.dispatched(5000)
    queue.pending = 1
    _refused(lambda: gate.admit(5000))


def test_a_limit_of_zero_never_refuses() -> None:
    queue = Queue()
    queue.pending = 10**9
    gate = _admission(0, queue)
    gate.check()
    gate.admit(10**6)


def test_retry_after_is_the_time_to_drain_to_half_the_limit_bounded() -> None:
    queue = Queue()
    gate = _admission(1000, queue)
    queue.pending = 1000
    # nothing measured yet: come back soon, the rate will be known by then
    assert _refused(gate.check).headers == {"Retry-After": str(MIN_RETRY_AFTER_S)}
    queue.work(4, 50, gate.rate)
    assert _refused(gate.check).headers == {"Retry-After": "10"}  # (1000 - 500) / 50
    queue.work(20, 2, gate.rate)
    assert _refused(gate.check).headers == {"Retry-After": str(MAX_RETRY_AFTER_S)}
    queue.work(20, 10_000, gate.rate)
    assert _refused(gate.check).headers == {"Retry-After": str(MIN_RETRY_AFTER_S)}


def test_the_drain_rate_leaves_idle_stretches_out() -> None:
    queue = Queue()
    busy = [False]
    rate = DrainRate(lambda: queue.completed, lambda: busy[0], clock=lambda: queue.now)
    queue.work(5, 0, rate)  # five idle seconds
    assert rate.per_second() is None
    busy[0] = True
    queue.work(2, 100, rate)
    assert rate.per_second() == pytest.approx(100.0)
    queue.work(50, 20, rate)  # a long stretch: only the last ten seconds count
    assert rate.per_second() == pytest.approx(20.0)
