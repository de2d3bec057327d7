"""The client against a real HTTP server that pushes back: ``429`` and ``503`` with
``Retry-After`` (seconds or an HTTP date), as any busy server may answer (the service's
own 429 is not needed: the client must work against whatever sends it).

The server is the standard library's threaded HTTP server on a loopback port; it answers a
script of refusals, then the echo of the items, and notes when each request arrived, so the
tests can check the client came back no sooner than it was told.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rlvr.trainer.client import VerifierClient
from rlvr.trainer.errors import ServiceError

BUSY = {"error": {"code": "overloaded", "message": "queue is full"}}


class PushBack:
    """A server answering ``script`` (status, Retry-After or None) in turn, then 200."""

    def __init__(self) -> None:
        self.script: list[tuple[int, str | None]] = []
        self.arrivals: list[float] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.arrivals.append(time.monotonic())
                if outer.script:
                    status, after = outer.script.pop(0)
                    payload = json.dumps(BUSY).encode()
                    self.send_response(status)
                    if after is not None:
                        self.send_header("Retry-After", after)
                else:
                    results = [{"id": item["id"], "status": "ok"} for item in body["items"]]
                    payload = json.dumps({"results": results}).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def gaps(self) -> list[float]:
        return [b - a for a, b in zip(self.arrivals, self.arrivals[1:], strict=False)]


@pytest.fixture
def server() -> Iterator[PushBack]:
    push_back = PushBack()
    yield push_back
    push_back.server.shutdown()
    push_back.server.server_close()


ITEMS = [{"id": "a", "domain": "math", "completion": "4", "reference": {"answer": "4"}}]


def test_429_retry_after_is_waited_out_and_uses_no_retry(server: PushBack) -> None:
    server.script = [(429, "1"), (429, "1")]
    with VerifierClient(server.url, retries=0) as client:  # no retry left for failures
        assert client.verify(ITEMS) == [{"id": "a", "status": "ok"}]
    assert len(server.arrivals) == 3
    assert all(gap >= 1.0 for gap in server.gaps())  # never sooner than told


def test_503_retry_after_as_an_http_date(server: PushBack) -> None:
    # An HTTP date has whole seconds: three seconds ahead is at least two away.
    server.script = [(503, formatdate(time.time() + 3, usegmt=True))]
    with VerifierClient(server.url, retries=0) as client:
        assert client.verify(ITEMS) == [{"id": "a", "status": "ok"}]
    assert len(server.arrivals) == 2 and server.gaps()[0] >= 1.0


def test_still_busy_past_the_budget_is_a_typed_retryable_error(server: PushBack) -> None:
    server.script = [(429, "1")] * 10
    with (
        VerifierClient(server.url, busy_wait_s=1.5) as client,
        pytest.raises(ServiceError, match="busy_wait_s") as caught,
    ):
        client.verify(ITEMS)
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (
        429,
        "overloaded",
        True,
    )
    assert len(server.arrivals) == 2  # waited 1 s once; a second wait would pass 1.5 s


def test_429_without_retry_after_counts_against_the_retries(server: PushBack) -> None:
    server.script = [(429, None)] * 10
    with (
        VerifierClient(server.url, retries=2, backoff_s=0.01) as client,
        pytest.raises(ServiceError, match="overloaded"),
    ):
        client.verify(ITEMS)
    assert len(server.arrivals) == 3


def test_an_unreadable_retry_after_falls_back_to_backoff(server: PushBack) -> None:
    server.script = [(429, "soon"), (429, "soon")]
    with VerifierClient(server.url, retries=2, backoff_s=0.01) as client:
        assert client.verify(ITEMS) == [{"id": "a", "status": "ok"}]
    assert len(server.arrivals) == 3 and max(server.gaps()) < 1.0
