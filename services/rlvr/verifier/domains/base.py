"""The interface every scoring domain implements: extract → compare → score.

A domain turns one completion and its reference into a :class:`Verdict`. It never
sees HTTP, weights or other rewards; :mod:`rlvr.verifier.scoring` combines those.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


class BadReference(Exception):
    """Base for problems with the *reference*: the item cannot be scored at all.

    Raising one of these yields ``status: error`` and ``reward: null`` so a trainer
    skips the item instead of punishing a model that may well be right.
    """

    code = "invalid_reference"


class InvalidReference(BadReference):
    """The reference exists but cannot be used (e.g. an unparseable gold answer)."""

    code = "invalid_reference"


class MissingReference(BadReference):
    """The domain needs a reference and the item has none, or lacks a required field."""

    code = "missing_reference"


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing one completion with its reference.

    ``accuracy`` is in [0, 1]; ``extracted`` is the answer text the domain found
    (``None`` when there was none); ``details`` explains the decision.
    """

    accuracy: float
    extracted: str | None
    details: dict[str, Any] = field(default_factory=dict)


class Domain(Protocol):
    """A scoring domain: a stateless object with a name and a ``verify`` method."""

    @property
    def name(self) -> str:
        """The value of an item's ``domain`` field that selects this domain."""
        ...

    def verify(self, completion: str, reference: Mapping[str, Any]) -> Verdict:
        """Score ``completion`` against ``reference``.

        Raises :class:`BadReference` subclasses when the reference is unusable.
        """
        ...
