"""Benchmark: the per-sample trainers (slime, NeMo-Gym, AReaL) through the new adapters,
against one request per sample.

slime, NeMo-Gym and AReaL all score one sample per call. The same math samples, side by
side, against one service on this machine (sandbox off):

(a) baseline: slime's ``--rm-url`` path, one ``POST /slime`` per sample, all in flight at
    once over one connection pool of 64 (what slime's ``remote_rm`` does);
(b) ``rlvr.trainer.slime.reward`` (``--custom-rm-path``), awaited per sample on slime's
    one event loop: the samples that arrive together go as one ``POST /verify``;
(c) ``rlvr.trainer.nemo_gym.verify_row``, one coroutine per rollout as Gym's agents call
    the resources server's ``/verify`` (Gym's own HTTP hops are not counted);
(d) ``rlvr.trainer.areal.reward_fn`` called one after another, as AReaL's process pool of
    one worker (its default on a 2-CPU machine) runs it.

    python bench/bench_per_sample_adapters.py --samples 512
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
from types import SimpleNamespace

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service import free_port, start_service

RESPONSE = "<think>\n{a}+{a}\n</think>\n<answer>\n\\boxed{{{b}}}\n</answer>"


def samples(n: int) -> list[tuple[str, str]]:
    """(response, label): half right, half wrong."""
    return [(RESPONSE.format(a=i, b=2 * i + i % 2), str(2 * i)) for i in range(n)]


def requests_so_far(url: str) -> float:
    text = httpx.get(f"{url}/metrics").text
    return float(re.search(r"rlvr_batch_items_count (\S+)", text).group(1))  # type: ignore[union-attr]


async def one_request_per_sample(url: str, rows: list[tuple[str, str]]) -> list[float]:
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:

        async def one(response: str, label: str) -> float:
            body = {"prompt": "q", "response": response, "label": label}
            answer = (await http.post(f"{url}/slime?domain=math", json=body)).json()
            return float(answer["score"])

        return list(await asyncio.gather(*(one(*row) for row in rows)))


def run(
    label: str, url: str, score: Callable[[], list[float]], baseline: float | None, count: str
) -> tuple[float, list[float]]:
    before, started = requests_so_far(url), time.perf_counter()
    rewards = score()
    seconds = time.perf_counter() - started
    # /slime answers without a /verify batch: its requests are counted here, one per sample.
    sent = len(rewards) if count == "slime" else requests_so_far(url) - before
    rate = len(rewards) / seconds
    ratio = f"{rate / baseline:6.1f}x" if baseline else "  base"
    print(f"{label:<52} {rate:8.0f} samples/s {int(sent):6d} requests  {ratio}")
    return rate, rewards


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=512)
    parser.add_argument("--workers", default="2", help="service scoring workers")
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    service = start_service(port, workers=args.workers, sandbox_backend="off")
    os.environ["RLVR_URL"] = url
    from rlvr.trainer import areal, nemo_gym, slime

    rows = samples(args.samples)
    slime_args = SimpleNamespace(reward_key=None, eval_reward_key=None)

    async def custom_rm() -> list[float]:
        found = [SimpleNamespace(prompt="q", response=r, label=lab, metadata={}) for r, lab in rows]
        answers = await asyncio.gather(*(slime.reward(slime_args, s) for s in found))
        return [float(a) for a in answers]  # type: ignore[arg-type]  # bare rewards: no reward_key

    async def gym() -> list[float]:
        bodies = [
            {
                "response": {
                    "output": [{"type": "message", "role": "assistant", "content": [{"text": r}]}]
                },
                "expected_answer": lab,
            }
            for r, lab in rows
        ]
        answers = await asyncio.gather(*(nemo_gym.verify_row(b, url=url) for b in bodies))
        return [a["reward"] for a in answers]

    def areal_pool() -> list[float]:
        return [areal.reward_fn("q", r, [0], [0] * 32, answer=lab) for r, lab in rows]

    try:
        asyncio.run(one_request_per_sample(url, rows[:8]))  # warm both sides up
        print(f"{args.samples} samples, service with {args.workers} workers, {os.cpu_count()} CPUs")
        base, expected = run(
            "(a) slime --rm-url: one POST /slime per sample",
            url,
            lambda: asyncio.run(one_request_per_sample(url, rows)),
            None,
            "slime",
        )
        results = {"(a)": expected}
        for label, key, score in (
            (
                "(b) slime --custom-rm-path, per sample, coalesced",
                "(b)",
                lambda: asyncio.run(custom_rm()),
            ),
            ("(c) NeMo-Gym server's verify_row, coalesced", "(c)", lambda: asyncio.run(gym())),
            ("(d) AReaL reward_fn, one call after another", "(d)", areal_pool),
        ):
            results[key] = run(label, url, score, base, "verify")[1]
        same = all(
            [round(x, 6) for x in values] == [round(x, 6) for x in expected]
            for values in results.values()
        )
        print(f"same rewards from (a), (b), (c) and (d): {same}")
    finally:
        service.terminate()
        service.wait(timeout=30)


if __name__ == "__main__":
    main()
