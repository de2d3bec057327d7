"""GRPO training (TRL ``GRPOTrainer``) whose rewards come only from the verifier service.

    python -m rlvr.trainer.grpo config.yaml

The YAML (see :class:`GRPORunConfig`) names the model, the dataset, the R1 template, the
scores to request and their weights, and the GRPO settings (``loss_type: dr_grpo`` removes
GRPO's length bias). Every requested score is its own TRL reward function, so TRL logs
``rewards/<score>/mean`` each step; scores with weight 0 are logged but not trained on —
``pass_rate`` and the ``/analyze`` behaviour counts (``behaviour/backtracking`` …) are
logged that way. ``model: tiny-qwen2`` builds a small Qwen2-style model and character
tokenizer from a config, for CPU tests with nothing downloaded.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from .client import VerifierClient
from .rewards import service_rewards

R1_SYSTEM_PROMPT = (
    "A conversation between User and Assistant. The user asks a question, and the Assistant "
    "solves it. The assistant first thinks about the reasoning process in the mind and then "
    "provides the user with the answer. The reasoning process and answer are enclosed within "
    "<think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning "
    "process here </think> <answer> answer here </answer>."
)
BEHAVIOURS = ("verification", "subgoal_setting", "backtracking", "backward_chaining")


@dataclass
class GRPORunConfig:
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

    @classmethod
    def from_yaml(cls, path: Path) -> GRPORunConfig:
        data = yaml.safe_load(path.read_text()) or {}
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SystemExit(f"{path}: unknown keys {unknown}; known: {sorted(known)}")
        return cls(**data)


class BehaviourCount:
    """Logs one ``/analyze`` behaviour count as a weight-0 TRL reward function."""

    def __init__(self, behaviour: str, client: VerifierClient) -> None:
        self.behaviour, self.client = behaviour, client
        self.__name__ = f"behaviour/{behaviour}"

    def __call__(self, prompts: Any, completions: list[Any], **_: Any) -> list[float]:
        analysed = self.client.analyze(completions)
        return [float(a["counts"][self.behaviour]) for a in analysed]


def tiny_qwen2() -> tuple[Any, Any]:
    """A 2-layer Qwen2-style model and a character tokenizer, built here, no download."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    symbols = ["<pad>", "<eos>", "\n", *(chr(i) for i in range(32, 127))]
    vocab = {symbol: i for i, symbol in enumerate(symbols)}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    core.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    core.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>", eos_token="<eos>")  # type: ignore[no-untyped-call]
    config = Qwen2Config(
        vocab_size=len(vocab),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=2048,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=1,
    )
    return Qwen2ForCausalLM(config), tokenizer


def load_prompts(config: GRPORunConfig, tokenizer: Any) -> Any:
    """The dataset with a ``prompt`` column in the R1 template and the ``answer`` column."""
    from datasets import load_dataset

    path = config.dataset
    if path.endswith((".jsonl", ".json")):
        data = load_dataset("json", data_files=path, split="train")
    elif path.endswith(".parquet"):
        data = load_dataset("parquet", data_files=path, split="train")
    else:
        data = load_dataset(path, split=config.dataset_split)

    def template(row: dict[str, Any]) -> dict[str, Any]:
        question = row[config.prompt_column]
        if config.chat and getattr(tokenizer, "chat_template", None):
            prompt: Any = [
                {"role": "system", "content": config.system_prompt},
                {"role": "user", "content": question},
            ]
        else:
            prompt = f"{config.system_prompt}\nUser: {question}\nAssistant: <think>"
        return {"prompt": prompt, "answer": str(row[config.answer_column])}

    return data.map(template)


def build_trainer(config: GRPORunConfig) -> Any:
    from trl import GRPOConfig, GRPOTrainer  # type: ignore[attr-defined]

    if config.model == "tiny-qwen2":
        model, tokenizer = tiny_qwen2()
    else:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        model = AutoModelForCausalLM.from_pretrained(config.model)
        tokenizer = AutoTokenizer.from_pretrained(config.model)
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
    parser = argparse.ArgumentParser(prog="python -m rlvr.trainer.grpo", description=__doc__)
    parser.add_argument("config", type=Path, help="the run's YAML file")
    args = parser.parse_args(argv)
    trainer = build_trainer(GRPORunConfig.from_yaml(args.config))
    trainer.train()
    trainer.save_model()


if __name__ == "__main__":
    main()
