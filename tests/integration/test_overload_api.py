"""Backpressure against a real service over HTTP: past ``RLVR_MAX_PENDING_ITEMS`` a scoring
request gets ``429 overloaded`` with ``Retry-After`` while ``/health`` and ``/metrics`` stay
served; a flood of clients neither grows the service's memory nor waits in an unbounded
queue; and the trainer's :class:`VerifierClient` waits the refusals out and succeeds."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import psutil
import pytest

from rlvr.trainer.client import VerifierClient

from ..conftest import LiveServer, running_server

SLOW = "\\boxed{2^{2^{2^{100}}}}"  # sympy grinds on it until the soft limit stops it
LIMIT = 6
ITEM_LIMIT_S = 1.0


def _item(item_id: str, completion: str, answer: object) -> dict[str, Any]:
    reference = {"answer": answer}
    return {"id": item_id, "domain": "math", "completion": completion, "reference": reference}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = {
        "workers": "1",
        "item_timeout_s": str(ITEM_LIMIT_S),
        "kill_grace_s": "1",
        "max_pending_items": str(LIMIT),
        "sandbox_backend": "off",
    }
    with running_server(tmp_path_factory.mktemp("overload"), **settings) as live:
        yield live


def _flood_the_queue(server: LiveServer, slow_items: int, tag: int) -> threading.Thread:
    """A batch of distinct slow items that keeps the only worker busy for a while."""
    items = [
        _item(f"slow-{n}", SLOW.replace("100", str(1000 * tag + n)), "5") for n in range(slow_items)
    ]

    def send() -> None:
        response = httpx.post(f"{server.url}/verify", json={"items": items}, timeout=120)
        assert response.status_code == 200

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    deadline = time.monotonic() + 10
    while httpx.get(f"{server.url}/health", timeout=10).json()["pending_items"] < LIMIT:
        assert time.monotonic() < deadline, "the slow batch never filled the queue"
        time.sleep(0.02)
    return sender


def _refused(server: LiveServer) -> float:
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    for line in text.splitlines():
        if line.startswith('rlvr_requests_refused_total{code="overloaded"}'):
            return float(line.split()[-1])
    return 0.0


def test_a_deep_queue_refuses_new_work_with_429_and_keeps_health_served(
    server: LiveServer,
) -> None:
    sender = _flood_the_queue(server, LIMIT + 2, 1)
    small = {"items": [_item("x", "\\boxed{1}", "1")]}
    for path, body in (
        ("/verify", small),
        ("/slime", {"prompt": "q", "response": "\\boxed{1}", "label": "1"}),
        ("/openrlhf", {"query": ["q\\boxed{1}"], "prompts": ["q"], "labels": ["1"]}),
    ):
        refused = httpx.post(f"{server.url}{path}", json=body, timeout=10)
        assert refused.status_code == 429, (path, refused.text)
        assert refused.json()["error"]["code"] == "overloaded"
        assert 1 <= int(refused.headers["Retry-After"]) <= 30
    health = httpx.get(f"{server.url}/health", timeout=10)
    assert health.status_code == 200 and health.json()["pending_items"] >= LIMIT
    assert httpx.get(f"{server.url}/metrics", timeout=10).status_code == 200
    sender.join(60)
    # once drained, the same request is scored
    answer = httpx.post(f"{server.url}/verify", json=small, timeout=30)
    assert answer.status_code == 200 and answer.json()["results"][0]["status"] == "ok"


def test_the_client_waits_out_the_refusals_and_succeeds(server: LiveServer) -> None:
    refused_before = _refused(server)
    sender = _flood_the_queue(server, LIMIT + 2, 2)
    with VerifierClient(server.url, busy_wait_s=120, timeout_s=60) as client:
        results = client.verify([_item("c", "\\boxed{3}", "3")])
    assert [(r["id"], r["status"], r["scores"]["accuracy"]) for r in results] == [("c", "ok", 1.0)]
    assert _refused(server) > refused_before  # it was sent away at least once, and came back
    sender.join(60)


def test_a_flood_of_clients_is_refused_not_queued_and_memory_stays_bounded(
    server: LiveServer,
) -> None:
    process = psutil.Process(server.process.pid)
    rss_before = process.memory_info().rss
    sender = _flood_the_queue(server, LIMIT + 14, 3)
    # 300 clients, each with a 200-item batch, all at once, while the queue is full
    body = {"items": [_item(f"f{n}", f"\\boxed{{{n}}}", str(n)) for n in range(200)]}

    async def flood() -> list[int]:
        limits = httpx.Limits(max_connections=300)
        async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as http:

            async def one() -> int:
                return (await http.post("/verify", json=body)).status_code

            return list(await asyncio.gather(*(one() for _ in range(300))))

    statuses = asyncio.run(flood())
    # refused while the slow batch holds the worker (a few may land once it has drained)
    assert set(statuses) <= {200, 429} and statuses.count(429) >= 290
    health = httpx.get(f"{server.url}/health", timeout=10).json()
    assert health["pending_items"] <= LIMIT + 200  # the limit plus one request, at most
    sender.join(60)
    grown = process.memory_info().rss - rss_before
    assert grown < 100 * 2**20, f"the service grew by {grown / 2**20:.0f} MiB"
