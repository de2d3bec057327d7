"""What a scoring route waits under: the request's deadline, and its client hanging up.

A deadline is relative seconds, counted from the request's arrival (before its body is
read): ``deadline_s`` in the ``/verify`` body or in the ``/openrlhf`` and ``/slime`` query
(those trainers let us choose only the URL), and/or the ``X-Request-Timeout`` header on all
three (what our client sends: a header is ignored by servers that do not know it); the
earliest wins. Items not scored by then come back ``deadline_exceeded`` (see
:mod:`rlvr.verifier.claims` for what "scored by then" means).

A client that hangs up is noticed while its items are scored: its share of the work is let
go of (what nobody else waits for and has not started is cancelled) and nothing is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Header, Query, Request

from ..admission import ARRIVED

MAX_DEADLINE_S = 86_400.0
_DESCRIPTION = (
    "seconds (from the request's arrival) after which items still waiting for a worker "
    "come back status timeout, deadline_exceeded, reward null; an item being scored is "
    "finished under the server's item limit"
)

DeadlineHeader = Annotated[
    float | None,
    Header(alias="X-Request-Timeout", gt=0, le=MAX_DEADLINE_S, description=_DESCRIPTION),
]
DeadlineQuery = Annotated[float | None, Query(gt=0, le=MAX_DEADLINE_S, description=_DESCRIPTION)]


def arrived(request: Request) -> float:
    """Event-loop time at which the request arrived (now, if nobody noted it)."""
    noted = request.scope.get(ARRIVED)
    return float(noted) if noted is not None else asyncio.get_running_loop().time()


def deadline_of(request: Request, *given: float | None) -> tuple[float | None, float | None]:
    """(the deadline in event-loop time, its relative seconds) from the earliest of the
    ``given`` relative deadlines; (None, None) when none was given."""
    chosen = [seconds for seconds in given if seconds is not None]
    if not chosen:
        return None, None
    seconds = min(chosen)
    return arrived(request) + seconds, seconds


@asynccontextmanager
async def hang_up(request: Request) -> AsyncIterator[asyncio.Future[None]]:
    """A future that completes if the client disconnects during the ``with`` block (call
    after the body is read: the server then has nothing else to tell but a disconnect)."""
    loop = asyncio.get_running_loop()
    gone: asyncio.Future[None] = loop.create_future()

    async def watch() -> None:
        try:
            while (await request.receive())["type"] != "http.disconnect":
                pass  # nothing else is expected once the body is read
        except Exception:  # a server that cannot tell: then nobody is known to have left
            return
        if not gone.done():
            gone.set_result(None)

    watcher = loop.create_task(watch())
    try:
        yield gone
    finally:
        watcher.cancel()
        if not gone.done():
            gone.cancel()
