"""`docker compose up` brings the whole service up; a code batch is scored through it.

Uses Debian's `docker-compose` (v1) or the `docker compose` plugin, whichever is here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from ..conftest import ROOT, free_port
from ..integration.docker_env import require_docker


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
    return ["docker", "compose"] if probe.returncode == 0 else None


def _base_image() -> str:
    if os.environ.get("BASE_IMAGE"):
        return os.environ["BASE_IMAGE"]
    local = subprocess.run(
        ["docker", "image", "inspect", "rlvr-base:bookworm-v2"], capture_output=True
    )
    return "rlvr-base:bookworm-v2" if local.returncode == 0 else "python:3.12-slim"


@pytest.fixture(scope="module")
def compose_url() -> Iterator[str]:
    require_docker()
    compose = _compose_command()
    if compose is None:
        message = "neither docker-compose nor docker compose is installed"
        if os.environ.get("RLVR_REQUIRE_DOCKER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    env = {**os.environ, "RLVR_PORT": str(port), "BASE_IMAGE": _base_image()}
    project = [*compose, "-p", f"rlvre2e{os.getpid()}", "-f", str(ROOT / "docker-compose.yml")]
    up = subprocess.run(
        [*project, "up", "-d", "--build"], env=env, capture_output=True, text=True, timeout=1200
    )
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            try:
                health = httpx.get(f"{url}/health", timeout=2).json()
                if health["sandbox"]["ready"] >= 1:
                    break
            except (httpx.HTTPError, ValueError, KeyError, TypeError):
                pass
            assert time.monotonic() < deadline, subprocess.run(
                [*project, "logs", "--tail", "50"], env=env, capture_output=True, text=True
            ).stdout
            time.sleep(1)
        yield url
    finally:
        subprocess.run(
            [*project, "down", "--remove-orphans", "-t", "20"],
            env=env,
            capture_output=True,
            timeout=300,
        )


def test_compose_serves_code_and_math(compose_url: str) -> None:
    add = "print(sum(map(int, input().split())))"
    tests = [{"stdin": "1 2\n", "stdout": "3\n"}, {"stdin": "40 2\n", "stdout": "42\n"}]
    items = [
        {
            "id": "py-right",
            "domain": "code",
            "completion": f"```python\n{add}\n```",
            "reference": {"language": "python", "tests": tests},
        },
        {
            "id": "py-wrong",
            "domain": "code",
            "completion": "```python\nprint(3)\n```",
            "reference": {"language": "python", "tests": tests},
        },
        {
            "id": "cpp-right",
            "domain": "code",
            "completion": "```cpp\n#include <iostream>\nint main(){int a,b;std::cin>>a>>b;"
            "std::cout<<a+b<<'\\n';}\n```",
            "reference": {"language": "cpp", "tests": tests},
        },
        {
            "id": "bomb",
            "domain": "code",
            "completion": "```python\nimport os\nwhile True:\n    os.fork()\n```",
            "reference": {"language": "python", "tests": tests},
        },
        {
            "id": "math",
            "domain": "math",
            "completion": "\\boxed{\\frac{1}{2}}",
            "reference": {"answer": "0.5"},
        },
    ]
    body = {"items": items, "rewards": ["accuracy", "pass_rate"]}
    results = httpx.post(f"{compose_url}/verify", json=body, timeout=120).json()["results"]
    scores = {r["id"]: (r["scores"]["accuracy"], r["scores"]["pass_rate"]) for r in results}
    assert scores == {
        "py-right": (1.0, 1.0),
        "py-wrong": (0.0, 0.5),
        "cpp-right": (1.0, 1.0),
        "bomb": (0.0, 0.0),
        "math": (1.0, 1.0),
    }
