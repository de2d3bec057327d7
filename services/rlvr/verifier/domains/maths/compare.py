"""Decide whether a predicted answer equals the gold answer.

Two stages:

* :func:`fast_compare`, a cheap exact/numeric check on the raw strings. It answers
  only when it is sure (identical after light normalisation, or two plain numbers);
  otherwise it returns ``None``.
* :func:`equal_single`, math-verify (sympy underneath): fractions, percentages, sets,
  intervals, tuples, matrices, equations, units and LaTeX variants; and
  :func:`equal_set` for several answers against a gold of several values (solutions).

Parsed answers are cached per process: a GRPO group shares one gold
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
from typing import TYPE_CHECKING, Any

from latex2sympy2_extended.sets import FiniteSet
from math_verify import parse, verify
from sympy import Basic, Eq, Expr, MatrixBase
from sympy import FiniteSet as SympyFiniteSet

if TYPE_CHECKING:
    from .gold import Gold

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


_DELIMITER = re.compile(r"(?<!\\)\$")  # a math delimiter, not a dollar sign (\$)
# latex2sympy drops primes (E' reads as e): a primed letter is another symbol.
_PRIMES = re.compile(r"(?<=[A-Za-z}])('+)")
# A styled single letter is the letter: math-verify's reader loses the rest of the answer on
# the brace inside a brace (``\frac{1}{\mathrm{e}}`` reads as 1). An upright e or i is the
# constant wherever it stands (math-verify reads ``2+3\mathrm{i}`` as 5, ``2\mathrm{e}`` as 2);
# another letter right after a number is a unit (``5\,\text{m}``), left for math-verify to drop.
_STYLED_LETTER = re.compile(r"\\(?:mathrm|mathit|textrm|textit|text)\{\s*([A-Za-z])\s*\}")
_AFTER_NUMBER = re.compile(r"\d(?:\s|\\[,;:! ]|~)*$")


def _unstyle(text: str) -> str:
    def letter(match: re.Match[str]) -> str:
        before = text[max(0, match.start() - 16) : match.start()]
        unit = _AFTER_NUMBER.search(before) is not None
        return match.group() if unit and match.group(1) not in "ei" else match.group(1)

    return _STYLED_LETTER.sub(letter, text)


# "40/9\%" reads as 40/(9%) unless the fraction is written as one.
_FRACTION_PERCENT = re.compile(r"(?<![\w.^/])(\d+)/(\d+)(?=\s*\\?%)")


def _wrap(text: str) -> str:
    # math-verify knows \emptyset but not its other spellings
    text = text.replace("\\varnothing", "\\emptyset").replace("∅", "\\emptyset")
    text = _unstyle(text)
    text = _PRIMES.sub(lambda m: "^{" + "\\prime" * len(m.group(1)) + "}", text)
    text = _FRACTION_PERCENT.sub(r"\\frac{\1}{\2}", text)
    return text if _DELIMITER.search(text) or "\\boxed" in text else f"\\boxed{{{text}}}"


def is_math_value(value: Any) -> bool:
    return isinstance(value, Basic | MatrixBase)


# No answer nests brackets this deep; math-verify would spend seconds on one that does
# (a 400-deep \frac takes it over 10 s), so such an answer is unparseable: wrong, at once.
MAX_NESTING = 64


def _nesting(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth = max(0, depth - 1)
    return deepest


# A division by a literal zero: sympy leaves 0*0/0 unevaluated, and whether it then equals 0
# depends on the process's hash seed. An undefined answer equals nothing.
_BY_ZERO = re.compile(
    r"(?:/|\\div)\s*0(?![\d.,])|\\[dtc]?frac\s*\{[^{}]*\}\s*\{\s*0\s*\}|\\[dtc]?frac\s*\d0(?!\d)"
)


@lru_cache(maxsize=8192)
def parse_answer(text: str) -> tuple[Any, ...]:
    """math-verify's reading of one answer (sympy objects, then its string fallback);
    nothing for an answer nested too deep or that divides by zero."""
    if _nesting(text) > MAX_NESTING or _BY_ZERO.search(text):
        return ()
    return tuple(parse(_wrap(text), parsing_timeout=None))


_PLUS_MINUS = re.compile(r"\\pm(?![A-Za-z])|±|\\mp(?![A-Za-z])|∓")


def _expand_plus_minus(text: str) -> list[str]:
    """``\\frac{-1 \\pm \\sqrt{13}}{4}`` → both signs; math-verify reads a lone ``\\pm 2`` but
    not a ``\\pm`` inside a fraction or after ``x =``."""
    match = _PLUS_MINUS.search(text)
    if match is None or _PLUS_MINUS.search(text, match.end()):
        return [text]
    first, second = ("+", "-") if match.group() in ("\\pm", "±") else ("-", "+")
    return [text[: match.start()] + sign + text[match.end() :] for sign in (first, second)]


def flatten_values(value: Any) -> list[Any]:
    """The values an answer stands for: a set's elements, ``x = \\{1, 2\\}``'s right side."""
    if isinstance(value, SympyFiniteSet):
        return list(value.args)
    if isinstance(value, Eq) and isinstance(value.rhs, SympyFiniteSet):
        return list(value.rhs.args)
    return [value]


def elements(parts: tuple[str, ...]) -> tuple[Any, ...] | None:
    """The values several answer parts stand for, or None if one of them does not parse."""
    found: list[Any] = []
    for part in parts:
        for variant in (
            _expand_plus_minus(part) if len(parts) > 1 or _PLUS_MINUS.search(part) else [part]
        ):
            parsed = next((v for v in parse_answer(variant) if is_math_value(v)), None)
            if parsed is None:
                return None
            found.extend(flatten_values(parsed))
    return tuple(found)


@lru_cache(maxsize=8192)
def numeric_value(text: str) -> complex | None:
    """The value of a closed numeric expression (``3 \\cdot 24``, ``\\frac{1}{2}``), else None.

    >>> numeric_value("3 \\\\cdot 24")
    (72+0j)
    >>> numeric_value("x") is None
    True
    """
    quick = as_number(normalize(text))
    if quick is not None:
        return complex(quick)
    if len(text) > 120:
        return None
    parsed = next((v for v in parse_answer(text) if is_math_value(v)), None)
    if not isinstance(parsed, Expr) or parsed.free_symbols or not parsed.is_number:
        return None
    try:
        value = complex(parsed.evalf(15))
    except (TypeError, ValueError, ArithmeticError):
        return None
    return value if value == value and abs(value) != float("inf") else None


def _verify(gold: list[Any], pred: list[Any], config: ComparisonConfig) -> bool:
    return bool(
        verify(
            gold,
            pred,
            float_rounding=config.float_rounding,
            numeric_precision=config.numeric_precision,
            strict=config.strict,
            timeout_seconds=None,
        )
    )


def equal_single(gold: Gold, part: str, config: ComparisonConfig | None = None) -> bool:
    """One predicted answer against the gold: the fast path, else math-verify, else (for a
    gold of several values) the values compared as sets."""
    config = config or ComparisonConfig()
    decided = fast_compare(gold.text, part, config)
    if decided is not None:
        return decided
    pred = list(parse_answer(part))
    if pred and _verify(list(gold.parsed), pred, config):
        return True
    return gold.multi and equal_set(gold, (part,), config)


def equal_set(gold: Gold, parts: tuple[str, ...], config: ComparisonConfig | None = None) -> bool:
    """Several predicted answers against a gold of several values, as sets."""
    config = config or ComparisonConfig()
    predicted = elements(parts)
    if not predicted or not gold.elements:
        return False
    return _verify([FiniteSet(*gold.elements)], [FiniteSet(*predicted)], config)


def same_value(a: str, b: str, config: ComparisonConfig | None = None) -> bool:
    """Whether two answers are the same (votes, duplicate candidates): the fast path, else
    math-verify both ways round, else the normalised text."""
    config = config or ComparisonConfig()
    decided = fast_compare(a, b, config)
    if decided is not None:
        return decided
    left, right = parse_answer(a), parse_answer(b)
    if any(is_math_value(v) for v in left) and any(is_math_value(v) for v in right):
        return _verify(list(left), list(right), config) and _verify(list(right), list(left), config)
    return normalize(a) == normalize(b)
