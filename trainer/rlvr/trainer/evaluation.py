"""pass@k and maj@k over a dataset of samples, through ``POST /vote``.

Input: JSONL of ``{"prompt", "completion", "reference", "domain"?}`` with the n samples of a
prompt on consecutive lines. Output: the mean pass@k and maj@k over prompts, per k.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

from .client import VerifierClient
from .jobs.resumable import read_jsonl


def evaluate(
    source: Path, client: VerifierClient, ks: Sequence[int] = (1,), domain: str = "math"
) -> dict[str, Any]:
    prompts = []
    for index, (_, group) in enumerate(groupby(read_jsonl(source), key=lambda r: r["prompt"])):
        samples = list(group)
        prompts.append(
            {
                "id": str(index),
                "domain": samples[0].get("domain", domain),
                "completions": [s["completion"] for s in samples],
                "reference": samples[0].get("reference"),
            }
        )
    results = [r for r in client.vote(prompts, k=ks) if r["status"] == "ok"]
    report: dict[str, Any] = {"prompts": len(prompts), "scored": len(results)}
    for name in ("pass_at_k", "maj_at_k"):
        report[name] = {
            str(k): sum(r[name][str(k)] for r in results if str(k) in r.get(name, {}))
            / max(1, sum(1 for r in results if str(k) in r.get(name, {})))
            for k in ks
        }
    return report
