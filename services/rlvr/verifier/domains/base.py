"""The interface every scoring domain implements: extract → compare → score.

A domain turns one completion and its reference into a :class:`Verdict`. It never
sees HTTP, weights or other rewards; :mod:`rlvr.verifier.scoring` combines those.

Domains whose completions end in one short final answer (math, science, logic) are
answer domains (:class:`AnswerDomain`) as well: they take a request's
:class:`AnswerOptions`, and they answer the questions majority voting asks — what a
completion's answer is, and whether two answers are the same — so that ``/vote``
clusters with the very extraction and settings ``/verify`` scores with. A domain that
is not one (code) does not vote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeGuard, runtime_checkable

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


@dataclass(frozen=True)
class AnswerOptions:
    """A request's choices for domains that read a final answer.

    ``strict``: only ``<answer>`` tags and ``\\boxed{}`` count (R1's own rule); ``None``
    keeps the server's setting. ``judge``: ask the configured LLM judge where the rules
    gave 0 or found no answer (math and science; off unless the server has a judge).
    """

    strict: bool | None = None
    judge: bool = False


@runtime_checkable
class AnswerDomain(Domain, Protocol):
    """A domain whose completions commit to one short final answer."""

    def verify(
        self, completion: str, reference: Mapping[str, Any], options: AnswerOptions | None = None
    ) -> Verdict:
        """As :meth:`Domain.verify`, under a request's answer options."""
        ...

    def answer(
        self,
        completion: str,
        reference: Mapping[str, Any] | None = None,
        options: AnswerOptions | None = None,
    ) -> str | None:
        """The answer ``completion`` commits to, as :meth:`verify` reads it; ``None`` for no
        answer or a hedge. With a ``reference``, read as its gold wants (a list of
        solutions stays one answer when the gold lists several)."""
        ...

    def same_answer(self, a: str, b: str) -> bool:
        """Whether two answers given by :meth:`answer` are one vote."""
        ...


def votes(domain: Domain) -> TypeGuard[AnswerDomain]:
    """Whether ``domain`` takes part in majority voting (it answers voting's questions)."""
    return isinstance(domain, AnswerDomain)


def verify_with(
    domain: Domain, completion: str, reference: Mapping[str, Any], options: AnswerOptions
) -> Verdict:
    """``domain.verify``, with the request's answer options where the domain takes them."""
    if isinstance(domain, AnswerDomain):
        return domain.verify(completion, reference, options)
    return domain.verify(completion, reference)
