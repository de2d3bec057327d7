"""Rejection sampling and pass-rate filtering through the verifier.

Input records: ``{"prompt", "completion", "reference", "domain"?, ...}``, the k samples of
a prompt on consecutive lines (as ``generate`` writes them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from ..client import VerifierClient
from ..items import item_of
from .records import Record
from .resumable import Group

Keep = Literal["all", "shortest", "one"]
# Fields of one sample (as ``generate`` writes them), not of its prompt.
PER_SAMPLE = {"completion", "sample_index", "finish_reason", "completion_tokens", "scores"}


def _score(
    client: VerifierClient, groups: Sequence[Group], domain: str, rewards: list[str]
) -> list[list[dict[str, Any]]]:
    """Results for every record, grouped like the input."""
    items = [
        item_of(record, f"{g}:{i}", domain)
        for g, group in enumerate(groups)
        for i, record in enumerate(group)
    ]
    results = iter(client.verify(items, rewards=rewards, weights={name: 1.0 for name in rewards}))
    return [[next(results) for _ in group] for group in groups]


def rejection_sample(
    groups: Sequence[Group],
    client: VerifierClient,
    domain: str = "math",
    keep: Keep = "all",
    require_format: bool = False,
    min_language: float | None = None,
) -> list[Record]:
    """Correct completions only (as R1 built its reasoning SFT data): all of them, the
    shortest per prompt, or the first per prompt; optionally only well-formatted ones and
    ones whose reasoning is mostly in the target language."""
    rewards = ["accuracy", "format", "language_consistency"]
    kept: list[Record] = []
    for group, results in zip(groups, _score(client, groups, domain, rewards), strict=True):
        good = []
        for record, result in zip(group, results, strict=True):
            scores = result["scores"]
            if result["status"] != "ok" or scores.get("accuracy") != 1.0:
                continue
            if require_format and scores.get("format") != 1.0:
                continue
            if min_language is not None and scores.get("language_consistency", 0) < min_language:
                continue
            good.append({**record, "scores": scores})
        if keep == "shortest" and good:
            good = [min(good, key=lambda r: len(r["completion"]))]
        elif keep == "one":
            good = good[:1]
        kept.extend(good)
    return kept


def pass_rate_filter(
    groups: Sequence[Group],
    client: VerifierClient,
    domain: str = "math",
    low: float = 0.0,
    high: float = 1.0,
    exclusive: bool = True,
) -> list[Record]:
    """One record per prompt whose pass rate over its samples lies in the band; with
    ``exclusive`` (default) the always-solved and never-solved prompts are dropped."""
    kept: list[Record] = []
    for group, results in zip(groups, _score(client, groups, domain, ["accuracy"]), strict=True):
        scored = [r for r in results if r["status"] == "ok"]
        if not scored:
            continue
        rate = sum(r["scores"]["accuracy"] for r in scored) / len(scored)
        inside = low < rate < high if exclusive else low <= rate <= high
        if inside:
            first = {k: v for k, v in group[0].items() if k not in PER_SAMPLE}
            kept.append({**first, "pass_rate": rate, "samples": len(scored)})
    return kept
