"""Hostile programs through POST /verify on real containers: contained, scored 0, service healthy.

Each hostile item asks for an output that only an escape could produce, so a
contained program fails its test and an escaped one would pass it. The suite runs under
every runtime the engine offers (runc; runsc where registered).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import httpx
import pytest

from ..conftest import LiveServer, running_server
from .docker_env import (
    DOCKER_SOCKETS,
    collect_docker_sockets,  # noqa: F401 - a fixture, used by name
    require_docker,
    require_runtime,
    runtime_settings,
    runtimes,
)

pytestmark = [DOCKER_SOCKETS, pytest.mark.usefixtures("collect_docker_sockets")]

SECRET_NAME = "RLVR_TEST_SECRET"


@pytest.fixture(scope="module", params=runtimes())
def docker_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    require_docker()
    require_runtime(request.param)
    with running_server(
        tmp_path_factory.mktemp("docker"),
        workers="1",
        sandbox_backend="docker",
        sandbox_size="3",
        code_time_limit_s="2",
        test_secret="do-not-leak",  # becomes RLVR_TEST_SECRET in the service's environment
        **runtime_settings(request.param),
    ) as server:
        yield server


def _item(item_id: str, source: str, expected: str = "ok", **reference: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "domain": "code",
        "completion": f"<think>hm</think>\n```python\n{source}\n```",
        "reference": {
            "language": "python",
            "tests": [{"stdin": "", "stdout": expected}],
            **reference,
        },
    }


GOOD = _item("good", "print('ok')")
HOSTILE = {
    "fork_bomb": "import os\nwhile True:\n    os.fork()",
    "alloc_10gb": "x = bytearray(10 * 1024**3)\nprint('ok')",
    "alloc_gradually": "chunks = []\nwhile True:\n    chunks.append(bytearray(50 * 1024**2))",
    "infinite_loop": "while True:\n    pass",
    "busy_threads": (
        "import threading\n"
        "def spin():\n    while True:\n        pass\n"
        "for _ in range(64):\n    threading.Thread(target=spin).start()"
    ),
    "network_interfaces": (
        "import socket\nnames = [n for _, n in socket.if_nameindex() if n != 'lo']\n"
        "print('ok' if names else 'only loopback')"
    ),
    "write_outside": (
        "hits = []\nfor path in ['/etc/x', '/opt/x', '/x', '/usr/x', '/home/x']:\n"
        "    try:\n        open(path, 'w').write('x')\n        hits.append(path)\n"
        "    except OSError:\n        pass\nprint('ok' if hits else 'read-only')"
    ),
    "fill_tmpfs": (
        "with open('/tmp/fill', 'wb') as f:\n    for _ in range(4096):\n"
        "        f.write(b'x' * (1 << 20))\nprint('ok')"
    ),
    "read_service_env": (
        "import glob, os\nfound = 'RLVR_TEST_SECRET' in os.environ\n"
        "for path in glob.glob('/proc/*/environ'):\n    try:\n"
        "        found = found or b'do-not-leak' in open(path, 'rb').read()\n"
        "    except OSError:\n        pass\nprint('ok' if found else 'nothing')"
    ),
    "print_1gb": (
        "import sys\nchunk = 'x' * (1 << 20)\nfor _ in range(1024):\n    sys.stdout.write(chunk)"
    ),
    "sleep_past_limit": "import time\ntime.sleep(60)\nprint('ok')",
    # The executor is root: the program (another uid) may not signal it.
    "kill_executor": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nprint('ok')",
}


def _host_listener() -> tuple[socket.socket, list[socket.socket]]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while listener.fileno() != -1:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    return listener, accepted


def test_hostile_programs_are_contained(docker_server: LiveServer) -> None:
    listener, accepted = _host_listener()
    port = listener.getsockname()[1]
    reach = (
        f"import socket\ns = socket.socket()\ns.settimeout(2)\n"
        f"try:\n    s.connect(('127.0.0.1', {port}))\n    print('ok')\n"
        f"except OSError:\n    print('unreachable')"
    )
    hostile = {**HOSTILE, "reach_host_loopback": reach}
    items = []
    for name, source in hostile.items():
        items += [_item(name, source), {**GOOD, "id": f"good-after-{name}"}]
    # PID 1 is root's: the program may not signal it, and the container lives on.
    kill_init = (
        "import os, signal, time\ntry:\n    os.kill(1, signal.SIGKILL)\n"
        "except PermissionError:\n    pass\ntime.sleep(0.3)\nprint('ok')"
    )
    items.append(_item("kill_init", kill_init))

    health_latencies: list[float] = []
    done = threading.Event()

    def watch_health() -> None:
        with httpx.Client(base_url=docker_server.url, timeout=5) as http:
            while not done.is_set():
                started = time.monotonic()
                assert http.get("/health").status_code == 200
                health_latencies.append(time.monotonic() - started)
                time.sleep(0.1)

    watcher = threading.Thread(target=watch_health)
    watcher.start()
    try:
        with docker_server.client(timeout=300) as http:
            response = http.post("/verify", json={"items": items, "rewards": ["accuracy"]})
    finally:
        done.set()
        watcher.join()
        listener.close()

    assert response.status_code == 200
    results = {r["id"]: r for r in response.json()["results"]}
    assert len(results) == len(items)
    for name in hostile:
        result = results[name]
        assert result["status"] == "ok", (name, result)
        assert result["scores"]["accuracy"] == 0.0, (name, result)
        assert results[f"good-after-{name}"]["scores"]["accuracy"] == 1.0, name
    assert results["kill_init"]["scores"]["accuracy"] == 1.0
    verdicts = {name: results[name]["details"]["verdict"] for name in hostile}
    assert verdicts["infinite_loop"] == verdicts["sleep_past_limit"] == "timeout"
    assert verdicts["busy_threads"] == "timeout"
    assert verdicts["print_1gb"] == "output_limit"
    assert verdicts["alloc_10gb"] == "memory_limit"
    assert verdicts["kill_executor"] == "runtime_error"  # PermissionError
    assert verdicts["network_interfaces"] == verdicts["write_outside"] == "wrong_answer"
    assert verdicts["read_service_env"] == verdicts["reach_host_loopback"] == "wrong_answer"
    assert accepted == []
    assert health_latencies and max(health_latencies) < 1.0, max(health_latencies)
    with docker_server.client() as http:
        assert http.get("/health").json()["sandbox"]["ready"] >= 1


def test_code_and_math_in_one_batch(docker_server: LiveServer) -> None:
    items = [
        _item(
            "c",
            "print(sum(map(int, input().split())))",
            "3",
            tests=[{"stdin": "1 2\n", "stdout": "3\n"}],
        ),
        {"id": "m", "domain": "math", "completion": "\\boxed{4}", "reference": {"answer": "4"}},
        {
            "id": "cpp",
            "domain": "code",
            "completion": '```cpp\n#include <cstdio>\nint main(){puts("ok");}\n```',
            "reference": {"language": "cpp", "tests": [{"stdin": "", "stdout": "ok"}]},
        },
        {
            "id": "go",
            "domain": "code",
            "completion": "x",
            "reference": {"language": "go", "tests": [{"stdin": "", "stdout": ""}]},
        },
    ]
    with docker_server.client() as http:
        results = http.post("/verify", json={"items": items}).json()["results"]
    assert [r["id"] for r in results] == ["c", "m", "cpp", "go"]
    assert [r["scores"].get("accuracy") for r in results[:3]] == [1.0, 1.0, 1.0]
    assert results[3]["error"]["code"] == "unsupported_language"


def test_the_pool_survives_its_containers_being_removed(docker_server: LiveServer) -> None:
    import docker

    owner = f"rlvr.sandbox.owner.pid={docker_server.process.pid}"
    deadline = time.monotonic() + 60
    with docker_server.client() as http:
        while http.get("/health").json()["sandbox"]["ready"] < 3:
            assert time.monotonic() < deadline, "the pool did not fill"
            time.sleep(0.2)
    with closing(docker.from_env()) as client:
        containers = client.containers.list(all=True, filters={"label": owner})
        assert containers, "the service labels its containers with its own pid"
        for container in containers:
            container.remove(force=True)
    with docker_server.client(timeout=120) as http:
        results = http.post(
            "/verify", json={"items": [{**GOOD, "id": f"g{i}"} for i in range(6)]}
        ).json()["results"]
    assert [r["scores"].get("accuracy") for r in results] == [1.0] * 6, results
