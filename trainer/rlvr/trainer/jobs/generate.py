"""The ``generate`` job: k samples per prompt, one output record per sample.

Each output record keeps the input's columns and adds what later jobs and audits need:
``prompt`` (the question), ``prompt_text`` (what the model saw), ``reference``,
``completion``, ``sample_index``, ``finish_reason``, ``completion_tokens`` and
``sampling`` (backend, model, template and every sampling setting). The k samples of a
prompt are written together, as ``rejection-sample`` and ``pass-rate-filter`` expect.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..generation import Generator, Sampling
from ..items import record_reference
from ..prompts import R1_SYSTEM_PROMPT, Template, render
from .records import Record
from .resumable import Group


def generate_samples(
    groups: Sequence[Group],
    generator: Generator,
    sampling: Sampling,
    template: Template,
    tokenizer: Any = None,
    prompt_column: str = "prompt",
    system_prompt: str = R1_SYSTEM_PROMPT,
) -> list[Record]:
    """``sampling.n`` sample records for each input record of ``groups``."""
    records = [record for group in groups for record in group]
    texts = [render(r[prompt_column], template, tokenizer, system_prompt) for r in records]
    settings = {
        "backend": generator.backend,
        "model": generator.model,
        "template": template,
        **sampling.settings(),
    }
    out = []
    for record, text, samples in zip(
        records, texts, generator.generate(texts, sampling), strict=True
    ):
        for index, sample in enumerate(samples):
            out.append(
                {
                    **record,
                    "prompt": record[prompt_column],
                    "prompt_text": text,
                    "reference": record_reference(record),
                    "completion": sample.text,
                    "sample_index": index,
                    "finish_reason": sample.finish_reason,
                    "completion_tokens": sample.tokens,
                    "sampling": settings,
                }
            )
    return out
