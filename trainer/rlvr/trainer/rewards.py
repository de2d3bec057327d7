"""TRL reward functions backed by the service: one function per score, one HTTP call per batch.

``GRPOTrainer`` calls each reward function with ``prompts``, ``completions`` and the
dataset's other columns as keyword arguments, and logs ``rewards/<__name__>/mean``.
:func:`service_rewards` returns one function per requested score; the first one called for
a batch sends the whole batch in one ``POST /verify`` and the others reuse the answer::

    accuracy, fmt = service_rewards(["accuracy", "format"], domain="math")
    trainer = GRPOTrainer(model, reward_funcs=[accuracy, fmt], ...)

Each item's reference comes from the dataset: a ``reference`` column (a dict) if present,
otherwise ``{"answer": <answer column>}`` (column name configurable). An item the service
cannot score gives ``None``, which TRL skips.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import Any

from .client import VerifierClient
from .items import item_of


def _completion(completion: Any) -> Any:
    """TRL passes strings, or chat lists ``[{"role": "assistant", "content": ...}]``."""
    if isinstance(completion, list):
        return [
            {"role": m.get("role", "assistant"), "content": m.get("content", "")}
            for m in completion
        ]
    return str(completion)


class _BatchScorer:
    """Scores a batch once for all the score functions that share it."""

    def __init__(
        self,
        client: VerifierClient,
        rewards: list[str],
        domain: str,
        answer_column: str,
        options: dict[str, Any] | None,
    ) -> None:
        self.client, self.rewards, self.domain = client, rewards, domain
        self.answer_column, self.options = answer_column, options
        self._lock = threading.Lock()
        self._key: str | None = None
        self._results: list[dict[str, Any]] = []

    def results(self, completions: Sequence[Any], columns: dict[str, Any]) -> list[dict[str, Any]]:
        items = self._items(completions, columns)
        # Keyed by content, not identity: a new batch may reuse a freed list's id.
        key = json.dumps(items, sort_keys=True, default=str)
        with self._lock:
            if key != self._key:
                self._results = self.client.verify(
                    items,
                    rewards=self.rewards,
                    weights={name: 1.0 for name in self.rewards},
                    options=self.options,
                )
                self._key = key
            return self._results

    def _items(self, completions: Sequence[Any], columns: dict[str, Any]) -> list[dict[str, Any]]:
        wanted = ("reference", self.answer_column, "domain")
        present = {name: columns[name] for name in wanted if columns.get(name) is not None}
        return [
            item_of(
                {name: values[i] for name, values in present.items()},
                str(i),
                self.domain,
                _completion(completion),
                self.answer_column,
            )
            for i, completion in enumerate(completions)
        ]


class ServiceReward:
    """One score from the service as a TRL reward function (picklable, stable ``__name__``)."""

    def __init__(self, scorer: _BatchScorer, score: str) -> None:
        self.scorer, self.score = scorer, score
        self.__name__ = score

    def __call__(
        self, prompts: Sequence[Any], completions: Sequence[Any], **columns: Any
    ) -> list[float | None]:
        results = self.scorer.results(completions, columns)
        return [r["scores"].get(self.score) if r["status"] == "ok" else None for r in results]

    def close(self) -> None:
        """Close the HTTP connection shared by the functions of one :func:`service_rewards`."""
        self.scorer.client.close()


def service_rewards(
    scores: Sequence[str] = ("accuracy", "format"),
    domain: str = "math",
    url: str | None = None,
    answer_column: str = "answer",
    options: dict[str, Any] | None = None,
) -> list[ServiceReward]:
    """One TRL reward function per score in ``scores``, sharing one request per batch."""
    scorer = _BatchScorer(VerifierClient(url), list(scores), domain, answer_column, options)
    return [ServiceReward(scorer, score) for score in scores]
