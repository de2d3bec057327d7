"""Read a validated batch: check limits, find the distinct jobs; and build the results.

GRPO batches repeat themselves (a group shares a prompt and often an answer), so
items with the same (domain, completion, reference, num_tokens) are scored once and
the result is copied to each of them. Every distinct item is its own task, so one
slow item holds one worker and delays nothing else. Every item gets exactly one
result, in order.

:func:`prepare` and :func:`results` are CPU work, run on a thread for large batches;
:mod:`.gather` reads the items of several concurrent requests as one batch with
:func:`prepare`, and :mod:`.claims` waits for the scoring.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from .schemas import InvalidItem, VerifyItem, VerifyResult
from .scoring import Job, Outcome
from .vocabulary import ErrorCode


@dataclass(frozen=True)
class ItemLimits:
    max_completion_chars: int
    max_reference_chars: int
    max_id_chars: int


@dataclass
class Batch:
    """A request's items, read: ids, the results known before scoring, the distinct jobs."""

    ids: list[str | None]
    known: dict[int, tuple[str, Outcome]] = field(default_factory=dict)  # → (domain, outcome)
    jobs: list[Job] = field(default_factory=list)
    positions: list[list[int]] = field(default_factory=list)  # per job, the items sharing it
    keys: list[Hashable] = field(default_factory=list)  # per job: equal for identical jobs


def _reference_key(reference: object) -> str:
    # default=str: numbers too long for Python's int() arrive as text-like values
    return json.dumps(reference, sort_keys=True, default=str)


def prepare(items: Sequence[VerifyItem | InvalidItem], limits: ItemLimits) -> Batch:
    """Read the items: reject what cannot be scored, group identical jobs."""
    batch = Batch(ids=[item.id for item in items])
    index: dict[tuple[str, str, str, int | None, int | None], int] = {}
    for position, item in enumerate(items):
        if isinstance(item, InvalidItem):
            batch.known[position] = (
                "unknown",
                Outcome.failed(ErrorCode.INVALID_ITEM, item.message),
            )
            continue
        if len(item.id) > limits.max_id_chars:
            message = f"id is longer than {limits.max_id_chars} chars"
            batch.known[position] = (item.domain, Outcome.failed(ErrorCode.ITEM_TOO_LARGE, message))
            continue
        try:
            reference_key = _reference_key(item.reference)
        except (ValueError, RecursionError):
            message = "the reference cannot be read back as JSON"
            batch.known[position] = (
                item.domain,
                Outcome.failed(ErrorCode.INVALID_REFERENCE, message),
            )
            continue
        if len(reference_key) > limits.max_reference_chars:
            message = f"reference is longer than {limits.max_reference_chars} chars"
            batch.known[position] = (
                item.domain,
                Outcome.failed(ErrorCode.INVALID_REFERENCE, message),
            )
            continue
        text = item.text
        # Over the size limit: the completion's fault; its text is not even sent to a worker.
        oversize = len(text) if len(text) > limits.max_completion_chars else None
        if oversize is not None:
            text = ""
        key = (item.domain, text, reference_key, item.num_tokens, oversize)
        job_index = index.get(key)
        if job_index is None:
            index[key] = job_index = len(batch.jobs)
            batch.keys.append(key)
            batch.jobs.append(Job(item.domain, text, item.reference, item.num_tokens, oversize))
            batch.positions.append([])
        batch.positions[job_index].append(position)
    return batch


def results(ids: Sequence[str | None], outcomes: Sequence[Outcome | None]) -> list[VerifyResult]:
    """One result per item, in order; an item left without an outcome says so."""
    missing = Outcome.failed(ErrorCode.INTERNAL_ERROR, "no result was produced for this item")
    return [
        VerifyResult.of(item_id, outcome if outcome is not None else missing)
        for item_id, outcome in zip(ids, outcomes, strict=True)
    ]
