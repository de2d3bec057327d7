"""TRL reward functions backed by the service (checked against TRL 1.16's ``GRPOTrainer``
and ``AsyncGRPOTrainer``): one function per score, one ``POST /verify`` per batch.

::

    accuracy, fmt = service_rewards(["accuracy", "format"], domain="math")
    trainer = GRPOTrainer(model, reward_funcs=[accuracy, fmt], reward_weights=[1.0, 0.1], ...)

TRL calls each function with ``prompts``, ``completions``, ``completion_ids`` and the dataset's
other columns, and logs ``rewards/<__name__>/mean``. The first function called for a batch
sends it (with ``/analyze`` too when ``behaviours=True``); its siblings, sync or async, in
order or at once, share that one request. What they send and return:

- the item: :func:`rlvr.trainer.items.item_of` on the row (``reference``, verl's
  ``reward_model``, else the ``answer``/``solution`` column; the row's ``domain``), the
  completion with any split-off ``reasoning_content`` put back as ``<think>…</think>``, and
  ``num_tokens`` from ``completion_ids`` (length scores count tokens, not words);
- the value: the score, ``None`` when the item is unscorable (TRL leaves the row out when every
  function says ``None``), the worst value when the completion caused the failure (a timeout
  must not beat a wrong answer);
- the logs, through TRL's ``log_metric``/``log_extra`` when it passes them: ``rlvr/unscorable``
  and ``rlvr/failed`` (shares of the batch), ``behaviour/<name>`` (mean ``/analyze`` counts),
  and the ``rlvr/extracted`` and ``rlvr/status`` columns of the completions table.

``service_rewards(..., asynchronous=True)`` gives ``async`` functions, which TRL gathers
concurrently. Either kind pickles (AsyncGRPOTrainer scores in a spawned process) and works
in a notebook: requests run on the client's own event-loop thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .client import VerifierClient
from .items import ANSWER_COLUMNS, item_of
from .verdicts import completion_failed, is_unscorable, trainer_scores

BEHAVIOURS = ("verification", "subgoal_setting", "backtracking", "backward_chaining")
# the columns a record's reference may come from (items.py); the prompt serves HumanEval's
# test setup, and TRL hands it over as ``prompts``, not as a column
_RECORD_COLUMNS = (
    "reference",
    "reward_model",
    "domain",
    *ANSWER_COLUMNS,
    "test",
    "entry_point",
    "prompt",
)
_KEEP_BATCHES = 32  # batches in flight at once (AsyncGRPOTrainer scores groups concurrently)

Results = list[dict[str, Any]]


class _Batch:
    def __init__(self, future: concurrent.futures.Future[tuple[Results, Results]]) -> None:
        self.future, self.readers, self.logged = future, 0, False


class BatchScorer:
    """Scores a batch once for all the functions of one :func:`service_rewards` call."""

    def __init__(
        self,
        client: VerifierClient,
        scores: Sequence[str],
        domain: str = "math",
        answer_column: str | None = None,
        options: dict[str, Any] | None = None,
        weights: Mapping[str, float] | None = None,
        behaviours: bool = False,
    ) -> None:
        self.client, self.scores, self.domain = client, list(scores), domain
        self.answer_column, self.options, self.behaviours = answer_column, options, behaviours
        self.weights = {name: float((weights or {}).get(name, 1.0)) for name in self.scores}
        self._setup()

    def _setup(self) -> None:
        self._lock = threading.Lock()
        self._batches: OrderedDict[str, _Batch] = OrderedDict()

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("_lock", "_batches")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup()

    def items(self, completions: Sequence[Any], columns: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The ``/verify`` items of a TRL batch."""
        wanted = [c for c in (*_RECORD_COLUMNS, self.answer_column) if c and c in columns]
        present = {name: columns[name] for name in wanted if columns[name] is not None}
        ids = columns.get("completion_ids")
        return [
            item_of(
                {name: values[i] for name, values in present.items()},
                str(i),
                self.domain,
                completion,
                self.answer_column,
                num_tokens=len(ids[i]) if ids is not None and ids[i] is not None else None,
            )
            for i, completion in enumerate(completions)
        ]

    async def _fetch(self, items: list[dict[str, Any]]) -> tuple[Results, Results]:
        aio = self.client.aio
        verified = aio.verify(items, self.scores, self.weights, self.options)
        if not self.behaviours:
            return await verified, []
        completions = [item["completion"] for item in items]
        results, analysed = await asyncio.gather(verified, aio.analyze(completions))
        return results, analysed

    def batch(
        self, completions: Sequence[Any], columns: Mapping[str, Any]
    ) -> tuple[concurrent.futures.Future[tuple[Results, Results]], Callable[[], None]]:
        """The batch's future results (one request however many functions ask), and a
        function to call once they are in, which logs them the first time."""
        items = self.items(completions, columns)
        # Keyed by content, not identity: a new batch may reuse a freed list's id.
        text = json.dumps(items, sort_keys=True, default=str).encode()
        key = hashlib.sha256(text).hexdigest()
        with self._lock:
            entry = self._batches.get(key)
            if entry is None:
                entry = _Batch(self.client.submit(self._fetch(items)))
                self._batches[key] = entry
                while len(self._batches) > _KEEP_BATCHES:
                    self._batches.popitem(last=False)
            entry.readers += 1
            if entry.readers >= len(self.scores):  # every sibling has it: a repeat is new
                self._batches.pop(key, None)

        def log() -> None:
            with self._lock:
                first, entry.logged = not entry.logged, True
            if first:
                self._log(*entry.future.result(), columns)

        return entry.future, log

    def _log(self, results: Results, analysed: Results, columns: Mapping[str, Any]) -> None:
        log_metric, log_extra = columns.get("log_metric"), columns.get("log_extra")
        if callable(log_metric) and results:
            unscorable = sum(is_unscorable(r) for r in results)
            failed = sum(completion_failed(r) for r in results)
            log_metric("rlvr/unscorable", unscorable / len(results))
            log_metric("rlvr/failed", failed / len(results))
            for behaviour in BEHAVIOURS if analysed else ():
                counts = [a["counts"].get(behaviour, 0) for a in analysed]
                log_metric(f"behaviour/{behaviour}", sum(counts) / len(counts))
        if callable(log_extra) and results:
            log_extra("rlvr/extracted", [r.get("extracted") for r in results])
            log_extra("rlvr/status", [r.get("status") for r in results])

    def values(self, results: Results, score: str) -> list[float | None]:
        weights = {score: self.weights[score]}
        out: list[float | None] = []
        for result in results:
            scores = trainer_scores(result, [score], weights, self.options)
            out.append(None if scores is None else scores[score])
        return out


