"""Shared objects the routes need, held on ``app.state`` by :func:`rlvr.verifier.app.create_app`."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from rlvr.sandbox.pool import SandboxPool

from ..metrics import Metrics
from ..settings import Settings
from ..workers import ScoringPool


@dataclass
class Services:
    settings: Settings
    pool: ScoringPool
    metrics: Metrics
    sandbox: SandboxPool | None = None


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services
