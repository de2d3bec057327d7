"""The verdict every per-sample adapter answers with: written as the policy would read it
(a failure it causes must not beat a wrong answer; only what it cannot cause is a skip)."""

from __future__ import annotations

import pytest

from rlvr.trainer.errors import ConfigError
from rlvr.trainer.per_sample import (
    DEFAULT_WEIGHTS,
    env_options,
    env_weights,
    format_options,
    think_in_prompt,
    verdict_of,
)

OK_RIGHT = {"status": "ok", "reward": 1.0, "scores": {"accuracy": 1.0, "format": 1.0}}
OK_WRONG = {"status": "ok", "reward": 0.1, "scores": {"accuracy": 0.0, "format": 1.0}}


def test_ok_results_keep_the_services_numbers() -> None:
    right = verdict_of({**OK_RIGHT, "extracted": "4"}, DEFAULT_WEIGHTS)
    assert (right.reward, right.scores, right.label, right.extracted) == (
        1.0,
        {"accuracy": 1.0, "format": 1.0},
        "correct",
        "4",
    )
    wrong = verdict_of(OK_WRONG, DEFAULT_WEIGHTS)
    assert (wrong.reward, wrong.label) == (0.1, "wrong")
    assert sum(wrong.components(DEFAULT_WEIGHTS).values()) == pytest.approx(wrong.reward)


@pytest.mark.parametrize("code", ["item_timeout", "completion_too_large", "worker_crashed", "new"])
def test_a_failure_of_the_completions_doing_is_the_worst_answer_not_a_skip(code: str) -> None:
    weights = {"accuracy": 1.0, "format": 0.2, "overlong": 0.5}
    result = {"status": "timeout" if code == "item_timeout" else "error", "error": {"code": code}}
    verdict = verdict_of(result, weights)
    assert not verdict.unscorable and verdict.label == "failed"
    assert verdict.scores == {"accuracy": 0.0, "format": 0.0, "overlong": -1.0}
    assert verdict.reward == pytest.approx(-0.5)  # below any answer it could have given
    assert verdict.reason.startswith(code)


@pytest.mark.parametrize(
    "code", ["missing_reference", "invalid_reference", "unknown_domain", "sandbox_unavailable"]
)
def test_what_the_completion_cannot_cause_is_unscorable(code: str) -> None:
    verdict = verdict_of({"status": "error", "error": {"code": code, "message": "m"}}, {"a": 1})
    assert (verdict.reward, verdict.scores, verdict.unscorable) == (None, None, True)
    assert verdict.label == "unscorable" and verdict.reason == f"{code}: m"
    assert verdict.components({"accuracy": 0.9}) == {"accuracy": 0.0}
    assert verdict.score_values(["accuracy"]) == {"accuracy": 0.0}


def test_accuracy_is_always_computed() -> None:
    verdict = verdict_of(OK_WRONG, {"format": 1.0})
    assert verdict.scores is not None and list(verdict.scores) == ["accuracy", "format"]


@pytest.mark.parametrize(
    ("prompt", "opens"),
    [
        ("<|im_start|>assistant\n<think>\n", True),
        ("<|im_start|>assistant\n", False),
        ([{"role": "user", "content": "q <think>"}], True),
        ([{"role": "user", "content": [{"text": "q"}]}], False),
        (None, False),
        ("I wrote <think> in the middle", False),
    ],
)
def test_think_in_prompt(prompt: object, opens: bool) -> None:
    assert think_in_prompt(prompt) is opens


def test_format_options_default_from_the_prompt_unless_set() -> None:
    assert format_options("x <think>") == {"think_in_prompt": True}
    assert format_options("x <think>", {"think_in_prompt": False}) == {"think_in_prompt": False}
    assert format_options("x") is None


def test_environment_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RLVR_WEIGHTS", raising=False)
    assert env_weights() == DEFAULT_WEIGHTS
    monkeypatch.setenv("RLVR_WEIGHTS", '{"accuracy": 1, "format": "0.5"}')
    assert env_weights() == {"accuracy": 1.0, "format": 0.5}
    monkeypatch.setenv("RLVR_WEIGHTS", "[1, 2]")
    with pytest.raises(ConfigError, match="JSON object"):
        env_weights()
    monkeypatch.setenv("RLVR_WEIGHTS", '{"accuracy": "high"}')
    with pytest.raises(ConfigError, match="number"):
        env_weights()
    monkeypatch.setenv("RLVR_OPTIONS", "{mode: strict}")
    with pytest.raises(ConfigError, match="RLVR_OPTIONS is not JSON"):
        env_options()


def test_the_adapters_import_with_the_client_alone() -> None:
    """The adapters live in the client distribution: importing them needs neither the
    service nor the trainers (nemo-gym, verifiers, AReaL, slime are imported on use)."""
    import os
    import subprocess
    import sys

    from ...conftest import ROOT

    code = (
        "import sys\n"
        "from rlvr.trainer import areal, nemo_gym, per_sample, slime, verifiers\n"
        "import rlvr_verifiers\n"
        "heavy = ('rlvr.verifier', 'rlvr.sandbox', 'nemo_gym', 'verifiers', 'areal', 'slime',\n"
        "         'fastapi', 'torch')\n"
        "print(sorted({m for m in sys.modules if m.split('.')[0] in heavy\n"
        "              or m.startswith(heavy[:2])}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "trainer")}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
