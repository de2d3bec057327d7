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


# Red team: reasoning-gym's scorers credit answers that contain the gold; before the check,
# each of these families paid a hedge (several in full: game_of_life_halting, gsm_symbolic,
# knights_knaves, sokoban, spell_backward, quantum_lock).
HEDGED_FAMILIES = [
    "game_of_life_halting",
    "gsm_symbolic",
    "knights_knaves",
    "sokoban",
    "spell_backward",
    "quantum_lock",
    "isomorphic_strings",
    "basic_arithmetic",
    "syllogism",
    "course_schedule",
    "caesar_cipher",
    "sudoku",
    "list_functions",
    "letter_counting",
    "tsumego",
]
HEDGES = ["{gold} or 0", "maybe {gold}", "0, 1, {gold}, 2", "False or {gold}", "{gold}\n{gold}x"]


@pytest.mark.parametrize("family", HEDGED_FAMILIES)
def test_a_reasoning_gym_answer_padding_the_gold_is_a_hedge(family: str) -> None:
    entry = reasoning_gym.create_dataset(family, size=1, seed=1)[0]
    gold = str(entry["answer"])
    reference = {"task": family, "entry": entry}
    for answer in (gold, f"  {gold}  ", f"\n{gold}\n"):
        assert DOMAIN.verify(f"<answer>{answer}</answer>", reference).accuracy == 1.0, answer
    # A full stop is not a hedge: the task's own score stands (some take a little off).
    assert "reason" not in DOMAIN.verify(f"<answer>{gold}.</answer>", reference).details
    for hedge in HEDGES:
        verdict = DOMAIN.verify(f"<answer>{hedge.format(gold=gold)}</answer>", reference)
        assert verdict.accuracy == 0.0, hedge


@pytest.mark.parametrize(
    ("answer", "gold", "pads"),
    [
        ("False or True", "False", True),
        ("15", "5", True),
        ("x = 13", "13", True),
        ("False.", "False", False),
        ("[3]", "3", False),
        ("3.0", "3", False),
        ("FALSE", "False", False),
        ("a  b\n c", "a b c", False),
        ("4", "3", False),
        ("anything", "", False),
    ],
)
def test_what_pads_the_gold(answer: str, gold: str, pads: bool) -> None:
    from rlvr.verifier.domains.logic import _pads_the_gold

    assert _pads_the_gold(answer, gold) is pads


@pytest.mark.parametrize(
    ("got", "answer", "match", "expected"),
    [
        # Red team: Python's True == 1 made a boolean the right JSON number, and back
        ("[true, false]", [1, 0], "json", 0.0),
        ('{"a": true}', '{"a": 1}', "json", 0.0),
        ("[1, 0]", [True, False], "json", 0.0),
        ("[true, 0]", [True, 0], "json", 1.0),
        ('{"a": [1.0, "x"]}', {"a": [1, "x"]}, "json", 1.0),
        # a fixed absolute slack of 1e-9 made 0 right for every tiny gold
        ("0", 5e-10, "numeric", 0.0),
        ("0", "3e-10", "numeric", 0.0),
        ("5.0000000001e-10", 5e-10, "numeric", 1.0),
        ("1e-13", 0, "numeric", 1.0),
        ("1e-6", 0, "numeric", 0.0),
    ],
)
def test_matchers_do_not_confuse_types_or_scales(
    got: str, answer: object, match: str, expected: float
) -> None:
    reference = {"answer": answer, "match": match}
    assert DOMAIN.verify(f"<answer>{got}</answer>", reference).accuracy == expected
