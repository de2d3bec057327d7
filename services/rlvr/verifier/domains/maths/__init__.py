"""Math domain: reference ``{"answer": "..."}``, scored with math-verify.

The gold may be a bare answer or a worked solution (:mod:`.gold`); the completion's
answer is found as :mod:`.extract` says and compared as :mod:`.compare` says. Several
different answers are one answer — a set — when the gold lists several values, and
hedging (0) when it has one.

>>> MathDomain().verify("<think>…</think><answer>\\\\boxed{\\\\frac{1}{2}}</answer>",
...                     {"answer": "0.5"}).accuracy
1.0
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field, replace
from typing import Any

from ...judge import JudgeConfig
from ..base import AnswerOptions, CannotScore, InvalidReference, MissingReference, Verdict
from ..judged import rescue
from .compare import ComparisonConfig, equal_set, equal_single, fast_compare, same_value
from .extract import Extraction, ExtractionConfig, extract_answer
from .gold import Gold, read_gold

__all__ = ["MathConfig", "MathDomain"]

_MAX_PAIRWISE = 6  # candidates compared pairwise for duplicates; a longer list is a list


@dataclass(frozen=True)
class MathConfig:
    """Extraction and comparison settings, the hedging policy, and the optional judge."""

    extraction: ExtractionConfig = field(default_factory=ExtractionConfig)
    comparison: ComparisonConfig = field(default_factory=ComparisonConfig)
    reject_hedging: bool = True
    judge: JudgeConfig | None = None


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

    def extraction(self, options: AnswerOptions | None = None) -> ExtractionConfig:
        """The extraction settings under a request's options (``strict`` overrides)."""
        if options is None or options.strict is None:
            return self.config.extraction
        return replace(self.config.extraction, strict=options.strict)

    def _distinct(self, parts: tuple[str, ...]) -> tuple[str, ...]:
        """Candidates with equal values merged (``\\boxed{0.5}`` and ``\\boxed{1/2}`` are one)."""
        if len(parts) < 2 or len(parts) > _MAX_PAIRWISE:
            return parts
        kept: list[str] = []
        for part in parts:
            if not any(same_value(part, other, self.config.comparison) for other in kept):
                kept.append(part)
        return tuple(kept)

    def _decide(self, gold: Gold, found: Extraction) -> Verdict:
        details: dict[str, Any] = {"source": found.source}
        if found.text is None:
            return Verdict(0.0, None, {**details, "reason": "no_answer"})
        if found.conflict:  # counted by its last side, as math-verify counts it
            details["sides"] = list(found.conflict)
        verdict = self._compare(gold, found, details)
        if found.conflict and verdict.accuracy < 1.0:
            # Never judged: a judge shown the chain could be talked round by an earlier side.
            # a reason already found (a hedge inside the chain) says more: keep it
            verdict.details.setdefault("reason", "inconsistent_equation")
        return verdict

    def _compare(self, gold: Gold, found: Extraction, details: dict[str, Any]) -> Verdict:
        parts = self._distinct(found.parts)
        if len(parts) > 1 or found.elided:
            if gold.multi and (gold.elided or not found.elided):
                correct = equal_set(gold, parts, self.config.comparison)
                return Verdict(float(correct), ", ".join(parts), {**details, "method": "set"})
            if self.config.reject_hedging or found.elided:
                details.update(reason="multiple_answers", candidates=list(parts))
                return Verdict(0.0, found.text, details)
            parts = parts[-1:]
        part = parts[0]
        decided = fast_compare(gold.text, part, self.config.comparison)
        if decided is not None:
            return Verdict(float(decided), part, {**details, "method": "fast"})
        correct = equal_single(gold, part, self.config.comparison)
        return Verdict(float(correct), part, {**details, "method": "math_verify"})

    def verify(
        self, completion: str, reference: Mapping[str, Any], options: AnswerOptions | None = None
    ) -> Verdict:
        golds = read_gold(gold_answer(reference))
        config = self.extraction(options)
        found: dict[bool, Extraction] = {}
        verdict: Verdict | None = None
        read = Extraction(None)
        for gold in golds:  # one reading, two for an ambiguous "1,22"
            decimal_comma = not gold.multi
            if decimal_comma not in found:
                found[decimal_comma] = extract_answer(
                    completion, config, decimal_comma=decimal_comma
                )
            candidate = self._decide(gold, found[decimal_comma])
            if verdict is None or candidate.accuracy > verdict.accuracy:
                verdict, read = candidate, found[decimal_comma]
            if verdict.accuracy >= 1.0:
                break
        assert verdict is not None
        if golds[0].source != "answer":  # the gold was read out of a worked solution
            verdict = replace(verdict, details={**verdict.details, "gold_source": golds[0].source})
        if options is not None and options.judge:
            verdict = self._judged(verdict, read, golds[0].text, completion)
        return verdict

    def _judged(self, verdict: Verdict, read: Extraction, gold: str, completion: str) -> Verdict:
        """The judge sees the answer and whatever was written after it (so that text
        addressing it is screened out, wherever it stands); the verdict keeps the answer."""
        if not read.after or verdict.extracted is None:
            return rescue(self.config.judge, verdict, gold, completion)
        shown = replace(verdict, extracted=f"{verdict.extracted} {read.after}")
        return replace(
            rescue(self.config.judge, shown, gold, completion), extracted=verdict.extracted
        )

    def answer(
        self,
        completion: str,
        reference: Mapping[str, Any] | None = None,
        options: AnswerOptions | None = None,
    ) -> str | None:
        multi = False
        if reference is not None:
            # A bad reference is reported by the vote when it checks correctness.
            with suppress(CannotScore):
                multi = read_gold(gold_answer(reference))[0].multi
        found = extract_answer(completion, self.extraction(options), decimal_comma=not multi)
        if found.text is None:
            return None
        parts = self._distinct(found.parts)
        if len(parts) > 1 or found.elided:
            if multi and not found.elided:
                return ", ".join(parts)
            if self.config.reject_hedging or found.elided:
                return None
            parts = parts[-1:]
        return parts[0]

    def same_answer(self, a: str, b: str) -> bool:
        return same_value(a, b, self.config.comparison)
