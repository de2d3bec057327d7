"""Build a chat-format SFT set from reasoning and non-reasoning records (R1's SFT mixture).

Each output record is ``{"messages": [system?, user, assistant], "source": ...}``, the format
TRL's ``SFTTrainer`` reads.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from .resumable import Record, read_jsonl


def to_messages(record: Record, system_prompt: str | None, source: str) -> Record:
    """One chat example from ``{"prompt", "completion"}`` (or ``messages`` kept as is)."""
    if "messages" in record:
        return {"messages": record["messages"], "source": source}
    messages = [{"role": "system", "content": system_prompt}] if system_prompt else []
    messages += [
        {"role": "user", "content": record["prompt"]},
        {"role": "assistant", "content": record["completion"]},
    ]
    return {"messages": messages, "source": source}


def build_sft(
    reasoning: Iterable[Path], other: Iterable[Path], system_prompt: str | None, seed: int = 0
) -> list[Record]:
    """All records of both kinds, as chat examples, shuffled with ``seed``."""
    examples = [
        to_messages(r, system_prompt, "reasoning") for p in reasoning for r in read_jsonl(p)
    ]
    examples += [to_messages(r, None, "non_reasoning") for p in other for r in read_jsonl(p)]
    random.Random(seed).shuffle(examples)
    return examples
