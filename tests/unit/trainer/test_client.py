"""The client under faults a real service rarely shows on demand: 503s, dead URLs, a server
that stops answering; and the sync facade where ``asyncio.run`` cannot go (a running loop).

The transport is httpx's MockTransport; tests/integration/test_client_api.py runs the same
client against the real service.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import threading

import httpx
import pytest

from rlvr.trainer.client import AsyncVerifierClient, VerifierClient
from rlvr.trainer.coalesce import Coalescer
from rlvr.trainer.errors import ConfigError, RlvrError, ServiceError, ServiceUnavailable


def _echo(request: httpx.Request) -> httpx.Response:
    items = json.loads(request.content)["items"]
    return httpx.Response(200, json={"results": [{"id": it["id"]} for it in items]})


def _run(client: AsyncVerifierClient, items: list[dict[str, object]]) -> list[dict[str, object]]:
    async def scenario() -> list[dict[str, object]]:
        try:
            return await client.verify(items)
        finally:
            await client.aclose()

    return asyncio.run(scenario())


def test_batches_keep_order_and_respect_the_concurrency_limit() -> None:
    in_flight = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return _echo(request)

    client = AsyncVerifierClient(
        "http://a", batch_size=3, max_concurrency=2, transport=httpx.MockTransport(handler)
    )
    results = _run(client, [{"id": str(i)} for i in range(20)])
    assert [r["id"] for r in results] == [str(i) for i in range(20)]
    assert peak == 2


def test_retries_503_and_dead_urls_on_the_next_url() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.host)
        if request.url.host == "dead":
            raise httpx.ConnectError("refused", request=request)
        if len(calls) < 3:
            return httpx.Response(503, json={"error": {"code": "busy", "message": "later"}})
        return _echo(request)

    client = AsyncVerifierClient(
        ["http://dead", "http://live"], backoff_s=0.001, transport=httpx.MockTransport(handler)
    )
    assert _run(client, [{"id": "a"}]) == [{"id": "a"}]
    assert calls[:3] == ["dead", "live", "dead"] and calls[-1] == "live"


def test_gives_up_after_the_retries_with_the_services_code() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503, json={"error": {"code": "overloaded", "message": "busy"}})

    client = AsyncVerifierClient(
        "http://a", retries=2, backoff_s=0.001, transport=httpx.MockTransport(handler)
    )
    with pytest.raises(ServiceError) as caught:
        _run(client, [{"id": "a"}])
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (
        503,
        "overloaded",
        True,
    )
    assert calls == 3


def test_a_refused_request_is_not_retried() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        body = {"error": {"code": "too_many_items", "message": "5000 items; split the batch"}}
        return httpx.Response(413, json=body)

    client = AsyncVerifierClient(
        "http://a", backoff_s=0.001, transport=httpx.MockTransport(handler)
    )
    with pytest.raises(ServiceError, match=r"too_many_items.*split the batch") as caught:
        _run(client, [{"id": "a"}])
    assert calls == 1 and not caught.value.retryable
    assert isinstance(caught.value, RlvrError)


def test_a_proxy_error_page_still_gives_a_typed_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="<html>Not Found</html>")

    client = AsyncVerifierClient("http://a", transport=httpx.MockTransport(handler))
    with pytest.raises(ServiceError, match="http_404"):
        _run(client, [{"id": "a"}])


def test_no_url_answering_is_service_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = AsyncVerifierClient(
        ["http://a", "http://b"], retries=1, backoff_s=0.001, transport=httpx.MockTransport(handler)
    )
    with pytest.raises(ServiceUnavailable, match="is the service running"):
        _run(client, [{"id": "a"}])


def test_needs_a_url() -> None:
    with pytest.raises(ConfigError, match="RLVR_URL"):
        AsyncVerifierClient(" , ")


def test_sync_client_inside_a_running_event_loop() -> None:
    """A notebook cell runs inside an event loop: ``asyncio.run`` would refuse."""
    client = VerifierClient("http://a", transport=httpx.MockTransport(_echo))

    async def cell() -> list[dict[str, object]]:
        return client.verify([{"id": "x"}, {"id": "y"}])  # a blocking call, as in a notebook

    try:
        assert asyncio.run(cell()) == [{"id": "x"}, {"id": "y"}]
    finally:
        client.close()


def test_sync_client_serves_many_threads_on_one_loop() -> None:
    loops: set[int] = set()

    def handler(request: httpx.Request) -> httpx.Response:
        loops.add(id(asyncio.get_running_loop()))
        return _echo(request)

    client = VerifierClient("http://a", transport=httpx.MockTransport(handler))
    answers: list[list[dict[str, object]]] = []

    def call(i: int) -> None:
        answers.append(client.verify([{"id": str(i)}]))

    threads = [threading.Thread(target=call, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client.close()
    assert sorted(a[0]["id"] for a in answers) == [str(i) for i in range(8)]  # type: ignore[type-var]
    assert len(loops) == 1


def test_clients_pickle_to_their_settings() -> None:
    client = VerifierClient(["http://a", "http://b"], batch_size=7, retries=1)
    client.verify  # noqa: B018 - a bound method exists before and after
    copy = pickle.loads(pickle.dumps(client))
    assert copy.urls == ["http://a", "http://b"]
    assert copy.aio.batch_size == 7 and copy.aio.policy.retries == 1
    aio = pickle.loads(pickle.dumps(AsyncVerifierClient("http://a", max_concurrency=3)))
    assert aio.max_concurrency == 3


def test_coalescer_sends_concurrent_single_items_as_one_request() -> None:
    requests: list[list[str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append([it["id"] for it in json.loads(request.content)["items"]])
        return _echo(request)

    async def scenario() -> list[dict[str, object]]:
        aio = AsyncVerifierClient("http://a", transport=httpx.MockTransport(handler))
        coalescer = Coalescer(aio, linger_s=0.01, max_items=5)
        try:
            return await asyncio.gather(
                *(coalescer.verify({"id": f"caller-{i}"}) for i in range(12))
            )
        finally:
            await aio.aclose()

    results = asyncio.run(scenario())
    # every caller gets its own result, under its own id
    assert [r["id"] for r in results] == [f"caller-{i}" for i in range(12)]
    assert [len(r) for r in requests] == [5, 5, 2]  # full batches go at once, the rest on time


def test_coalescer_hands_a_failure_to_every_waiting_caller() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"error": {"code": "invalid_request", "message": "no"}})

    async def scenario() -> list[object]:
        aio = AsyncVerifierClient("http://a", transport=httpx.MockTransport(handler))
        coalescer = Coalescer(aio, linger_s=0.001)
        try:
            return await asyncio.gather(
                *(coalescer.verify({"id": str(i)}) for i in range(3)), return_exceptions=True
            )
        finally:
            await aio.aclose()

    outcomes = asyncio.run(scenario())
    assert all(isinstance(o, ServiceError) and o.code == "invalid_request" for o in outcomes)


def test_verify_requests_carry_a_deadline_inside_the_clients_own_timeout() -> None:
    seen: list[str | None] = []

    def capture(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("X-Request-Timeout"))
        return _echo(request)

    items: list[dict[str, object]] = [{"id": "a"}]
    for options, expected in (
        ({"timeout_s": 100.0}, "90"),  # by default 90% of the timeout
        ({"timeout_s": 100.0, "deadline_s": 12.5}, "12.5"),
        ({"deadline_s": None}, None),  # none sent
    ):
        client = AsyncVerifierClient("http://x", transport=httpx.MockTransport(capture), **options)
        _run(client, items)
        assert seen.pop() == expected
    for wrong in (0.0, -1.0, 10**6):
        with pytest.raises(ConfigError, match="deadline_s"):
            AsyncVerifierClient("http://x", deadline_s=wrong)
