"""Benchmark: math rewards in-process (as TRL/open-r1 do) vs the service over HTTP, and the
service before and after a change, side by side in one run.

(a) baseline: math-verify ``parse``/``verify`` called one item at a time in this
    process, with the extraction config of open-r1's ``accuracy_reward``;
(b) service: ``POST /verify`` in batches against ``python -m rlvr.verifier`` started by
    this script on a free loopback port, default settings (code scoring off);
(c) with ``--before PATH``: the same service, run from another checkout (e.g. the main
    branch), on the same items, right after (b). ``--rounds N`` repeats (a), (b) and (c),
    alternating whether (b) or (c) goes first, and prints the median ratios: on a shared
    machine the load drifts between runs. "CPU s" is the CPU time spent: (a)'s process,
    or the service's main process plus its workers.

All runs share one invocation, one machine and one item set. Prints items/s, the ratio of
each service to (a), p50/p99 latencies, peak RSS (main process plus workers), verdict
agreement with (a) and with the generator's intent, and the items where the service and
(a) differ.

    python bench/bench_math.py --items 2000 --before /work/main
    python bench/bench_math.py --items 2000 --form bare   # answers with no tag and no box
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from math_items import FORMS, MathItem, make_items
from service import free_port, percentile, start_service

HERE = Path(__file__).resolve().parent.parent


@dataclass
class RunResult:
    name: str
    seconds: float
    verdicts: list[bool]
    item_latencies_ms: list[float]
    peak_rss: int = 0
    cpu_main: float = 0.0
    cpu_workers: float = 0.0
    batch_ms: tuple[float, float] = (0.0, 0.0)


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
    started, cpu_started = time.perf_counter(), time.process_time()
    for item in tqdm(items, desc="(a) in-process math-verify", unit="item"):
        t0 = time.perf_counter()
        gold = parse(f"${item.gold}$", extraction_mode="first_match")
        answer = parse(
            item.completion, extraction_config=answer_config, extraction_mode="first_match"
        )
        verdicts.append(bool(gold) and bool(verify(gold, answer)))
        latencies.append((time.perf_counter() - t0) * 1000)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return RunResult("(a) in-process", seconds, verdicts, latencies, cpu_main=cpu)


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
    url: str, items: list[MathItem], batch: int, in_flight: int, label: str
) -> tuple[list[bool], list[float], list[float]]:
    verdicts: dict[str, bool] = {}
    item_ms: list[float] = []
    batch_ms: list[float] = []
    gate = asyncio.Semaphore(in_flight)
    bar = tqdm(total=len(items), desc=f"{label} POST /verify", unit="item")
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


@contextmanager
def _code_from(root: Path) -> Iterator[None]:
    """Services started inside this block import the code of checkout ``root``."""
    previous = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        str(root / part) for part in ("services", "sandbox", "trainer")
    )
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = previous


def run_service(
    items: list[MathItem], batch: int, in_flight: int, root: Path, label: str
) -> RunResult:
    port = free_port()
    with _code_from(root):
        # Code scoring off: math needs no sandbox, and no container is touched.
        process = start_service(port, sandbox_backend="off")
    sampler = RssSampler(process.pid)
    sampler.start()
    try:
        started = time.perf_counter()
        verdicts, item_ms, batch_ms = asyncio.run(
            _post_batches(f"http://127.0.0.1:{port}", items, batch, in_flight, label)
        )
        seconds = time.perf_counter() - started
    finally:
        sampler.stop.set()
        process.terminate()
        process.wait(timeout=15)
    return RunResult(
        f"{label} service",
        seconds,
        verdicts,
        item_ms,
        sampler.peak,
        sampler.cpu_main,
        sampler.cpu_workers,
        (percentile(batch_ms, 50), percentile(batch_ms, 99)),
    )


def _report(items: list[MathItem], base: RunResult, services: list[RunResult], batch: int) -> None:
    rate_a = len(items) / base.seconds
    print(
        f"\n{'run':<26}{'items/s':>9}{'vs (a)':>8}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'RSS MiB':>9}{'agree (a)':>11}{'intent':>8}{'CPU s':>8}"
    )
    intent_a = sum(v == it.correct for v, it in zip(base.verdicts, items, strict=True))
    print(
        f"{base.name:<26}{rate_a:>9.1f}{'1.00x':>8}{percentile(base.item_latencies_ms, 50):>8.2f}"
        f"{percentile(base.item_latencies_ms, 99):>8.2f}{'':>9}{'':>11}"
        f"{intent_a / len(items):>8.1%}{base.cpu_main:>8.1f}"
    )
    for run in services:
        rate = len(items) / run.seconds
        agree = sum(a == b for a, b in zip(base.verdicts, run.verdicts, strict=True))
        intent = sum(v == it.correct for v, it in zip(run.verdicts, items, strict=True))
        print(
            f"{run.name:<26}{rate:>9.1f}{rate / rate_a:>7.2f}x"
            f"{percentile(run.item_latencies_ms, 50):>8.2f}"
            f"{percentile(run.item_latencies_ms, 99):>8.2f}{run.peak_rss / 2**20:>9.0f}"
            f"{agree / len(items):>11.2%}{intent / len(items):>8.1%}"
            f"{run.cpu_main + run.cpu_workers:>8.1f}"
        )
    for run in services:
        print(
            f"{run.name}: batch round trip ({batch} items) p50 {run.batch_ms[0]:.0f} ms, "
            f"p99 {run.batch_ms[1]:.0f} ms; CPU s main {run.cpu_main:.1f}, "
            f"workers {run.cpu_workers:.1f} (wall {run.seconds:.1f} s)"
        )
    latest = services[0]
    differs = [
        (it, a, b) for it, a, b in zip(items, base.verdicts, latest.verdicts, strict=True) if a != b
    ]
    print(f"{latest.name} differs from (a) on {len(differs)} items" + (":" if differs else ""))
    for it, a, b in differs[:25]:
        answer = it.completion.rsplit("</think>", 1)[-1].strip()
        print(
            f"  {it.id} [{it.kind}] gold={it.gold!r} answer={answer[:60]!r} "
            f"in-process={a} service={b} intended={it.correct}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--group-size", type=int, default=8)
    parser.add_argument("--batch", type=int, default=512, help="items per POST /verify")
    parser.add_argument("--in-flight", type=int, default=2, help="concurrent requests")
    parser.add_argument("--form", choices=sorted(FORMS), default="tagged", help="answer form")
    parser.add_argument(
        "--before", type=Path, help="another checkout whose service runs too (e.g. /work/main)"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="repeat, alternating which service runs first"
    )
    args = parser.parse_args()

    items = make_items(args.items, group_size=args.group_size, form=args.form)
    wrong = sum(not it.correct for it in items)
    print(
        f"{len(items)} items ({args.form}), {len(items) // args.group_size} prompts, "
        f"{wrong / len(items):.0%} written wrong, CPUs: {os.cpu_count()}"
    )
    ratios: dict[str, list[float]] = {}
    for round_ in range(args.rounds):
        if args.rounds > 1:
            print(f"\n--- round {round_ + 1} of {args.rounds}")
        base = run_baseline(items)
        checkouts = [(HERE, "(b) this checkout")]
        if args.before is not None:
            checkouts.append((args.before.resolve(), f"(c) {args.before.name}"))
            if round_ % 2:  # alternate who runs first: the machine's load drifts
                checkouts.reverse()
        runs = [
            run_service(items, args.batch, args.in_flight, root, label) for root, label in checkouts
        ]
        runs.sort(key=lambda run: run.name)
        _report(items, base, runs, args.batch)
        for run in runs:
            ratios.setdefault(run.name, []).append(base.seconds / run.seconds)
    if args.rounds > 1:
        print("\nmedian ratio to (a) over the rounds (the order alternated):")
        for name, values in ratios.items():
            listed = ", ".join(f"{v:.2f}" for v in values)
            print(f"  {name}: {statistics.median(values):.2f}x ({listed})")


if __name__ == "__main__":
    main()
