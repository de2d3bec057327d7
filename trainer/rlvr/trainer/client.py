"""Clients for the verifier: async with batching, concurrency, retries and several URLs, and a
sync facade for callers that are not async.

Large inputs are split into batches of ``batch_size`` items, sent concurrently (at most
``max_concurrency`` requests in flight), spread round-robin over ``urls``, and put back in
order. Connection errors and 429/502/503/504 are retried with exponential backoff, on the
next URL; the requests are idempotent, so a retry never double-counts anything.

>>> VerifierClient("http://127.0.0.1:8000").urls
['http://127.0.0.1:8000']
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Sequence
from typing import Any

import httpx

from .retry import post_json

DEFAULT_URL = "http://127.0.0.1:8000"


def split_urls(url: str | Sequence[str] | None) -> list[str]:
    if url is None:
        url = os.environ.get("RLVR_URL", DEFAULT_URL)
    listed = url.split(",") if isinstance(url, str) else list(url)
    return [u.strip().rstrip("/") for u in listed if u.strip()]


class AsyncVerifierClient:
    """``POST /verify``, ``/vote`` and ``/analyze`` for inputs of any size."""

    def __init__(
        self,
        url: str | Sequence[str] | None = None,
        batch_size: int = 1024,
        max_concurrency: int = 4,
        timeout_s: float = 600.0,
        retries: int = 4,
        backoff_s: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.urls = split_urls(url)
        if not self.urls:
            raise ValueError("no verifier URL: pass url= or set RLVR_URL")
        self.batch_size, self.retries, self.backoff_s = batch_size, retries, backoff_s
        self._gate = asyncio.Semaphore(max_concurrency)
        self._next_url = itertools.cycle(range(len(self.urls)))
        self._http = httpx.AsyncClient(timeout=timeout_s, transport=transport)

    async def verify(
        self,
        items: Sequence[dict[str, Any]],
        rewards: Sequence[str] | None = None,
        weights: dict[str, float] | None = None,
        options: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """One result per item, in order, however many items there are."""
        extra = {
            k: v
            for k, v in (
                ("rewards", list(rewards) if rewards else None),
                ("weights", weights),
                ("options", options),
            )
            if v is not None
        }
        return await self._batched("/verify", "items", list(items), extra)

    async def vote(
        self, prompts: Sequence[dict[str, Any]], k: Sequence[int] = (1,)
    ) -> list[dict[str, Any]]:
        return await self._batched("/vote", "prompts", list(prompts), {"k": list(k)})

    async def analyze(self, completions: Sequence[Any]) -> list[dict[str, Any]]:
        return await self._batched("/analyze", "completions", list(completions), {})

    async def _batched(
        self, path: str, field: str, entries: list[Any], extra: dict[str, Any]
    ) -> list[dict[str, Any]]:
        chunks = [entries[i : i + self.batch_size] for i in range(0, len(entries), self.batch_size)]
        answers = await asyncio.gather(
            *(self._post(path, {field: chunk, **extra}) for chunk in chunks)
        )
        return [result for answer in answers for result in answer["results"]]

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self._gate:
            return await post_json(
                self._http,
                lambda: self.urls[next(self._next_url)] + path,
                body,
                self.retries,
                self.backoff_s,
            )

    async def aclose(self) -> None:
        await self._http.aclose()


class VerifierClient:
    """The sync facade: each call runs the async client to completion.

    Not for use inside a running event loop (await :class:`AsyncVerifierClient` there).
    """

    def __init__(self, url: str | Sequence[str] | None = None, **options: Any) -> None:
        self.urls = split_urls(url)
        self._options = options

    def _run(self, method: str, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        async def call() -> list[dict[str, Any]]:
            client = AsyncVerifierClient(self.urls, **self._options)
            try:
                result: list[dict[str, Any]] = await getattr(client, method)(*args, **kwargs)
                return result
            finally:
                await client.aclose()

        return asyncio.run(call())

    def verify(
        self,
        items: Sequence[dict[str, Any]],
        rewards: Sequence[str] | None = None,
        weights: dict[str, float] | None = None,
        options: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        return self._run("verify", items, rewards, weights, options)

    def vote(
        self, prompts: Sequence[dict[str, Any]], k: Sequence[int] = (1,)
    ) -> list[dict[str, Any]]:
        return self._run("vote", prompts, k)

    def analyze(self, completions: Sequence[Any]) -> list[dict[str, Any]]:
        return self._run("analyze", completions)

    def close(self) -> None:
        """Nothing stays open between calls; kept so callers can close uniformly."""
