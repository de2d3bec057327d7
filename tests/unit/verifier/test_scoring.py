"""score_item: reward selection, weights, statuses; every failure is an Outcome."""

from __future__ import annotations

import pytest

from rlvr.verifier.domains import build_domains
from rlvr.verifier.domains.fmt import FORMAT_REWARDS, FormatOptions
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


HOSTILE = [
    "2^{2^{2^{100}}}",
    "9^{9^{9}}",
    "3000000!",
    "\\binom{10000000}{5000000}",
    "\\frac{" * 400 + "1" + "}{2}" * 400,
]


@pytest.mark.parametrize("answer", HOSTILE)
def test_a_completion_that_breaks_the_checker_scores_zero_not_null(answer: str) -> None:
    """Timing out or crashing the parser must never turn into a skipped item: a policy
    would learn to emit such text to escape the penalty for a wrong answer."""
    plan = ScoringPlan(
        rewards=("accuracy", "format"), weights={"accuracy": 0.9, "format": 0.1}, soft_timeout_s=0.5
    )
    text = f"<think>so</think><answer>\\boxed{{{answer}}}</answer>"
    outcome = score_item(Job("math", text, {"answer": "5"}), plan, DOMAINS)
    wrong = score_item(Job("math", text.replace(answer, "4"), {"answer": "5"}), plan, DOMAINS)
    assert outcome.status == "ok" and outcome.error is None
    assert outcome.scores == {"accuracy": 0.0, "format": 1.0}
    # Either it broke the checker (a reason says so) or the reader refused it as wrong at once.
    assert outcome.details.get("reason") in (None, "timeout", "scorer_failed")
    assert outcome.reward is not None and wrong.reward is not None
    assert outcome.reward <= wrong.reward


def test_a_format_reward_the_text_makes_too_slow_keeps_its_floor() -> None:
    # Each reward is linear in the text; together they take seconds over 400,000 characters.
    text = "<think>" + "我想" * 200_000 + "</think><answer>\\boxed{5}</answer>"
    slow = ("repetition", "language_consistency", "repetition", "language_consistency")
    plan = ScoringPlan(rewards=("accuracy", *slow, "format"), soft_timeout_s=0.5)
    outcome = score_item(Job("math", text, {"answer": "5"}), plan, DOMAINS)
    assert outcome.status == "ok" and outcome.scores["accuracy"] == 1.0
    assert outcome.scores["format"] == 0.0  # well formed, but never reached: its floor
    assert outcome.details["format_reason"] == "timeout"


def test_a_reference_error_only_this_completion_provokes_is_the_completions() -> None:
    """The reference works alone (against an empty completion), so the error is charged to
    the completion: the item scores 0 instead of being skipped."""
    reference = {"answer": "abc", "match": "numeric"}
    alone = score_item(Job("logic", "<answer></answer>", reference), ScoringPlan(), DOMAINS)
    provoked = score_item(Job("logic", "<answer>5</answer>", reference), ScoringPlan(), DOMAINS)
    assert alone.status == "ok" and alone.scores["accuracy"] == 0.0
    assert provoked.status == "ok" and provoked.scores["accuracy"] == 0.0
    assert provoked.details["reason"] == "scorer_failed"


def test_score_names_are_the_domain_scores_and_the_format_rewards() -> None:
    assert set(Score) == set(DOMAIN_SCORES) | set(FORMAT_REWARDS)


@pytest.mark.parametrize(
    ("domain", "completion", "reference"),
    [
        ("math", "Let me compute: 2+3 = 5. So \\boxed{5}", {"answer": "5"}),
        ("math", "2+3 = 5 <answer>5</answer>", {"answer": "5"}),
        ("science", "Option B fits. Answer: B", {"answer": "B", "choices": ["a", "b"]}),
        ("logic", "it must be <answer>5</answer>", {"answer": "5"}),
    ],
)
def test_with_think_in_the_prompt_an_answer_never_leaving_the_reasoning_is_none(
    domain: str, completion: str, reference: dict[str, object]
) -> None:
    """Red team: the template opened <think>, so a completion without </think> never left its
    reasoning (R1's rule: no answer), whichever domain reads it."""
    inside = ScoringPlan(format_options=FormatOptions(think_in_prompt=True))
    closed = "reasoning</think>\n" + completion
    assert score_item(Job(domain, completion, reference), inside, DOMAINS).scores["accuracy"] == 0
    assert score_item(Job(domain, closed, reference), inside, DOMAINS).scores["accuracy"] == 1
    # without the option the same text is an answer, as before
    assert (
        score_item(Job(domain, completion, reference), ScoringPlan(), DOMAINS).scores["accuracy"]
        == 1
    )
