"""Helpers the benchmarks share: start the service on a free port, percentiles."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_service(port: int, ready: str | None = None, **settings: str) -> subprocess.Popen[bytes]:
    """``python -m rlvr.verifier`` with RLVR_* ``settings``; waits for /health (and, with
    ``ready="sandbox"``, for every sandbox executor to be warm)."""
    env = {**os.environ, "RLVR_PORT": str(port), "RLVR_LOG_LEVEL": "warning"}
    env.update({f"RLVR_{key.upper()}": value for key, value in settings.items()})
    process = subprocess.Popen([sys.executable, "-m", "rlvr.verifier"], env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).json()
            sandbox = health.get("sandbox") or {}
            if ready != "sandbox" or sandbox.get("ready", 0) >= sandbox.get("size", 1):
                return process
        except (httpx.TransportError, ValueError):
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the service did not get ready within 120 s")


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]
