"""Read a reference's gold answer: a bare answer, or a whole worked solution.

Anything math-verify can parse is a valid gold. A worked solution counts by its final
answer — its last ``\\boxed{}`` (boxes side by side: all of them, as a list), GSM8K's
``#### 72``, a final-answer marker, or its final statement. A gold that lists several
values (``1, 2``, ``x = \\frac{1}{2}, x = \\frac{-1 \\pm \\sqrt{13}}{4}``, ``(2, 2), (6, 2)``,
``12 \\text{ and } 13``, ``\\pm 3``) keeps them as ``elements``, so that several answers
of a completion are compared with it as a set. :class:`InvalidReference` is raised only
when no reading gives an answer.

>>> read_gold("Natalia sold 48/2 = 24 clips.\\n#### 72")[0].text
'72'
>>> read_gold("x = 1, x = 2")[0].multi
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from latex2sympy2_extended.sets import FiniteSet
from math_verify import parse
from sympy import Rational

from ..base import InvalidReference
from .compare import (
    ComparisonConfig,
    as_number,
    elements,
    equal_single,
    flatten_values,
    is_math_value,
    normalize,
    numeric_value,
    parse_answer,
)
from .extract import Box, final_statement, find_boxes, marker_span
from .segments import segments
from .statement import (
    DECIMAL_COMMA,
    WORD,
    is_math_only,
    normalize_numbers,
    read_math,
    read_statement,
    strip_delimiters,
)


@dataclass(frozen=True)
class Gold:
    """One reading of a gold answer.

    ``text`` is the answer itself (a worked solution's final answer), ``parsed`` its
    math-verify parse, ``elements`` its values when it lists several, ``source`` where in
    the reference it was found.
    """

    text: str
    parsed: tuple[Any, ...]
    elements: tuple[Any, ...] = ()
    source: str = "answer"
    elided: bool = False

    @property
    def multi(self) -> bool:
        """True when the gold lists several values (several solutions)."""
        return len(self.elements) > 1


_SEPARATOR = re.compile(r"\b(?:and|or)\b|[,;]")


def _listed_with(text: str, box: Box, after: Box) -> bool:
    """Whether ``box`` is part of the same answer as the box ``after`` it: close by (under
    10 characters apart), or a different value a separator away ("and", "or", a comma)
    within 70 characters — math-verify's rule for a reference's boxes."""
    between = text[box.end : after.start]
    if len(between) < 10:
        return True
    return box.content != after.content and len(between) < 70 and bool(_SEPARATOR.search(between))


def _last_boxes(answer: str) -> list[str]:
    """The reference's final boxed answer: its last box, with the boxes listed with it or
    in the same LaTeX display. Boxes far apart are separate results: the last one counts."""
    boxes = find_boxes(answer)
    if not boxes:
        return []
    spans = [(seg.start, seg.end) for seg in segments(answer)]

    def segment_of(box: Box) -> int | None:
        return next((i for i, (a, b) in enumerate(spans) if a <= box.start < b), None)

    group = [boxes[-1]]
    for box in reversed(boxes[:-1]):
        same = segment_of(box) is not None and segment_of(box) == segment_of(group[-1])
        if not (same or _listed_with(answer, box, group[-1])):
            break
        group.append(box)
    return [box.content for box in reversed(group)]


def _answer_texts(answer: str) -> list[tuple[str, str]]:
    """Where the answer may be in the reference, most specific first: (text, source)."""
    boxes = _last_boxes(answer)
    if boxes:
        return [(", ".join(dict.fromkeys(boxes)), "boxed")]
    bare = strip_delimiters(answer)
    texts: list[tuple[str, str]] = []
    if "\n" not in bare.strip() and is_math_only(bare):
        texts.append((bare, "answer"))
    span = marker_span(answer)
    if span is not None:
        texts.append(
            (", ".join(read_statement(span, numeric_value, decimal_comma=False).parts), "marker")
        )
    statement = final_statement(answer)
    if statement != bare or not texts:
        texts.append(
            (
                ", ".join(read_statement(statement, numeric_value, decimal_comma=False).parts),
                "final",
            )
        )
    if len(WORD.findall(bare)) <= 1:  # a one-word answer: "Evelyn", "Yes", "east"
        texts.append((bare, "answer"))
    return [(text, source) for text, source in dict.fromkeys(texts) if text.strip()]


def _reading(text: str, source: str) -> Gold | None:
    reading = read_math(text, decimal_comma=False)
    parsed = parse_answer(text)
    sympy_values = [value for value in parsed if is_math_value(value)]
    values: tuple[Any, ...] = ()
    if sympy_values:
        values = tuple(flatten_values(sympy_values[0]))
    if len(values) < 2 and (len(reading.parts) > 1 or not sympy_values):
        values = elements(reading.parts) or values
        if values and not sympy_values:
            parsed = (FiniteSet(*values) if len(values) > 1 else values[0], text)
    if not any(is_math_value(value) for value in parsed):
        return None
    return Gold(text, tuple(parsed), values if len(values) > 1 else (), source, reading.elided)


@lru_cache(maxsize=8192)
def read_gold(answer: str) -> tuple[Gold, ...]:
    """The readings of a gold answer (two only for an ambiguous ``1,22``: 1.22 or 1 and
    22), or :class:`InvalidReference` when none gives an answer."""
    for text, source in _answer_texts(answer):
        text = normalize_numbers(text, decimal_comma=False)
        texts = [text]
        if DECIMAL_COMMA.search(text):
            texts.insert(0, DECIMAL_COMMA.sub(r"\1.\2", text))
        readings = [g for g in (_reading(t, source) for t in texts) if g is not None]
        if readings:
            return tuple(readings)
    # math-verify's own reading of the whole text, as a last resort
    parsed = [value for value in parse(answer, parsing_timeout=None) if is_math_value(value)]
    if parsed:
        values = flatten_values(parsed[0])
        return (Gold(str(parsed[0]), (parsed[0],), tuple(values) if len(values) > 1 else ()),)
    # A plain number past what parsers read (more than 4,300 digits: int() refuses them).
    number = as_number(normalize(answer))
    if number is not None:
        value = Rational(number.numerator, number.denominator)
        return (Gold(normalize(answer), (value,)),)
    raise InvalidReference(f"math-verify cannot parse the gold answer {answer[:200]!r}")


def math_equal(
    gold: str, pred: str, *, boxed: bool = True, config: ComparisonConfig | None = None
) -> bool:
    """Full equivalence of a gold answer and one predicted answer.

    >>> math_equal("0.5", "\\\\frac{1}{2}")
    True
    """
    return any(equal_single(reading, pred, config) for reading in read_gold(gold))
