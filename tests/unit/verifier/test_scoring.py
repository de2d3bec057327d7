"""score_item: reward selection, weights, statuses; every failure is an Outcome."""

from __future__ import annotations

import pytest

from rlvr.verifier.domains import build_domains
from rlvr.verifier.domains.fmt import FORMAT_REWARDS
from rlvr.verifier.scoring import Job, ScoringPlan, score_item, weighted_reward
from rlvr.verifier.vocabulary import DOMAIN_SCORES, Score

DOMAINS = build_domains()
GOOD = "<think>\n2+2\n</think>\n<answer>\n\\boxed{4}\n</answer>"


def test_default_plan_scores_accuracy_and_format() -> None:
    outcome = score_item(Job("math", GOOD, {"answer": "4"}), ScoringPlan(), DOMAINS)
    assert outcome.status == "ok"
    assert outcome.scores == {"accuracy": 1.0, "format": 1.0}
    assert outcome.extracted == "4"


def test_selected_rewards_only() -> None:
    plan = ScoringPlan(rewards=("tag_count", "repetition"), weights={"tag_count": 2.0})
    outcome = score_item(Job("math", GOOD, {"answer": "5"}), plan, DOMAINS)
    assert set(outcome.scores) == {"tag_count", "repetition"}
    assert outcome.reward == 2.0


@pytest.mark.parametrize(
    ("scores", "weights", "reward"),
    [
        ({"accuracy": 1.0, "format": 1.0}, {"accuracy": 0.9, "format": 0.1}, 1.0),
        ({"accuracy": 0.0, "format": 1.0}, {"accuracy": 0.9, "format": 0.1}, 0.1),
        ({"accuracy": 1.0, "format": 1.0}, {"accuracy": 1.0}, 1.0),
        ({"accuracy": 1.0, "overlong": -0.5}, {"accuracy": 1.0, "overlong": 1.0}, 0.5),
        ({}, {"accuracy": 1.0}, 0.0),
    ],
)
def test_weighted_reward(
    scores: dict[str, float], weights: dict[str, float], reward: float
) -> None:
    assert weighted_reward(scores, weights) == pytest.approx(reward)


def test_length_reward_uses_the_verdict() -> None:
    plan = ScoringPlan(rewards=("length",), weights={"length": 1.0})
    right = score_item(Job("math", GOOD, {"answer": "4"}, num_tokens=10), plan, DOMAINS)
    wrong = score_item(Job("math", GOOD, {"answer": "5"}, num_tokens=10), plan, DOMAINS)
    assert right.scores["length"] > 0 > wrong.scores["length"]


@pytest.mark.parametrize(
    ("job", "code"),
    [
        (Job("chemistry", GOOD, {"answer": "4"}), "unknown_domain"),
        (Job("math", GOOD, None), "missing_reference"),
        (Job("math", GOOD, {"answer": "???"}), "invalid_reference"),
        (Job("math", GOOD, {"answer": ""}), "invalid_reference"),
    ],
)
def test_errors_have_codes_and_null_reward(job: Job, code: str) -> None:
    outcome = score_item(job, ScoringPlan(), DOMAINS)
    assert outcome.status == "error"
    assert outcome.reward is None
    assert outcome.error is not None and outcome.error.code == code


@pytest.mark.parametrize(
    "answer", ["2^{2^{2^{100}}}", "9^{9^{9}}", "3000000!", "\\binom{10000000}{5000000}"]
)
def test_enormous_numbers_time_out_instead_of_hanging(answer: str) -> None:
    outcome = score_item(
        Job("math", f"\\boxed{{{answer}}}", {"answer": "5"}),
        ScoringPlan(soft_timeout_s=0.5),
        DOMAINS,
    )
    assert outcome.status == "timeout"
    assert outcome.error is not None and outcome.error.code == "item_timeout"
    assert outcome.reward is None


def test_answer_nested_past_the_parser_limit_is_wrong_not_a_crash() -> None:
    answer = "\\frac{" * 400 + "1" + "}{2}" * 400
    outcome = score_item(
        Job("math", f"\\boxed{{{answer}}}", {"answer": "1"}), ScoringPlan(soft_timeout_s=5), DOMAINS
    )
    assert (outcome.status, outcome.scores["accuracy"]) == ("ok", 0.0)


def test_score_names_are_the_domain_scores_and_the_format_rewards() -> None:
    assert set(Score) == set(DOMAIN_SCORES) | set(FORMAT_REWARDS)
