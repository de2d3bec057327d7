"""Scoring domains behind one interface; a new domain is one module and one line here."""

from __future__ import annotations

from .base import BadReference, Domain, InvalidReference, MissingReference, Verdict
from .maths import MathDomain

DOMAINS: dict[str, Domain] = {
    "math": MathDomain(),
}

__all__ = ["DOMAINS", "BadReference", "Domain", "InvalidReference", "MissingReference", "Verdict"]
