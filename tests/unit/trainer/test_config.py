"""Run configs: YAML errors are ConfigErrors, ``extra`` is checked, the CPU is found, and the
GRPO prompt knows when its template opened ``<think>``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr.trainer.config import accelerator_present, resolve_use_cpu, trainer_arguments
from rlvr.trainer.errors import ConfigError

pytest.importorskip("trl", reason="the [trainer] extra (TRL) is not installed")


def test_yaml_that_is_not_a_mapping_or_has_unknown_keys(tmp_path: Path) -> None:
    from rlvr.trainer.grpo import GRPORunConfig

    (tmp_path / "list.yaml").write_text("- model\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        GRPORunConfig.from_yaml(tmp_path / "list.yaml")
    (tmp_path / "typo.yaml").write_text("modle: tiny-qwen2\n")
    with pytest.raises(ConfigError, match=r"unknown keys \['modle'\]"):
        GRPORunConfig.from_yaml(tmp_path / "typo.yaml")
    with pytest.raises(ConfigError, match="cannot read"):
        GRPORunConfig.from_yaml(tmp_path / "missing.yaml")


def test_trainer_arguments_merge_extra_and_refuse_repeats() -> None:
    from trl import GRPOConfig

    from rlvr.trainer.grpo import GRPORunConfig

    run = GRPORunConfig()
    merged = trainer_arguments(GRPOConfig, run, {"max_steps": 3}, {"beta": 0.04})
    assert merged == {"max_steps": 3, "beta": 0.04}
    with pytest.raises(ConfigError) as caught:
        trainer_arguments(
            GRPOConfig,
            run,
            {"reward_weights": [1.0]},
            {"reward_weights": [2.0], "seed": 1},
            owned={"reward_weights": "scores"},
        )
    assert "'reward_weights' is set by the run config's 'scores'" in str(caught.value)
    assert "'seed' is set by the run config's 'seed'" in str(caught.value)


def test_use_cpu_is_found_when_left_out() -> None:
    assert resolve_use_cpu(None) is (not accelerator_present())
    assert resolve_use_cpu(False) is False and resolve_use_cpu(True) is True


@pytest.mark.parametrize(
    ("chat", "template", "opened"),
    [
        (False, None, True),  # R1-Zero's plain template ends in "Assistant: <think>"
        (True, None, False),  # the tiny tokenizer's Qwen-style template does not
        (True, "{{ messages[-1]['content'] }}<think>\n", True),  # R1-Distill-style templates do
    ],
)
def test_grpo_prompts_know_when_the_template_opened_think(
    tmp_path: Path, chat: bool, template: str | None, opened: bool
) -> None:
    from rlvr.trainer.grpo import GRPORunConfig, load_prompts
    from rlvr.trainer.models import tiny_qwen2

    data = tmp_path / "prompts.jsonl"
    data.write_text(json.dumps({"prompt": "1+1?", "solution": "2"}) + "\n")
    tokenizer = tiny_qwen2()[1]
    if template is not None:
        tokenizer.chat_template = template
    dataset, think = load_prompts(GRPORunConfig(dataset=str(data), chat=chat), tokenizer)
    assert think is opened
    assert dataset[0]["solution"] == "2"  # the columns the reward functions read stay
    with pytest.raises(ConfigError, match="no column 'question'"):
        load_prompts(GRPORunConfig(dataset=str(data), prompt_column="question"), tokenizer)
