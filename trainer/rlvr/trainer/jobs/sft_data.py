"""Build a chat-format SFT set from reasoning and non-reasoning records (R1's SFT mixture).

Each output record is ``{"messages": [system?, user, assistant], "source": ...}``, the format
TRL's ``SFTTrainer`` reads. Records are streamed in file order (reasoning sets first); the
trainer shuffles, so the job need not hold the set in memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from .records import Record, count_records, read_records


def to_messages(record: Record, system_prompt: str | None, source: str) -> Record:
    """One chat example from ``{"prompt", "completion"}`` (or ``messages`` kept as is).

    >>> to_messages({"prompt": "2+2?", "completion": "4"}, None, "reasoning")["messages"][1]
    {'role': 'assistant', 'content': '4'}
    """
    if "messages" in record:
        return {"messages": record["messages"], "source": source}
    messages = [{"role": "system", "content": system_prompt}] if system_prompt else []
    messages += [
        {"role": "user", "content": record["prompt"]},
        {"role": "assistant", "content": record["completion"]},
    ]
    return {"messages": messages, "source": source}


def sft_examples(
    reasoning: Sequence[Path], other: Sequence[Path], system_prompt: str | None
) -> Iterator[Record]:
    """Every record of both kinds as a chat example; the system prompt goes to reasoning ones."""
    for path in reasoning:
        yield from (to_messages(r, system_prompt, "reasoning") for r in read_records(path))
    for path in other:
        yield from (to_messages(r, None, "non_reasoning") for r in read_records(path))


def count_examples(reasoning: Sequence[Path], other: Sequence[Path]) -> int:
    return sum(count_records(path) for path in [*reasoning, *other])
