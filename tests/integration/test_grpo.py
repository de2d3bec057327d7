"""A few GRPO steps on CPU with a tiny local model; every reward comes from the real service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..conftest import LiveServer

pytest.importorskip("trl", reason="the [trainer] extra (TRL) is not installed")


def test_grpo_logs_the_services_scores(live_server: LiveServer, tmp_path: Path) -> None:
    from rlvr.trainer import grpo
    from rlvr.trainer.client import VerifierClient

    data = tmp_path / "prompts.jsonl"
    data.write_text(
        "".join(json.dumps({"prompt": f"{a}+{a}=?", "answer": str(2 * a)}) + "\n" for a in range(8))
    )
    (tmp_path / "run.yaml").write_text(f"""
model: tiny-qwen2
dataset: {data}
chat: false
service_url: {live_server.url}
scores: {{accuracy: 1.0, language_consistency: 0.5, repetition: 0.2}}
output_dir: {tmp_path / "out"}
num_generations: 4
per_device_train_batch_size: 4
max_completion_length: 24
max_steps: 3
learning_rate: 0.001
use_cpu: true
""")
    config = grpo.GRPORunConfig.from_yaml(tmp_path / "run.yaml")
    assert config.loss_type == "dr_grpo"
    trainer = grpo.build_trainer(config)

    seen: list[tuple[list[Any], list[float | None]]] = []
    consistency = next(
        f for f in trainer.reward_funcs if getattr(f, "__name__", "") == "language_consistency"
    )
    original = consistency

    def recording(prompts: Any, completions: Any, **columns: Any) -> Any:
        values = original(prompts, completions, **columns)
        seen.append((list(completions), values))
        return values

    # TRL names the logs at start-up, so swapping the callable keeps the log key.
    trainer.reward_funcs = [recording if f is consistency else f for f in trainer.reward_funcs]
    trainer.train()

    logs = [h for h in trainer.state.log_history if "rewards/language_consistency/mean" in h]
    assert len(logs) == 3 and len(seen) == 3
    for keys in (
        "rewards/accuracy/mean",
        "rewards/pass_rate/mean",
        "rewards/behaviour/backtracking/mean",
    ):
        assert all(keys in h for h in logs)
    client = VerifierClient(live_server.url)
    for (completions, values), log in zip(seen, logs, strict=True):
        fresh = client.verify(
            [
                {"id": str(i), "domain": "math", "completion": c, "reference": {"answer": "0"}}
                for i, c in enumerate(completions)
            ],
            rewards=["language_consistency"],
        )
        assert values == [r["scores"]["language_consistency"] for r in fresh]
        assert log["rewards/language_consistency/mean"] == pytest.approx(
            sum(values) / len(values), abs=1e-6
        )  # type: ignore[arg-type]
