"""The container pool on a real engine: warm reuse, recycling, and recovery from an engine outage.

The outage is real, not mocked: the pool talks to the engine through a socket path
that does not exist at first (the engine is unreachable), then appears.
"""

from __future__ import annotations

import gc
import os
import time
from contextlib import closing
from pathlib import Path

import docker
import pytest

from rlvr.sandbox.pool import API, DockerSlotFactory, SandboxPool, SandboxUnavailable
from rlvr.sandbox.protocol import Job, Run
from rlvr.sandbox.slots import ContainerSpec

from .docker_env import SANDBOX_IMAGE, require_docker

ENGINE_SOCKET = "/var/run/docker.sock"
ECHO = Job("python", "print(input())", [Run("hi", "hi")])


@pytest.fixture(autouse=True)
def _docker() -> None:
    require_docker()


def _wait_ready(pool: SandboxPool, count: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while pool.ready < count:
        assert time.monotonic() < deadline, f"pool not ready: {pool.last_error}"
        time.sleep(0.1)


def test_containers_are_reused_then_recycled() -> None:
    spec = ContainerSpec(image=SANDBOX_IMAGE, label="rlvr.sandbox.test")
    pool = SandboxPool(DockerSlotFactory(spec), size=1, jobs_per_slot=3).start()
    try:
        _wait_ready(pool, 1)
        for _ in range(4):
            assert pool.run(ECHO, 30).runs[0].status == "passed"
        assert pool.recycled >= 1  # after 3 jobs the container was replaced
        slow = Job("python", "while True: pass", [Run()], time_limit_s=0.5)
        assert pool.run(slow, 30).runs[0].status == "timeout"
        assert pool.recycled >= 2  # a violation recycles at once
    finally:
        pool.close()
    with closing(docker.from_env()) as client:
        assert client.containers.list(all=True, filters={"label": "rlvr.sandbox.test"}) == []


# docker-py leaves the socket of a failed unix connect to the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_pool_recovers_when_the_engine_comes_back(tmp_path: Path) -> None:
    socket_path = tmp_path / "engine.sock"
    spec = ContainerSpec(image=SANDBOX_IMAGE, label="rlvr.sandbox.outage")
    factory = DockerSlotFactory(
        spec, lambda: docker.DockerClient(f"unix://{socket_path}", version=API)
    )
    pool = SandboxPool(factory, size=1, acquire_timeout_s=1).start()
    try:
        with pytest.raises(SandboxUnavailable, match="no sandbox was ready"):
            pool.run(ECHO, 10)
        assert pool.last_error is not None
        os.symlink(ENGINE_SOCKET, socket_path)  # the engine is back
        _wait_ready(pool, 1, seconds=30)
        assert pool.run(ECHO, 30).runs[0].status == "passed"
        assert pool.last_error is None
    finally:
        pool.close()
        with closing(docker.from_env()) as client:
            client.containers.prune(filters={"label": "rlvr.sandbox.outage"})
        gc.collect()  # finalise the leaked sockets inside this test
