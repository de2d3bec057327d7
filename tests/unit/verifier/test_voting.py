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


def test_voting_asks_the_domain_and_code_does_not_vote() -> None:
    from rlvr.verifier.domains import build_domains
    from rlvr.verifier.domains.base import votes

    domains = build_domains()
    assert all(votes(domains[name]) for name in ("math", "science", "logic"))

    class Silent:  # a domain that scores but answers none of voting's questions
        name = "silent"
        waits_on_io = False

        def verify(self, completion: str, reference: object) -> None: ...

    assert not votes(Silent())  # type: ignore[arg-type]
    failed = vote_safely("code", ["print(1)"], None, [1])
    assert failed["status"] == "error" and failed["error"]["code"] == "vote_unsupported"
    assert "math" in failed["error"]["message"]


def test_vote_uses_the_configured_extraction_and_hedging() -> None:
    from rlvr.verifier.domains import build_domains
    from rlvr.verifier.domains.maths import MathConfig, MathDomain
    from rlvr.verifier.domains.maths.extract import ExtractionConfig

    configured = MathDomain(
        MathConfig(
            extraction=ExtractionConfig(fallback_patterns=(r"Result:\s*(\S+)",)),
            reject_hedging=False,
        )
    )
    domains = {**build_domains(), "math": configured}
    completions = ["Result: 7 (checked)", "\\boxed{3} or \\boxed{7}", "7"]
    result = vote("math", completions, {"answer": "7"}, [3], domains=domains)
    assert result["answers"] == ["7", "7", "7"]
    assert result["correct"] == 3


def test_vote_reads_answers_as_verify_does_and_counts_what_verify_pays() -> None:
    completions = [
        "#### 72",  # a marker
        "The total is 72 apples.",  # a final statement
        "<think>x</think><answer>72</answer>",
        "either 12 or 72",  # a hedge: no vote, not correct
        "\\boxed{1 = 2 = 72}",  # a chain counts by its last side, as in math-verify
        "7,2",  # a decimal comma: 7.2
    ]
    result = vote("math", completions, {"answer": "72"}, [1, 6])
    assert result["answers"] == ["72", "72", "72", None, "72", "7.2"]
    assert result["correct"] == 4 and result["majority"] == "72"


def test_a_list_is_one_answer_when_the_gold_lists_several() -> None:
    completions = [
        "\\boxed{1, 2}",
        "\\boxed{2} and \\boxed{1}",
        "x = 1 \\text{ or } x = 2",
        "\\boxed{1}",
    ]
    result = vote("math", completions, {"answer": "1, 2"}, [4])
    assert result["correct"] == 3
    assert [c["size"] for c in result["clusters"]] == [3, 1]
    assert vote("math", completions, None, [1])["answers"][:3] == [None, None, None]


def test_strict_option_reaches_the_vote() -> None:
    from rlvr.verifier.domains.base import AnswerOptions

    completions = ["#### 72", "<answer>72</answer>"]
    loose = vote("math", completions, {"answer": "72"}, [2])
    strict = vote("math", completions, {"answer": "72"}, [2], options=AnswerOptions(strict=True))
    assert (loose["correct"], strict["correct"]) == (2, 1)
    assert strict["answers"] == [None, "72"]


def test_science_votes_by_letter_and_by_quantity() -> None:
    letters = vote(
        "science",
        ["Answer: (B)", "\\boxed{b}", "C"],
        {"answer": "B", "choices": ["x", "y", "z"]},
        [1],
    )
    assert letters["majority"] == "B" and letters["correct"] == 2
    quantities = vote(
        "science",
        ["\\boxed{9.8 m/s^2}", "\\boxed{980 cm/s^2}", "\\boxed{9 m/s^2}"],
        {"value": 9.8, "unit": "m/s^2"},
        [1],
    )
    assert [c["size"] for c in quantities["clusters"]] == [2, 1] and quantities["correct"] == 2


# Red team: a cluster's verdict was its first member's, so one right completion carried its
# wrong look-alikes into a right majority, and right answers written differently split.
@pytest.mark.parametrize(
    ("domain", "completions", "reference", "maj", "sizes"),
    [
        # "Yes" is right under an exact match, "yes" is not: two votes, the wrong one wins.
        ("logic", ["Yes", "yes", "yes", "no"], {"answer": "Yes", "match": "exact"}, 0.0, [2, 1, 1]),
        # the right one first or last makes no difference
        ("logic", ["yes", "yes", "Yes", "no"], {"answer": "Yes", "match": "exact"}, 0.0, [2, 1, 1]),
        # "true" and "yes" both equal the gold under a boolean match: one vote of 3
        (
            "logic",
            ["no", "true", "yes", "y", "no"],
            {"answer": "true", "match": "boolean"},
            1.0,
            [3, 2],
        ),
        # a bare number read in the reference's unit and a converted one are right together
        (
            "science",
            ["9.8", "980 cm/s^2", "1 m/s^2", "1 m/s^2", "9.8 m/s^2"],
            {"value": 9.8, "unit": "m/s^2"},
            1.0,
            [3, 2],
        ),
    ],
)
def test_a_cluster_holds_one_verdict(
    domain: str, completions: list[str], reference: dict[str, object], maj: float, sizes: list[int]
) -> None:
    wrapped = [f"<answer>{c}</answer>" for c in completions]
    result = vote(domain, wrapped, reference, [len(completions)])
    assert result["maj_at_k"][str(len(completions))] == maj
    assert [c["size"] for c in result["clusters"]] == sizes
    verdicts = [c["correct"] for c in result["clusters"]]
    assert sum(size for size, ok in zip(sizes, verdicts, strict=True) if ok) == result["correct"]
