"""Benchmark: one-sample requests (OpenRLHF, slime, verl's reward loop) against batches.

The same GRPO-shaped math items (groups of 8 completions sharing a prompt and its gold
answer, some completions repeated word for word within their group, 20% wrong) are scored
by a fresh service (sandbox off) in each phase, side by side in one run:

* ``batched``: ``POST /verify`` with 512 items per request, 4 requests in flight (what the
  trainer client does by default);
* ``one-item /verify``: 64 clients, each sending one item per request, the next as soon as
  the last is answered, over keep-alive connections;
* ``one-item /slime``: the same through slime's remote-RM route (``{prompt, response,
  label}`` per request);

each one-item phase once with the service gathering concurrent requests
(``RLVR_GATHER_MS``, its default) and once with gathering off (``RLVR_GATHER_MS=0``).
A fresh service per phase, warmed up on other items, so no phase finds another's verdicts
in the workers' caches. Prints items/s, the ratio to the batched throughput, request
latency p50/p99 and whether every phase gave the same rewards. ``--baseline PATH`` adds the
one-item ``/verify`` phase against another checkout (e.g. the code before gathering).

The clients speak HTTP/1.1 over asyncio streams, a few lines of code, because on a small
machine a heavyweight client would take the CPU the service is being measured on.

    python bench/bench_gather.py --items 4096 --rounds 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from math_items import MathItem, make_items
from service import free_port, percentile, start_service

CLIENTS = 64
BATCH = 512
BATCHES_IN_FLIGHT = 4


class Connection:
    """One keep-alive HTTP/1.1 connection that POSTs JSON and reads the JSON answer."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, dict[str, str], Any]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status = int((await self.reader.readline()).split()[1])
        headers: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        payload = await self.reader.readexactly(int(headers["content-length"]))
        if headers.get("connection") == "close":
            await self.close()
        return status, headers, json.loads(payload)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()
        self.reader = self.writer = None


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    requests: int = 0
    refused: int = 0  # 429/503 answers (waited out and sent again)
    jobs: int = 0  # distinct jobs the workers scored (identical items scored once)
    latencies_ms: list[float] = field(default_factory=list)
    rewards: list[float | None] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.rewards) / self.seconds if self.seconds else 0.0


def verify_item(item: MathItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "domain": "math",
        "completion": item.completion,
        "reference": {"answer": item.gold},
    }


async def send(
    connection: Connection, phase: Phase, path: str, body: bytes
) -> Any:  # the answer of a 200, after waiting out any 429/503
    while True:
        started = time.perf_counter()
        status, headers, answer = await connection.post(path, body)
        phase.requests += 1
        if status == 200:
            phase.latencies_ms.append((time.perf_counter() - started) * 1000)
            return answer
        if status in (429, 503) and "retry-after" in headers:
            phase.refused += 1
            await asyncio.sleep(float(headers["retry-after"]))
            continue
        raise SystemExit(f"{path} answered {status}: {answer}")


async def batched(port: int, items: list[MathItem], phase: Phase) -> None:
    chunks = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
    rewards: list[list[float | None]] = [[] for _ in chunks]
    queue = list(enumerate(chunks))

    async def sender() -> None:
        connection = Connection(port)
        while queue:
            index, chunk = queue.pop(0)
            body = json.dumps({"items": [verify_item(i) for i in chunk]}).encode()
            answer = await send(connection, phase, "/verify", body)
            rewards[index] = [r["reward"] for r in answer["results"]]
        await connection.close()

    await asyncio.gather(*(sender() for _ in range(BATCHES_IN_FLIGHT)))
    phase.rewards = [reward for chunk in rewards for reward in chunk]


async def one_item(
    port: int,
    items: list[MathItem],
    phase: Phase,
    path: str,
    body_of: Callable[[MathItem], dict[str, Any]],
    reward_of: Callable[[Any], float | None],
) -> None:
    rewards: list[float | None] = [None] * len(items)
    bodies = [json.dumps(body_of(item)).encode() for item in items]
    next_index = iter(range(len(items)))

    async def client() -> None:
        connection = Connection(port)
        for index in next_index:  # shared: each client takes the next unsent item
            rewards[index] = reward_of(await send(connection, phase, path, bodies[index]))
        await connection.close()

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    phase.rewards = rewards


def slime_body(item: MathItem) -> dict[str, Any]:
    return {"prompt": "q", "response": item.completion, "label": item.gold}


