"""Reasoning behaviours in a completion, found by a fast lexical detector.

The four habits that predict whether RL will improve a model ("Cognitive Behaviors that
Enable Self-Improving Reasoners", Gandhi et al., 2025): verification, subgoal setting,
backtracking and backward chaining. Each is a list of phrase patterns; a match is one
occurrence, reported with its character span.

What it catches: the explicit phrasings models use ("let me check", "wait,", "first, we
need", "working backwards"). What it misses: behaviours done silently (recomputing a value
without saying so), paraphrases outside the lists, and context: "wait" in "wait times"
counts. tests/unit/verifier/test_behaviours.py measures precision and recall on a
hand-labelled set.

>>> analyze("<think>Wait, 2+2 is not 5. Let me check: 2+2=4.</think>")["counts"]
{'verification': 1, 'subgoal_setting': 0, 'backtracking': 1, 'backward_chaining': 0}
"""

from __future__ import annotations

import re
from typing import Any

PATTERNS: dict[str, list[str]] = {
    "verification": [
        r"let(?:'s| me| us) (?:double[- ])?(?:check|verify|confirm)",
        r"\bdouble[- ]check",
        r"\bsanity check",
        r"\bto (?:verify|check|confirm)(?: this| that| it| the| my| our)?\b",
        r"\b(?:plug(?:ging)?|substitut(?:e|ing)) (?:it |this |that |these |them |\w+ )?back",
        r"\bchecks? out\b",
        r"\b(?:which|this|that) (?:matches|is consistent with|agrees with)",
        r"\bverif(?:y|ying|ied)\b",
    ],
    "subgoal_setting": [
        r"\b(?:first|firstly),? (?:i|we|let(?:'s| me| us))\b",
        r"\bstep \d+\b",
        r"\blet(?:'s| me| us) (?:first|start by|begin by|break)",
        r"\bwe (?:need|have) to (?:find|compute|determine|figure out|calculate|show)",
        r"\b(?:the|my|our) (?:goal|plan|subgoal|strategy) is\b",
        r"\bbreak (?:this|it|the problem) (?:down|into)",
        r"\b(?:next|then),? (?:i|we)(?:'ll| will| need| can| should)",
    ],
    "backtracking": [
        r"\bwait\b",
        r"\bactually,",
        r"\bno,? (?:that|this)(?:'s| is) (?:not|wrong|incorrect)",
        r"\bthat(?:'s| is) (?:wrong|incorrect|not right)",
        r"\bi made (?:a|an) (?:mistake|error)",
        r"\blet(?:'s| me| us) (?:reconsider|rethink|re-?examine|try (?:again|another|a different))",
        r"\b(?:scratch|ignore) that\b",
        r"\bon second thought",
        r"\b(?:that|this) (?:doesn't|does not|won't|will not) work",
    ],
    "backward_chaining": [
        r"\bwork(?:ing)? backwards?\b",
        r"\bstart(?:ing)? from the (?:answer|goal|result|end|target)",
        r"\bin order (?:to|for) [^.,;]{1,60}, (?:we|i) (?:need|must|have)",
        r"\bfor [^.,;]{1,60} to (?:be|hold|equal)\b[^.,;]{0,40}, (?:we|i) (?:need|must)",
        r"\bwhat (?:would|do) (?:we|i) need\b",
        r"\breason(?:ing)? backwards?\b",
        r"\bfrom the (?:goal|desired result|target),? ",
    ],
}
BEHAVIOURS = tuple(PATTERNS)
_COMPILED = {
    name: re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    for name, patterns in PATTERNS.items()
}
_WORD = re.compile(r"\w+")


def thinking(completion: str) -> str:
    """The reasoning: inside ``<think>…</think>``, or the whole completion without tags."""
    start, end = completion.find("<think>"), completion.find("</think>")
    if start == -1 and end == -1:
        return completion
    begin = start + len("<think>") if start != -1 else 0
    return completion[begin : end if end > begin else len(completion)]


def analyze(completion: str) -> dict[str, Any]:
    """Counts and spans of each behaviour in the reasoning, and its length in words."""
    text = thinking(completion)
    offset = completion.find(text) if text else 0
    spans = {
        name: [[m.start() + offset, m.end() + offset, m.group(0)] for m in pattern.finditer(text)]
        for name, pattern in _COMPILED.items()
    }
    return {
        "counts": {name: len(found) for name, found in spans.items()},
        "spans": spans,
        "thinking_words": len(_WORD.findall(text)),
        "thinking_chars": len(text),
    }


def analyze_many(completions: list[str]) -> list[dict[str, Any]]:
    return [analyze(c) for c in completions]
