"""Benchmark: math rewards in-process (as TRL/open-r1 do) vs the service over HTTP.

(a) baseline: math-verify ``parse``/``verify`` called one item at a time in this
    process, with the extraction config of open-r1's ``accuracy_reward``;
(b) service: ``POST /verify`` in batches against ``python -m rlvr.verifier``
    started by this script on a free loopback port, default settings.

Both run in one invocation on the same machine, over the same items. Prints
items/s, the ratio, p50/p99 latencies, the service's peak RSS (main process plus
workers) and verdict agreement, listing each disagreement.

    python bench/bench_math.py --items 2000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from math_items import MathItem, make_items
from service import free_port, percentile, start_service


@dataclass
class RunResult:
    name: str
    seconds: float
    verdicts: list[bool]
    item_latencies_ms: list[float]


def run_baseline(items: list[MathItem]) -> RunResult:
    """open-r1's accuracy_reward, one call per item, in this process."""
    from latex2sympy2_extended import NormalizationConfig
    from math_verify import LatexExtractionConfig, parse, verify

    answer_config = [
        LatexExtractionConfig(
            normalization_config=NormalizationConfig(
                nits=False,
                malformed_operators=False,
                basic_latex=True,
                boxed="all",
                units=True,
            ),
            boxed_match_priority=0,
            try_extract_without_anchor=False,
        )
    ]
    parse("$1$")  # import-time work is not part of the measurement
    verdicts, latencies = [], []
    started = time.perf_counter()
    for item in tqdm(items, desc="(a) in-process math-verify", unit="item"):
        t0 = time.perf_counter()
        gold = parse(f"${item.gold}$", extraction_mode="first_match")
        answer = parse(
            item.completion, extraction_config=answer_config, extraction_mode="first_match"
        )
        verdicts.append(bool(gold) and bool(verify(gold, answer)))
        latencies.append((time.perf_counter() - t0) * 1000)
    return RunResult("in-process", time.perf_counter() - started, verdicts, latencies)


class RssSampler(threading.Thread):
    """Samples the summed RSS of a process and its children every 50 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak = 0
        self.cpu_main = 0.0
        self.cpu_workers = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                children = self.process.children(recursive=True)
                procs = [self.process, *children]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
                times = self.process.cpu_times()
                self.cpu_main = times.user + times.system
                self.cpu_workers = sum(sum(c.cpu_times()[:2]) for c in children)
            except psutil.Error:
                pass
            time.sleep(0.05)


async def _post_batches(
    url: str,
    items: list[MathItem],
    batch: int,
    in_flight: int,
) -> tuple[list[bool], list[float], list[float]]:
    verdicts: dict[str, bool] = {}
    item_ms: list[float] = []
    batch_ms: list[float] = []
    gate = asyncio.Semaphore(in_flight)
    bar = tqdm(total=len(items), desc="(b) POST /verify", unit="item")
    async with httpx.AsyncClient(base_url=url, timeout=300) as client:

        async def send(chunk: list[MathItem]) -> None:
            body = {
                "items": [
                    {
                        "id": it.id,
                        "domain": "math",
                        "completion": it.completion,
                        "reference": {"answer": it.gold},
                    }
                    for it in chunk
                ],
                "rewards": ["accuracy"],
            }
            async with gate:
                t0 = time.perf_counter()
                response = await client.post("/verify", json=body)
                batch_ms.append((time.perf_counter() - t0) * 1000)
            response.raise_for_status()
            for result in response.json()["results"]:
                verdicts[result["id"]] = result["scores"].get("accuracy") == 1.0
                item_ms.append(result["elapsed_ms"])
            bar.update(len(chunk))

        await asyncio.gather(*(send(items[i : i + batch]) for i in range(0, len(items), batch)))
    bar.close()
    return [verdicts[it.id] for it in items], item_ms, batch_ms


def run_service(
    items: list[MathItem], batch: int, in_flight: int
) -> tuple[RunResult, RssSampler, list[float]]:
    port = free_port()
    process = start_service(port)
    sampler = RssSampler(process.pid)
    sampler.start()
    try:
        started = time.perf_counter()
        verdicts, item_ms, batch_ms = asyncio.run(
            _post_batches(f"http://127.0.0.1:{port}", items, batch, in_flight)
        )
        seconds = time.perf_counter() - started
    finally:
        sampler.stop.set()
        process.terminate()
        process.wait(timeout=15)
    return RunResult("service", seconds, verdicts, item_ms), sampler, batch_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--group-size", type=int, default=8)
    parser.add_argument("--batch", type=int, default=512, help="items per POST /verify")
    parser.add_argument("--in-flight", type=int, default=2, help="concurrent requests")
    args = parser.parse_args()

    items = make_items(args.items, group_size=args.group_size)
    wrong = sum(not it.correct for it in items)
    print(
        f"{len(items)} items, {len(items) // args.group_size} prompts, "
        f"{wrong / len(items):.0%} written wrong, CPUs: {os.cpu_count()}"
    )
    base = run_baseline(items)
    service, sampler, batch_ms = run_service(items, args.batch, args.in_flight)

    rate_a, rate_b = len(items) / base.seconds, len(items) / service.seconds
    print(f"\n{'run':<12}{'items/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for run, rate in ((base, rate_a), (service, rate_b)):
        print(
            f"{run.name:<12}{rate:>10.1f}{percentile(run.item_latencies_ms, 50):>10.2f}"
            f"{percentile(run.item_latencies_ms, 99):>10.2f}"
        )
    print(
        f"service batch round trip ({args.batch} items): p50 {percentile(batch_ms, 50):.0f} ms, "
        f"p99 {percentile(batch_ms, 99):.0f} ms"
    )
    print(f"ratio service / in-process: {rate_b / rate_a:.2f}x")
    print(f"service peak RSS (main + workers): {sampler.peak / 2**20:.0f} MiB")
    print(
        f"service CPU seconds: main process {sampler.cpu_main:.1f}, "
        f"workers {sampler.cpu_workers:.1f} (wall {service.seconds:.1f} s)"
    )

    agree = sum(a == b for a, b in zip(base.verdicts, service.verdicts, strict=True))
    print(f"verdict agreement: {agree}/{len(items)} = {agree / len(items):.2%}")
    truth = sum(b == it.correct for b, it in zip(service.verdicts, items, strict=True))
    truth_a = sum(a == it.correct for a, it in zip(base.verdicts, items, strict=True))
    print(
        f"agreement with the generator's intent: service {truth / len(items):.2%}, "
        f"in-process {truth_a / len(items):.2%}"
    )
    for it, a, b in zip(items, base.verdicts, service.verdicts, strict=True):
        if a != b:
            answer = it.completion.rsplit("\\boxed{", 1)[-1].rsplit("}$", 1)[0]
            print(
                f"  differs {it.id} [{it.kind}] gold={it.gold!r} answer={answer!r} "
                f"in-process={a} service={b} intended={it.correct}"
            )


if __name__ == "__main__":
    main()
