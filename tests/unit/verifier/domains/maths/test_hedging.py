"""Think like the policy: leniency in reading answers must not let a completion offer
several values and be paid when one of them is right.

Every hedge below names the gold (72) among other values, in every place an answer can
be read from: bare text, an ``<answer>`` tag, a box, a final-answer marker, two boxes.
Where the gold has one value each must score 0 — also when the gold is the *other* value,
so that no position (first, last) is privileged.
"""

from __future__ import annotations

import pytest

from rlvr.verifier.domains.base import AnswerOptions
from rlvr.verifier.domains.maths import MathConfig, MathDomain
from rlvr.verifier.domains.maths.extract import ExtractionConfig
from rlvr.verifier.domains.science import ScienceDomain
from rlvr.verifier.voting import vote

DOMAIN = MathDomain()

# Hedges written as math: they can stand alone, in a tag, or in a box.
MATH_HEDGES = [
    "1, 2, 3, \\ldots, 72",
    "1, 2, 3, \\cdots, 72",
    "12, 72",
    "72, 12",
    "12; 72",
    "12 \\text{ or } 72",
    "12 \\text{ and } 72",
    "12 \\lor 72",
    "12 \\quad 72",
    "12, 24, 36, 48, 60, 72",
    "x = 12, x = 72",
    "x = 12 \\text{ or } x = 72",
]
# Hedges written as prose: bare or in a tag.
PROSE_HEDGES = [
    "either 12 or 72",
    "12 or 72",
    "It is either 12 or 72.",
    "I think it is 12, or perhaps 72",
    "It's 72, or is it 12?",
    "Maybe 12, maybe 72.",
    "$12$ or $72$",
    "$12$, $72$",
    "The possible values are 12 and 72.",
    "1, 2, 3, …, 72",
    "1, 2, 3, ..., 72",
    "2+2=4, 4+4=8, 8+8=16, 36+36=72",
    "1+1=2, 2+1=3, 3+1=4, 71+1=72",
    "12\n24\n36\n72",
    "x = 12\nx = 24\nx = 72",
    "It is not 12 and not 72.",
]
THINK = "<think>\nI will list candidates.\n</think>\n"


def _places(hedge: str, math: bool) -> list[str]:
    places = [hedge, f"{THINK}<answer>{hedge}</answer>", f"{THINK}{hedge}"]
    # the reader walks back past sentences with no answer: a hedge stays a hedge
    places += [f"{hedge}\nI hope it is correct.", f"<answer>{hedge}\n\nDone!</answer>"]
    places += [f"The answer is {hedge}", f"#### {hedge}", f"**Final Answer**\n{hedge}"]
    if math:
        places += [
            f"{THINK}<answer>\\boxed{{{hedge}}}</answer>",
            f"The answer is $\\boxed{{{hedge}}}$.",
        ]
    return places


CASES = [(place, hedge) for h in MATH_HEDGES for place, hedge in ((p, h) for p in _places(h, True))]
CASES += [
    (place, hedge) for h in PROSE_HEDGES for place, hedge in ((p, h) for p in _places(h, False))
]


@pytest.mark.parametrize(("completion", "hedge"), CASES)
@pytest.mark.parametrize("gold", ["72", "12"])
def test_a_hedge_scores_zero_wherever_it_is_written(completion: str, hedge: str, gold: str) -> None:
    verdict = DOMAIN.verify(completion, {"answer": gold})
    assert verdict.accuracy == 0.0, (completion, verdict)
    reasons = ("multiple_answers", "no_answer")
    assert verdict.details.get("reason") in reasons, (completion, verdict)


@pytest.mark.parametrize("answer", ["\\{12, 72\\}", "\\pm 72", "x \\in \\{12, 72\\}"])
@pytest.mark.parametrize("gold", ["72", "12"])
def test_a_set_is_one_value_and_not_a_single_gold(answer: str, gold: str) -> None:
    for completion in (answer, f"<answer>{answer}</answer>", f"\\boxed{{{answer}}}"):
        assert DOMAIN.verify(completion, {"answer": gold}).accuracy == 0.0, completion


@pytest.mark.parametrize(("completion", "hedge"), CASES)
def test_a_hedge_casts_no_vote(completion: str, hedge: str) -> None:
    assert DOMAIN.answer(completion, {"answer": "72"}) is None, completion


@pytest.mark.parametrize(
    "completion",
    [
        "\\boxed{12} or \\boxed{72}",
        "\\boxed{72}, though \\boxed{12} is possible",
        "<answer>\\boxed{12} \\boxed{72}</answer>",
        "\\fbox{12} \\boxed{72}",
    ],
)
def test_several_different_boxes_are_a_hedge_for_a_single_gold(completion: str) -> None:
    verdict = DOMAIN.verify(completion, {"answer": "72"})
    assert (verdict.accuracy, verdict.details["reason"]) == (0.0, "multiple_answers")
    assert sorted(verdict.details["candidates"]) == ["12", "72"]


