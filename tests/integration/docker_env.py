"""Whether real containers can run here; CI (RLVR_REQUIRE_DOCKER=1) fails instead of skipping.

``runtimes()`` lists the container runtimes the sandbox suites run under: runc always,
and runsc (gVisor) where the engine has it registered (scripts/setup-runsc.sh). With
RLVR_REQUIRE_RUNSC=1 (CI), a missing runsc fails instead of being left out.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import closing

import pytest

SANDBOX_IMAGE = os.environ.get("RLVR_SANDBOX_IMAGE", "rlvr-sandbox:latest")
# docker-py leaves some of its unix sockets to the garbage collector; collected after each
# test (the fixture below), they are not a later test's failure. Nothing else is ignored.
DOCKER_SOCKETS = pytest.mark.filterwarnings(
    r"ignore:Exception ignored in. <socket\.socket .*family=1"
    ":pytest.PytestUnraisableExceptionWarning"
)


@pytest.fixture
def collect_docker_sockets() -> Iterator[None]:
    yield
    gc.collect()


def _fail_or_skip(message: str, required_by: str = "RLVR_REQUIRE_DOCKER") -> None:
    if os.environ.get(required_by) == "1":
        pytest.fail(message)
    pytest.skip(message)


def require_docker() -> None:
    """Skip (or, in CI, fail) unless a Docker engine answers and the sandbox image exists."""
    problem = None
    try:
        import docker

        with closing(docker.from_env()) as client:
            client.ping()
            client.images.get(SANDBOX_IMAGE)
    except Exception as exc:
        problem = f"{type(exc).__name__}: {exc}"
    if problem is None:
        return
    hint = (
        "start a Docker engine (scripts/start-docker.sh) and build the images "
        f"(scripts/build-images.sh, makes {SANDBOX_IMAGE}); {problem}"
    )
    if os.environ.get("RLVR_REQUIRE_DOCKER") == "1":
        pytest.fail(f"Docker is required here: {hint}")
    pytest.skip(f"no Docker sandbox: {hint}")


def runtimes() -> list[str]:
    """The runtimes to run the sandbox suites under (the engine is asked once per call)."""
    found = ["runc"]
    try:
        import docker

        with closing(docker.from_env()) as client:
            if "runsc" in (client.info().get("Runtimes") or {}):
                found.append("runsc")
    except Exception:
        pass
    if "runsc" not in found and os.environ.get("RLVR_REQUIRE_RUNSC") == "1":
        found.append("runsc")  # its tests fail at start, saying why
    return found


def require_runtime(runtime: str) -> None:
    if runtime == "runc":
        return
    try:
        import docker

        with closing(docker.from_env()) as client:
            if runtime in (client.info().get("Runtimes") or {}):
                return
    except Exception:
        pass
    _fail_or_skip(
        f"the Docker engine has no {runtime} runtime; run scripts/setup-runsc.sh",
        "RLVR_REQUIRE_RUNSC",
    )


def runtime_settings(runtime: str) -> dict[str, str]:
    """The service settings that run sandbox containers under ``runtime``."""
    return {} if runtime == "runc" else {"sandbox_runtime": runtime}
