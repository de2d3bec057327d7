"""Scoring domains behind one interface; a new domain is one module and one line here."""

from __future__ import annotations

from collections.abc import Mapping

from .base import CannotScore, Domain, InvalidReference, MissingReference, Verdict
from .logic import LogicDomain
from .maths import MathConfig, MathDomain
from .science import ScienceDomain

# The registry items are scored with; defaults until install() replaces entries.
DOMAINS: dict[str, Domain] = {
    "math": MathDomain(),
    "science": ScienceDomain(),
    "logic": LogicDomain(),
}


def install(domains: Mapping[str, Domain]) -> None:
    """Put configured domains in the registry (each worker does so when it starts)."""
    DOMAINS.update(domains)


__all__ = [
    "DOMAINS",
    "CannotScore",
    "Domain",
    "InvalidReference",
    "MathConfig",
    "MathDomain",
    "MissingReference",
    "Verdict",
    "install",
]