def test_several_boxes_are_the_solution_set_when_the_gold_lists_several() -> None:
    gold = {"answer": "(2, 2), (6, 2)"}
    both = "\\boxed{(2, 2)} \\quad\\text{and}\\quad \\boxed{(6, 2)}"
    assert DOMAIN.verify(both, gold).accuracy == 1.0
    assert DOMAIN.verify(both, gold).details["method"] == "set"
    # a superset, a subset and a wrong member are all wrong
    assert DOMAIN.verify(both + " \\boxed{(1, 1)}", gold).accuracy == 0.0
    assert DOMAIN.verify("\\boxed{(2, 2)}", gold).accuracy == 0.0
    assert DOMAIN.verify("\\boxed{(2, 2)} \\boxed{(6, 3)}", gold).accuracy == 0.0


def test_a_list_that_elides_values_is_never_a_solution_set() -> None:
    gold = {"answer": "1, 2, 3, 72"}
    assert DOMAIN.verify("\\boxed{1, 2, 3, 72}", gold).accuracy == 1.0
    assert DOMAIN.verify("\\boxed{1, 2, 3, \\ldots, 72}", gold).accuracy == 0.0
    # a trailing ellipsis is no full stop (math-verify's test_trailing_punctuation)
    for elided in ["1, 2, 3, 72, ...", "$1, 2, 3, 72, ...$", "1, 2, 3, 72, …", "1, 2, 3, 72..."]:
        for completion in _places(elided, False):
            assert DOMAIN.verify(completion, gold).accuracy == 0.0, completion


def test_a_final_answer_after_boxes_is_one_answer_never_the_boxes_too() -> None:
    """Intermediate results are often boxed before "Final Answer: The final answer is …";
    the marker after them is the answer (as in math-verify), so the boxes cannot pay."""
    text = "\\boxed{12} then \\boxed{24}. Final Answer: The final answer is $72$."
    assert DOMAIN.verify(text, {"answer": "72"}).accuracy == 1.0
    for gold in ("12", "24"):
        assert DOMAIN.verify(text, {"answer": gold}).accuracy == 0.0
    hedge = "\\boxed{72}. The final answer is $12$ or $72$."
    assert DOMAIN.verify(hedge, {"answer": "72"}).details["reason"] == "multiple_answers"


def test_a_mixed_number_is_one_value_not_a_hedge_of_its_parts() -> None:
    for gold in ("4", "\\frac{4}{9}", "44", "\\frac{16}{9}"):
        for completion in _places("4 4/9", False):
            assert DOMAIN.verify(completion, {"answer": gold}).accuracy == 0.0, (gold, completion)
    for gold in ("11", "\\frac{7}{6}", "\\frac{73}{6}"):  # 11 7/6 is malformed: two values
        assert DOMAIN.verify("11 7/6", {"answer": gold}).accuracy == 0.0


def test_the_same_value_twice_is_not_a_hedge() -> None:
    for completion in ["\\boxed{72} and again \\boxed{72}", "\\boxed{0.5} \\boxed{\\frac{1}{2}}"]:
        gold = "72" if "72" in completion else "1/2"
        assert DOMAIN.verify(completion, {"answer": gold}).accuracy == 1.0


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        ("x = 3 \\cdot 24 = 72", 1.0),  # a derivation whose sides agree
        ("\\boxed{8 \\times 9 = 72}", 1.0),
        ("$2 \\text{ h} = 120 \\text{ min}$", 0.0),  # units: the sides may differ; last side 120
        ("\\boxed{70 + 1 = 72}", 1.0),  # false arithmetic: its last side, as in math-verify
        ("\\boxed{x = 71 = 72}", 1.0),
        ("\\boxed{72 = 71}", 0.0),
    ],
)
def test_equation_chains_count_by_their_last_side(completion: str, expected: float) -> None:
    assert DOMAIN.verify(completion, {"answer": "72"}).accuracy == expected


CHAINS = ["12 = 72", "1 = 2 = 12 = 72", "x = 12 = 72", "12 \\cdot 1 = 72"]


