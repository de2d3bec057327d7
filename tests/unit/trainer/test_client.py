"""The async client under faults a real service rarely shows on demand: 503s, dead URLs.

The transport is httpx's MockTransport; tests/integration/test_client_api.py runs the same
client against the real service.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from rlvr.trainer.client import AsyncVerifierClient


def _echo(request: httpx.Request) -> httpx.Response:
    items = json.loads(request.content)["items"]
    return httpx.Response(200, json={"results": [{"id": it["id"]} for it in items]})


def test_batches_keep_order_and_respect_the_concurrency_limit() -> None:
    in_flight = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return _echo(request)

    async def scenario() -> list[dict[str, object]]:
        client = AsyncVerifierClient(
            "http://a", batch_size=3, max_concurrency=2, transport=httpx.MockTransport(handler)
        )
        try:
            return await client.verify([{"id": str(i)} for i in range(20)])
        finally:
            await client.aclose()

    results = asyncio.run(scenario())
    assert [r["id"] for r in results] == [str(i) for i in range(20)]
    assert peak == 2


def test_retries_503_and_dead_urls_on_the_next_url() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.host)
        if request.url.host == "dead":
            raise httpx.ConnectError("refused", request=request)
        if len(calls) < 3:
            return httpx.Response(503, json={"error": {"code": "busy"}})
        return _echo(request)

    async def scenario() -> list[dict[str, object]]:
        client = AsyncVerifierClient(
            ["http://dead", "http://live"], backoff_s=0.001, transport=httpx.MockTransport(handler)
        )
        try:
            return await client.verify([{"id": "a"}])
        finally:
            await client.aclose()

    assert asyncio.run(scenario()) == [{"id": "a"}]
    assert calls[:3] == ["dead", "live", "dead"] and calls[-1] == "live"


def test_gives_up_after_the_retries() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    async def scenario() -> None:
        client = AsyncVerifierClient(
            "http://a", retries=2, backoff_s=0.001, transport=httpx.MockTransport(handler)
        )
        try:
            await client.verify([{"id": "a"}])
        finally:
            await client.aclose()

    with pytest.raises(httpx.HTTPStatusError):
        asyncio.run(scenario())


def test_needs_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="RLVR_URL"):
        AsyncVerifierClient(" , ")
