"""Service settings: defaults embedded here, overridable by ``RLVR_*`` environment variables.

Settings are plain values, built by :func:`get_settings` when the app starts, never at
import, so tests and tools can build apps with their own values; :mod:`.parts` turns
them into the service's parts, once.

>>> Settings(workers=1).port
8000
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .domains.maths.extract import DEFAULT_FALLBACK_PATTERNS
from .judge import JudgeConfig
from .scoring import REWARD_NAMES
from .vocabulary import Score


def _default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


class Settings(BaseSettings):
    """Every knob of the service. Environment: ``RLVR_<NAME>`` (e.g. ``RLVR_WORKERS=4``)."""

    model_config = SettingsConfigDict(env_prefix="RLVR_", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    log_level: str = "info"

    workers: int = Field(default_factory=_default_workers, ge=1, le=256)
    item_timeout_s: float = Field(
        10.0, gt=0, description="the time budget of one item, in every domain (code: compile+tests)"
    )
    kill_grace_s: float = Field(2.0, gt=0, description="hard limit = soft limit + this")
    worker_max_tasks: int = Field(10_000, ge=1, description="tasks before a worker is replaced")
    worker_max_rss_mb: int = Field(
        1024, ge=64, description="resident memory above which a worker is replaced"
    )
    drain_timeout_s: float = Field(
        120.0, ge=0, description="on SIGTERM, how long in-flight requests may take to finish"
    )

    gather_ms: float = Field(
        5.0,
        ge=0,
        le=1000,
        description="how long a small scoring request waits for concurrent ones with the same "
        "plan, to be scored as one batch (0: never)",
    )
    gather_max_items: int = Field(
        64, ge=1, description="a request with more items is a batch already: it never waits"
    )
    max_pending_items: int = Field(
        40_000,
        ge=0,
        description="queue depth (items accepted and not yet scored) past which new scoring "
        "requests get 429 overloaded with Retry-After (0: never refuse)",
    )

    max_items: int = Field(20_000, ge=1)
    max_body_bytes: int = Field(256 * 1024 * 1024, ge=1024)
    max_completion_chars: int = Field(400_000, ge=1)
    max_reference_chars: int = Field(100_000, ge=1)
    max_id_chars: int = Field(512, ge=1)

    math_fallback_patterns: tuple[str, ...] = Field(
        DEFAULT_FALLBACK_PATTERNS,
        description="regexes (first group = answer) tried when there is no <answer> or \\boxed{}",
    )
    math_reject_hedging: bool = Field(
        True, description="several different answers score 0 where the gold has one value"
    )
    math_strict: bool = Field(
        False,
        description="only <answer> tags and \\boxed{} count (R1's rule); a request may override",
    )

    judge_url: str | None = Field(
        None, description="OpenAI-compatible API base of the optional LLM judge, e.g. http://h/v1"
    )
    judge_model: str = Field("judge", description="the model name sent to the judge endpoint")
    judge_api_key: SecretStr | None = Field(None, description="bearer token for the judge")
    judge_timeout_s: float = Field(10.0, gt=0, description="at most this per judge call")

    sandbox_backend: Literal["docker", "process-unsafe", "off"] = Field(
        "docker",
        description="where code runs; process-unsafe runs it WITHOUT isolation (development)",
    )
    sandbox_image: str = "rlvr-sandbox:latest"
    sandbox_runtime: str | None = Field(
        None, description="Docker runtime of sandbox containers (runsc: gVisor); engine default"
    )
    sandbox_size: int = Field(default_factory=lambda: 2 * _default_workers(), ge=1, le=256)
    sandbox_memory_mb: int = Field(1024, ge=64)
    sandbox_cpus: float = Field(1.0, gt=0)
    sandbox_pids_limit: int = Field(128, ge=8)
    sandbox_tmpfs_mb: int = Field(128, ge=8)
    sandbox_jobs_per_container: int = Field(100, ge=1)
    sandbox_acquire_timeout_s: float = Field(30.0, gt=0)
    code_time_limit_s: float = Field(
        5.0, gt=0, description="per-test limit when the reference names none (≤ item_timeout_s)"
    )
    code_memory_mb: int = Field(512, ge=16, description="default per-test address space")
    code_max_tests: int = Field(256, ge=1)

    default_rewards: tuple[str, ...] = (Score.ACCURACY.value, Score.FORMAT.value)
    default_weights: dict[str, float] = {Score.ACCURACY.value: 0.9, Score.FORMAT.value: 0.1}

    @field_validator("default_rewards", "default_weights")
    @classmethod
    def _known_rewards(cls, value: tuple[str, ...] | dict[str, float]) -> object:
        unknown = sorted(set(value) - set(REWARD_NAMES))
        if unknown:
            raise ValueError(f"unknown rewards {unknown}; known: {list(REWARD_NAMES)}")
        return value

    @field_validator("math_fallback_patterns")
    @classmethod
    def _patterns_compile(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            try:
                groups = re.compile(pattern).groups
            except re.error as exc:
                raise ValueError(f"fallback pattern {pattern!r} does not compile: {exc}") from exc
            if groups < 1:
                raise ValueError(f"fallback pattern {pattern!r} needs a group for the answer")
        return value

    def judge(self) -> JudgeConfig | None:
        """The judge's endpoint, or None when no judge is configured."""
        if not self.judge_url:
            return None
        key = self.judge_api_key.get_secret_value() if self.judge_api_key else None
        return JudgeConfig(self.judge_url, self.judge_model, key, self.judge_timeout_s)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
