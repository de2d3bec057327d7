"""Several service instances on one Docker engine: each owns its sandbox containers.

Starting an instance removes no other live instance's containers; an instance killed
with SIGKILL leaves none behind (its attach streams close, its executors end, the engine
removes them); containers whose owner is gone are swept by the next instance to start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Any

import docker
import pytest

from rlvr.sandbox.owners import PREFIX, Owner

from ..conftest import LiveServer, running_server
from .docker_env import (
    DOCKER_SOCKETS,
    SANDBOX_IMAGE,
    collect_docker_sockets,  # noqa: F401 - a fixture, used by name
    require_docker,
)

pytestmark = [DOCKER_SOCKETS, pytest.mark.usefixtures("collect_docker_sockets")]

ITEM = {
    "id": "c",
    "domain": "code",
    "completion": "```python\nprint(int(input()) + 1)\n```",
    "reference": {"language": "python", "tests": [{"stdin": "1", "stdout": "2"}]},
}


@pytest.fixture
def engine() -> Iterator[Any]:
    require_docker()
    with closing(docker.from_env()) as client:
        yield client


def _containers(client: Any, server: LiveServer) -> set[str]:
    label = f"{PREFIX}.pid={server.process.pid}"
    return {c.id for c in client.containers.list(all=True, filters={"label": label})}


def _ready(server: LiveServer, size: int) -> None:
    deadline = time.monotonic() + 90
    with server.client() as http:
        while http.get("/health").json()["sandbox"]["ready"] < size:
            assert time.monotonic() < deadline, "the sandbox pool did not fill"
            time.sleep(0.2)


def _scores(server: LiveServer) -> float:
    with server.client(timeout=60) as http:
        result = http.post("/verify", json={"items": [ITEM]}).json()["results"][0]
    return float(result["scores"]["accuracy"])


def _orphan(client: Any) -> Any:
    """A container as an instance that crashed before its stream closed would leave it:
    labelled with an owner whose process has ended."""
    ended = subprocess.Popen(["true"])
    stat = Path(f"/proc/{ended.pid}/stat").read_text().rpartition(")")[2].split()
    ended.wait()
    labels = {
        **Owner.current().labels(),
        f"{PREFIX}.pid": str(ended.pid),
        f"{PREFIX}.started": stat[19],
        "rlvr.sandbox": "1",
    }
    return client.containers.create(SANDBOX_IMAGE, ["sleep", "300"], labels=labels)


def test_instances_own_their_containers(tmp_path: Path, engine: Any) -> None:
    settings = {"workers": "1", "sandbox_backend": "docker", "sandbox_size": "2"}
    orphan = _orphan(engine)
    try:
        with ExitStack() as stack:
            first = stack.enter_context(running_server(tmp_path, **settings))
            _ready(first, 2)
            firsts = _containers(engine, first)
            second = stack.enter_context(running_server(tmp_path, **settings))
            _ready(second, 2)
            seconds = _containers(engine, second)
            assert len(firsts) == len(seconds) == 2 and not firsts & seconds
            assert _containers(engine, first) == firsts  # the second start took none
            assert _scores(first) == _scores(second) == 1.0

            os.kill(first.process.pid, signal.SIGKILL)
            first.process.wait()
            deadline = time.monotonic() + 30
            while _containers(engine, first):
                assert time.monotonic() < deadline, "a killed instance left containers"
                time.sleep(0.5)

            third = stack.enter_context(running_server(tmp_path, **settings))
            _ready(third, 2)
            with pytest.raises(docker.errors.NotFound):
                orphan.reload()  # its owner was gone: the third instance swept it
            assert seconds <= _containers(engine, second)  # a live owner's stay
            assert _scores(second) == _scores(third) == 1.0
    finally:
        with contextlib.suppress(docker.errors.APIError):
            orphan.remove(force=True)
