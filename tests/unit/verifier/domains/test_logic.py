"""Logic domain: generic matchers and the reasoning-gym adapter."""

from __future__ import annotations

import pytest
import reasoning_gym

from rlvr.verifier.domains import InvalidReference, MissingReference
from rlvr.verifier.domains.logic import LogicDomain, final_answer

DOMAIN = LogicDomain()


@pytest.mark.parametrize(
    ("got", "answer", "match", "expected"),
    [
        ("Paris", "Paris", "exact", 1.0),
        ("paris", "Paris", "exact", 0.0),
        ("  PARIS. ", "paris", "ci", 1.0),
        ("new   york", "New York", "ci", 1.0),
        ("a, b, c", ["a", "b", "c"], "ordered_list", 1.0),
        ("[a, c, b]", ["a", "b", "c"], "ordered_list", 0.0),
        ("c, a, b", ["a", "b", "c"], "unordered_list", 1.0),
        ("c, a, a, b", ["a", "b", "c"], "unordered_list", 0.0),
        ("c, a, a, b", ["a", "b", "c"], "set", 1.0),
        ("c; b", "b, c", "set", 1.0),
        ('{"x": 1, "y": [1, 2]}', {"y": [1, 2], "x": 1}, "json", 1.0),
        ('{"x": 2}', {"x": 1}, "json", 0.0),
        ("not json", {"x": 1}, "json", 0.0),
        ("Yes", True, "boolean", 1.0),
        ("no", "false", "boolean", 1.0),
        ("maybe", True, "boolean", 0.0),
        ("1,000.0", 1000, "numeric", 1.0),
        ("999", 1000, "numeric", 0.0),
    ],
)
def test_matchers(got: str, answer: object, match: str, expected: float) -> None:
    completion = f"<think>hm</think><answer>{got}</answer>"
    assert DOMAIN.verify(completion, {"answer": answer, "match": match}).accuracy == expected


@pytest.mark.parametrize(
    ("completion", "answer"),
    [
        ("<think>x</think><answer> 42 </answer>", "42"),
        ("<think>x</think> so \\boxed{7}", "7"),
        ("<think>x</think> plain", "plain"),
        ("<think>only thinking", None),
    ],
)
def test_final_answer(completion: str, answer: str | None) -> None:
    assert final_answer(completion) == answer


def test_reasoning_gym_partial_credit() -> None:
    entry = reasoning_gym.create_dataset("letter_counting", size=1, seed=3)[0]
    wrong = DOMAIN.verify("<answer>zzz</answer>", {"task": "letter_counting", "entry": entry})
    right = DOMAIN.verify(
        f"<answer>{entry['answer']}</answer>", {"task": "letter_counting", "entry": entry}
    )
    assert right.accuracy == 1.0 and 0.0 <= wrong.accuracy < 1.0


@pytest.mark.parametrize(
    ("reference", "error"),
    [
        ({}, MissingReference),
        ({"answer": "x", "match": "fuzzy"}, InvalidReference),
        ({"answer": "{", "match": "json"}, InvalidReference),
        ({"task": "no_such_task", "entry": {}}, InvalidReference),
        ({"task": "gcd", "entry": "x"}, InvalidReference),
    ],
)
def test_bad_references(reference: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        DOMAIN.verify("<answer>x</answer>", reference)
