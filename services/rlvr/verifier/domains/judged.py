"""Apply the optional LLM judge (:mod:`rlvr.verifier.judge`) to a rule verdict."""

from __future__ import annotations

from ..judge import JudgeConfig, consult
from .base import Verdict
from .text import answer_blocks, answer_region

# Penalties the rules give on purpose: a judge must never be asked to undo them.
_NOT_ASKED_REASONS = {"multiple_answers", "inconsistent_equation"}


def _fallback_answer(completion: str, limit: int) -> str:
    """With no extracted answer, the judge sees the last ``<answer>`` block, else the end of
    the text after the reasoning (never the reasoning), cut to ``limit`` characters."""
    region = answer_region(completion)
    blocks = answer_blocks(region)
    return (blocks[-1] if blocks else region).strip()[-limit:].strip()


def rescue(config: JudgeConfig | None, verdict: Verdict, gold: str, completion: str) -> Verdict:
    """``verdict`` after the judge, when the rules gave it 0 or no answer."""
    if verdict.accuracy >= 1.0:
        return verdict
    details = dict(verdict.details)
    if config is None:
        details["judge"] = {"status": "not_configured"}
        return Verdict(verdict.accuracy, verdict.extracted, details, verdict.scores)
    if details.get("reason") in _NOT_ASKED_REASONS:
        details["judge"] = {"status": "not_asked", "reason": details["reason"]}
        return Verdict(verdict.accuracy, verdict.extracted, details, verdict.scores)
    answer = verdict.extracted or _fallback_answer(completion, config.max_answer_chars)
    if not answer:
        details["judge"] = {"status": "not_asked", "reason": "no_answer"}
        return Verdict(verdict.accuracy, verdict.extracted, details, verdict.scores)
    rescued, said = consult(config, gold, answer)
    details["judge"] = said
    if not rescued:
        return Verdict(verdict.accuracy, verdict.extracted, details, verdict.scores)
    details.pop("reason", None)
    details["method"] = "judge"
    return Verdict(1.0, answer, details, verdict.scores)
