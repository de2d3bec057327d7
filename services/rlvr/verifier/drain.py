"""Graceful shutdown: on SIGTERM, refuse new work, let in-flight batches finish, then exit.

The server (``__main__``) calls :meth:`Drain.start` on the first SIGTERM/SIGINT instead of
stopping; from then on :class:`DrainMiddleware` answers new scoring requests ``503`` with
``Retry-After`` (so clients and load balancers move on), ``/health`` says ``draining``, and
the server exits once no scoring request is in flight or ``drain_timeout_s`` has passed.
A second signal stops at once.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import error_response
from .vocabulary import ErrorCode

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5
# answered whatever the load or the state: a supervisor must always see the truth
ALWAYS_SERVED = frozenset({"/health", "/metrics"})


class Drain:
    """The shutdown state shared by the server's signal handling and the app."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.started: float | None = None
        self.inflight = 0  # scoring requests being answered (the event loop owns this count)

    @property
    def draining(self) -> bool:
        return self.started is not None

    def start(self) -> None:
        if self.started is None:
            self.started = time.monotonic()
            log.warning(
                "draining: refusing new requests; %d in flight get up to %g s to finish",
                self.inflight,
                self.timeout_s,
            )

    def done(self) -> bool:
        """Whether the server may stop now."""
        if self.started is None:
            return False
        if self.inflight == 0:
            return True
        if time.monotonic() - self.started >= self.timeout_s:
            log.error("drain time is up: %d requests still in flight are cut", self.inflight)
            return True
        return False


class DrainMiddleware:
    """Counts scoring requests in flight; refuses new ones while draining."""

    def __init__(self, app: ASGIApp, drain: Drain) -> None:
        self.app, self.drain = app, drain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ALWAYS_SERVED:
            await self.app(scope, receive, send)
            return
        if self.drain.draining:
            refused = error_response(
                ErrorCode.DRAINING,
                "the service is shutting down: send this request to another instance, "
                f"or again in {RETRY_AFTER_S} s",
            )
            refused.headers["Retry-After"] = str(RETRY_AFTER_S)
            await refused(scope, receive, send)
            return
        self.drain.inflight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.drain.inflight -= 1
