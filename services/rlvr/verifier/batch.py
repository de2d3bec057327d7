"""Turn a validated batch into results: check limits, score each distinct item once, fan out.

GRPO batches repeat themselves (a group shares a prompt and often an answer), so
items with the same (domain, completion, reference, num_tokens) are scored once and
the result is copied to each of them; distinct items that share a reference go to
a worker together. Every item gets exactly one result, in order.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .metrics import Metrics
from .schemas import InvalidItem, VerifyItem
from .scoring import Job, Outcome, ScoringPlan
from .workers import ScoringPool


@dataclass(frozen=True)
class ItemLimits:
    max_completion_chars: int
    max_reference_chars: int
    max_id_chars: int
    max_group: int = 16  # distinct items of one reference sent to a worker as one task


def _oversize(item: VerifyItem, limits: ItemLimits, reference_json: str) -> Outcome | None:
    if len(item.id) > limits.max_id_chars:
        return Outcome.failed("item_too_large", f"id is longer than {limits.max_id_chars} chars")
    if len(item.text) > limits.max_completion_chars:
        return Outcome.failed(
            "item_too_large",
            f"completion has {len(item.text)} chars; the limit is {limits.max_completion_chars}",
        )
    if len(reference_json) > limits.max_reference_chars:
        return Outcome.failed(
            "item_too_large", f"reference is longer than {limits.max_reference_chars} chars"
        )
    return None


def _result(item_id: str | None, outcome: Outcome) -> dict[str, Any]:
    error = None
    if outcome.error is not None:
        error = {"code": outcome.error.code, "message": outcome.error.message}
    return {
        "id": item_id,
        "reward": outcome.reward,
        "status": outcome.status,
        "scores": outcome.scores,
        "extracted": outcome.extracted,
        "details": outcome.details,
        "elapsed_ms": round(outcome.elapsed_s * 1000, 3),
        "error": error,
    }


def _groups(
    distinct: dict[tuple[str, str, str, int | None], tuple[Job, list[int]]], max_group: int
) -> list[list[tuple[Job, list[int]]]]:
    """Distinct jobs grouped by (domain, reference), split into groups of at most ``max_group``."""
    by_reference: dict[tuple[str, str], list[tuple[Job, list[int]]]] = {}
    for (domain, _, reference_json, _), entry in distinct.items():
        by_reference.setdefault((domain, reference_json), []).append(entry)
    return [
        entries[i : i + max_group]
        for entries in by_reference.values()
        for i in range(0, len(entries), max_group)
    ]


async def verify_items(
    items: Sequence[VerifyItem | InvalidItem],
    plan: ScoringPlan,
    pool: ScoringPool,
    limits: ItemLimits,
    metrics: Metrics,
) -> list[dict[str, Any]]:
    """Score ``items`` and return one result dict per item, in the same order."""
    results: list[dict[str, Any] | None] = [None] * len(items)
    # key → (job, positions of the items that share it)
    distinct: dict[tuple[str, str, str, int | None], tuple[Job, list[int]]] = {}
    for position, item in enumerate(items):
        if isinstance(item, InvalidItem):
            results[position] = _result(item.id, Outcome.failed("invalid_item", item.message))
            metrics.observe("unknown", "error", 0.0)
            continue
        reference_json = json.dumps(item.reference, sort_keys=True)
        rejected = _oversize(item, limits, reference_json)
        if rejected is not None:
            results[position] = _result(item.id, rejected)
            metrics.observe(item.domain, "error", 0.0)
            continue
        key = (item.domain, item.text, reference_json, item.num_tokens)
        if key not in distinct:
            distinct[key] = (Job(item.domain, item.text, item.reference, item.num_tokens), [])
        distinct[key][1].append(position)

    async def run(group: list[tuple[Job, list[int]]]) -> None:
        outcomes = await pool.score([job for job, _ in group], plan)
        for (job, positions), outcome in zip(group, outcomes, strict=True):
            metrics.observe(job.domain, outcome.status, outcome.elapsed_s, count=len(positions))
            metrics.observe_judge(job.domain, outcome.details.get("judge"), count=len(positions))
            for position in positions:
                results[position] = _result(items[position].id, outcome)

    await asyncio.gather(*(run(group) for group in _groups(distinct, limits.max_group)))
    missing = Outcome.failed("internal_error", "no result was produced for this item")
    return [
        result if result is not None else _result(items[i].id, missing)
        for i, result in enumerate(results)
    ]
