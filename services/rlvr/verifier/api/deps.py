"""Shared objects the routes need, built once by :func:`rlvr.verifier.app.create_app` and held
on ``app.state``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from fastapi import Request

from rlvr.sandbox.pool import SandboxPool

from ..admission import Admission
from ..batch import ItemLimits
from ..dispatch import Scorer
from ..domains import Domain
from ..domains.base import AnswerOptions
from ..domains.fmt import FormatOptions
from ..drain import Drain
from ..errors import ApiError
from ..gather import Gatherer
from ..metrics import Metrics
from ..scoring import ScoringPlan
from ..settings import Settings
from ..vocabulary import ErrorCode
from ..workers import WorkerPool


@dataclass(frozen=True)
class Services:
    """The app's parts: every route and adapter route scores through these, never its own."""

    settings: Settings
    domains: Mapping[str, Domain]  # every domain, code included when its sandbox runs
    default_plan: ScoringPlan
    limits: ItemLimits
    pool: WorkerPool
    scorer: Scorer
    metrics: Metrics
    drain: Drain
    admission: Admission
    gatherer: Gatherer  # every /verify, /openrlhf and /slime item is scored through it
    sandbox: SandboxPool | None = None

    def plan(
        self,
        rewards: Sequence[str] | None = None,
        weights: Mapping[str, float] | None = None,
        options: FormatOptions | None = None,
        answer: AnswerOptions | None = None,
    ) -> ScoringPlan:
        """What to score, from a request's choices or else the server's defaults."""
        plan = self.default_plan
        return replace(
            plan,
            rewards=tuple(rewards) if rewards else plan.rewards,
            weights=dict(weights) if weights is not None else plan.weights,
            format_options=options or plan.format_options,
            answer_options=answer or plan.answer_options,
        )

    def check_count(self, count: int, what: str) -> None:
        """Refuse a request with more than ``max_items`` entries (413 too_many_items)."""
        limit = self.settings.max_items
        if count > limit:
            raise ApiError(
                ErrorCode.TOO_MANY_ITEMS, f"{count} {what}; the limit is {limit}: split the batch"
            )


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services
