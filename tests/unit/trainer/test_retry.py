"""How long the retry policy waits: our backoff, or a busy server's Retry-After."""

from __future__ import annotations

from email.utils import formatdate

import httpx
import pytest

from rlvr.trainer.retry import RetryPolicy, retry_after_s


@pytest.mark.parametrize(
    ("status", "header", "expected"),
    [
        (429, "3", 3.0),
        (503, "0", 0.0),
        (429, " 2 ", 2.0),
        (429, "-5", 0.0),  # a negative wait is no wait
        (429, "soon", None),  # unreadable: our own backoff
        (429, "nan", None),
        (429, None, None),
        (500, "3", None),  # only 429/503 say "busy"
        (502, "3", None),
    ],
)
def test_retry_after_values(status: int, header: str | None, expected: float | None) -> None:
    headers = {} if header is None else {"Retry-After": header}
    assert retry_after_s(httpx.Response(status, headers=headers)) == expected


def test_retry_after_as_an_http_date() -> None:
    response = httpx.Response(429, headers={"Retry-After": formatdate(1000.0, usegmt=True)})
    assert retry_after_s(response, now=990.0) == pytest.approx(10.0)
    assert retry_after_s(response, now=2000.0) == 0.0  # a date in the past: go now


def test_delay_is_the_servers_word_never_less_and_capped() -> None:
    policy = RetryPolicy(backoff_s=0.5, max_retry_after_s=120.0)
    for _ in range(50):
        delay = policy.delay_s(0, httpx.Response(429, headers={"Retry-After": "7"}))
        assert 7.0 <= delay <= 7.7  # at least what was asked, spread by at most 10%
    hour = policy.delay_s(0, httpx.Response(429, headers={"Retry-After": "3600"}))
    assert 120.0 <= hour <= 132.0
    assert policy.delay_s(3) == 4.0  # no Retry-After: exponential backoff
    assert policy.delay_s(3, httpx.Response(503)) == 4.0
    assert RetryPolicy(backoff_s=1.0, max_backoff_s=5.0).delay_s(10) == 5.0


def test_text_that_is_not_unicode_does_not_sink_the_batch() -> None:
    """Think like the policy: a completion carrying a lone surrogate (text decoded with
    ``surrogateescape``, or a JSON ``\\udc80`` escape from a model server) made httpx refuse
    to encode the whole request, so every other item of the batch went unscored."""
    import asyncio
    import json

    from rlvr.trainer.client import AsyncVerifierClient

    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body)
        assert request.headers["content-type"] == "application/json"
        return httpx.Response(200, json={"results": [{"id": i["id"]} for i in body["items"]]})

    client = AsyncVerifierClient("http://a", transport=httpx.MockTransport(handler))
    items = [{"id": "0", "completion": "\\boxed{4}\udc80"}, {"id": "1", "completion": "½ ok"}]

    async def send() -> list[dict[str, object]]:
        try:
            return await client.verify(items)
        finally:
            await client.aclose()

    assert [r["id"] for r in asyncio.run(send())] == ["0", "1"]
    assert [i["completion"] for i in seen[0]["items"]] == ["\\boxed{4}?", "½ ok"]  # type: ignore[index]
