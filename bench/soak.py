"""Soak: N clients send batches for M seconds — R1-style math items mixed with hostile ones
(lone surrogates, overflowing science answers, 5,000-digit integers, oversize completions,
answers that grind the parser to its time limit) — while a worker is ``kill -9``-ed every
K seconds and ``/health`` is polled. Loopback only, bounded in time and requests.

Prints, per run: items/s answered, batch round trip p50/p99, lost items (no result: must be
0), items answered with an infrastructure error, wrong verdicts on the normal items,
``/health`` p50/p99 and its non-200 answers, worker kills, and the RSS of the service
(all processes) and of its largest worker at start and end. With ``--baseline PATH`` the
same soak first runs against the checkout at PATH, and both are printed side by side.

    python bench/soak.py --clients 50 --seconds 60 --baseline /work/main
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from math_items import MathItem, make_items
from service import free_port, percentile, rss_mib, start_service, worker_pids

LONG = "9" * 5000  # a JSON integer past Python's 4,300-digit conversion limit
MAX_COMPLETION_CHARS = 20_000


@dataclass
class Run:
    name: str
    seconds: float = 0.0
    requests: int = 0
    items_sent: int = 0
    items_answered: int = 0
    lost: int = 0
    infra_errors: int = 0
    wrong_normal: int = 0
    batch_ms: list[float] = field(default_factory=list)
    health_ms: list[float] = field(default_factory=list)
    health_not_200: int = 0
    kills: int = 0
    rss_start: tuple[float, float] = (0.0, 0.0)
    rss_end: tuple[float, float] = (0.0, 0.0)
    statuses: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)  # the first few unexpected results


def _hostile(r: random.Random, n: int) -> tuple[dict[str, Any], bool | None]:
    """A hostile item, and whether its answer is right (None: no claim)."""
    kind = r.randrange(6)
    item: dict[str, Any] = {"id": f"h{n}", "domain": "math"}
    if kind == 0:  # lone surrogates in the id and the completion
        item.update(
            id=f"h{n}-\ud800", completion="<think>\udfff</think><answer>\\boxed{7}</answer>"
        )
        item["reference"] = {"answer": "7"}
        return item, True
    if kind == 1:  # an answer that overflows to infinity
        item.update(domain="science", completion="\\boxed{1e999 m/s^2}")
        item["reference"] = {"value": 9.8, "unit": "m/s^2"}
        return item, False
    if kind == 2:  # a gold too long for int()
        item.update(completion=f"\\boxed{{{LONG}}}", reference={"answer": "LONG"})
        return item, True
    if kind == 3:  # one character over the size limit
        item.update(completion="\\boxed{7}" + "x" * MAX_COMPLETION_CHARS, reference={"answer": "7"})
        return item, False
    if kind == 4:  # grinds sympy until the soft limit
        item.update(completion=f"\\boxed{{2^{{2^{{2^{{{100 + n}}}}}}}}}", reference={"answer": "5"})
        return item, False
    item.update(completion="\\boxed{" + "{" * 3000 + "1" + "}" * 3000 + "}")
    item["reference"] = {"answer": "1"}
    return item, None


def _batch(
    r: random.Random, normal: list[MathItem], size: int, hostile: float, counter: list[int]
) -> tuple[bytes, list[str], list[bool | None]]:
    items, expected = [], []
    for _ in range(size):
        counter[0] += 1
        if r.random() < hostile:
            item, right = _hostile(r, counter[0])
        else:
            math = r.choice(normal)
            item = {
                "id": f"n{counter[0]}",
                "domain": "math",
                "completion": math.completion,
                "reference": {"answer": math.gold},
            }
            right = math.correct
        items.append(item)
        expected.append(right)
    body = json.dumps({"items": items, "rewards": ["accuracy"]}).replace('"LONG"', LONG)
    return body.encode(), [str(i["id"]) for i in items], expected


async def _client(
    url: str, run: Run, normal: list[MathItem], args: argparse.Namespace, deadline: float, seed: int
) -> None:
    r = random.Random(seed)
    counter = [seed * 1_000_000]
    async with httpx.AsyncClient(base_url=url, timeout=300) as http:
        while time.monotonic() < deadline:
            body, ids, expected = _batch(r, normal, args.batch, args.hostile, counter)
            run.requests += 1
            run.items_sent += len(ids)
            started = time.perf_counter()
            try:
                response = await http.post(
                    "/verify", content=body, headers={"content-type": "application/json"}
                )
            except httpx.HTTPError:
                run.lost += len(ids)
                continue
            run.batch_ms.append((time.perf_counter() - started) * 1000)
            key = str(response.status_code)
            run.statuses[key] = run.statuses.get(key, 0) + 1
            results = response.json().get("results") if response.status_code == 200 else None
            if not results or [res["id"] for res in results] != ids:
                run.lost += len(ids)
                continue
            run.items_answered += len(ids)
            for res, right in zip(results, expected, strict=True):
                if res["status"] != "ok":
                    code = (res.get("error") or {}).get("code")
                    if code in ("worker_crashed", "internal_error"):
                        run.infra_errors += 1
                        _example(run, res)
                elif right is not None and (res["scores"]["accuracy"] == 1.0) != right:
                    run.wrong_normal += 1
                    _example(run, res)


def _example(run: Run, result: dict[str, Any]) -> None:
    if len(run.examples) < 5:
        shown = {k: result.get(k) for k in ("id", "status", "scores", "details", "error")}
        run.examples.append(json.dumps(shown)[:300])


async def _health(url: str, run: Run, until: asyncio.Event) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        while not until.is_set():
            started = time.perf_counter()
            try:
                response = await http.get("/health")
                run.health_ms.append((time.perf_counter() - started) * 1000)
                run.health_not_200 += response.status_code != 200
            except httpx.HTTPError:
                run.health_not_200 += 1
            await asyncio.sleep(0.1)


async def _killer(pid: int, run: Run, every: float, until: asyncio.Event) -> None:
    r = random.Random(7)
    while not until.is_set():
        try:
            await asyncio.wait_for(until.wait(), timeout=every)
            return
        except TimeoutError:
            pass
        workers = worker_pids(pid)
        if workers:
            try:
                os.kill(r.choice(workers), signal.SIGKILL)
                run.kills += 1
            except ProcessLookupError:
                pass


async def _progress(run: Run, started: float, until: asyncio.Event) -> None:
    while not until.is_set():
        try:
            await asyncio.wait_for(until.wait(), timeout=10)
        except TimeoutError:
            print(
                f"  {time.monotonic() - started:5.0f} s: {run.requests} requests, "
                f"{run.items_answered} items answered, {run.lost} lost, {run.kills} kills",
                flush=True,
            )


async def _soak(
    url: str, pid: int, run: Run, normal: list[MathItem], args: argparse.Namespace
) -> None:
    stop = asyncio.Event()
    started = time.monotonic()
    watchers = [
        asyncio.create_task(_health(url, run, stop)),
        asyncio.create_task(_progress(run, started, stop)),
    ]
    if args.kill_every > 0:
        watchers.append(asyncio.create_task(_killer(pid, run, args.kill_every, stop)))
    deadline = started + args.seconds
    await asyncio.gather(
        *(_client(url, run, normal, args, deadline, n + 1) for n in range(args.clients))
    )
    run.seconds = time.monotonic() - started
    stop.set()
    await asyncio.gather(*watchers)


def soak(name: str, checkout: Path | None, args: argparse.Namespace, normal: list[MathItem]) -> Run:
    run = Run(name)
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"soak-{name}-{port}.log"
    process = start_service(
        port,
        checkout=checkout,
        log=log,
        workers=str(args.workers),
        item_timeout_s=str(args.item_timeout),
        kill_grace_s="1",
        sandbox_backend="off",
        max_completion_chars=str(MAX_COMPLETION_CHARS),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        warm = {
            "items": [
                {
                    "id": "w",
                    "domain": "math",
                    "completion": "\\boxed{1}",
                    "reference": {"answer": "1"},
                }
            ]
        }
        httpx.post(f"{url}/verify", json=warm, timeout=60)
        run.rss_start = rss_mib(process.pid)
        print(
            f"[{name}] {args.clients} clients × {args.seconds:g} s, service log {log}", flush=True
        )
        asyncio.run(_soak(url, process.pid, run, normal, args))
        time.sleep(1)  # let the last recycles settle before measuring
        run.rss_end = rss_mib(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    return run


def report(runs: list[Run]) -> None:
    rows: list[tuple[str, ...]] = [
        ("", *(r.name for r in runs)),
        ("requests (HTTP statuses)", *(f"{r.requests} {r.statuses}" for r in runs)),
        ("items sent", *(str(r.items_sent) for r in runs)),
        ("items answered / s", *(f"{r.items_answered / r.seconds:.1f}" for r in runs)),
        ("LOST items (no result)", *(str(r.lost) for r in runs)),
        ("items with an infrastructure error", *(str(r.infra_errors) for r in runs)),
        ("wrong verdicts (known answers)", *(str(r.wrong_normal) for r in runs)),
        (
            "batch round trip p50 / p99 ms",
            *(f"{percentile(r.batch_ms, 50):.0f} / {percentile(r.batch_ms, 99):.0f}" for r in runs),
        ),
        (
            "/health p50 / p99 ms",
            *(
                f"{percentile(r.health_ms, 50):.1f} / {percentile(r.health_ms, 99):.1f}"
                for r in runs
            ),
        ),
        ("/health answers not 200", *(f"{r.health_not_200} of {len(r.health_ms)}" for r in runs)),
        ("workers killed (kill -9)", *(str(r.kills) for r in runs)),
        (
            "RSS service MiB start → end",
            *(f"{r.rss_start[0]:.0f} → {r.rss_end[0]:.0f}" for r in runs),
        ),
        (
            "RSS largest worker MiB start → end",
            *(f"{r.rss_start[1]:.0f} → {r.rss_end[1]:.0f}" for r in runs),
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    for run in runs:
        for example in run.examples:
            print(f"[{run.name}] unexpected: {example}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--batch", type=int, default=32, help="items per request")
    parser.add_argument("--hostile", type=float, default=0.1, help="share of hostile items")
    parser.add_argument("--kill-every", type=float, default=5, help="seconds; 0: no kills")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--item-timeout", type=float, default=2)
    parser.add_argument("--baseline", type=Path, help="another checkout to soak first")
    args = parser.parse_args()
    normal = make_items(400, group_size=8)
    runs = []
    if args.baseline is not None:
        runs.append(soak("baseline", args.baseline.resolve(), args, normal))
    runs.append(soak("this", None, args, normal))
    print()
    report(runs)


if __name__ == "__main__":
    main()
