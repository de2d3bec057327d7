"""The pool's blame and its outages, on local executors and an engine that is not there.

Only the program that breaks its sandbox gets ``killed_sandbox``; jobs beside it keep
their own verdicts. With no engine, jobs fail at once and the log says so once.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from rlvr.sandbox.pool import (
    API,
    DockerSlotFactory,
    ProcessSlotFactory,
    SandboxPool,
    SandboxUnavailable,
)
from rlvr.sandbox.protocol import Job, Run
from rlvr.sandbox.slots import ContainerSpec, Slot
from rlvr.verifier.domains.code import CodeDomain, SandboxFailure
from rlvr.verifier.domains.code.tests import Limits

IO = {"language": "python", "tests": [{"stdin": "2\n", "stdout": "4\n"}]}
# docker-py leaves the socket of a failed unix connect to the garbage collector: each test
# collects its own, so none is left for a later test (or the end of the session) to meet.
pytestmark = pytest.mark.filterwarnings(
    r"ignore:Exception ignored in. <socket\.socket .*family=1"
    ":pytest.PytestUnraisableExceptionWarning"
)


@pytest.fixture(autouse=True)
def _collect_sockets() -> Iterator[None]:
    yield
    gc.collect()


def _code(source: str) -> str:
    return f"```python\n{source}\n```"


def test_only_the_program_that_breaks_its_sandbox_is_blamed() -> None:
    """On the unsafe backend a program can kill its executor (in a container it cannot:
    another uid). Honest items scored at the same time keep their own verdicts."""
    pool = SandboxPool(ProcessSlotFactory(), size=2, acquire_timeout_s=30).start()
    domain = CodeDomain(pool.run, Limits(time_limit_s=3.0, budget_s=5.0))
    culprit = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nprint(4)"
    verdicts: dict[str, str] = {}

    def score(name: str, source: str) -> None:
        verdicts[name] = domain.verify(_code(source), IO).details["verdict"]

    jobs = [("culprit", culprit)]
    jobs += [(f"right{i}", "print(int(input()) * 2)") for i in range(4)]
    jobs += [(f"wrong{i}", "print(int(input()) * 3)") for i in range(4)]
    threads = [threading.Thread(target=score, args=job) for job in jobs]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        pool.close()
    assert verdicts.pop("culprit") == "killed_sandbox"
    assert verdicts == {
        **{f"right{i}": "passed" for i in range(4)},
        **{f"wrong{i}": "wrong_answer" for i in range(4)},
    }


# docker-py leaves the socket of a failed unix connect to the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_with_no_engine_jobs_fail_at_once_and_the_log_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "no-engine.sock"
    factory = DockerSlotFactory(
        ContainerSpec(), lambda: docker.DockerClient(f"unix://{missing}", version=API)
    )
    pool = SandboxPool(factory, size=2, acquire_timeout_s=30)
    domain = CodeDomain(pool.run, Limits())
    with caplog.at_level(logging.DEBUG, logger="rlvr.sandbox"):
        pool.start()
        try:
            time.sleep(0.5)  # the first attempt to start a container has failed by now
            for _ in range(3):
                started = time.monotonic()
                with pytest.raises(SandboxFailure, match="no sandbox can be started"):
                    domain.verify(_code("print(4)"), IO)
                assert time.monotonic() - started < 1.0
            time.sleep(3)  # several retries with backoff
        finally:
            pool.close()
            gc.collect()  # finalise the leaked sockets inside this test
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    retries = [r for r in caplog.records if "cannot start a sandbox" in r.getMessage()]
    assert len(warnings) == 1 and "cannot start a sandbox" in warnings[0].getMessage()
    assert len(retries) >= 3  # the later ones at debug level


def test_a_saturated_pool_waits_then_says_why() -> None:
    pool = SandboxPool(ProcessSlotFactory(), size=1, acquire_timeout_s=0.5).start()
    try:
        slow = CodeDomain(pool.run, Limits(time_limit_s=3.0, budget_s=3.0))
        holder = threading.Thread(
            target=slow.verify, args=(_code("import time\ntime.sleep(2)\nprint(4)"), IO)
        )
        deadline = time.monotonic() + 20
        while pool.ready < 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        holder.start()
        time.sleep(0.3)
        with pytest.raises(SandboxUnavailable, match=r"no sandbox was free within 0\.5 s"):
            pool.run(Job("python", "print(1)", [Run("", "1")]), 5)
        holder.join()
    finally:
        pool.close()


class _FailsOnce(ProcessSlotFactory):
    """A container removed while it started (racy to cause for real): one failed start."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> Slot:
        self.calls += 1
        if self.calls == 1:
            raise OSError("the container went away while it started")
        return super().__call__()


def test_one_failed_start_is_not_an_outage() -> None:
    factory = _FailsOnce()
    pool = SandboxPool(factory, size=1, acquire_timeout_s=30).start()
    try:
        result = pool.run(Job("python", "print(1)", [Run("", "1")]), 20)
    finally:
        pool.close()
    assert result.runs[0].status == "passed" and factory.calls >= 2
