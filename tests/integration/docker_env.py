"""Whether real containers can run here; CI (RLVR_REQUIRE_DOCKER=1) fails instead of skipping."""

from __future__ import annotations

import os
from contextlib import closing

import pytest

SANDBOX_IMAGE = os.environ.get("RLVR_SANDBOX_IMAGE", "rlvr-sandbox:latest")


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
