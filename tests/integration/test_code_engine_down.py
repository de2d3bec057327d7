"""A service whose Docker engine cannot be reached: code items answer `sandbox_unavailable` at
once, other domains are scored as usual, and the log says so once, not at every retry.

No engine is needed: the service is pointed (DOCKER_HOST) at a socket that does not exist.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ..conftest import running_server

CODE = {
    "id": "c",
    "domain": "code",
    "completion": "```python\nprint(1)\n```",
    "reference": {"language": "python", "tests": [{"stdin": "", "stdout": "1"}]},
}
MATH = {"id": "m", "domain": "math", "completion": "\\boxed{2}", "reference": {"answer": "2"}}


def test_code_items_fail_fast_and_the_log_says_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-engine.sock'}")
    settings = {"workers": "1", "sandbox_backend": "docker", "sandbox_size": "2"}
    with running_server(tmp_path, degraded=True, log_level="info", **settings) as server:
        with server.client() as http:
            # The first math item warms a scoring worker: not what is timed here.
            assert http.post("/verify", json={"items": [MATH]}).json()["results"][0]["reward"]
            for _ in range(3):
                started = time.monotonic()
                response = http.post("/verify", json={"items": [CODE]})
                elapsed = time.monotonic() - started
                [code] = response.json()["results"]
                assert code["status"] == "error" and code["reward"] is None
                assert code["error"]["code"] == "sandbox_unavailable"
                assert "no sandbox can be started" in code["error"]["message"]
                assert elapsed < 1.0, elapsed
            code, math = http.post("/verify", json={"items": [CODE, MATH]}).json()["results"]
            assert code["error"]["code"] == "sandbox_unavailable"
            assert math["scores"]["accuracy"] == 1.0
            time.sleep(4)  # the pool keeps retrying with backoff meanwhile
            response = http.get("/health")
        log = server.log.read_text()
    # degraded, and says why: a load balancer should send math elsewhere only knowingly
    assert response.status_code == 503 and response.json()["status"] == "degraded"
    assert any("code sandbox" in problem for problem in response.json()["problems"])
    health = response.json()["sandbox"]
    assert health["ready"] == 0 and health["last_error"]
    assert log.count("cannot start a sandbox") == 1, log
