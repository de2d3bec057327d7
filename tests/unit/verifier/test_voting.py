"""Majority vote, clustering by equivalence, and the pass@k estimator."""

from __future__ import annotations

import itertools

import pytest

from rlvr.verifier.domains import CannotScore
from rlvr.verifier.voting import cluster, pass_at_k, vote, vote_safely


@pytest.mark.parametrize(("n", "c"), [(5, 0), (5, 1), (5, 3), (6, 6), (8, 2)])
def test_pass_at_k_matches_brute_force(n: int, c: int) -> None:
    outcomes = [True] * c + [False] * (n - c)
    for k in range(1, n + 1):
        subsets = list(itertools.combinations(outcomes, k))
        expected = sum(any(s) for s in subsets) / len(subsets)
        assert pass_at_k(n, c, k) == pytest.approx(expected)


def test_equivalent_math_answers_are_one_vote() -> None:
    groups = cluster("math", ["0.5", "\\frac{1}{2}", "1/2", "2", "x=2", None, "50\\%"])
    assert [g.members for g in groups] == [[0, 1, 2, 6], [3, 4]]


def test_logic_and_choice_answers_compare_as_text() -> None:
    assert [g.members for g in cluster("logic", ["Yes", "yes ", "no"])] == [[0, 1], [2]]
    assert [g.members for g in cluster("science", ["B", "b", "C"])] == [[0, 1], [2]]


def test_vote_with_reference() -> None:
    completions = ["\\boxed{3}", "\\boxed{3.0}", "\\boxed{4}", "\\boxed{4}", "\\boxed{4}"]
    result = vote("math", completions, {"answer": "4"}, [1, 2, 3, 5])
    assert result["majority"] == "4" and result["majority_share"] == 0.6
    assert result["correct"] == 3
    assert result["pass_at_k"] == {"1": 0.6, "2": 0.9, "3": 1.0, "5": 1.0}
    # the first 2 completions vote for 3 (wrong), the first 5 for 4 (right)
    assert result["maj_at_k"] == {"1": 0.0, "2": 0.0, "3": 0.0, "5": 1.0}


def test_ties_go_to_the_earliest_answer() -> None:
    result = vote("math", ["\\boxed{1}", "\\boxed{2}"], None, [1])
    assert result["majority"] == "1" and "pass_at_k" not in result


def test_completions_without_an_answer_do_not_vote() -> None:
    result = vote("math", ["no idea", "<think>\\boxed{2}", "\\boxed{7}"], {"answer": "7"}, [3])
    assert result["answers"] == [None, None, "7"]
    assert result["majority"] == "7" and result["majority_share"] == pytest.approx(1 / 3)
    assert result["correct"] == 1


def test_unsupported_domain_and_bad_reference() -> None:
    with pytest.raises(CannotScore):
        vote("code", ["x"], None, [1])
    failed = vote_safely("math", ["\\boxed{1}"], {"answer": "???"}, [1])
    assert failed["status"] == "error" and failed["error"]["code"] == "invalid_reference"
