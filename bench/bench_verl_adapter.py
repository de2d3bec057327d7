"""Benchmark: verl's per-sample reward calls through the adapter, before and after.

verl's reward loop calls the reward function once per sample, all samples of a batch at
once: a sync function in its event loop's default thread pool, an async one as coroutines.
The same math samples, side by side, against one service on this machine:

(a) the adapter as it was: each call a new HTTP client and event loop (``asyncio.run``)
    sending a one-item ``POST /verify`` (reproduced here, since the code is gone);
(b) ``rlvr.trainer.verl.compute_score`` in the same thread pool: one long-lived connection,
    calls that arrive together coalesced into one request;
(c) ``rlvr.trainer.verl.compute_score_async`` awaited together, as verl awaits it.

    python bench/bench_verl_adapter.py --samples 512
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service import free_port, start_service

RESPONSE = "<think>\n{a}+{a}\n</think>\n<answer>\n\\boxed{{{b}}}\n</answer>"


def samples(n: int) -> list[tuple[str, str, str]]:
    """(data_source, response, ground truth): half right, half wrong."""
    return [("openai/gsm8k", RESPONSE.format(a=i, b=2 * i + i % 2), str(2 * i)) for i in range(n)]


def requests_so_far(url: str) -> float:
    text = httpx.get(f"{url}/metrics").text
    return float(re.search(r"rlvr_batch_items_count (\S+)", text).group(1))  # type: ignore[union-attr]


def old_compute_score(url: str, source: str, response: str, truth: str) -> float:
    """What the adapter did before: a client and an event loop per call, a one-item batch."""

    async def call() -> float:
        async with httpx.AsyncClient(timeout=600) as http:
            item = {
                "id": "0",
                "domain": "math",
                "completion": response,
                "reference": {"answer": truth},
            }
            answer = (await http.post(f"{url}/verify", json={"items": [item]})).json()
            reward = answer["results"][0]["reward"]
            return float(reward) if reward is not None else 0.0

    return asyncio.run(call())


def in_thread_pool(function: Callable[..., Any], rows: list[tuple[str, str, str]]) -> list[Any]:
    """verl's naive manager: ``loop.run_in_executor(None, ...)`` per sample, gathered."""

    async def reward_loop() -> list[Any]:
        loop = asyncio.get_running_loop()
        return list(await asyncio.gather(*(loop.run_in_executor(None, function, *r) for r in rows)))

    return asyncio.run(reward_loop())


def run(label: str, url: str, score: Callable[[], list[float]], baseline: float | None) -> float:
    before, started = requests_so_far(url), time.perf_counter()
    rewards = score()
    seconds = time.perf_counter() - started
    sent = requests_so_far(url) - before
    rate = len(rewards) / seconds
    ratio = f"{rate / baseline:6.1f}x" if baseline else "  base"
    print(f"{label:<44} {rate:9.0f} samples/s {int(sent):6d} requests  {ratio}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=512)
    parser.add_argument("--workers", default="2", help="service scoring workers")
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    service = start_service(port, workers=args.workers, sandbox_backend="off")
    os.environ["RLVR_URL"] = url
    from rlvr.trainer import verl

    rows = samples(args.samples)
    try:
        in_thread_pool(lambda *r: verl.compute_score(*r), rows[:8])  # warm both sides up
        print(f"{args.samples} samples, service with {args.workers} workers, {os.cpu_count()} CPUs")
        base = run(
            "(a) before: client + loop per call, 1 item",
            url,
            lambda: in_thread_pool(lambda *r: old_compute_score(url, *r), rows),
            None,
        )
        new_sync = run(
            "(b) compute_score in verl's thread pool",
            url,
            lambda: [d["score"] for d in in_thread_pool(verl.compute_score, rows)],
            base,
        )

        async def awaited() -> list[float]:
            answers = await asyncio.gather(*(verl.compute_score_async(*r) for r in rows))
            return [a["score"] for a in answers]

        new_async = run(
            "(c) compute_score_async awaited together", url, lambda: asyncio.run(awaited()), base
        )
        agree = in_thread_pool(lambda *r: old_compute_score(url, *r), rows[:64]) == [
            d["score"] for d in in_thread_pool(verl.compute_score, rows[:64])
        ]
        print(f"same rewards from (a) and (b) on 64 samples: {agree}")
        print(f"(c) vs (b): {new_async / new_sync:.1f}x")
    finally:
        service.terminate()
        service.wait(timeout=30)


if __name__ == "__main__":
    main()