class ServiceReward:
    """One score from the service as a TRL reward function (picklable, stable ``__name__``)."""

    def __init__(self, scorer: BatchScorer, score: str) -> None:
        self.scorer, self.score = scorer, score
        self.__name__ = score

    def __call__(
        self, prompts: Sequence[Any], completions: Sequence[Any], **columns: Any
    ) -> list[float | None]:
        future, log = self.scorer.batch(completions, {"prompt": prompts, **columns})
        results, _ = future.result()
        log()
        return self.scorer.values(results, self.score)

    def close(self) -> None:
        """Close the connections shared by the functions of one :func:`service_rewards`."""
        self.scorer.client.close()


class AsyncServiceReward(ServiceReward):
    """The same, as a coroutine function (TRL awaits async reward functions concurrently)."""

    async def __call__(  # type: ignore[override]
        self, prompts: Sequence[Any], completions: Sequence[Any], **columns: Any
    ) -> list[float | None]:
        future, log = self.scorer.batch(completions, {"prompt": prompts, **columns})
        results, _ = await asyncio.wrap_future(future)
        log()
        return self.scorer.values(results, self.score)


def service_rewards(
    scores: Sequence[str] | Mapping[str, float] = ("accuracy", "format"),
    domain: str = "math",
    url: str | Sequence[str] | None = None,
    answer_column: str | None = None,
    options: dict[str, Any] | None = None,
    behaviours: bool = False,
    asynchronous: bool = False,
    client: VerifierClient | None = None,
) -> list[ServiceReward]:
    """One TRL reward function per score, sharing one request per batch.

    ``scores`` may map each score to its weight (the sign says which end of a score is the
    worst); ``answer_column`` defaults to ``answer``, then ``solution``; ``options`` are the
    format options (e.g. ``{"think_in_prompt": True}``); ``behaviours`` logs the ``/analyze``
    counts.
    """
    weights = dict(scores) if isinstance(scores, Mapping) else None
    scorer = BatchScorer(
        client or VerifierClient(url),
        list(scores),
        domain,
        answer_column,
        options,
        weights,
        behaviours,
    )
    kind = AsyncServiceReward if asynchronous else ServiceReward
    return [kind(scorer, score) for score in scorer.scores]
