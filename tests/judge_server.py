"""A scripted OpenAI-compatible judge: real HTTP, replies decided by the test.

It serves ``POST /v1/chat/completions`` on a free loopback port, records every request
body, and answers each with ``script(a, b)``: ``a`` and ``b`` are the two answers as the
service quoted them in ``<answer_a>``/``<answer_b>``, unescaped.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Script = Callable[[str, str], str]
_QUOTED = re.compile(r"<answer_a>(.*?)</answer_a>\s*<answer_b>(.*?)</answer_b>", re.DOTALL)


class ScriptedJudge:
    def __init__(self, script: Script, delay_s: float = 0.0, status: int = 200) -> None:
        self.script = script
        self.delay_s = delay_s
        self.status = status
        self.requests: list[dict[str, Any]] = []
        self.url = ""

    def pairs(self) -> list[tuple[str, str]]:
        """The (a, b) pairs asked so far, in order."""
        found = []
        for body in self.requests:
            match = _QUOTED.search(body["messages"][-1]["content"])
            assert match is not None
            found.append((html.unescape(match.group(1)), html.unescape(match.group(2))))
        return found


def _handler(judge: ScriptedJudge) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            judge.requests.append(body)
            time.sleep(judge.delay_s)
            if self.path != "/v1/chat/completions" or judge.status != 200:
                self.send_response(404 if judge.status == 200 else judge.status)
                self.end_headers()
                return
            match = _QUOTED.search(body["messages"][-1]["content"])
            a, b = (html.unescape(match.group(i)) for i in (1, 2)) if match else ("", "")
            reply = {
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": judge.script(a, b)}}
                ]
            }
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up on a slow reply is what the timeout tests want


@contextmanager
def scripted_judge(
    script: Script, delay_s: float = 0.0, status: int = 200
) -> Iterator[ScriptedJudge]:
    """A running :class:`ScriptedJudge`; ``judge.url`` is its API base (``…/v1``)."""
    judge = ScriptedJudge(script, delay_s, status)
    server = _Server(("127.0.0.1", 0), _handler(judge))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    judge.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield judge
    finally:
        server.shutdown()
        server.server_close()


def equal_by(pairs: set[frozenset[str]]) -> Script:
    """A judge that says YES exactly for the given unordered pairs of answers."""
    return lambda a, b: "YES" if frozenset((a.strip(), b.strip())) in pairs else "NO"
