"""Build the service's parts once, from plain settings: domains, the default scoring plan,
item limits. The app hands the same objects to every route, adapter route and worker.

>>> parts = build_parts(Settings(workers=1))
>>> sorted(parts.domains), parts.plan.rewards
(['logic', 'math', 'science'], ('accuracy', 'format'))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .batch import ItemLimits
from .domains import Domain, MathConfig, build_domains
from .domains.fmt import FormatOptions
from .domains.maths.extract import ExtractionConfig
from .scoring import ScoringPlan
from .settings import Settings


@dataclass(frozen=True)
class Parts:
    """What scoring needs, built from settings; immutable, shared by every caller."""

    domains: Mapping[str, Domain]  # the worker-process domains (code joins at app start)
    plan: ScoringPlan  # the server's defaults; a request may override rewards and weights
    limits: ItemLimits


def build_parts(settings: Settings) -> Parts:
    extraction = ExtractionConfig(
        fallback_patterns=settings.math_fallback_patterns, strict=settings.math_strict
    )
    math = MathConfig(
        extraction=extraction, reject_hedging=settings.math_reject_hedging, judge=settings.judge()
    )
    plan = ScoringPlan(
        rewards=settings.default_rewards,
        weights=dict(settings.default_weights),  # plain: plans travel to workers by pickle
        format_options=FormatOptions(),
        soft_timeout_s=settings.item_timeout_s,
    )
    limits = ItemLimits(
        max_completion_chars=settings.max_completion_chars,
        max_reference_chars=settings.max_reference_chars,
        max_id_chars=settings.max_id_chars,
    )
    return Parts(MappingProxyType(build_domains(math)), plan, limits)
