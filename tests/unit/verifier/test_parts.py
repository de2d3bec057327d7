"""The app's parts are built once from settings, with no process-wide registry."""

from __future__ import annotations

import rlvr.verifier.domains as registry
from rlvr.verifier.parts import build_parts
from rlvr.verifier.scoring import Job, score_item
from rlvr.verifier.settings import Settings


def test_two_configurations_live_side_by_side() -> None:
    strict = build_parts(Settings(workers=1))
    loose = build_parts(Settings(workers=1, math_reject_hedging=False))
    hedge = Job("math", "\\boxed{6} or \\boxed{7}", {"answer": "7"})
    assert score_item(hedge, strict.plan, strict.domains).scores["accuracy"] == 0.0
    assert score_item(hedge, loose.plan, loose.domains).scores["accuracy"] == 1.0
    # building the second did not change the first
    assert score_item(hedge, strict.plan, strict.domains).scores["accuracy"] == 0.0


def test_there_is_no_global_registry_to_mutate() -> None:
    assert not hasattr(registry, "DOMAINS") and not hasattr(registry, "install")
    parts = build_parts(Settings(workers=1))
    try:
        parts.domains["math"] = parts.domains["logic"]  # type: ignore[index]
    except TypeError:
        pass
    else:
        raise AssertionError("the parts' domains must be read-only")


def test_plan_and_limits_come_from_the_settings() -> None:
    settings = Settings(
        workers=1,
        item_timeout_s=4,
        max_completion_chars=50,
        default_rewards=("accuracy", "tag_count"),
        default_weights={"accuracy": 2.0},
    )
    parts = build_parts(settings)
    assert parts.plan.rewards == ("accuracy", "tag_count")
    assert dict(parts.plan.weights) == {"accuracy": 2.0}
    assert parts.plan.soft_timeout_s == 4
    assert parts.limits.max_completion_chars == 50
