"""SFT (distillation) on a chat dataset with TRL's ``SFTTrainer``: R1's cold start, and how
R1 distilled its reasoning into small models.

    python -m rlvr.trainer.cli build-sft sft.jsonl --reasoning kept.jsonl --other chat.jsonl
    python -m rlvr.trainer.sft sft.yaml

The dataset is ``build-sft``'s output (a ``messages`` column). The YAML keys are the fields
of :class:`SFTRunConfig`; ``extra`` passes any other ``SFTConfig`` field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .config import YamlConfig, load_table, resolve_use_cpu, train_main, trainer_arguments
from .models import load_model


@dataclass
class SFTRunConfig(YamlConfig):
    model: str = "tiny-qwen2"  # a local path or hub name, or tiny-qwen2
    dataset: str = ""  # a .jsonl or .parquet file of messages, or a datasets hub name
    dataset_split: str = "train"
    output_dir: str = "runs/sft"
    max_length: int = 8192  # long CoT needs long sequences
    learning_rate: float = 1e-5
    num_train_epochs: float = 2.0
    max_steps: int = -1
    per_device_train_batch_size: int = 1
    gradient_accumulation_steps: int = 16
    assistant_only_loss: bool = False  # needs a chat template with {% generation %}
    packing: bool = False
    logging_steps: int = 1
    report_to: str | list[str] = "none"  # tensorboard, wandb, trackio, … ("all", "none")
    use_cpu: bool | None = None  # default: true exactly when there is no GPU
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def build_trainer(config: SFTRunConfig) -> Any:
    from trl import SFTConfig, SFTTrainer  # type: ignore[attr-defined]

    model, tokenizer = load_model(config.model)
    explicit = {
        "output_dir": config.output_dir,
        "max_length": config.max_length,
        "learning_rate": config.learning_rate,
        "num_train_epochs": config.num_train_epochs,
        "max_steps": config.max_steps,
        "per_device_train_batch_size": config.per_device_train_batch_size,
        "gradient_accumulation_steps": config.gradient_accumulation_steps,
        "assistant_only_loss": config.assistant_only_loss,
        "packing": config.packing,
        "logging_steps": config.logging_steps,
        "report_to": config.report_to,
        "use_cpu": resolve_use_cpu(config.use_cpu),
        "seed": config.seed,
    }
    args = SFTConfig(**trainer_arguments(SFTConfig, config, explicit, config.extra))
    data = load_table(config.dataset, config.dataset_split).select_columns(["messages"])
    return SFTTrainer(model=model, args=args, train_dataset=data, processing_class=tokenizer)


def main(argv: list[str] | None = None) -> None:
    train_main(SFTRunConfig, build_trainer, "rlvr-sft", __doc__, argv)


if __name__ == "__main__":
    main()
