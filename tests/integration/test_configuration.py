"""Settings reach the worker processes: a server started with RLVR_* overrides scores by them."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from ..conftest import running_server, start_server


def test_environment_configures_the_workers(tmp_path: Path) -> None:
    with running_server(
        tmp_path,
        workers="1",
        math_reject_hedging="false",
        math_fallback_patterns='["Result: (\\\\S+)"]',
        default_rewards='["accuracy", "tag_count"]',
        default_weights='{"accuracy": 1.0, "tag_count": 1.0}',
    ) as server:
        items = [
            {
                "id": "hedge",
                "domain": "math",
                "completion": "\\boxed{6} or \\boxed{7}",
                "reference": {"answer": "7"},
            },
            {
                "id": "fallback",
                "domain": "math",
                "completion": "<think>x</think>Result: 7",
                "reference": {"answer": "7"},
            },
        ]
        results = httpx.post(f"{server.url}/verify", json={"items": items}, timeout=30).json()
        hedge, fallback = results["results"]
        assert hedge["scores"] == {"accuracy": 1.0, "tag_count": 0.0}
        assert fallback["scores"] == {"accuracy": 1.0, "tag_count": 0.5}
        assert fallback["reward"] == 1.5
        # the OpenRLHF adapter route scores with the same parts: same plan, same domains
        body = {"query": ["q \\boxed{6} or \\boxed{7}", "q Result: 7"], "prompts": ["q ", "q "]}
        body["labels"] = ["7", "7"]
        adapter = httpx.post(f"{server.url}/openrlhf", json=body, timeout=30).json()
        assert adapter["rewards"] == [1.0, 1.0]
        assert set(adapter["extra_logs"]) == {"accuracy", "tag_count", "unscorable"}


def test_invalid_settings_stop_the_server_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="invalid setting RLVR_DEFAULT_REWARDS"):
        start_server(tmp_path, default_rewards='["speed"]')
