"""The math domain end to end: references, hedging, the fast path and its agreement."""

from __future__ import annotations

import pytest

from rlvr.verifier.domains import InvalidReference, MissingReference
from rlvr.verifier.domains.maths import MathConfig, MathDomain
from rlvr.verifier.domains.maths.compare import fast_compare, normalize
from rlvr.verifier.domains.maths.gold import math_equal

DOMAIN = MathDomain()


@pytest.mark.parametrize("gold", ["???", "x+", "\\frac{", "[", "+", "}{"])
def test_unparseable_gold_is_an_invalid_reference(gold: str) -> None:
    with pytest.raises(InvalidReference):
        DOMAIN.verify("\\boxed{1}", {"answer": gold})


def test_unparseable_gold_is_refused_even_when_the_prediction_matches_it() -> None:
    with pytest.raises(InvalidReference):
        DOMAIN.verify("\\boxed{???}", {"answer": "???"})


@pytest.mark.parametrize("reference", [{}, {"answer": None}, {"solution": "4"}])
def test_missing_answer(reference: dict[str, object]) -> None:
    with pytest.raises(MissingReference):
        DOMAIN.verify("\\boxed{1}", reference)


@pytest.mark.parametrize("answer", ["", "   ", True, ["1"], {"a": 1}])
def test_unusable_answer(answer: object) -> None:
    with pytest.raises(InvalidReference):
        DOMAIN.verify("\\boxed{1}", {"answer": answer})


def test_numeric_gold_is_accepted() -> None:
    assert DOMAIN.verify("\\boxed{4}", {"answer": 4}).accuracy == 1.0
    assert DOMAIN.verify("\\boxed{0.5}", {"answer": 0.5}).accuracy == 1.0


def test_hedging_scores_zero_even_if_one_box_is_right() -> None:
    verdict = DOMAIN.verify("<think>x</think> \\boxed{3} or maybe \\boxed{4}", {"answer": "4"})
    assert verdict.accuracy == 0.0
    assert verdict.details["reason"] == "multiple_answers"


def test_hedging_policy_can_be_relaxed() -> None:
    lenient = MathDomain(MathConfig(reject_hedging=False))
    assert lenient.verify("\\boxed{3} or \\boxed{4}", {"answer": "4"}).accuracy == 1.0


def test_answer_only_in_think_scores_zero() -> None:
    verdict = DOMAIN.verify("<think>it is \\boxed{4}</think><answer></answer>", {"answer": "4"})
    assert (verdict.accuracy, verdict.extracted, verdict.details["reason"]) == (
        0.0,
        None,
        "no_answer",
    )


def test_prose_answer_block() -> None:
    verdict = DOMAIN.verify(
        "<think>x</think><answer>The answer is 5 apples</answer>", {"answer": "5"}
    )
    assert verdict.accuracy == 1.0


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        ("0.5", "1/2", True),
        ("3", "4", False),
        ("−3", "-3", True),
        ("1.0", "1", True),
        ("\\dfrac{1}{2}", "\\frac{1}{2}", True),
        ("x=2", "2", None),
        ("50\\%", "0.5", None),
        ("0.333333", "\\frac{1}{3}", None),
        ("1000000", "1000000.4", None),
        ("1", "1/0", None),
        ("2", "2.", True),
        ("\\$5", "5", True),
    ],
)
def test_fast_path(gold: str, pred: str, expected: bool | None) -> None:
    assert fast_compare(gold, pred) is expected


FAST_PATH_PAIRS = [
    ("0.5", "1/2"),
    ("3", "4"),
    ("-3", "−3"),
    ("12", "12.0"),
    ("7", "8"),
    ("2.5", "\\frac{5}{2}"),
    ("\\frac{3}{4}", "0.75"),
    ("\\frac{3}{4}", "0.7"),
    ("100", "99"),
    ("-0.25", "-\\frac{1}{4}"),
    ("42", "42"),
    ("1.25", "1.2"),
    ("0", "-0"),
    ("13", "\\dfrac{26}{2}"),
]


@pytest.mark.parametrize(("gold", "pred"), FAST_PATH_PAIRS)
def test_fast_path_agrees_with_math_verify(gold: str, pred: str) -> None:
    decided = fast_compare(gold, pred)
    if decided is not None:
        assert decided == math_equal(gold, pred)


def test_normalize_is_idempotent() -> None:
    for text in ["\\left( 1 \\right)", " \\dfrac{1}{2}. ", "1\\,000", "−5"]:
        assert normalize(normalize(text)) == normalize(text)