@pytest.mark.parametrize("chain", CHAINS)
def test_an_earlier_side_of_a_chain_never_pays(chain: str) -> None:
    """math-verify compares a chain's last side only: a chain that names the gold on an
    earlier side is as wrong as the last side alone, wherever it is written, in a vote,
    and before the judge (tests/unit/verifier/test_judge.py)."""
    for completion in [*_places(chain, True), f"So ${chain}$."]:
        wrong = DOMAIN.verify(completion, {"answer": "12"})
        assert wrong.accuracy == 0.0, (completion, wrong)
        assert wrong.extracted in ("72", "x = 72"), (completion, wrong)  # the last side only
        assert DOMAIN.verify(completion, {"answer": "72"}).accuracy == 1.0, completion
        assert DOMAIN.answer(completion, {"answer": "12"}) in ("72", "x = 72"), completion
    result = vote("math", [f"\\boxed{{{chain}}}"] * 3 + ["\\boxed{12}"] * 2, {"answer": "12"}, [5])
    assert result["correct"] == 2


def test_prose_between_values_makes_the_last_one_the_answer_as_in_math_verify() -> None:
    """One value is committed to; that is not a hedge (only one gold can match it)."""
    gold = {"answer": "72"}
    assert DOMAIN.verify("There are 3 boxes with 24 apples each, so 72 apples.", gold).accuracy == 1
    assert (
        DOMAIN.verify(
            "There are 3 boxes with 24 apples each, so 72 apples.", {"answer": "24"}
        ).accuracy
        == 0
    )
    assert DOMAIN.verify("The answer is 12, not 72.", gold).accuracy == 0.0
    assert DOMAIN.verify("The answer is 12, not 72.", {"answer": "12"}).accuracy == 1.0


def test_reasoning_is_never_read_even_leniently() -> None:
    gold = {"answer": "72"}
    assert DOMAIN.verify("<think>so it is 72</think>", gold).accuracy == 0.0
    assert DOMAIN.verify("<think>so it is 72", gold).accuracy == 0.0
    assert DOMAIN.verify("<think>\\boxed{72}</think> I give up.", gold).accuracy == 0.0


def test_strict_mode_reads_only_tags_and_boxes() -> None:
    strict = AnswerOptions(strict=True)
    gold = {"answer": "72"}
    for loose in ["72", "Answer: 72", "#### 72", "The final answer is 72.", "So we get $72$."]:
        assert DOMAIN.verify(loose, gold).accuracy == 1.0
        verdict = DOMAIN.verify(loose, gold, strict)
        assert (verdict.accuracy, verdict.details["reason"]) == (0.0, "no_answer")
    assert DOMAIN.verify("<answer>So we get $72$.</answer>", gold, strict).accuracy == 1.0
    assert DOMAIN.verify("so \\boxed{72}", gold, strict).accuracy == 1.0
    assert DOMAIN.verify("<answer>12 or 72</answer>", gold, strict).accuracy == 0.0
    server_strict = MathDomain(MathConfig(extraction=ExtractionConfig(strict=True)))
    assert server_strict.verify("#### 72", gold).accuracy == 0.0
    assert server_strict.verify("#### 72", gold, AnswerOptions(strict=False)).accuracy == 1.0


def test_hedging_policy_off_reads_the_last_value_but_never_an_elided_list() -> None:
    lenient = MathDomain(MathConfig(reject_hedging=False))
    assert lenient.verify("\\boxed{12} or \\boxed{72}", {"answer": "72"}).accuracy == 1.0
    assert lenient.verify("\\boxed{1, 2, \\ldots, 72}", {"answer": "72"}).accuracy == 0.0


def test_science_quantities_do_not_hedge_either() -> None:
    science = ScienceDomain()
    gold = {"value": 9.8, "unit": "m/s^2"}
    assert science.verify("\\boxed{9.8 m/s^2}", gold).accuracy == 1.0
    verdict = science.verify("\\boxed{9.8 m/s^2} or \\boxed{10 m/s^2}", gold)
    assert (verdict.accuracy, verdict.details["reason"]) == (0.0, "multiple_answers")


def test_hedges_do_not_win_votes() -> None:
    completions = ["\\boxed{12} or \\boxed{72}"] * 3 + ["\\boxed{72}", "\\boxed{72}"]
    result = vote("math", completions, {"answer": "72"}, [5])
    assert result["answers"] == [None, None, None, "72", "72"]
    assert result["majority"] == "72" and result["correct"] == 2


@pytest.mark.parametrize(
    "completion",
    ["\\boxed{x = 3 = 4, 5}", "<answer>x = 70 = 71 = 1, 2</answer>", "x = 1 = 2 or 3"],
)
def test_a_hedge_at_the_end_of_a_chain_is_reported_as_a_hedge(completion: str) -> None:
    verdict = MathDomain().verify(completion, {"answer": "72"})
    assert verdict.accuracy == 0.0
    assert verdict.details["reason"] == "multiple_answers"  # not relabelled as a chain
