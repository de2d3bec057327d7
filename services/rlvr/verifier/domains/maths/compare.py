"""Decide whether a predicted answer equals the gold answer.

Two stages:

* :func:`fast_compare`, a cheap exact/numeric check on the raw strings. It answers
  only when it is sure (identical after light normalisation, or two plain numbers);
  otherwise it returns ``None``.
* :func:`math_equal`, math-verify (sympy underneath): fractions, percentages, sets,
  intervals, tuples, matrices, equations, units and LaTeX variants.

Parsed gold and predictions are cached per process: a GRPO group shares one gold
answer and often repeats the same predicted answer.

math-verify's own signal-based timeouts are switched off; the caller enforces
one time limit for the whole item (see :mod:`rlvr.verifier.timeouts`), so a
timeout is reported as a timeout and not silently as "wrong".
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from typing import Any

from math_verify import parse, verify
from sympy import Basic, MatrixBase

from ..base import InvalidReference

# math-verify warns once per process that its own timeouts are off; they are off on
# purpose (the item time limit replaces them), so the warning is noise in our logs.
logging.getLogger("math_verify").setLevel(logging.ERROR)

# Characters and commands that never change the value of an answer.
_NOISE = re.compile(r"\\[,;:! $]|\\left|\\right|\\displaystyle|\s+")
_TRAILING = re.compile(r"[.。]+$")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_FRACTION = re.compile(r"([+-]?)\\d?frac\{(\d+)\}\{(\d+)\}|([+-]?\d+)/(\d+)")
_UNICODE = str.maketrans({"−": "-", "–": "-", "—": "-", "∞": "\\infty", "π": "\\pi"})


@dataclass(frozen=True)
class ComparisonConfig:
    """Tolerances handed to math-verify's ``verify``."""

    float_rounding: int = 6
    numeric_precision: int = 15
    strict: bool = True


def normalize(text: str) -> str:
    """Remove spacing commands, delimiters and unicode look-alikes.

    >>> normalize(" \\\\dfrac{1}{2}. ")
    '\\\\frac{1}{2}'
    """
    text = text.translate(_UNICODE).replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    text = _NOISE.sub("", text).strip("$")
    return _TRAILING.sub("", text)


def as_number(text: str) -> Fraction | None:
    if _NUMBER.fullmatch(text):
        try:
            return Fraction(Decimal(text))
        except (InvalidOperation, ValueError):
            return None
    match = _FRACTION.fullmatch(text)
    if match:
        sign, num, den = (match.group(1), match.group(2), match.group(3))
        if num is None:
            sign, num, den = "", match.group(4), match.group(5)
        if int(den) == 0:
            return None
        return Fraction(int(sign + num), int(den))
    return None


def fast_compare(gold: str, pred: str, config: ComparisonConfig | None = None) -> bool | None:
    """``True``/``False`` when a cheap check is conclusive, else ``None``.

    Numbers that differ only beyond math-verify's rounding are left to math-verify
    (``None``), so both stages always agree.

    >>> fast_compare("0.5", "1/2")
    True
    >>> fast_compare("3", "4")
    False
    >>> fast_compare("x=2", "2") is None
    True
    """
    config = config or ComparisonConfig()
    g, p = normalize(gold), normalize(pred)
    if g and g == p:
        return True
    gold_value, pred_value = as_number(g), as_number(p)
    if gold_value is None or pred_value is None:
        return None
    if gold_value == pred_value:
        return True
    scale = max(abs(gold_value), abs(pred_value), Fraction(1))
    if abs(gold_value - pred_value) > scale * Fraction(1, 10**config.float_rounding) * 10:
        return False
    return None


def _wrap(text: str, boxed: bool) -> str:
    if "$" in text or "\\boxed" in text:
        return text
    return f"\\boxed{{{text}}}" if boxed else f"${text}$"


@lru_cache(maxsize=8192)
def parse_gold(answer: str) -> list[Any]:
    """Parse a gold answer, or raise :class:`InvalidReference`.

    A gold that cannot be parsed must never turn into a silent 0.
    """
    parsed = parse(_wrap(answer, boxed=True), parsing_timeout=None)
    # math-verify falls back to the raw string when LaTeX parsing fails; a gold
    # with no mathematical object in it cannot be compared fairly.
    if not any(isinstance(value, Basic | MatrixBase) for value in parsed):
        parsed = parse(answer, parsing_timeout=None)
    if not any(isinstance(value, Basic | MatrixBase) for value in parsed):
        raise InvalidReference(f"math-verify cannot parse the gold answer {answer[:200]!r}")
    return list(parsed)


@lru_cache(maxsize=8192)
def parse_prediction(text: str, boxed: bool) -> list[Any]:
    """Parse a predicted answer; ``boxed`` says it came out of a ``\\boxed{}``."""
    return list(parse(_wrap(text, boxed=boxed), parsing_timeout=None))


def math_equal(
    gold: str, pred: str, *, boxed: bool = True, config: ComparisonConfig | None = None
) -> bool:
    """Full equivalence through math-verify.

    >>> math_equal("0.5", "\\\\frac{1}{2}")
    True
    """
    config = config or ComparisonConfig()
    gold_parsed = parse_gold(gold)
    pred_parsed = parse_prediction(pred, boxed)
    if not pred_parsed:
        return False
    return bool(
        verify(
            gold_parsed,
            pred_parsed,
            float_rounding=config.float_rounding,
            numeric_precision=config.numeric_precision,
            strict=config.strict,
            timeout_seconds=None,
        )
    )
