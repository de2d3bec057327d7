"""Shared objects the routes need, held on ``app.state`` by :func:`rlvr.verifier.app.create_app`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fastapi import Request

from rlvr.sandbox.pool import SandboxPool

from ..batch import ItemLimits
from ..domains.base import AnswerOptions
from ..domains.fmt import FormatOptions
from ..errors import ApiError
from ..metrics import Metrics
from ..scoring import ScoringPlan
from ..settings import Settings
from ..workers import ScoringPool


@dataclass
class Services:
    settings: Settings
    pool: ScoringPool
    metrics: Metrics
    sandbox: SandboxPool | None = None

    def plan(
        self,
        rewards: Sequence[str] | None = None,
        weights: Mapping[str, float] | None = None,
        options: FormatOptions | None = None,
        answer: AnswerOptions | None = None,
    ) -> ScoringPlan:
        """What to score, from a request's choices or else the server's defaults."""
        return ScoringPlan(
            rewards=tuple(rewards) if rewards else self.settings.default_rewards,
            weights=dict(weights) if weights is not None else self.settings.default_weights,
            format_options=options or FormatOptions(),
            soft_timeout_s=self.settings.item_timeout_s,
            answer_options=answer or AnswerOptions(),
        )

    def check_count(self, count: int, what: str) -> None:
        """Refuse a request with more than ``max_items`` entries (413 too_many_items)."""
        limit = self.settings.max_items
        if count > limit:
            raise ApiError(
                413, "too_many_items", f"{count} {what}; the limit is {limit}: split the batch"
            )

    @property
    def limits(self) -> ItemLimits:
        settings = self.settings
        return ItemLimits(
            settings.max_completion_chars, settings.max_reference_chars, settings.max_id_chars
        )


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services
