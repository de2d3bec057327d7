"""GRPO training (TRL ``GRPOTrainer``) whose rewards come only from the verifier service.

    python -m rlvr.trainer.grpo config.yaml

The YAML (see :class:`GRPORunConfig`) names the model, the dataset, the R1 template, the
scores to request and their weights, and the GRPO settings (``loss_type: dr_grpo`` removes
GRPO's length bias). Every requested score is its own TRL reward function, so TRL logs
``rewards/<score>/mean`` each step; scores with weight 0 are logged but not trained on —
``pass_rate`` and the ``/analyze`` behaviour counts (``behaviour/backtracking`` …) are
logged that way. ``model: tiny-qwen2`` (see :mod:`.models`) runs on CPU with nothing downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .client import VerifierClient
from .config import YamlConfig, load_table, train_main
from .models import load_model
from .prompts import R1_SYSTEM_PROMPT, r1_messages, r1_plain
from .rewards import service_rewards

BEHAVIOURS = ("verification", "subgoal_setting", "backtracking", "backward_chaining")


@dataclass
class GRPORunConfig(YamlConfig):
    """Everything a run needs; the YAML keys are these field names."""

    model: str = "tiny-qwen2"  # a local path or hub name, or tiny-qwen2
    dataset: str = ""  # a .jsonl or .parquet file, or a datasets hub name
    dataset_split: str = "train"
    prompt_column: str = "prompt"
    answer_column: str = "answer"
    domain: str = "math"
    system_prompt: str = R1_SYSTEM_PROMPT
    chat: bool = True  # use the tokenizer's chat template with the system prompt
    service_url: str | None = None  # default $RLVR_URL
    scores: dict[str, float] = field(default_factory=lambda: {"accuracy": 1.0, "format": 0.1})
    log_pass_rate: bool = True
    log_behaviours: bool = True
    output_dir: str = "runs/grpo"
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
    use_cpu: bool = False
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)  # any other GRPOConfig field


class BehaviourCount:
    """Logs one ``/analyze`` behaviour count as a weight-0 TRL reward function."""

    def __init__(self, behaviour: str, client: VerifierClient) -> None:
        self.behaviour, self.client = behaviour, client
        self.__name__ = f"behaviour/{behaviour}"

    def __call__(self, prompts: Any, completions: list[Any], **_: Any) -> list[float]:
        analysed = self.client.analyze(completions)
        return [float(a["counts"][self.behaviour]) for a in analysed]


def load_prompts(config: GRPORunConfig, tokenizer: Any) -> Any:
    """The dataset with a ``prompt`` column in the R1 template and the ``answer`` column."""
    data = load_table(config.dataset, config.dataset_split)

    def template(row: dict[str, Any]) -> dict[str, Any]:
        question = row[config.prompt_column]
        if config.chat and getattr(tokenizer, "chat_template", None):
            prompt: Any = r1_messages(question, config.system_prompt)
        else:
            prompt = r1_plain(question, config.system_prompt)
        return {"prompt": prompt, "answer": str(row[config.answer_column])}

    return data.map(template)


def build_trainer(config: GRPORunConfig) -> Any:
    from trl import GRPOConfig, GRPOTrainer  # type: ignore[attr-defined]

    model, tokenizer = load_model(config.model)
    names = list(config.scores)
    if config.log_pass_rate and "pass_rate" not in names:
        names.append("pass_rate")
    reward_funcs: list[Any] = service_rewards(
        names, domain=config.domain, url=config.service_url, answer_column="answer"
    )
    weights = [config.scores.get(name, 0.0) for name in names]
    if config.log_behaviours:
        client = VerifierClient(config.service_url)
        reward_funcs += [BehaviourCount(b, client) for b in BEHAVIOURS]
        weights += [0.0] * len(BEHAVIOURS)
    args = GRPOConfig(
        output_dir=config.output_dir,
        loss_type=config.loss_type,
        num_generations=config.num_generations,
        per_device_train_batch_size=config.per_device_train_batch_size,
        max_completion_length=config.max_completion_length,
        learning_rate=config.learning_rate,
        max_steps=config.max_steps,
        num_train_epochs=config.num_train_epochs,
        logging_steps=config.logging_steps,
        use_vllm=config.use_vllm,
        vllm_mode=config.vllm_mode,
        use_cpu=config.use_cpu,
        seed=config.seed,
        reward_weights=weights,
        report_to=[],
        **config.extra,
    )
    return GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        reward_funcs=reward_funcs,
        args=args,
        train_dataset=load_prompts(config, tokenizer),
    )


def main(argv: list[str] | None = None) -> None:
    train_main(GRPORunConfig, build_trainer, "python -m rlvr.trainer.grpo", __doc__, argv)


if __name__ == "__main__":
    main()
