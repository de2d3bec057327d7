"""The container pool on a real engine: warm reuse, recycling, recovery from an engine outage,
a channel that carries a line no job asked for, and containers owned per instance.

Outages are real, not mocked: the pool talks to the engine through a socket path that
does not exist at first, or through a proxy that the test cuts and restores.
"""

from __future__ import annotations

import contextlib
import gc
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import docker
import pytest

from rlvr.sandbox.owners import PREFIX, Owner
from rlvr.sandbox.pool import (
    API,
    DockerSlotFactory,
    RuntimeMissing,
    SandboxPool,
    SandboxUnavailable,
)
from rlvr.sandbox.protocol import Job, Run
from rlvr.sandbox.slots import ContainerSpec

from ..conftest import start_server
from .docker_env import (
    DOCKER_SOCKETS,
    SANDBOX_IMAGE,
    collect_docker_sockets,  # noqa: F401 - a fixture, used by name
    require_docker,
)

pytestmark = [DOCKER_SOCKETS, pytest.mark.usefixtures("collect_docker_sockets")]

ENGINE_SOCKET = "/var/run/docker.sock"
ECHO = Job("python", "print(input())", [Run("hi", "hi")])


@pytest.fixture(autouse=True)
def _docker() -> None:
    require_docker()


@pytest.fixture
def engine() -> Iterator[Any]:
    with closing(docker.from_env()) as client:
        yield client


