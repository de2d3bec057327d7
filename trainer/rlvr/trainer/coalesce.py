"""Per-sample callers, batched requests: items submitted one at a time within a few
milliseconds of each other go to the service as one ``POST /verify``.

verl's reward loop calls ``compute_score`` once per sample, all samples of a batch at once
(as coroutines, or in threads); without this every sample would be its own HTTP request.
A :class:`Coalescer` lives on one event loop (a :class:`~rlvr.trainer.client.VerifierClient`'s
private one): the first item of a batch starts a short timer, and the batch goes when the
timer fires or ``max_items`` are waiting. Items are grouped by what they ask for (rewards,
weights, options), since one request has one plan.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .client import AsyncVerifierClient


@dataclass
class _Batch:
    rewards: list[str] | None
    weights: dict[str, float] | None
    options: dict[str, Any] | None
    entries: list[tuple[dict[str, Any], asyncio.Future[dict[str, Any]]]] = field(
        default_factory=list
    )
    timer: asyncio.TimerHandle | None = None


class Coalescer:
    """Gathers single items into ``/verify`` batches (use from one event loop only)."""

    def __init__(
        self, client: AsyncVerifierClient, linger_s: float = 0.005, max_items: int = 1024
    ) -> None:
        self.client, self.linger_s, self.max_items = client, linger_s, max_items
        self._open: dict[str, _Batch] = {}
        self._sending: set[asyncio.Task[None]] = set()  # held so a task is not collected
        self.requests_sent = 0  # how many POSTs the coalescing came to (for tests and logs)

    async def verify(
        self,
        item: dict[str, Any],
        rewards: Sequence[str] | None = None,
        weights: dict[str, float] | None = None,
        options: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The result for ``item``, sent with whatever else arrives meanwhile."""
        loop = asyncio.get_running_loop()
        key = json.dumps([rewards, weights, options], sort_keys=True, default=str)
        batch = self._open.get(key)
        if batch is None:
            batch = _Batch(list(rewards) if rewards else None, weights, options)
            self._open[key] = batch
            batch.timer = loop.call_later(self.linger_s, self._send, key)
        future: asyncio.Future[dict[str, Any]] = loop.create_future()
        batch.entries.append((item, future))
        if len(batch.entries) >= self.max_items:
            self._send(key)
        return await future

    def _send(self, key: str) -> None:
        batch = self._open.pop(key, None)
        if batch is None:
            return
        if batch.timer is not None:
            batch.timer.cancel()
        self.requests_sent += 1
        task = asyncio.get_running_loop().create_task(self._post(batch))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _post(self, batch: _Batch) -> None:
        # Positions as ids: callers' ids need not be unique across callers.
        items = [{**item, "id": str(i)} for i, (item, _) in enumerate(batch.entries)]
        try:
            results = await self.client.verify(items, batch.rewards, batch.weights, batch.options)
        except Exception as exc:  # every waiting caller gets the failure, none hangs
            for _, future in batch.entries:
                if not future.done():
                    future.set_exception(exc)
            return
        for (item, future), result in zip(batch.entries, results, strict=True):
            if not future.done():
                future.set_result({**result, "id": item.get("id")})
