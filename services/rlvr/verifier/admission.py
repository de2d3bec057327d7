"""Backpressure: refuse new scoring requests with ``429 overloaded`` while the queue is deep.

The queue depth is every item the service has accepted and not yet scored: items admitted
but not yet handed to the scorer (gathering, de-duplicating) plus the distinct jobs queued
or running in the workers and on the sandbox threads. Past ``RLVR_MAX_PENDING_ITEMS``:

* a scoring request is refused **before its body is read** (a flood costs no memory);
* a request whose items would take the depth past the limit is refused once read, unless
  the queue is empty (so a request of any allowed size gets in eventually).

So the service holds at most the limit plus one request's items, and an admitted item
waits at most the limit divided by the drain rate. The refusal's ``Retry-After`` is the
time the measured drain rate needs to bring the depth down to half the limit, so that the
clients sent away come back to room for several of them, in whole seconds from
:data:`MIN_RETRY_AFTER_S` to :data:`MAX_RETRY_AFTER_S` (the minimum while no rate has been
measured yet). ``/health`` and ``/metrics`` are never refused.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from .drain import ALWAYS_SERVED
from .errors import ApiError, error_response
from .metrics import Metrics
from .vocabulary import ErrorCode

ARRIVED = "rlvr.arrived"  # the scope key holding the request's arrival (event-loop time)
MIN_RETRY_AFTER_S = 1
MAX_RETRY_AFTER_S = 30
SAMPLE_EVERY_S = 0.5
RATE_WINDOW_S = 10.0


class DrainRate:
    """Tasks answered per second while there was work, over the last ``RATE_WINDOW_S``.

    Sampled every ``SAMPLE_EVERY_S`` by :meth:`run`; idle stretches are left out, so a
    flood arriving after a quiet minute is told how fast the workers go, not how idle
    they were."""

    def __init__(
        self,
        completed: Callable[[], int],
        busy: Callable[[], bool],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._completed, self._busy, self._clock = completed, busy, clock
        self._intervals: deque[tuple[float, int]] = deque(
            maxlen=int(RATE_WINDOW_S / SAMPLE_EVERY_S)
        )
        self._last = (clock(), completed())

    def sample(self) -> None:
        now, count = self._clock(), self._completed()
        then, before = self._last
        self._last = (now, count)
        if count > before or self._busy():
            self._intervals.append((now - then, count - before))

    def per_second(self) -> float | None:
        """The measured rate; None before any busy interval was seen."""
        seconds = sum(span for span, _ in self._intervals)
        answered = sum(count for _, count in self._intervals)
        return answered / seconds if seconds > 0 and answered > 0 else None

    async def run(self) -> None:
        while True:
            await asyncio.sleep(SAMPLE_EVERY_S)
            self.sample()


class Admission:
    """Counts the queue, admits or refuses requests (see the module's docstring)."""

    def __init__(
        self,
        limit: int,
        pending: Callable[[], int],
        completed: Callable[[], int],
        metrics: Metrics,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit  # 0: never refuse
        self._pending = pending  # jobs queued or running in the scorer
        self.reserved = 0  # items admitted, not yet handed to the scorer
        self.metrics = metrics
        self.rate = DrainRate(completed, lambda: self.depth > 0, clock)

    @property
    def depth(self) -> int:
        return self.reserved + self._pending()

    def check(self) -> None:
        """Before reading a request: refuse it when the queue is past the limit."""
        if self.limit and self.depth >= self.limit:
            self._refuse()

    def admit(self, count: int) -> None:
        """A request of ``count`` items, read: refuse it if they would take the queue past
        the limit (unless it is empty), else hold their place until :meth:`dispatched`."""
        depth = self.depth
        if self.limit and depth > 0 and depth + count > self.limit:
            self._refuse()
        self.reserved += count

    def dispatched(self, count: int) -> None:
        """``count`` admitted items went to the scorer (which counts their jobs now)."""
        self.reserved -= count

    def retry_after_s(self) -> int:
        rate = self.rate.per_second()
        if rate is None:
            return MIN_RETRY_AFTER_S
        excess = max(1.0, self.depth - self.limit / 2)
        return min(MAX_RETRY_AFTER_S, max(MIN_RETRY_AFTER_S, math.ceil(excess / rate)))

    def _refuse(self) -> None:
        self.metrics.refused.labels(code=ErrorCode.OVERLOADED.value).inc()
        wait = self.retry_after_s()
        raise ApiError(
            ErrorCode.OVERLOADED,
            f"{self.depth} items are waiting to be scored (the limit is {self.limit}): "
            f"send this request again in {wait} s, or to another instance",
            headers={"Retry-After": str(wait)},
        )


class AdmissionMiddleware:
    """ASGI middleware, outside the body-size limit (which reads whole bodies): notes when a
    request arrived (deadlines count from then) and refuses scoring requests with 429
    while the queue is too deep, before a byte of their body is read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ALWAYS_SERVED:
            await self.app(scope, receive, send)
            return
        scope[ARRIVED] = asyncio.get_running_loop().time()
        services = getattr(scope["app"].state, "services", None)
        if scope["method"] == "POST" and services is not None:
            try:
                services.admission.check()
            except ApiError as refused:
                answer = error_response(refused.code, refused.message, headers=refused.headers)
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)
