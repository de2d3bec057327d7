"""Where the answer lives (shared by every answer domain): red-team cases."""

from __future__ import annotations

import pytest

from rlvr.verifier.domains import build_domains
from rlvr.verifier.domains.text import answer_region

DOMAINS = build_domains()


@pytest.mark.parametrize(
    ("completion", "region"),
    [
        ("<think>a</think> so 5", " so 5"),
        ("<think>a</think><think>b</think> 5", " 5"),
        ("no tags, 5", "no tags, 5"),
        ("<think>never closed, 5", ""),
        # reasoning opened again after the first block closed, and never closed
        ("<think>a</think> <think>so 5", ""),
        ("<think>a</think><answer>4</answer><THINK>no wait, 5", ""),
    ],
)
def test_answer_region(completion: str, region: str) -> None:
    assert answer_region(completion) == region


@pytest.mark.parametrize(
    ("domain", "completion", "reference"),
    [
        ("math", "<think>a</think> <think>so \\boxed{5}", {"answer": "5"}),
        ("science", "<think>a</think><think>\\boxed{B}", {"answer": "B", "choices": ["x", "y"]}),
        (
            "science",
            "<think>a</think><answer>A</answer><think>\\boxed{B}",
            {"answer": "B", "choices": ["x", "y"]},
        ),
        ("logic", "<think>a</think><think><answer>5</answer>", {"answer": "5"}),
    ],
)
def test_an_answer_inside_a_reopened_think_never_counts(
    domain: str, completion: str, reference: dict[str, object]
) -> None:
    """Red team: an unclosed <think> means no answer; a second one, opened after the first
    closed, hid the answer inside the reasoning and was read all the same."""
    assert DOMAINS[domain].verify(completion, reference).accuracy == 0.0
