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
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Request

from ..admission import ARRIVED
from ..errors import ApiError
from ..vocabulary import ErrorCode

MAX_DEADLINE_S = 86_400.0
HEADER = "X-Request-Timeout"
QUERY = "deadline_s"
_DESCRIPTION = (
    "seconds (from the request's arrival) after which items still waiting for a worker "
    "come back status timeout, deadline_exceeded, reward null; an item being scored is "
    "finished under the server's item limit"
)
_SECONDS = {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_DEADLINE_S}
# Read by hand, documented here: FastAPI would declare an optional parameter nullable,
# and no client can send a null header.
HEADER_PARAMETER: dict[str, Any] = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": _DESCRIPTION + f"; with {QUERY}, the earliest wins",
    "schema": _SECONDS,
}
QUERY_PARAMETER: dict[str, Any] = {
    "name": QUERY,
    "in": "query",
    "required": False,
    "description": _DESCRIPTION + f"; with {HEADER}, the earliest wins",
    "schema": _SECONDS,
}


def arrived(request: Request) -> float:
    """Event-loop time at which the request arrived (now, if nobody noted it)."""
    noted = request.scope.get(ARRIVED)
    return float(noted) if noted is not None else asyncio.get_running_loop().time()


def _seconds(raw: str | None, loc: list[str]) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 < value <= MAX_DEADLINE_S:  # NaN fails too
        message = f"{loc[-1]} must be a number of seconds in (0, {MAX_DEADLINE_S:g}]"
        details = [{"loc": loc, "msg": message, "type": "value_error"}]
        raise ApiError(ErrorCode.INVALID_REQUEST, message, details)
    return value


def deadline_of(
    request: Request, body_seconds: float | None = None, query: bool = False
) -> tuple[float | None, float | None]:
    """(the deadline in event-loop time, its relative seconds) from the earliest of the
    body's ``deadline_s``, the ``X-Request-Timeout`` header and (with ``query``) the
    ``deadline_s`` query parameter; (None, None) when none was given. A value that is not
    a number of seconds in range is a 422 ``invalid_request``."""
    given = [body_seconds, _seconds(request.headers.get(HEADER), ["header", HEADER])]
    if query:
        given.append(_seconds(request.query_params.get(QUERY), ["query", QUERY]))
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
                # nothing else is expected once the body is read; a server that answers
                # at once anyway is polled, not spun on
                await asyncio.sleep(0.05)
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
