"""``rlvr-grpo`` as a new user meets it on a CPU machine: the README's YAML, a tracker, a few
GRPO steps with a tiny local model, every reward from the real service."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..conftest import ROOT, LiveServer

pytest.importorskip("trl", reason="the [trainer] extra (TRL) is not installed")


def _prompts(tmp_path: Path) -> Path:
    data = tmp_path / "prompts.jsonl"
    data.write_text(
        "".join(json.dumps({"prompt": f"{a}+{a}=?", "answer": str(2 * a)}) + "\n" for a in range(8))
    )
    return data


def readme_grpo_yaml() -> dict[str, Any]:
    """The ``grpo.yaml`` the README shows a new user."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"`grpo\.yaml`.*?```yaml\n(.*?)```", text, re.DOTALL)
    assert block, "README.md lost its grpo.yaml example"
    config: dict[str, Any] = yaml.safe_load(block.group(1))
    return config


def _write(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(config))
    return path


def test_readme_yaml_on_a_machine_without_gpu(live_server: LiveServer, tmp_path: Path) -> None:
    from rlvr.trainer import grpo

    config = readme_grpo_yaml()
    assert "use_cpu" not in config
    config.update(
        model="tiny-qwen2",
        dataset=str(_prompts(tmp_path)),
        service_url=live_server.url,
        output_dir=str(tmp_path / "out"),
    )
    with pytest.raises(SystemExit, match="use_vllm needs a GPU; set use_vllm: false"):
        grpo.main([str(_write(tmp_path / "readme.yaml", config))])
    config["use_vllm"] = False
    trainer = grpo.build_trainer(
        grpo.GRPORunConfig.from_yaml(_write(tmp_path / "cpu.yaml", config))
    )
    assert trainer.args.use_cpu  # found by itself: no GPU here
    assert trainer.args.loss_type == "dr_grpo"
    assert trainer.args.reward_weights == [1.0, 0.1, 0.0]  # accuracy, format, pass_rate


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"max_steps": 2}, "'max_steps' is set by the run config's 'max_steps': set it there"),
        ({"report_to": "wandb"}, "'report_to' is set by the run config's 'report_to'"),
        ({"reward_weights": [1.0]}, "'reward_weights' is set by the run config's 'scores'"),
        (
            {"num_iteration": 2},
            "'num_iteration' is not a GRPOConfig field \\(did you mean num_iterations",
        ),
    ],
)
def test_extra_naming_a_known_or_unknown_key_is_a_clear_error(
    live_server: LiveServer, tmp_path: Path, extra: dict[str, Any], message: str
) -> None:
    from rlvr.trainer import grpo

    config = {
        "model": "tiny-qwen2",
        "dataset": str(_prompts(tmp_path)),
        "service_url": live_server.url,
        "output_dir": str(tmp_path / "out"),
        "extra": extra,
    }
    with pytest.raises(SystemExit, match=f"rlvr-grpo: extra: {message}"):
        grpo.main([str(_write(tmp_path / "run.yaml", config))])


def test_grpo_logs_the_services_scores_to_a_tracker(
    live_server: LiveServer, tmp_path: Path
) -> None:
    from rlvr.trainer import grpo
    from rlvr.trainer.client import VerifierClient

    (tmp_path / "run.yaml").write_text(f"""
model: tiny-qwen2
dataset: {_prompts(tmp_path)}
chat: false
service_url: {live_server.url}
scores: {{accuracy: 1.0, language_consistency: 0.5, repetition: 0.2}}
output_dir: {tmp_path / "out"}
report_to: tensorboard
num_generations: 4
per_device_train_batch_size: 4
max_completion_length: 24
max_steps: 3
learning_rate: 0.001
""")
    config = grpo.GRPORunConfig.from_yaml(tmp_path / "run.yaml")
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
    for key in (
        "rewards/accuracy/mean",
        "rewards/pass_rate/mean",
        "behaviour/backtracking",
        "rlvr/unscorable",
        "rlvr/failed",
    ):
        assert all(key in h for h in logs), key
    with VerifierClient(live_server.url) as client:
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
    # report_to reached a real tracker: TensorBoard event files hold the service's scores
    events = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("events.out.tfevents.*"))
    for tag in (b"rewards/accuracy/mean", b"behaviour/backtracking", b"rlvr/unscorable"):
        assert tag in events, tag
