"""From results to trainer numbers: the unscorable get None, the completion's failures the worst.

The ranges are checked against the service's own score functions, so a new score or a
changed range on the service side fails here instead of opening an escape hatch.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict
from typing import Any

import pytest

from rlvr.trainer.verdicts import (
    NOT_THE_COMPLETIONS_DOING,
    is_unscorable,
    score_range,
    trainer_reward,
    trainer_scores,
    worst_score,
)
from rlvr.verifier.domains.fmt import FORMAT_REWARDS, FormatOptions, Sample
from rlvr.verifier.scoring import REWARD_NAMES

# Every per-item error code the service documents (README "Errors") and who causes it.
SERVICE_CODES = {
    "invalid_item": "not the completion",
    "unknown_domain": "not the completion",
    "missing_reference": "not the completion",
    "invalid_reference": "not the completion",
    "unsupported_language": "not the completion",
    "sandbox_unavailable": "not the completion",
    # cut only while still queued: a slow completion is finished and charged instead
    "deadline_exceeded": "not the completion",
    "item_too_large": "the completion",
    "item_timeout": "the completion",
    "worker_crashed": "the completion",
    "scoring_failed": "the completion",
}

# Completions at the edges of every format score: empty, huge, repetitive, foreign, tagged.
EDGE_TEXTS = [
    "",
    "word " * 20000,
    "the same three words " * 500,
    "<think>\n思考思考思考\n</think>\n<answer>\n4\n</answer>",
    "<think>\nStep 1: a\nStep 2: b\nStep 3: c\n</think>\n<answer>\n4\n</answer>",
    "</answer><answer></think><think>",
]


def _failure(code: str) -> dict[str, Any]:
    status = "timeout" if code in ("item_timeout", "deadline_exceeded") else "error"
    return {"status": status, "reward": None, "scores": {}, "error": {"code": code}}


def test_every_service_score_has_a_range() -> None:
    assert set(REWARD_NAMES) == {"accuracy", "pass_rate", *FORMAT_REWARDS}
    for name in REWARD_NAMES:
        low, high = score_range(name)
        assert low <= high


@pytest.mark.parametrize(
    "options",
    [
        FormatOptions(),
        FormatOptions(
            max_repetition_penalty=-3.0,
            cosine_min_wrong=-2.0,
            cosine_max_correct=2.0,
            max_length=64,
            overlong_buffer=32,
        ),
    ],
)
def test_service_format_scores_stay_in_the_ranges(options: FormatOptions) -> None:
    opts = asdict(options)
    for name, reward in FORMAT_REWARDS.items():
        low, high = score_range(name, opts)
        for text, tokens, correct in itertools.product(EDGE_TEXTS, (None, 1, 10**6), (True, False)):
            value = reward(Sample(text, tokens, correct), options)
            assert low - 1e-9 <= value <= high + 1e-9, (name, text[:30], tokens, correct, value)


@pytest.mark.parametrize("code", sorted(SERVICE_CODES))
def test_who_caused_each_failure(code: str) -> None:
    assert is_unscorable(_failure(code)) == (SERVICE_CODES[code] == "not the completion")
    assert (code in NOT_THE_COMPLETIONS_DOING) == (SERVICE_CODES[code] == "not the completion")


def test_unknown_codes_count_against_the_completion() -> None:
    assert not is_unscorable(_failure("a_code_added_next_year"))
    assert trainer_scores(_failure("a_code_added_next_year"), ["format"]) == {"format": 0.0}


@pytest.mark.parametrize("code", [c for c, who in SERVICE_CODES.items() if who == "the completion"])
def test_a_failure_of_the_completion_never_beats_a_scored_answer(code: str) -> None:
    weights = {"accuracy": 1.0, "format": 0.2, "overlong": 0.5, "repetition": 0.5, "length": 1.0}
    worst = trainer_reward(_failure(code), weights)
    assert worst == pytest.approx(-0.5 - 0.5 - 1.0)
    options = FormatOptions(max_length=64, overlong_buffer=32)
    for text, correct in itertools.product(EDGE_TEXTS, (True, False)):
        sample = Sample(text, None, correct)
        scored = float(correct) + sum(
            weights[name] * FORMAT_REWARDS[name](sample, options)
            for name in weights
            if name != "accuracy"
        )
        assert worst is not None and worst <= scored + 1e-9


def test_negative_weights_take_the_other_end() -> None:
    assert worst_score("accuracy", -1.0) == 1.0
    assert trainer_reward(_failure("worker_crashed"), {"accuracy": 1.0, "format": -0.5}) == -0.5


def test_ok_results_pass_through_and_unscorable_is_none() -> None:
    ok = {"status": "ok", "reward": 0.7, "scores": {"accuracy": 1.0, "format": 0.0}}
    assert trainer_scores(ok, ["accuracy", "format"]) == {"accuracy": 1.0, "format": 0.0}
    assert trainer_reward(ok, {"accuracy": 0.7}) == 0.7
    assert trainer_scores(_failure("invalid_reference"), ["accuracy"]) is None
    assert trainer_reward(_failure("sandbox_unavailable"), {"accuracy": 1.0}) is None
