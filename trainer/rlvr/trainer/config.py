"""What the training entry points share: YAML run configs and dataset loading."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, Self

import yaml


class YamlConfig:
    """A dataclass mixin: ``from_yaml`` builds the config from a YAML file of its fields."""

    @classmethod
    def from_yaml(cls, path: Path) -> Self:
        data = yaml.safe_load(path.read_text()) or {}
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - known)
        if unknown:
            raise SystemExit(f"{path}: unknown keys {unknown}; known: {sorted(known)}")
        return cls(**data)


def load_table(name: str, split: str = "train") -> Any:
    """A ``datasets.Dataset`` from a ``.jsonl``/``.json``/``.parquet`` file or a hub name."""
    from datasets import load_dataset

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
    tokenizer to ``output_dir`` (loadable by ``generate --model``)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("config", type=Path, help="the run's YAML file")
    args = parser.parse_args(argv)
    trainer = build_trainer(config_type.from_yaml(args.config))
    trainer.train()
    trainer.save_model()
