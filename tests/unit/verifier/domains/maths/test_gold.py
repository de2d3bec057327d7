"""Gold answers: bare, as math-verify accepts them, or whole worked solutions."""

from __future__ import annotations

import pytest

from rlvr.verifier.domains import InvalidReference
from rlvr.verifier.domains.maths import MathDomain
from rlvr.verifier.domains.maths.gold import read_gold

DOMAIN = MathDomain()


@pytest.mark.parametrize(
    ("gold", "text", "source"),
    [
        ("72", "72", "answer"),
        ("$72$", "72", "answer"),
        ("\\(\\frac{1}{2}\\)", "\\frac{1}{2}", "answer"),
        ("Natalia sold 48/2 = 24 clips.\nIn all, 48+24 = 72 clips.\n#### 72", "72", "boxed"),
        ("Thus $x-p=\\boxed{2-2p}$.", "2-2p", "boxed"),
        ("The answer is 5.", "5", "marker"),
        (
            "First 5 + 7 = 12, then 12 / 4 = 3.\nThe final answer is 3. I hope it is correct.",
            "3",
            "marker",
        ),
        ("The area is $6 \\cdot 4 = 24$ square units.", "24", "final"),
        ("5 apples", "5", "final"),
        ("\\text{Evelyn}", "\\text{Evelyn}", "answer"),
    ],
)
def test_where_the_gold_answer_is(gold: str, text: str, source: str) -> None:
    reading = read_gold(gold)[0]
    assert reading.text == text
    assert reading.source == ("marker" if source == "boxed" and "####" in gold else source)


@pytest.mark.parametrize(
    "gold",
    [
        "$$x = \\frac{1}{2}, x = \\frac{-1 \\pm \\sqrt{13}}{4}$$",
        "\\frac{-1 \\pm \\sqrt{13}}{4}",
        "(2, 2), (6, 2)",
        "1, 2",
        "x = 1, x = 2",
        "12 \\text{ and } 13",
        "19, 46, and 82",
        "\\pm 3",
        "n = 1, 2, 3",
        "\\{1, 2\\}",
        "x \\in \\{1, 2\\}",
        "So the sum lies between $\\boxed{12\\text{ and }13}$.",
    ],
)
def test_golds_that_list_several_values(gold: str) -> None:
    assert read_gold(gold)[0].multi


@pytest.mark.parametrize(
    "gold", ["72", "(1, 2)", "[0, 1)", "x = 2", "\\frac{1}{2}", "[1,2)\\cup(3,4]"]
)
def test_golds_with_one_value(gold: str) -> None:
    assert not read_gold(gold)[0].multi


def test_the_issues_golds_are_valid_now() -> None:
    pm = "$$x = \\frac{1}{2}, x = \\frac{-1 \\pm \\sqrt{13}}{4}$$"
    completion = (
        "\\boxed{x = \\frac{1}{2}, x = \\frac{-1 + \\sqrt{13}}{4}, x = \\frac{-1 - \\sqrt{13}}{4}}"
    )
    assert DOMAIN.verify(completion, {"answer": pm}).accuracy == 1.0
    missing_one = "\\boxed{x = \\frac{1}{2}, x = \\frac{-1 + \\sqrt{13}}{4}}"
    assert DOMAIN.verify(missing_one, {"answer": pm}).accuracy == 0.0


def test_ambiguous_decimal_comma_gold_accepts_either_reading() -> None:
    assert len(read_gold("1,22")) == 2
    assert DOMAIN.verify("\\boxed{1.22}", {"answer": "1,22"}).accuracy == 1.0
    assert DOMAIN.verify("\\boxed{1, 22}", {"answer": "1,22"}).accuracy == 1.0
    assert DOMAIN.verify("\\boxed{122}", {"answer": "1,22"}).accuracy == 0.0
    assert len(read_gold("1,000")) == 1 and read_gold("1,000")[0].text == "1000"


@pytest.mark.parametrize(
    "gold", ["???", "x+", "\\frac{", "[", "+", "}{", "no answer here", "#### ", "\\boxed{}"]
)
def test_invalid_only_when_no_reading_gives_an_answer(gold: str) -> None:
    with pytest.raises(InvalidReference):
        read_gold(gold)


def test_worked_solution_gold_is_reported() -> None:
    verdict = DOMAIN.verify("\\boxed{72}", {"answer": "So 48+24 = 72.\n#### 72"})
    assert verdict.accuracy == 1.0 and verdict.details["gold_source"] == "marker"


@pytest.mark.parametrize(
    ("gold", "text"),
    [
        ("\\boxed{1} papers and \\boxed{2} bins", "1, 2"),  # listed together
        ("\\boxed{1} no no no no no \\boxed{2}", "2"),  # far apart: the last one
        ("$\\boxed{35 cm} ++++++ \\boxed{4}$", "35 cm, 4"),  # one LaTeX display
        ("\\(\\boxed{1}\\) and \\(\\boxed{-2}\\).", "1, -2"),
        (
            "First we find $a = \\boxed{3}$, which we then use to compute the area of the "
            "whole figure, so the area is $\\boxed{5}$.",
            "5",
        ),
        ("\\$10", "\\$10"),
    ],
)
def test_which_boxes_of_a_gold_are_its_answer(gold: str, text: str) -> None:
    """math-verify's rule: boxes close together or listed ("and", "or", a comma) are one
    answer; a box far before the last one is an intermediate result."""
    assert read_gold(gold)[0].text == text


def test_an_intermediate_box_of_a_worked_gold_never_pays() -> None:
    gold = {
        "answer": "We get $a = \\boxed{3}$, and after a long computation of the area "
        "of the whole figure, the answer is $\\boxed{5}$."
    }
    assert DOMAIN.verify("\\boxed{5}", gold).accuracy == 1.0
    assert DOMAIN.verify("\\boxed{3}", gold).accuracy == 0.0
    assert DOMAIN.verify("\\boxed{3} \\boxed{5}", gold).accuracy == 0.0  # a hedge


def test_a_styled_letter_does_not_cut_the_gold_short() -> None:
    """math-verify reads ``1 - \\frac{1}{\\mathrm{e}}`` as 1 (the brace inside a brace ends
    its match): such a gold paid the answer 1."""
    gold = {"answer": "$1 - \\frac{1}{\\mathrm{e}}$"}
    assert DOMAIN.verify("\\boxed{1}", gold).accuracy == 0.0
    assert DOMAIN.verify("\\boxed{1 - e^{-1}}", gold).accuracy == 1.0
    assert DOMAIN.verify("\\boxed{1 + \\frac{1}{e}}", gold).accuracy == 0.0
