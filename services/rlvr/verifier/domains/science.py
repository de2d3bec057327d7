"""Science domain: multiple choice, numbers with units, and symbolic answers.

References:

* ``{"answer": "C", "choices": ["…", …]}`` — multiple choice (up to ten options, A–J).
  The chosen letter comes from ``\\boxed{C}``, ``Answer: C``, "the answer is (C)", or the
  option's own text. Naming several options scores 0 (in one span, or in several boxes).
* ``{"value": 9.8, "unit": "m/s^2", "rel_tol": 0.01, "abs_tol": 0}`` — a number with a unit,
  compared after conversion with pint (``980 cm/s^2`` is right, ``9.8 m/s`` is not).
  A prediction without a unit is read in the reference's unit.
* ``{"answer": "..."}`` without choices — symbolic, scored by the math domain.

>>> ScienceDomain().verify("Answer: (B)", {"answer": "B", "choices": ["x", "y"]}).accuracy
1.0
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pint

from .base import AnswerOptions, InvalidReference, MissingReference, Verdict
from .judged import rescue
from .maths import MathDomain
from .maths.extract import extract_answer, find_boxed
from .text import answer_blocks, answer_region

LETTERS = "ABCDEFGHIJ"
_LETTER = re.compile(r"(?<![A-Za-z])\(?([A-J])\)?(?![A-Za-z])")
_ANSWER_LINE = re.compile(r"(?<![</\w])answer\b\s*(?:is)?\s*[:：]?\s*([^\n]*)", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*([-+−]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*\.?\s*$")
_LATEX_UNIT = [
    (re.compile(r"\^\{([^{}]*)\}"), r"^\1"),
    (re.compile(r"\\(?:text|mathrm|mathit|operatorname)\{([^{}]*)\}"), r"\1"),
    (re.compile(r"\\(?:times|cdot)\s*10\^\{?([-+−]?\d+)\}?"), r"e\1"),
    (re.compile(r"\\(?:cdot|times)"), "*"),
    (re.compile(r"\\[,;:! ]|~|\$"), " "),
    (re.compile(r"\\?%"), "percent"),
    (re.compile(r"\\mu\s*|μ"), "u"),
    (re.compile(r"\\Omega|Ω"), "ohm"),
    (re.compile(r"\^\\circ\s*|°"), "deg"),
]


@cache
def _units() -> pint.UnitRegistry:  # type: ignore[type-arg]
    return pint.UnitRegistry(autoconvert_offset_to_baseunit=True)


def _clean(text: str) -> str:
    text = text.strip().replace("−", "-")
    for pattern, replacement in _LATEX_UNIT:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def parse_quantity(text: str) -> tuple[float, Any] | None:
    """(magnitude, pint unit or None) of "9.8 m/s^2", "6.02\\times10^{23}", "3 \\text{cm}".

    >>> parse_quantity("6.02\\\\times10^{23}")
    (6.02e+23, None)
    """
    match = _NUMBER.match(_clean(text))
    if match is None:
        return None
    number, unit = match.groups()
    # "6.02 e23" after cleaning a "\times 10^{23}" with a space before it
    exponent = re.match(r"^e([-+]?\d+)\s*(.*)$", unit)
    if exponent:
        number, unit = f"{number}e{exponent.group(1)}", exponent.group(2)
    try:
        value = float(number.replace("−", "-"))
        return value, (_units().parse_units(unit) if unit else None)
    except (ValueError, pint.errors.PintError, AttributeError, TypeError):
        return None


def _spans(completion: str) -> list[str]:
    """The short texts that state the final choice: every box (several boxes naming
    different options are a hedge, as in math), else the last answer line, else the last
    ``<answer>`` block, else a short answer region."""
    region = answer_region(completion)
    boxed = find_boxed(region)
    if boxed:
        return boxed
    lines: list[str] = _ANSWER_LINE.findall(region)
    if lines and lines[-1].strip():
        return [lines[-1]]
    blocks = answer_blocks(region)
    if blocks:
        return [blocks[-1]]
    return [region if len(region.strip()) <= 40 else ""]


def _letters_in(text: str, choices: list[str]) -> list[str]:
    span = _clean(text)
    alone = re.fullmatch(r"\(?([a-jA-J])\)?", span.strip(" ."))
    if alone:
        return [alone.group(1).upper()]
    letters = list(dict.fromkeys(_LETTER.findall(span)))
    if letters:
        return letters
    wanted = span.strip(" .").lower()
    return [LETTERS[i] for i, text in enumerate(choices) if wanted and wanted == text.lower()]


def chosen_letters(completion: str, choices: list[str]) -> list[str]:
    """Distinct option letters the completion commits to (several = hedging)."""
    found = [letter for span in _spans(completion) for letter in _letters_in(span, choices)]
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class ScienceDomain:
    math: MathDomain = field(default_factory=MathDomain)
    name: str = "science"
    waits_on_io: bool = False

    def verify(
        self, completion: str, reference: Mapping[str, Any], options: AnswerOptions | None = None
    ) -> Verdict:
        if "value" in reference:
            verdict, gold = self._numeric(completion, reference, options)
            if options is not None and options.judge:
                verdict = rescue(self.math.config.judge, verdict, gold, completion)
            return verdict
        if "choices" in reference:
            return self._choice(completion, reference)
        if "answer" in reference:
            return self.math.verify(completion, reference, options)
        raise MissingReference("science reference needs 'answer' (+ 'choices') or 'value'")

    def answer(
        self,
        completion: str,
        reference: Mapping[str, Any] | None = None,
        options: AnswerOptions | None = None,
    ) -> str | None:
        """The chosen letter, else the quantity or symbolic answer (as /verify reads them)."""
        reference = reference or {}
        choices = reference.get("choices")
        if "choices" in reference or "value" not in reference:
            listed = [str(c) for c in choices] if isinstance(choices, list) else []
            letters = chosen_letters(completion, listed)
            if len(letters) == 1:
                return letters[0]
            if "choices" in reference:
                return None
        if "value" in reference:
            found = extract_answer(completion, self.math.extraction(options))
            if found.text is None or len(found.parts) > 1 or found.conflict:
                return None
            # the span keeps the unit ("980 cm/s^2") that a prose reading drops
            return found.span if found.span and parse_quantity(found.span) else found.text
        return self.math.answer(completion, reference or None, options)

    def same_answer(self, a: str, b: str) -> bool:
        """Letters as text; quantities after unit conversion; anything else as math."""
        if (len(a) == 1 and a.isalpha()) or (len(b) == 1 and b.isalpha()):
            return a.strip().upper() == b.strip().upper()
        left, right = parse_quantity(a), parse_quantity(b)
        if left is not None and right is not None and left[1] is not None and right[1] is not None:
            try:
                converted = (left[0] * left[1]).to(right[1]).magnitude
            except pint.errors.DimensionalityError:
                return False
            return math.isclose(converted, right[0], rel_tol=1e-6)
        return self.math.same_answer(a, b)

    def _choice(self, completion: str, reference: Mapping[str, Any]) -> Verdict:
        choices, answer = reference.get("choices"), reference.get("answer")
        if not isinstance(choices, list) or not 2 <= len(choices) <= len(LETTERS):
            raise InvalidReference("'choices' must be a list of 2 to 10 option texts")
        if not isinstance(answer, str) or answer.strip().upper() not in LETTERS[: len(choices)]:
            raise InvalidReference("'answer' must be the letter of one of the choices")
        letters = chosen_letters(completion, [str(c) for c in choices])
        if len(letters) > 1:
            return Verdict(0.0, ", ".join(letters), {"reason": "multiple_answers"})
        picked = letters[0] if letters else None
        details = {} if picked else {"reason": "no_answer"}
        return Verdict(float(picked == answer.strip().upper()), picked, details)

    def _numeric(
        self, completion: str, reference: Mapping[str, Any], options: AnswerOptions | None
    ) -> tuple[Verdict, str]:
        unit_text = reference.get("unit") or ""
        numbers = [
            reference.get(k, d) for k, d in (("value", None), ("rel_tol", 0.01), ("abs_tol", 0.0))
        ]
        if not all(isinstance(n, int | float) and not isinstance(n, bool) for n in numbers):
            raise InvalidReference("'value', 'rel_tol' and 'abs_tol' must be numbers")
        value, rel_tol, abs_tol = (float(n) for n in numbers)
        gold = parse_quantity(f"{value} {unit_text}")
        if gold is None:
            raise InvalidReference(f"unknown unit {unit_text!r}")
        found = extract_answer(completion, self.math.extraction(options))
        gold_text = f"{value:g} {unit_text}".strip()
        if len(found.parts) > 1 or found.conflict:
            hedge = {"reason": "multiple_answers", "candidates": list(found.parts)}
            return Verdict(0.0, found.text, hedge), gold_text
        # The span keeps the unit that prose candidates drop ("The speed is 3 km/h.").
        predicted = None
        for text in (found.span, found.text):
            if text and predicted is None:
                predicted = parse_quantity(text)
        if predicted is None:
            return Verdict(0.0, found.text, {"reason": "no_quantity"}), gold_text
        magnitude, unit = predicted
        if unit is not None and gold[1] is not None:
            try:
                magnitude = (magnitude * unit).to(gold[1]).magnitude
            except pint.errors.DimensionalityError:
                return Verdict(0.0, found.text, {"reason": "wrong_dimension"}), gold_text
        elif unit is not None:  # a unit where the reference is a pure number
            if not unit.dimensionless:
                return Verdict(0.0, found.text, {"reason": "wrong_dimension"}), gold_text
            magnitude = (magnitude * unit).to("dimensionless").magnitude
        close = math.isclose(
            magnitude, float(value), rel_tol=float(rel_tol), abs_tol=float(abs_tol)
        )
        details = {"value_in_reference_unit": magnitude}
        return Verdict(float(close), found.text, details), gold_text
