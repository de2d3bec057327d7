"""GRPO training (TRL ``GRPOTrainer``) whose rewards come only from the verifier service.

    rlvr-grpo config.yaml          # or: python -m rlvr.trainer.grpo config.yaml

The YAML (see :class:`GRPORunConfig`) names the model, the dataset, the R1 template, the
scores to request and their weights, and the GRPO settings (``loss_type: dr_grpo`` removes
GRPO's length bias). Every requested score is its own TRL reward function, so TRL logs
``rewards/<score>/mean`` each step; ``pass_rate`` is logged with weight 0 (not trained on),
and the ``/analyze`` behaviour counts (``behaviour/backtracking`` …) and the shares of
unscorable and failed items (``rlvr/unscorable``, ``rlvr/failed``) go to TRL's metrics.
``report_to`` sends it all to a tracker (tensorboard, wandb, trackio…). Without a GPU the
run goes to the CPU by itself; ``model: tiny-qwen2`` (see :mod:`.models`) runs there with
nothing downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .config import (
    YamlConfig,
    accelerator_present,
    load_table,
    resolve_use_cpu,
    train_main,
    trainer_arguments,
)
from .errors import ConfigError
from .models import load_model
from .prompts import R1_SYSTEM_PROMPT, r1_messages, r1_plain
from .rewards import BEHAVIOURS, service_rewards

__all__ = ["BEHAVIOURS", "GRPORunConfig", "build_trainer", "main"]

THINK_OPENER = "<think>"


@dataclass
class GRPORunConfig(YamlConfig):
    """Everything a run needs; the YAML keys are these field names."""

    model: str = "tiny-qwen2"  # a local path or hub name, or tiny-qwen2
    dataset: str = ""  # a .jsonl or .parquet file, or a datasets hub name
    dataset_split: str = "train"
    prompt_column: str = "prompt"
    answer_column: str | None = None  # default: answer, then solution (a reference wins)
    domain: str = "math"
    system_prompt: str = R1_SYSTEM_PROMPT
    chat: bool = True  # use the tokenizer's chat template with the system prompt
    service_url: str | None = None  # default $RLVR_URL
    scores: dict[str, float] = field(default_factory=lambda: {"accuracy": 1.0, "format": 0.1})
    format_options: dict[str, Any] = field(default_factory=dict)  # e.g. {mode: strict}
    log_pass_rate: bool = True
    log_behaviours: bool = True
    output_dir: str = "runs/grpo"
    report_to: str | list[str] = "none"  # tensorboard, wandb, trackio, … ("all", "none")
    run_name: str | None = None
    loss_type: str = "dr_grpo"
    num_generations: int = 8
    per_device_train_batch_size: int = 8
    max_completion_length: int = 1024
    learning_rate: float = 1e-6
    max_steps: int = -1
    num_train_epochs: float = 1.0
    logging_steps: int = 1
    use_vllm: bool = False
    vllm_mode: str = "colocate"  # or "server" (trl vllm-serve)
    use_cpu: bool | None = None  # default: true exactly when there is no GPU
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)  # any other GRPOConfig field


def load_prompts(config: GRPORunConfig, tokenizer: Any) -> tuple[Any, bool]:
    """The dataset with a ``prompt`` column in the R1 template (its other columns kept for
    the reward functions), and whether that template opens ``<think>`` in the prompt."""
    data = load_table(config.dataset, config.dataset_split)
    if config.prompt_column not in data.column_names:
        raise ConfigError(
            f"{config.dataset} has no column '{config.prompt_column}' (prompt_column); "
            f"its columns: {data.column_names}"
        )
    chat = config.chat and bool(getattr(tokenizer, "chat_template", None))

    def template(row: dict[str, Any]) -> dict[str, Any]:
        question = row[config.prompt_column]
        if chat:
            return {"prompt": r1_messages(question, config.system_prompt)}
        return {"prompt": r1_plain(question, config.system_prompt)}

    if chat:  # some chat templates (R1-Distill, Qwen3 thinking) open <think> themselves
        rendered = tokenizer.apply_chat_template(
            r1_messages("?", config.system_prompt), add_generation_prompt=True, tokenize=False
        )
        opened = str(rendered).rstrip().endswith(THINK_OPENER)
    else:
        opened = r1_plain("?", config.system_prompt).rstrip().endswith(THINK_OPENER)
    return data.map(template), opened


def build_trainer(config: GRPORunConfig) -> Any:
    from trl import GRPOConfig, GRPOTrainer  # type: ignore[attr-defined]

    use_cpu = resolve_use_cpu(config.use_cpu)
    if config.use_vllm and (use_cpu or not accelerator_present()):
        raise ConfigError("use_vllm needs a GPU; set use_vllm: false to generate with the model")
    model, tokenizer = load_model(config.model)
    dataset, think_in_prompt = load_prompts(config, tokenizer)
    weights = dict(config.scores)
    if config.log_pass_rate:
        weights.setdefault("pass_rate", 0.0)
    options = {"think_in_prompt": think_in_prompt, **config.format_options}
    reward_funcs: list[Any] = service_rewards(
        weights,
        domain=config.domain,
        url=config.service_url,
        answer_column=config.answer_column,
        options=options,
        behaviours=config.log_behaviours,
    )
    explicit = {
        "output_dir": config.output_dir,
        "report_to": config.report_to,
        "run_name": config.run_name,
        "loss_type": config.loss_type,
        "num_generations": config.num_generations,
        "per_device_train_batch_size": config.per_device_train_batch_size,
        "max_completion_length": config.max_completion_length,
        "learning_rate": config.learning_rate,
        "max_steps": config.max_steps,
        "num_train_epochs": config.num_train_epochs,
        "logging_steps": config.logging_steps,
        "use_vllm": config.use_vllm,
        "vllm_mode": config.vllm_mode,
        "use_cpu": use_cpu,
        "seed": config.seed,
        "reward_weights": list(weights.values()),
    }
    arguments = trainer_arguments(
        GRPOConfig, config, explicit, config.extra, owned={"reward_weights": "scores"}
    )
    return GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        reward_funcs=reward_funcs,
        args=GRPOConfig(**arguments),
        train_dataset=dataset,
    )


def main(argv: list[str] | None = None) -> None:
    train_main(GRPORunConfig, build_trainer, "rlvr-grpo", __doc__, argv)


if __name__ == "__main__":
    main()
