"""Calls between the judge and the program, as JSON lines on a socket (stdlib only).

Both ends speak the same protocol: a request is ``{"op": "call" | "callback" |
"describe", "id": ...}``, its answer ``{"op": "return" | "raise", "id": <same id>}``.
While one end waits for an answer it serves the other end's requests (a callback from
the program into a callable the test passed it, or a call back into the program), so
nesting works. Each end numbers its own requests; an answer to anything but the request
awaited is a :class:`Violation`. A strict end (the judge) also refuses a peer that speaks
out of turn: anything already waiting when it sends a request was not asked for.
"""

from __future__ import annotations

import json
import os
import select

TYPE_CHECKING = False  # not typing's: a program's startup stays short without it
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Message = dict[str, Any]
    Handler = Callable[[Message], Message]

MAX_MESSAGE = 64 << 20  # bytes in one line: a bigger answer is not an answer


class Violation(BaseException):
    """The other end broke the protocol, or went away.

    A BaseException: a test's ``except Exception`` must not swallow it, so a program
    that exits or talks nonsense in the middle of a check fails that check for good.
    """


class Endpoint:
    """One end of the channel. ``serve`` answers the other end's requests."""

    def __init__(self, fd: int, serve: Handler, prefix: str, strict: bool = False) -> None:
        # Plain fds, not the socket module: the program's side starts faster without it.
        self._fd = fd
        self._buffer = bytearray()
        self._strict = strict
        self._serve = serve
        self._prefix = prefix
        self._next = 0

    def send(self, message: Message) -> None:
        data = memoryview(json.dumps(message, separators=(",", ":")).encode() + b"\n")
        try:
            while data:
                data = data[os.write(self._fd, data) :]
        except OSError as exc:
            raise Violation(f"the channel closed: {exc}") from exc

    def _line(self) -> bytes:
        searched = 0  # bytes already known to hold no newline: each byte is looked at once
        while (end := self._buffer.find(b"\n", searched)) < 0:
            searched = len(self._buffer)
            if searched > MAX_MESSAGE:
                raise Violation("a message longer than the channel allows")
            try:
                chunk = os.read(self._fd, 1 << 20)
            except OSError as exc:
                raise Violation(f"the channel failed: {exc}") from exc
            if not chunk:
                raise Violation("the other end closed the channel")
            self._buffer.extend(chunk)
        line = bytes(self._buffer[: end + 1])
        del self._buffer[: end + 1]
        return line

    def quiet(self) -> bool:
        """Nothing waiting to be read (without reading it)."""
        return not self._buffer and not select.select([self._fd], [], [], 0)[0]

    def receive(self) -> Message:
        line = self._line()
        try:
            message = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise Violation("a message that is not JSON") from exc
        if not isinstance(message, dict) or not isinstance(message.get("op"), str):
            raise Violation("a message without an operation")
        return message

    def request(self, message: Message) -> Message:
        """Send a request and return its answer, serving requests that come meanwhile."""
        self._next += 1
        ident = f"{self._prefix}{self._next}"
        if self._strict and not self.quiet():
            raise Violation("the other end spoke out of turn")
        self.send({**message, "id": ident})
        while True:
            answer = self.receive()
            if answer["op"] in ("return", "raise"):
                if answer.get("id") != ident:
                    raise Violation("an answer to a request that was not asked")
                return answer
            self.serve_one(answer)

    def serve_one(self, message: Message) -> None:
        ident = message.get("id")
        if not isinstance(ident, str) or ident.startswith(self._prefix):
            raise Violation("a request with a bad id")
        self.send({**self._serve(message), "id": ident})

    def close(self) -> None:
        os.close(self._fd)