def run_phase(
    name: str,
    kind: str,
    items: list[MathItem],
    warm: list[MathItem],
    checkout: Path | None,
    settings: dict[str, str],
) -> Phase:
    """A fresh service (of ``checkout``, default this one), warmed up on ``warm``, then
    ``items`` scored the ``kind`` way."""
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"bench-gather-{port}.log"
    service = start_service(port, checkout=checkout, log=log, **cast("dict[str, Any]", settings))
    try:
        asyncio.run(batched(port, warm, Phase("warm-up")))
        phase = Phase(name)
        jobs_before = scored_jobs(port)
        started = time.perf_counter()
        if kind == "batched":
            asyncio.run(batched(port, items, phase))
        elif kind == "verify":
            reward = lambda answer: answer["results"][0]["reward"]  # noqa: E731
            asyncio.run(one_item(port, items, phase, "/verify", verify_body, reward))
        else:
            reward = lambda answer: answer["score"]  # noqa: E731
            asyncio.run(one_item(port, items, phase, "/slime?domain=math", slime_body, reward))
        phase.seconds = time.perf_counter() - started
        phase.jobs = scored_jobs(port) - jobs_before
        return phase
    finally:
        service.terminate()
        service.wait(timeout=60)


def scored_jobs(port: int) -> int:
    """Distinct jobs scored so far: one latency sample per job, however many items share it."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text
    return round(
        sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("rlvr_item_latency_seconds_count")
        )
    )


def verify_body(item: MathItem) -> dict[str, Any]:
    return {"items": [verify_item(item)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=4096)
    parser.add_argument("--workers", default="2", help="scoring workers of each service")
    parser.add_argument("--duplicates", type=float, default=0.2, help="share of repeats")
    parser.add_argument("--rounds", type=int, default=1, help="repeat every phase; medians")
    parser.add_argument("--baseline", type=Path, help="another checkout, for one-item /verify")
    args = parser.parse_args()

    items = make_items(args.items, group_size=8, duplicate_rate=args.duplicates, seed=13)
    warm = make_items(256, group_size=8, duplicate_rate=args.duplicates, seed=14)
    distinct = len({(i.completion, i.gold) for i in items})
    base = {"workers": args.workers, "sandbox_backend": "off"}
    phases: list[tuple[str, str, dict[str, str]]] = [
        ("batched /verify, 512 per request", "batched", base),
        ("one-item /verify, gathering on", "verify", base),
        ("one-item /verify, gathering off (0)", "verify", {**base, "gather_ms": "0"}),
        ("one-item /slime, gathering on", "slime", base),
        ("one-item /slime, gathering off (0)", "slime", {**base, "gather_ms": "0"}),
    ]
    if args.baseline is not None:
        phases.append(
            ("one-item /verify, baseline checkout", "verify", {**base, "checkout": "baseline"})
        )
    print(
        f"{args.items} items ({distinct} distinct, groups of 8, {args.duplicates:.0%} repeats), "
        f"service with {args.workers} workers, {os.cpu_count()} CPUs, {CLIENTS} one-item "
        f"clients vs batches of {BATCH} ({BATCHES_IN_FLIGHT} in flight), {args.rounds} round(s)",
        flush=True,
    )
    results: dict[str, list[Phase]] = {name: [] for name, _, _ in phases}
    for round_ in range(args.rounds):
        for name, kind, settings in phases:
            settings = dict(settings)
            checkout = args.baseline if settings.pop("checkout", None) else None
            print(f"  round {round_ + 1}: {name} ...", end="", flush=True)
            phase = run_phase(name, kind, items, warm, checkout, settings)
            print(f" {phase.rate:7.1f} items/s", flush=True)
            results[name].append(phase)

    batched_rate = statistics.median(p.rate for p in results[phases[0][0]])
    expected = results[phases[0][0]][0].rewards
    print()
    print(
        f"{'phase':<40} {'items/s':>8} {'vs batched':>10} {'requests':>9} {'jobs':>6} "
        f"{'429s':>5} {'p50 ms':>7} {'p99 ms':>7} same rewards"
    )
    for name, runs in results.items():
        rate = statistics.median(p.rate for p in runs)
        latencies = [ms for p in runs for ms in p.latencies_ms]
        same = all(
            [round(r, 6) if r is not None else None for r in p.rewards]
            == [round(r, 6) if r is not None else None for r in expected]
            for p in runs
        )
        print(
            f"{name:<40} {rate:8.1f} {rate / batched_rate:9.2f}x "
            f"{statistics.median(p.requests for p in runs):9.0f} "
            f"{statistics.median(p.jobs for p in runs):6.0f} "
            f"{statistics.median(p.refused for p in runs):5.0f} "
            f"{percentile(latencies, 50):7.1f} {percentile(latencies, 99):7.1f} {same}"
        )


if __name__ == "__main__":
    main()
