"""The lexical behaviour detector: spans, thinking length, and measured precision."""

from __future__ import annotations

from rlvr.verifier.behaviours import BEHAVIOURS, analyze, thinking

from .behaviour_snippets import SNIPPETS

CODES = {"V": "verification", "S": "subgoal_setting", "B": "backtracking", "C": "backward_chaining"}


def scores() -> dict[str, tuple[float, float]]:
    """(precision, recall) per behaviour at snippet level on the labelled set."""
    result = {}
    for code, name in CODES.items():
        tp = fp = fn = 0
        for text, labels in SNIPPETS:
            found, wanted = analyze(text)["counts"][name] > 0, code in labels
            tp += found and wanted
            fp += found and not wanted
            fn += wanted and not found
        result[name] = (tp / (tp + fp), tp / (tp + fn))
    return result


def test_labelled_set_is_large_and_covers_every_behaviour() -> None:
    assert len(SNIPPETS) >= 60
    for code in CODES:
        assert sum(code in labels for _, labels in SNIPPETS) >= 8


def test_measured_precision_and_recall() -> None:
    measured = scores()
    for name, (precision, recall) in measured.items():
        assert precision >= 0.85, (name, measured)
        assert recall >= 0.7, (name, measured)


def test_spans_point_at_the_phrases() -> None:
    completion = "<think>First, we need x. Wait, no.</think><answer>3</answer>"
    result = analyze(completion)
    for start, end, text in result["spans"]["backtracking"] + result["spans"]["subgoal_setting"]:
        assert completion[start:end] == text
    assert result["counts"]["backtracking"] == 1 and result["counts"]["subgoal_setting"] == 1


def test_only_the_reasoning_is_analysed() -> None:
    result = analyze("<think>two words</think><answer>Wait, let me check</answer>")
    assert result["thinking_words"] == 2 and sum(result["counts"].values()) == 0
    assert thinking("no tags at all") == "no tags at all"
    assert set(result["counts"]) == set(BEHAVIOURS)
