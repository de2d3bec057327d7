"""Evaluation through the verifier: pass@k and maj@k, and accuracy per thinking budget.

:func:`evaluate` reads JSONL or Parquet of ``{"prompt", "completion", "reference",
"domain"?}`` with the n samples of a prompt on consecutive records and returns the mean
pass@k and maj@k over prompts (``POST /vote``). :func:`budget_report` generates with budget
forcing (:mod:`.budget`) and scores each budget with ``POST /verify``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .budget import Budget, force
from .client import VerifierClient
from .generation import GREEDY, Generator, Sampling
from .items import item_of, record_reference
from .jobs.records import Record, read_records


def _mean(values: Sequence[float]) -> float:
    """The mean, 0.0 for no values (a report must not divide by zero)."""
    return sum(values) / len(values) if values else 0.0


def evaluate(
    source: Path,
    client: VerifierClient,
    ks: Sequence[int] = (1,),
    domain: str = "math",
    chunk: int = 1024,
) -> dict[str, Any]:
    prompts = []
    for index, (_, group) in enumerate(groupby(read_records(source), key=lambda r: r["prompt"])):
        samples = list(group)
        prompts.append(
            {
                "id": str(index),
                "domain": samples[0].get("domain") or domain,
                "completions": [s["completion"] for s in samples],
                "reference": record_reference(samples[0]),
            }
        )
    results = []
    with tqdm(total=len(prompts), desc="evaluate", unit="prompt") as bar:
        for start in range(0, len(prompts), chunk):
            answers = client.vote(prompts[start : start + chunk], k=ks)
            results += [r for r in answers if r["status"] == "ok"]
            bar.update(len(answers))
    report: dict[str, Any] = {"prompts": len(prompts), "scored": len(results)}
    for name in ("pass_at_k", "maj_at_k"):
        # A prompt with fewer than k samples has no value at k and is left out of that mean.
        report[name] = {
            str(k): _mean([r[name][str(k)] for r in results if str(k) in r.get(name, {})])
            for k in ks
        }
    return report


def budget_report(
    generator: Generator,
    records: Sequence[Record],
    budgets: Sequence[Budget],
    client: VerifierClient,
    render_prompt: Callable[[Record], str],
    domain: str = "math",
    sampling: Sampling = GREEDY,
    answer_tokens: int = 64,
    chunk: int = 64,
) -> tuple[dict[str, Any], list[Record]]:
    """Accuracy per thinking budget (s1 budget forcing), and every forced sample.

    For each budget: the share of prompts answered correctly, the mean thinking tokens
    used, the share whose thinking the cap ended, and the mean ``Wait``\\ s appended.
    """
    texts = [render_prompt(r) for r in records]
    report: dict[str, Any] = {"prompts": len(records), "budgets": {}}
    samples: list[Record] = []
    bar = tqdm(total=len(budgets) * len(records), desc="budget forcing", unit="prompt")
    for budget in budgets:
        rows: list[Record] = []
        for start in range(0, len(records), chunk):
            part = records[start : start + chunk]
            forced = force(generator, texts[start : start + chunk], budget, sampling, answer_tokens)
            results = client.verify(
                [
                    item_of(r, str(i), domain, f.completion)
                    for i, (r, f) in enumerate(zip(part, forced, strict=True))
                ],
                rewards=["accuracy"],
            )
            for record, f, result in zip(part, forced, results, strict=True):
                ok = result["status"] == "ok"
                rows.append(
                    {
                        "prompt": record.get("prompt"),
                        "budget": budget.label,
                        "completion": f.completion,
                        "thinking_tokens": f.thinking_tokens,
                        "waits_used": f.waits_used,
                        "capped": f.capped,
                        "accuracy": result["scores"].get("accuracy") if ok else None,
                    }
                )
            bar.update(len(part))
        scored = [row["accuracy"] for row in rows if row["accuracy"] is not None]
        report["budgets"][budget.label] = {
            "max_thinking": budget.max_thinking,
            "waits": budget.waits,
            "scored": len(scored),
            "accuracy": _mean(scored),
            "mean_thinking_tokens": _mean([r["thinking_tokens"] for r in rows]),
            "capped_share": _mean([r["capped"] for r in rows]),
            "mean_waits": _mean([r["waits_used"] for r in rows]),
        }
        samples += rows
    bar.close()
    return report, samples