def _wait_ready(pool: SandboxPool, count: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while pool.ready < count:
        assert time.monotonic() < deadline, f"pool not ready: {pool.last_error}"
        time.sleep(0.1)


def _owned(client: Any, owner: Owner) -> list[Any]:
    return list(client.containers.list(all=True, filters={"label": f"{PREFIX}={owner.instance}"}))


def test_containers_are_reused_then_recycled(engine: Any) -> None:
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
    assert engine.containers.list(all=True, filters={"label": "rlvr.sandbox.test"}) == []


# docker-py leaves the socket of a failed unix connect to the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_pool_recovers_when_the_engine_comes_back(tmp_path: Path, engine: Any) -> None:
    socket_path = tmp_path / "engine.sock"
    spec = ContainerSpec(image=SANDBOX_IMAGE, label="rlvr.sandbox.outage")
    factory = DockerSlotFactory(
        spec, lambda: docker.DockerClient(f"unix://{socket_path}", version=API)
    )
    pool = SandboxPool(factory, size=1, acquire_timeout_s=1).start()
    try:
        with pytest.raises(SandboxUnavailable, match="no sandbox can be started"):
            pool.run(ECHO, 10)
        assert pool.last_error is not None
        os.symlink(ENGINE_SOCKET, socket_path)  # the engine is back
        _wait_ready(pool, 1, seconds=30)
        assert pool.run(ECHO, 30).runs[0].status == "passed"
        assert pool.last_error is None
    finally:
        pool.close()
        engine.containers.prune(filters={"label": "rlvr.sandbox.outage"})
        gc.collect()  # finalise the leaked sockets inside this test


def test_a_line_no_job_asked_for_breaks_the_slot_and_the_job_runs_on_a_fresh_one(
    engine: Any,
) -> None:
    spec = ContainerSpec(image=SANDBOX_IMAGE, label="rlvr.sandbox.stray")
    factory = DockerSlotFactory(spec)
    pool = SandboxPool(factory, size=1).start()
    try:
        _wait_ready(pool, 1)
        assert pool.run(ECHO, 30).runs[0].status == "passed"
        [container] = _owned(engine, factory.owner)
        # Where the executor's answers go: PID 1 holds the container's stdout. Root in
        # the container can write there (the test, through docker exec); programs cannot.
        forged = '{"nonce": "", "runs": [{"status": "passed"}], "error": null}'
        injected = container.exec_run(["sh", "-c", f"echo '{forged}' > /proc/1/fd/1"], user="0")
        assert injected.exit_code == 0, injected.output
        recycled = pool.recycled
        wrong = Job("python", "print('no')", [Run("", "hi")])
        result = pool.run(wrong, 30)  # the forged line would have said it passed
        assert result.runs[0].status == "wrong_answer"
        assert result.nonce == wrong.nonce
        assert pool.recycled > recycled
        assert container.id not in [c.id for c in _owned(engine, factory.owner)]
    finally:
        pool.close()


def test_a_missing_runtime_is_refused_at_start(tmp_path: Path) -> None:
    factory = DockerSlotFactory(ContainerSpec(image=SANDBOX_IMAGE, runtime="no-such-runtime"))
    with pytest.raises(RuntimeMissing, match=r"scripts/setup-runsc\.sh"):
        factory.check_runtime()
    factory.close()
    with pytest.raises(RuntimeError, match=r"RLVR_SANDBOX_RUNTIME=no-such-runtime"):
        start_server(tmp_path, sandbox_backend="docker", sandbox_runtime="no-such-runtime")


def _dead_pid() -> tuple[int, str]:
    """A pid and start time of a process that has ended."""
    process = subprocess.Popen(["true"])
    stat = Path(f"/proc/{process.pid}/stat").read_text().rpartition(")")[2].split()
    process.wait()
    return process.pid, stat[19]


def test_sweeps_take_only_what_no_live_owner_holds(engine: Any) -> None:
    """Own containers no slot holds and those of a gone owner go; a live owner's, and an
    older service's (no owner label), stay."""
    factory = DockerSlotFactory(ContainerSpec(image=SANDBOX_IMAGE, label="rlvr.sandbox.sweep"))
    me = factory.owner
    pid, started = _dead_pid()
    gone = {**Owner.current().labels(), f"{PREFIX}.pid": str(pid), f"{PREFIX}.started": started}
    alive = Owner.current().labels()  # another instance in this very process: alive
    owners = {
        "mine": me.labels(),
        "gone": gone,
        "alive": alive,
        "legacy": {},
    }
    made = {}
    try:
        for name, labels in owners.items():
            made[name] = engine.containers.create(
                SANDBOX_IMAGE, ["sleep", "60"], labels={"rlvr.sandbox.sweep": "1", **labels}
            )
        factory.sweep()
        left = {
            c.id for c in engine.containers.list(all=True, filters={"label": "rlvr.sandbox.sweep"})
        }
        assert made["mine"].id not in left and made["gone"].id not in left
        assert made["alive"].id in left and made["legacy"].id in left
    finally:
        for container in made.values():
            with contextlib.suppress(docker.errors.NotFound):
                container.remove(force=True)
        factory.close()


class EngineProxy:
    """A unix socket in front of the engine's, which the test can cut and restore: an
    engine outage, for this pool only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conns: list[socket.socket] = []
        self._listener: socket.socket | None = None

    def start(self) -> None:
        self.path.unlink(missing_ok=True)
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(str(self.path))
        listener.listen()
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(ENGINE_SOCKET)
            self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self._conns.clear()
        self.path.unlink(missing_ok=True)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_engine_outage_leaves_no_dead_containers(tmp_path: Path, engine: Any) -> None:
    """The engine goes away while the pool's containers die (as a restart kills them);
    when it is back, the pool runs again and nothing of the old containers is left."""
    proxy = EngineProxy(tmp_path / "engine.sock")
    proxy.start()
    spec = ContainerSpec(image=SANDBOX_IMAGE, label="rlvr.sandbox.restart")
    factory = DockerSlotFactory(
        spec, lambda: docker.DockerClient(f"unix://{proxy.path}", version=API, timeout=10)
    )
    pool = SandboxPool(factory, size=2, acquire_timeout_s=10).start()
    try:
        _wait_ready(pool, 2)
        before = {c.id for c in _owned(engine, factory.owner)}
        proxy.stop()  # the attach streams close: with stdin_once, the executors end too
        for container in _owned(engine, factory.owner):
            with contextlib.suppress(docker.errors.APIError):  # gone already
                container.kill()
        started = time.monotonic()
        with pytest.raises(SandboxUnavailable):
            while True:  # jobs meet the dead slots, then fail at once
                pool.run(ECHO, 10)
        assert time.monotonic() - started < 10
        proxy.start()
        _wait_ready(pool, 2)
        assert pool.run(ECHO, 30).runs[0].status == "passed"
        deadline = time.monotonic() + 30
        while True:
            owned = _owned(engine, factory.owner)
            if all(c.status == "running" for c in owned) and len(owned) == 2:
                break
            assert time.monotonic() < deadline, [(c.id[:12], c.status) for c in owned]
            time.sleep(0.5)
        assert not before & {c.id for c in owned}
    finally:
        pool.close()
        proxy.stop()
        for container in engine.containers.list(
            all=True, filters={"label": "rlvr.sandbox.restart"}
        ):
            with contextlib.suppress(docker.errors.APIError):
                container.remove(force=True)
        gc.collect()
