"""Math domain: reference ``{"answer": "..."}``, scored with math-verify.

>>> MathDomain().verify("<think>…</think><answer>\\\\boxed{\\\\frac{1}{2}}</answer>",
...                     {"answer": "0.5"}).accuracy
1.0
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..base import InvalidReference, MissingReference, Verdict
from .compare import ComparisonConfig, as_number, fast_compare, math_equal, normalize, parse_gold
from .extract import ExtractionConfig, extract_answer

__all__ = ["MathConfig", "MathDomain"]


@dataclass(frozen=True)
class MathConfig:
    """Extraction and comparison settings, plus the hedging policy."""

    extraction: ExtractionConfig = field(default_factory=ExtractionConfig)
    comparison: ComparisonConfig = field(default_factory=ComparisonConfig)
    reject_hedging: bool = True


def gold_answer(reference: Mapping[str, Any]) -> str:
    """The gold answer string of a math reference, or a reference error."""
    answer = reference.get("answer")
    if answer is None:
        raise MissingReference("math reference needs 'answer'")
    if isinstance(answer, bool) or not isinstance(answer, str | int | float):
        raise InvalidReference("math reference 'answer' must be a string or a number")
    text = str(answer).strip()
    if not text:
        raise InvalidReference("math reference 'answer' is empty")
    return text


@dataclass(frozen=True)
class MathDomain:
    """Extract the final answer, then compare it with the gold answer."""

    config: MathConfig = field(default_factory=MathConfig)
    name: str = "math"
    waits_on_io: bool = False

    def verify(self, completion: str, reference: Mapping[str, Any]) -> Verdict:
        gold = gold_answer(reference)
        if as_number(normalize(gold)) is None:
            parse_gold(gold)  # raises InvalidReference; cached per process
        found = extract_answer(completion, self.config.extraction)
        details: dict[str, Any] = {"source": found.source}
        if found.text is None:
            return Verdict(0.0, None, {**details, "reason": "no_answer"})
        if self.config.reject_hedging and found.hedged:
            details.update(reason="multiple_answers", candidates=list(found.candidates))
            return Verdict(0.0, found.text, details)
        decided = fast_compare(gold, found.text, self.config.comparison)
        if decided is not None:
            return Verdict(float(decided), found.text, {**details, "method": "fast"})
        correct = math_equal(
            gold, found.text, boxed=found.source != "answer_tag", config=self.config.comparison
        )
        return Verdict(float(correct), found.text, {**details, "method": "math_verify"})
