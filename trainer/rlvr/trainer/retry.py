"""Idempotent JSON POSTs with retries, shared by the verifier client and the OpenAI backend."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

RETRY_STATUS = {429, 502, 503, 504}


async def post_json(
    http: httpx.AsyncClient,
    next_url: Callable[[], str],
    body: dict[str, Any],
    retries: int = 4,
    backoff_s: float = 0.5,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST ``body``, retrying connection errors and 429/502/503/504 with exponential
    backoff, each attempt on ``next_url()`` (so load moves off a failing server)."""
    for attempt in range(retries + 1):
        try:
            response = await http.post(next_url(), json=body, headers=headers)
            if response.status_code not in RETRY_STATUS or attempt == retries:
                response.raise_for_status()
                answer: dict[str, Any] = response.json()
                return answer
        except httpx.TransportError:
            if attempt == retries:
                raise
        await asyncio.sleep(min(backoff_s * 2**attempt, 30.0))
    raise AssertionError("unreachable")
