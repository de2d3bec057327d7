"""The interface every scoring domain implements: extract → compare → score.

A domain turns one completion and its reference into a :class:`Verdict`. It never
sees HTTP, weights or other rewards; :mod:`rlvr.verifier.scoring` combines those.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..vocabulary import ErrorCode


class CannotScore(Exception):
    """The item cannot be scored at all: a bad reference, a sandbox that is down….

    Raising one of these yields ``status: error`` and ``reward: null`` so a trainer
    skips the item instead of punishing a model that may well be right.
    """

    code = ErrorCode.INVALID_REFERENCE


class InvalidReference(CannotScore):
    """The reference exists but cannot be used (e.g. an unparseable gold answer)."""

    code = ErrorCode.INVALID_REFERENCE


class MissingReference(CannotScore):
    """The domain needs a reference and the item has none, or lacks a required field."""

    code = ErrorCode.MISSING_REFERENCE


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing one completion with its reference.

    ``accuracy`` is in [0, 1]; ``extracted`` is the answer text the domain found
    (``None`` when there was none); ``details`` explains the decision; ``scores``
    holds the domain's other scores (e.g. ``pass_rate``).
    """

    accuracy: float
    extracted: str | None
    details: dict[str, Any] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)


class Domain(Protocol):
    """A scoring domain: a stateless object with a name and a ``verify`` method."""

    @property
    def name(self) -> str:
        """The value of an item's ``domain`` field that selects this domain."""
        ...

    @property
    def waits_on_io(self) -> bool:
        """True when scoring waits on something else (a sandbox) rather than on the CPU:
        such items are scored on threads of the service, not in worker processes."""
        ...

    def verify(self, completion: str, reference: Mapping[str, Any]) -> Verdict:
        """Score ``completion`` against ``reference``.

        Raises :class:`CannotScore` subclasses when the reference is unusable.
        """
        ...
