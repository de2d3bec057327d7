"""Settings come from embedded defaults and RLVR_* variables, validated at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from rlvr.verifier.parts import build_parts
from rlvr.verifier.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


def test_embedded_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.default_rewards == ("accuracy", "format")
    assert settings.workers >= 1 and settings.max_items >= 10_000


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLVR_WORKERS", "3")
    monkeypatch.setenv("RLVR_DEFAULT_REWARDS", '["accuracy", "tag_count"]')
    monkeypatch.setenv("RLVR_DEFAULT_WEIGHTS", '{"accuracy": 1.0, "tag_count": 0.5}')
    settings = Settings()
    assert settings.workers == 3
    assert settings.default_rewards == ("accuracy", "tag_count")
    assert settings.default_weights == {"accuracy": 1.0, "tag_count": 0.5}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RLVR_WORKERS", "0"),
        ("RLVR_PORT", "70000"),
        ("RLVR_DEFAULT_REWARDS", '["speed"]'),
        ("RLVR_ITEM_TIMEOUT_S", "-1"),
        ("RLVR_DEFAULT_WEIGHTS", '{"nope": 1}'),
    ],
)
def test_bad_values_fail_at_start(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_math_extraction_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLVR_MATH_FALLBACK_PATTERNS", '["Result: (\\\\S+)"]')
    monkeypatch.setenv("RLVR_MATH_REJECT_HEDGING", "false")
    math = build_parts(Settings()).domains["math"]
    assert math.verify("Result: 7", {"answer": "7"}).accuracy == 1.0
    # the default phrases are not patterns any more; the built-in markers still read them
    assert math.verify("The final answer is 7", {"answer": "7"}).details["source"] == "marker"
    assert math.verify("\\boxed{6} or \\boxed{7}", {"answer": "7"}).accuracy == 1.0


def test_strict_math_extraction_and_the_judge_are_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RLVR_MATH_STRICT", "true")
    monkeypatch.setenv("RLVR_JUDGE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("RLVR_JUDGE_API_KEY", "s3cret")
    settings = Settings()
    math = build_parts(settings).domains["math"]
    assert math.verify("The final answer is 7", {"answer": "7"}).extracted is None
    assert math.verify("<answer>7</answer>", {"answer": "7"}).accuracy == 1.0
    judge = settings.judge()
    assert judge is not None and judge.url == "http://127.0.0.1:9/v1"
    assert "s3cret" not in repr(judge) and "s3cret" not in repr(settings)
    assert Settings(judge_url=None).judge() is None


@pytest.mark.parametrize("patterns", ['["("]', '["no group"]'])
def test_bad_fallback_patterns_fail_at_start(
    monkeypatch: pytest.MonkeyPatch, patterns: str
) -> None:
    monkeypatch.setenv("RLVR_MATH_FALLBACK_PATTERNS", patterns)
    with pytest.raises(ValidationError):
        Settings()


def test_compose_waits_out_the_drain() -> None:
    """`docker compose stop` must not SIGKILL the service while it still drains."""
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["verifier"]
    drain = float(compose["environment"]["RLVR_DRAIN_TIMEOUT_S"])
    grace = compose["stop_grace_period"]
    assert grace.endswith("s") and float(grace[:-1]) >= drain + 10
    assert drain >= Settings().drain_timeout_s
