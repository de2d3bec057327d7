"""Helpers the benchmarks share: start the service on a free port, find its processes,
percentiles."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def source_path(checkout: Path) -> str:
    """PYTHONPATH that imports the service, sandbox and trainer of ``checkout``."""
    return os.pathsep.join(str(checkout / part) for part in ("services", "sandbox", "trainer"))


def start_service(
    port: int,
    ready: str | None = None,
    checkout: Path | None = None,
    log: Path | None = None,
    **settings: str,
) -> subprocess.Popen[bytes]:
    """``python -m rlvr.verifier`` with RLVR_* ``settings``; waits until /health answers 200
    (and, with ``ready="sandbox"``, until every sandbox executor is warm). ``checkout``
    runs another copy of the code (a baseline); ``log`` receives its output."""
    env = {**os.environ, "RLVR_PORT": str(port), "RLVR_LOG_LEVEL": "warning"}
    env.update({f"RLVR_{key.upper()}": value for key, value in settings.items()})
    if checkout is not None:
        env["PYTHONPATH"] = source_path(checkout)
    sink = log.open("wb") if log is not None else None
    process = subprocess.Popen(
        [sys.executable, "-m", "rlvr.verifier"], env=env, stdout=sink, stderr=sink
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the service exited at start (code {process.returncode})")
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            sandbox = response.json().get("sandbox") or {}
            if response.status_code == 200 and (
                ready != "sandbox" or sandbox.get("ready", 0) >= sandbox.get("size", 1)
            ):
                return process
        except (httpx.TransportError, ValueError):
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the service did not get ready within 120 s")


def worker_pids(service_pid: int) -> list[int]:
    """The scoring worker processes of a service: its descendants that run no others (a
    forkserver runs the workers), multiprocessing's forkserver and resource tracker left out."""
    pids = []
    for child in psutil.Process(service_pid).children(recursive=True):
        try:
            command = " ".join(child.cmdline())
            helper = child.ppid() == service_pid and "multiprocessing" in command
            if child.children() or helper:
                continue
            pids.append(child.pid)
        except psutil.Error:
            continue
    return pids


def rss_mib(service_pid: int) -> tuple[float, float]:
    """(the service with all its processes, the largest worker) resident memory, MiB."""
    service = psutil.Process(service_pid)
    workers = set(worker_pids(service_pid))
    total = service.memory_info().rss
    largest = 0
    for child in service.children(recursive=True):
        try:
            rss = child.memory_info().rss
        except psutil.Error:
            continue
        total += rss
        if child.pid in workers:
            largest = max(largest, rss)
    return total / 2**20, largest / 2**20


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]
