"""Shared fixtures: a real service process on a free loopback port, and a tiny model taught
the R1 answer format by the real SFT entry point."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
# Scoring workers are forked from a forkserver that starts with the sys.path of the moment:
# with the repository root on it, they can import the fault-injecting helpers under tests/.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def client(self, timeout: float = 60.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout)


def start_server(tmp: Path, *, degraded: bool = False, **env: str) -> LiveServer:
    """Start ``python -m rlvr.verifier`` with RLVR_* overrides; wait until /health says
    ``ok`` (or, with ``degraded``, until it answers at all: 200, or 503 ``degraded``)."""
    port = free_port()
    log = tmp / f"server-{port}.log"
    environment = {**os.environ, "RLVR_PORT": str(port), "RLVR_LOG_LEVEL": "warning"}
    environment.update({f"RLVR_{key.upper()}": value for key, value in env.items()})
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "rlvr.verifier"], env=environment, stdout=sink, stderr=sink
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()}")
        try:
            health = httpx.get(f"{url}/health", timeout=1)
            if health.status_code == 200 or (degraded and health.status_code == 503):
                return LiveServer(url, process, log)
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    process.wait()  # reaped here, not reported later as a stray process by another test
    raise RuntimeError(f"server did not answer /health within 60 s:\n{log.read_text()}")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()


@contextmanager
def running_server(tmp: Path, *, degraded: bool = False, **env: str) -> Iterator[LiveServer]:
    """A real service for the duration of a ``with`` block."""
    server = start_server(tmp, degraded=degraded, **env)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One real service for the session: 2 workers, a 3 s item limit."""
    tmp = tmp_path_factory.mktemp("live")
    with running_server(
        tmp, workers="2", item_timeout_s="3", kill_grace_s="1", sandbox_backend="off"
    ) as server:
        yield server


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with live_server.client() as http:
        yield http


@dataclass
class DistilledModel:
    """``path``: a tiny-qwen2 checkpoint distilled on ``sft_data`` (built from ``kept``);
    ``prompts``: its questions with answers, ``{"prompt": "3+3?", "answer": 6}``."""

    path: Path
    kept: Path
    sft_data: Path
    prompts: Path


@pytest.fixture(scope="session")
def distilled_model(tmp_path_factory: pytest.TempPathFactory) -> DistilledModel:
    """Runs ``build-sft`` and ``python -m rlvr.trainer.sft`` as a user would (about 10 s on
    CPU): the model learns ``<think>a+a=2a</think>\\n<answer>2a</answer>`` for a in 0..9."""
    pytest.importorskip("trl", reason="the [trainer] extra (TRL) is not installed")
    from rlvr.trainer import cli, sft

    tmp = tmp_path_factory.mktemp("distilled")
    kept, prompts = tmp / "kept.jsonl", tmp / "prompts.jsonl"
    rows = [
        {
            "prompt": f"{a}+{a}?",
            "completion": f"<think>{a}+{a}={2 * a}</think>\n<answer>{2 * a}</answer>",
        }
        for a in range(10)
    ]
    kept.write_text("".join(json.dumps(r) + "\n" for r in rows))
    prompts.write_text(
        "".join(json.dumps({"prompt": f"{a}+{a}?", "answer": 2 * a}) + "\n" for a in range(10))
    )
    sft_data = tmp / "sft.parquet"
    cli.main(["build-sft", str(sft_data), "--reasoning", str(kept)])
    output_dir = tmp / "model"
    (tmp / "sft.yaml").write_text(f"""
model: tiny-qwen2
dataset: {sft_data}
output_dir: {output_dir}
max_steps: 150
learning_rate: 0.01
per_device_train_batch_size: 10
gradient_accumulation_steps: 1
assistant_only_loss: true
logging_steps: 10
use_cpu: true
""")
    sft.main([str(tmp / "sft.yaml")])
    return DistilledModel(output_dir, kept, sft_data, prompts)


@pytest.fixture(scope="session")
def openai_server(
    distilled_model: DistilledModel, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``transformers serve`` with the distilled tiny model: a real OpenAI-compatible server
    (it ignores ``n``); yields its ``/v1`` base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    command = [sys.executable, "-m", "transformers.cli.transformers", "serve"]
    command += [str(distilled_model.path), "--port", str(port), "--device", "cpu"]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=sink)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"transformers serve did not start:\n{log.read_text()}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        yield f"{base}/v1"
    finally:
        process.terminate()
        process.wait(timeout=30)
