"""What the training entry points share: YAML run configs, the trainer arguments built from
them, device detection and dataset loading.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, Self

from .errors import ConfigError, RlvrError

TRAINING_MODULES = ("yaml", "torch", "transformers", "trl", "datasets")


class YamlConfig:
    """A dataclass mixin: ``from_yaml`` builds the config from a YAML file of its fields."""

    @classmethod
    def field_names(cls) -> set[str]:
        return {f.name for f in fields(cls)}  # type: ignore[arg-type]

    @classmethod
    def from_yaml(cls, path: Path) -> Self:
        import yaml

        try:
            data = yaml.safe_load(path.read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: cannot read the run config ({exc})") from exc
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: the run config must be a mapping of keys to values")
        known = cls.field_names()
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{path}: unknown keys {unknown}; known: {sorted(known)}")
        return cls(**data)


def trainer_arguments(
    args_type: type,
    run_config: YamlConfig,
    explicit: Mapping[str, Any],
    extra: Mapping[str, Any],
    owned: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The keyword arguments of ``args_type`` (TRL's ``GRPOConfig``, ``SFTConfig``): the ones
    the run config sets, plus ``extra``, which may name only what the run config does not.

    ``owned`` maps argument names the run derives from another key to that key (e.g.
    ``reward_weights`` → ``scores``), for the error message.
    """
    known = {f.name for f in fields(args_type)}
    problems = []
    for key in sorted(extra):
        if key in type(run_config).field_names() or key in explicit:
            source = (owned or {}).get(key, key)
            problems.append(f"'{key}' is set by the run config's '{source}': set it there")
        elif key not in known:
            near = difflib.get_close_matches(key, known, n=3)
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            problems.append(f"'{key}' is not a {args_type.__name__} field{hint}")
    if problems:
        raise ConfigError("extra: " + "; ".join(problems))
    return {**explicit, **extra}


def accelerator_present() -> bool:
    """Whether torch sees a GPU (CUDA/ROCm, Apple MPS or Intel XPU)."""
    import torch

    xpu = getattr(torch, "xpu", None)
    return bool(
        torch.cuda.is_available()
        or torch.backends.mps.is_available()
        or (xpu is not None and xpu.is_available())
    )


def resolve_use_cpu(use_cpu: bool | None) -> bool:
    """``use_cpu`` as configured, or, when left out, true exactly when there is no GPU."""
    if use_cpu is not None:
        return use_cpu
    if accelerator_present():
        return False
    print("no GPU found: training on the CPU (set use_cpu: false to stop this)", file=sys.stderr)
    return True


def load_table(name: str, split: str = "train") -> Any:
    """A ``datasets.Dataset`` from a ``.jsonl``/``.json``/``.parquet`` file or a hub name."""
    from datasets import load_dataset

    if not name:
        raise ConfigError("no dataset: set `dataset` to a .jsonl/.parquet file or a hub name")
    if name.endswith((".jsonl", ".json")):
        return load_dataset("json", data_files=name, split="train")
    if name.endswith(".parquet"):
        return load_dataset("parquet", data_files=name, split="train")
    return load_dataset(name, split=split)


def train_main(
    config_type: type[YamlConfig],
    build_trainer: Callable[[Any], Any],
    prog: str,
    description: str | None,
    argv: list[str] | None,
) -> None:
    """The shared entry point: read the YAML, build the trainer, train, save model and
    tokenizer to ``output_dir`` (loadable by ``generate --model``). A configuration error
    ends the program with its message, not a traceback."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("config", type=Path, help="the run's YAML file")
    args = parser.parse_args(argv)
    missing = [name for name in TRAINING_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise SystemExit(
            f"{prog} needs {', '.join(missing)}: pip install 'rlvr-client[train]' "
            "(or 'rlvr-client[gpu]' for vLLM)"
        )
    try:
        trainer = build_trainer(config_type.from_yaml(args.config))
    except RlvrError as exc:
        raise SystemExit(f"{prog}: {exc}") from exc
    trainer.train()
    trainer.save_model()
