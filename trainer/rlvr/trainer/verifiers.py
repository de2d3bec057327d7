"""verifiers (prime-rl's environments) backed by the service, for the v1 API (checked against
verifiers 0.4.0): a taskset whose rewards come from the service, and reward functions to plug
into any other taskset.

**The taskset** (package ``rlvr_verifiers``, id ``rlvr-verifiers``) reads a JSONL or Parquet
file of rows with a ``prompt`` (text or chat messages) and a reference (``reference``, verl's
``reward_model``, ``answer`` or ``solution``; a row's ``domain`` wins)::

    vf-eval rlvr-verifiers --env.taskset.path data/math.jsonl --env.taskset.task.url http://127.0.0.1:8000

Each rollout is scored with one ``POST /verify`` (rollouts scored together go as one
request): the metric ``rlvr`` records every score unweighted (``accuracy``, ``format``, …:
what the trainer logs), and the reward ``reward`` is the service's weighted reward
(``--env.taskset.task.weights``, default accuracy 0.9, format 0.1), so the trace's reward is
exactly the service's.

**Plugged into another taskset** (its task fields hold the reference; ``RLVR_URL``,
``RLVR_DOMAIN``, ``RLVR_WEIGHTS``, ``RLVR_OPTIONS`` configure them)::

    --env.taskset.task.rewards.rlvr.fn rlvr.trainer.verifiers:reward
    --env.taskset.task.metrics.rlvr_scores.fn rlvr.trainer.verifiers:scores

Both share one request per rollout. The completion is the trace's root reply, else its last
assistant message with any ``reasoning_content`` put back as ``<think>…</think>``.

**Unscorable** (no usable reference, the sandbox down) is verifiers' own "scoring did not
run": the functions raise :class:`Unscorable`, ``Task.score`` turns it into a ``TaskError``,
the rollout is marked errored (``trace.ok`` false) and its rewards stay ``None``, never 0.
A failure of the completion's own doing scores as the worst answer
(:mod:`rlvr.trainer.verdicts`). Unlike the classic API's rubrics (which turn any exception
into a silent 0.0), v1 keeps the difference.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from .errors import DataError, RlvrError
from .items import completion_of, plain, record_reference
from .per_sample import (
    DEFAULT_WEIGHTS,
    Verdict,
    env_options,
    env_url,
    env_weights,
    format_options,
    loop_coalescer,
    verdict_of,
)

_MEMO_SIZE = 4096
_memo: OrderedDict[str, dict[str, Any]] = OrderedDict()
_memo_lock = threading.Lock()


class Unscorable(RlvrError):
    """The rollout cannot be scored; verifiers records it as a scoring error."""


def trace_completion(trace: Any) -> str | list[dict[str, str]]:
    """What the model answered: the root reply, else the last sampled assistant message
    (its split-off reasoning put back)."""
    if getattr(trace, "root_reply", None) is not None:
        return str(trace.root_reply)
    messages = list(getattr(trace, "assistant_messages", None) or [])
    if not messages:
        return ""
    last = messages[-1]
    return completion_of([last.model_dump() if hasattr(last, "model_dump") else last])


def _fields(task: Any) -> dict[str, Any]:
    if hasattr(task, "model_dump"):
        fields: dict[str, Any] = task.model_dump()
        return fields
    return dict(task) if isinstance(task, Mapping) else {}


async def service_verdict(
    task: Any,
    trace: Any,
    *,
    url: str | None = None,
    domain: str = "math",
    weights: Mapping[str, float] | None = None,
    options: Mapping[str, Any] | None = None,
    answer_column: str | None = None,
) -> Verdict:
    """The verdict on ``trace``'s reply to ``task``, asked once per rollout however many
    functions want it (a completed answer is remembered by its content)."""
    fields = _fields(task)
    weights = dict(weights or DEFAULT_WEIGHTS)
    names = list(weights) if "accuracy" in weights else ["accuracy", *weights]
    chosen = format_options(fields.get("prompt"), options)
    item = {
        "id": str(fields.get("id") or fields.get("idx") or ""),
        "domain": str(plain(fields.get("domain")) or domain),
        "completion": trace_completion(trace),
        "reference": record_reference(fields, answer_column),
    }
    key = json.dumps([url, item, names, weights, chosen], sort_keys=True, default=str)
    with _memo_lock:
        result = _memo.get(key)
    if result is None:
        result = await loop_coalescer(url).verify(item, names, weights, chosen)
        with _memo_lock:
            _memo[key] = result
            while len(_memo) > _MEMO_SIZE:
                _memo.popitem(last=False)
    verdict = verdict_of(result, weights, names, chosen)
    if verdict.unscorable:
        raise Unscorable(f"rlvr cannot score this rollout ({verdict.reason})")
    return verdict


async def reward(task: Any, trace: Any) -> float:
    """A reward function to plug: the service's weighted reward."""
    verdict = await service_verdict(
        task, trace, url=env_url(), weights=env_weights(), options=env_options()
    )
    assert verdict.reward is not None  # an unscorable verdict raised
    return verdict.reward


async def scores(task: Any, trace: Any) -> dict[str, float]:
    """A metric function to plug: every score, unweighted."""
    verdict = await service_verdict(
        task, trace, url=env_url(), weights=env_weights(), options=env_options()
    )
    return dict(verdict.scores or {})


def read_rows(path: str | Path) -> Iterator[dict[str, Any]]:
    """The rows of a ``.jsonl`` or ``.parquet`` file."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file (the taskset's `path`)")
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        yield from pq.read_table(path).to_pylist()
        return
    with path.open() as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise DataError(f"{path}:{number}: not JSON ({exc})") from None
            if not isinstance(row, dict):
                raise DataError(f"{path}:{number}: a row must be a JSON object")
            yield row


@cache
def taskset_class() -> type[Any]:
    """``RlvrTaskset``, built on first use (verifiers is imported only then)."""
    from .verifiers_taskset import build

    return build()
