"""Science domain: multiple choice, quantities with units, symbolic answers."""

from __future__ import annotations

import pytest

from rlvr.verifier.domains import InvalidReference, MissingReference
from rlvr.verifier.domains.science import ScienceDomain, parse_quantity

DOMAIN = ScienceDomain()
CHOICES = ["helium", "neon", "argon", "krypton", "xenon"]


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        ("Answer: C", 1.0),
        ("<think>maybe A</think>\nAnswer: C", 1.0),
        ("\\boxed{C}", 1.0),
        ("The answer is (C).", 1.0),
        ("the answer is C", 1.0),
        ("<think>x</think><answer>c</answer>", 1.0),
        ("<think>x</think><answer>(C) argon</answer>", 1.0),
        ("<think>x</think><answer>argon</answer>", 1.0),
        ("Answer: B", 0.0),
        ("\\boxed{D}", 0.0),
        ("Answer: A or C", 0.0),
        ("\\boxed{C, D}", 0.0),
        ("<think>the answer is C</think>", 0.0),
        ("I am not sure.", 0.0),
    ],
)
def test_multiple_choice(completion: str, expected: float) -> None:
    assert DOMAIN.verify(completion, {"answer": "C", "choices": CHOICES}).accuracy == expected


def test_hedging_is_reported() -> None:
    verdict = DOMAIN.verify("Answer: A or C", {"answer": "C", "choices": CHOICES})
    assert verdict.details["reason"] == "multiple_answers"


def test_ten_options() -> None:
    choices = [str(i) for i in range(10)]
    assert DOMAIN.verify("Answer: J", {"answer": "J", "choices": choices}).accuracy == 1.0


@pytest.mark.parametrize(
    ("answer", "reference", "expected"),
    [
        ("9.8 m/s^2", {"value": 9.8, "unit": "m/s^2"}, 1.0),
        ("980 cm/s^2", {"value": 9.8, "unit": "m/s^2"}, 1.0),
        ("9.8 \\text{m/s}^2", {"value": 9.8, "unit": "m/s**2"}, 1.0),
        ("9.8 \\mathrm{m\\,s^{-2}}", {"value": 9.8, "unit": "m/s^2"}, 1.0),
        ("9.8 m/s", {"value": 9.8, "unit": "m/s^2"}, 0.0),
        ("9.8 kg", {"value": 9.8, "unit": "m/s^2"}, 0.0),
        ("9.8", {"value": 9.8, "unit": "m/s^2"}, 1.0),
        ("10.5 m/s^2", {"value": 9.8, "unit": "m/s^2"}, 0.0),
        ("9.85 m/s^2", {"value": 9.8, "unit": "m/s^2"}, 1.0),
        ("9.85 m/s^2", {"value": 9.8, "unit": "m/s^2", "rel_tol": 0.001}, 0.0),
        ("6.02\\times10^{23}", {"value": 6.022e23}, 1.0),
        ("6.02 \\times 10^{23}", {"value": 6.022e23}, 1.0),
        ("6.02e23", {"value": 6.022e23}, 1.0),
        ("6.02e22", {"value": 6.022e23}, 0.0),
        ("3\\,\\text{km}", {"value": 3000, "unit": "m"}, 1.0),
        ("2.5 \\mu m", {"value": 2.5e-6, "unit": "m"}, 1.0),
        ("300 K", {"value": 26.85, "unit": "degC"}, 1.0),
        ("25\\%", {"value": 0.25}, 1.0),
        ("−1.6\\times10^{-19} C", {"value": -1.602e-19, "unit": "coulomb"}, 1.0),
        ("5 m", {"value": 5}, 0.0),
        ("about five", {"value": 5}, 0.0),
    ],
)
def test_quantities(answer: str, reference: dict[str, object], expected: float) -> None:
    assert DOMAIN.verify(f"\\boxed{{{answer}}}", reference).accuracy == expected


def test_symbolic_answers_use_the_math_domain() -> None:
    assert DOMAIN.verify("\\boxed{\\frac{1}{2} m v^2}", {"answer": "0.5 m v^2"}).accuracy == 1.0


def test_parse_quantity() -> None:
    assert parse_quantity("not a number") is None
    value, unit = parse_quantity("12 km/h")  # type: ignore[misc]
    assert value == 12 and str(unit) == "kilometer / hour"


@pytest.mark.parametrize(
    ("reference", "error"),
    [
        ({}, MissingReference),
        ({"answer": "C", "choices": ["a"]}, InvalidReference),
        ({"answer": "Z", "choices": ["a", "b"]}, InvalidReference),
        ({"value": "high"}, InvalidReference),
        ({"value": 1, "unit": "florbs"}, InvalidReference),
    ],
)
def test_bad_references(reference: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        DOMAIN.verify("Answer: A", reference)


MC = {"answer": "B", "choices": ["red", "blue", "green", "yellow"]}


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        # Red team: several boxes naming different options are a hedge, as in math (the last
        # box alone was read, so "\boxed{A} or \boxed{B}" was right for B)
        ("\\boxed{A} or \\boxed{B}", 0.0),
        ("\\boxed{A}\\boxed{B}\\boxed{C}\\boxed{D}", 0.0),
        ("<answer>\\boxed{red} \\boxed{B}</answer>", 0.0),
        ("<think>\\boxed{A}</think>\\boxed{A} \\boxed{C} \\boxed{B}", 0.0),
        # the same option boxed twice, or by letter and text, is one answer
        ("\\boxed{B} so \\boxed{(B)}", 1.0),
        ("\\boxed{blue}, that is \\boxed{B}", 1.0),
        # a box inside the reasoning is not an answer
        ("<think>\\boxed{A}</think> \\boxed{B}", 1.0),
    ],
)
def test_several_boxes_naming_different_options_are_a_hedge(
    completion: str, expected: float
) -> None:
    verdict = DOMAIN.verify(completion, MC)
    assert verdict.accuracy == expected
    if expected == 0.0:
        assert verdict.details["reason"] == "multiple_answers"
        assert DOMAIN.answer(completion, MC) is None  # and no vote
