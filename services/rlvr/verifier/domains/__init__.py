"""Scoring domains behind one interface; a new domain is one module and one line here.

There is no process-wide registry: the app builds its domains once from settings
(:func:`build_domains`) and hands the mapping to every route and, at start, to every
worker process, so two apps (or two tests) in one process never see each other's.
"""

from __future__ import annotations

from .base import CannotScore, Domain, InvalidReference, MissingReference, Verdict
from .logic import LogicDomain
from .maths import MathConfig, MathDomain
from .science import ScienceDomain


def build_domains(math: MathConfig | None = None) -> dict[str, Domain]:
    """The domains scored in worker processes (CPU-bound, picklable), by name.

    The code domain is added by the app once its sandbox runs (see ``sandboxes.py``).

    >>> sorted(build_domains())
    ['logic', 'math', 'science']
    """
    math_domain = MathDomain(math or MathConfig())
    return {
        "math": math_domain,
        "science": ScienceDomain(math_domain),
        "logic": LogicDomain(),
    }


__all__ = [
    "CannotScore",
    "Domain",
    "InvalidReference",
    "MathConfig",
    "MathDomain",
    "MissingReference",
    "Verdict",
    "build_domains",
]
