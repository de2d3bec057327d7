"""Read one stretch of answer text into its candidate answers.

A stretch is a box's content, an ``<answer>`` block, the text after a final-answer
marker, or the final statement of a completion. It is read the way math-verify's
``parse`` reads text — LaTeX segments and plain numbers or expressions, the last one
wins — with two differences that close the hacks such leniency opens under RL:

* candidates offered as alternatives (``1, 2, 3, \\ldots, 72``, "12 or 72", "either 12
  or 72", ``12 \\text{ or } 72``) are all returned, so that the caller can refuse them as
  hedging when the gold answer has one value (or compare them as a set when it has
  several);
* an equation chain counts by its last side, as in math-verify (``x = 3 \\cdot 24 = 72``
  is ``x = 72``, ``1 = 2 = 72`` is 72): only that side is ever compared, so the earlier
  sides cannot pay. Sides with different values are reported (``conflict``) for the
  callers that refuse them (science quantities).

Prose between two candidates ("3 boxes of 24, so 72") makes the last one the answer,
as in math-verify; a negated candidate ("not 10") is dropped.

>>> read_statement("So we get $72$.").parts
('72',)
>>> read_statement("either 12 or 72").parts
('12', '72')
>>> from rlvr.verifier.domains.maths.compare import numeric_value
>>> read_math("x = 3 \\\\cdot 24 = 72", numeric_value).parts
('x = 72',)
>>> read_math("1 = 2 = 72", numeric_value).parts, read_math("1 = 2 = 72", numeric_value).conflict
(('72',), ('1', '2', '72'))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .segments import segments

_NUM = r"(?:\d+(?:[.,]\d+)*|\.\d+)"
_OPERAND = rf"(?:\(\s*[-+−]?{_NUM}\s*\)|{_NUM})"
_OPERATOR = r"(?:[-+*/×÷^=]|\\times|\\cdot|\\div)"
# A plain number or arithmetic outside LaTeX: "72", "-5", "48+24 = 72", "x = 72", "1,000.99",
# "25%", "(2, 3)". Not glued to a word on its left, so "AZYUK2A" holds no answer; units may
# follow ("1,000.99m²").
_PLAIN = re.compile(
    rf"(?<![\w.\\^_])(?:"
    rf"[(\[]\s*[-+−]?{_NUM}(?:\s*,\s*[-+−]?{_NUM})+\s*[)\]]"
    rf"|(?:[A-Za-z]\s*=\s*)?[-+−]?{_OPERAND}(?:\s*{_OPERATOR}\s*[-+−]?{_OPERAND})*"
    rf"(?:\s*\\?%)?)"
)
_TEXT_WRAPPER = re.compile(
    r"\\(?:text|textbf|textit|mathrm|mathbf|mbox|operatorname|begin|end)\s*\{[^{}]*\}"
)
_CONTENT = re.compile(r"[0-9A-Za-z∞π∅]|\\\{\s*\\\}")
_EMPTY_BOX = re.compile(r"\\(?:boxed|fbox)(?![A-Za-z])")
_COMMAND = re.compile(r"\\[A-Za-z]+")
WORD = re.compile(r"[A-Za-z]{2,}")
_JOINER_WORDS = {"or", "and"}
_HEDGE = re.compile(
    r"\b(?:or|either|maybe|perhaps|possibly|probably|alternatively|otherwise|might|could)\b"
    r"|\\lor\b|\\vee\b|\\text\{\s*or\s*\}",
    re.IGNORECASE,
)
# What may stand between two items of one list.
_LIST_GLUE = re.compile(
    r"(?:[\s,;&]|\band\b|\\q?quad\b|\\[,;:! ]|\\text\{\s*(?:and|,)?\s*\}"
    r"|\\[lc]?dots\b|\.{2,}|…|~)*",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"(?:\bnot|n't|\bnever|\\neq|≠)\s*(?:equal(?:s)?(?:\s+to)?)?\s*[:=]?\s*$")
# Separators of a list inside a LaTeX segment or a box, at bracket depth 0.
_ITEM_SEPARATOR = re.compile(
    r"(?<!\\)[,;]|\n|\\q?quad\b|\\text\{\s*(?:or|and|,)?\s*\}|\\lor\b|\\vee\b|\bor\b|\band\b"
    r"|\\[lc]?dots\b|\.{2,}|…",
    re.IGNORECASE,
)
_ELISION = re.compile(r"\\[lc]?dots\b|\.{2,}|…")
_EQUALS = re.compile(r"(?<![<>!=:\\])=(?!=)")
_THOUSANDS = re.compile(
    r"(?<![\d.,])([1-9]\d{0,2})((?:(?:,|\{,\}|\\,|\\ |\\!|[  \u2009\u202f])\d{3})+)(?![\d,]|\.\d*,)"
)
# ``10,\!000``: a comma with a negative thin space only ever glues digit groups.
_GLUED_GROUPS = re.compile(r"(?<=\d),\\!\s?(?=\d)")
# A lone comma group right inside an opening bracket (``(12,102)``) is an interval or a
# point, not twelve thousand: math-verify reads it so.
_BRACKETED = re.compile(r"[(\[][-+−]?$")
# ``4 4/9`` is 40/9: a whole number, one space, a proper fraction (math-verify reads it so
# since 0.9); anything else (``11 7/6``, ``4 4/0``, ``11\n5/6``) stays two values.
_MIXED = re.compile(r"(?<![\w.,/^_{}\\])([-+−]?)(\d+) (\d+)/(\d+)(?![\w/^]|[.,]\d)")
_PERCENT_WORD = re.compile(r"(?<=\d)\s*(?:percentage|percent|pct)\b", re.IGNORECASE)
_THOUSANDS_SEPARATOR = re.compile(r"\{,\}|\\,|\\ |\\!|[,  \u2009\u202f]")
DECIMAL_COMMA = re.compile(r"(?<![\d.,(\[{])(\d+),(\d+)(?![\d,)\]}]|\.\d)")
_LEADING_DOT = re.compile(r"(?<![\w.})\]])\.(\d)")
_BOLD = re.compile(r"\*\*|__")
# A full stop (or a stray backslash) that ends a sentence; never an ellipsis "…, ...".
_FINAL_STOP = re.compile(r"(?:(?<!\.)\.|。|(?<!\\)\\)$")


# More candidates than this are a list whatever the gold: only the last ones are kept, and
# the list counts as elided (never a complete solution set), so that reading stays cheap.
MAX_PARTS = 256


@dataclass(frozen=True)
class Reading:
    """The candidates of one stretch of text.

    ``parts`` are the candidate answers in order (textual duplicates removed);
    several mean a list, which the caller compares as a set or refuses as hedging.
    ``elided`` says the list skipped values (``\\ldots``); ``conflict`` holds the sides of
    an equation chain whose values differ.
    """

    parts: tuple[str, ...] = ()
    elided: bool = False
    conflict: tuple[str, ...] = ()

    @classmethod
    def join(cls, readings: list[Reading]) -> Reading:
        """Several readings (several boxes, several segments of one list) as one."""
        parts = tuple(dict.fromkeys(part for reading in readings for part in reading.parts))
        elided = any(reading.elided for reading in readings) or len(parts) > MAX_PARTS
        conflict = next((r.conflict for r in readings if r.conflict), ())
        return cls(parts[-MAX_PARTS:], elided, conflict)


NumericValue = Callable[[str], complex | None]


def _thousands(match: re.Match[str]) -> str:
    groups = match.group(2)
    if groups.count(",") == 1 == len(_THOUSANDS_SEPARATOR.findall(groups)) and (
        _BRACKETED.search(match.string, 0, match.start())
    ):
        return match.group()
    return match.group(1) + _THOUSANDS_SEPARATOR.sub("", groups)


def _mixed(match: re.Match[str]) -> str:
    sign, whole, numerator, denominator = match.groups()
    if not 0 <= int(numerator) < int(denominator):
        return match.group()
    value = int(whole) * int(denominator) + int(numerator)
    return f"{'-' if sign and sign in '-−' else ''}{value}/{denominator}"


def normalize_numbers(text: str, decimal_comma: bool = True) -> str:
    """Thousands separators out, a leading dot gets its zero, mixed numbers become fractions,
    percent words a ``\\%``, and (when ``decimal_comma``) ``1,22`` reads as 1.22 — the gold
    decides: with a gold of several values it is a list.

    >>> normalize_numbers("7,425,000 and 1\\\\,000 and 1 000 and .4 and 1000,99")
    '7425000 and 1000 and 1000 and 0.4 and 1000.99'
    >>> normalize_numbers("4 4/9 and 10,\\\\!000 and (12,102) and 28 percent")
    '40/9 and 10000 and (12,102) and 28\\\\%'
    >>> normalize_numbers("3,5", decimal_comma=False)
    '3,5'
    """
    text = _GLUED_GROUPS.sub("", text)
    text = _THOUSANDS.sub(_thousands, text)
    text = _PERCENT_WORD.sub("\\%", text)
    text = _MIXED.sub(_mixed, text)
    text = _LEADING_DOT.sub(r"0.\1", text)
    if decimal_comma:
        text = DECIMAL_COMMA.sub(r"\1.\2", text)
    return text


def is_math_only(text: str) -> bool:
    """True when ``text`` holds no prose: only symbols, numbers, single-letter variables,
    LaTeX commands, ``\\text{…}`` wrappers (units) and the joiners "or"/"and"."""
    bare = _COMMAND.sub(" ", _TEXT_WRAPPER.sub(" ", text))
    return all(word.lower() in _JOINER_WORDS for word in WORD.findall(bare))


def strip_delimiters(text: str) -> str:
    """``$x$``, ``$$x$$``, ``\\(x\\)``, ``\\[x\\]`` → ``x``; a final full stop goes too."""
    text = _FINAL_STOP.sub("", _BOLD.sub("", text).strip()).strip()
    for left, right in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        if text.startswith(left) and text.endswith(right) and len(text) > len(left) + len(right):
            inner = text[len(left) : -len(right)]
            if left != "$" or "$" not in inner:
                return _FINAL_STOP.sub("", inner.strip()).strip()
    return text


def _depths(text: str) -> list[int]:
    """Bracket depth before each character; ``\\begin{…}``/``\\end{…}`` count as brackets."""
    depths, depth, i = [0] * (len(text) + 1), 0, 0
    while i < len(text):
        if text.startswith("\\begin{", i) or text.startswith("\\end{", i):
            close = text.find("}", i)
            close = len(text) - 1 if close < 0 else close
            opening = text.startswith("\\begin{", i)
            for j in range(i, close + 1):
                depths[j] = depth
            depth = depth + 1 if opening else max(0, depth - 1)
            i = close + 1
            continue
        depths[i] = depth
        char = text[i]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        i += 1
    depths[len(text)] = depth
    return depths


def _split_top(text: str, pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    """Pieces of ``text`` cut at matches of ``pattern`` outside brackets: (piece, separator
    that followed it)."""
    depths = _depths(text)
    pieces: list[tuple[str, str]] = []
    start = 0
    for match in pattern.finditer(text):
        if depths[match.start()] != 0 or match.start() < start:
            continue
        pieces.append((text[start : match.start()], match.group()))
        start = match.end()
    pieces.append((text[start:], ""))
    return pieces


def _strip_dollars(piece: str) -> str:
    """A list item without stray ``$`` at its ends (an escaped ``\\$`` is a dollar sign)."""
    piece = piece.strip()
    if piece.startswith("$"):
        piece = piece[1:]
    if piece.endswith("$") and not piece.endswith("\\$"):
        piece = piece[:-1]
    return piece.strip()


def _unalign(text: str) -> str:
    """An ``align`` body as one chain: ``x &= a \\\\ &= b`` → ``x = a = b``."""
    text = re.sub(r"\\\\\s*(?:\\notag|\\nonumber)?\s*&?\s*(?==)", " ", text)
    return text.replace("&", " ").replace("\\\\", "\n")


_UNITS = re.compile(
    r"\\(?:text|textbf|mathrm|mbox)\s*\{[^{}]*\}|\\?\$|\\?%|[A-Za-z]{2,}(?:\^?\d)?|[°²³]"
)
_VARIABLE = re.compile(r"(?<![A-Za-z])[A-Za-z](?![A-Za-z])")
_SYMBOL = re.compile(r"[A-Za-z](?:_\{?\w+\}?)?'*")


def _closed_value(side: str, value: NumericValue) -> tuple[complex | None, bool]:
    """(value, has units) of a side without variables: ``3 \\cdot 24`` → 72, ``2 \\text{ h}``
    → 2 with units; (None, …) for a side with a variable or that is not a number."""
    bare = _UNITS.sub(" ", side)
    has_units = bare != side
    if _VARIABLE.search(_COMMAND.sub(" ", bare)) or not bare.strip():
        return None, has_units
    return value(bare.strip()), has_units


def _chain(part: str, value: NumericValue | None) -> tuple[str, tuple[str, ...]]:
    """An equation chain reduced to its result: ``x = 3 \\cdot 24 = 72`` → ``x = 72``,
    ``2 \\text{ h} = 120 \\text{ min}`` → its last side. A chain whose unit-free numeric
    sides differ (``1 = 2 = 72``) is reduced to its last side too, as math-verify reads it,
    and its sides come back as the conflict."""
    sides = [side.strip() for side, _ in _split_top(part, _EQUALS)]
    if len(sides) < 2 or value is None or not all(sides):
        return part, ()
    values = [_closed_value(side, value) for side in sides]
    numbers = [
        (side, v)
        for side, (v, units) in zip(sides, values, strict=True)
        if v is not None and not units
    ]
    first = numbers[0][1] if numbers else None
    clash: tuple[str, ...] = ()
    for _, v in numbers[1:]:
        assert first is not None and v is not None
        if abs(v - first) > 1e-6 * max(1.0, abs(first), abs(v)):
            clash = tuple(side for side, _ in numbers)
    symbol = _SYMBOL.fullmatch(sides[0]) is not None
    rest_closed = all(v is not None for v, _ in values[1:])
    if clash:  # math-verify compares the last side only (its get_last_eq)
        return (f"{sides[0]} = {sides[-1]}" if symbol else sides[-1]), clash
    if not rest_closed or not (symbol or values[0][0] is not None):
        return part, ()
    if symbol:
        return part if len(sides) == 2 else f"{sides[0]} = {sides[-1]}", ()
    return sides[-1], ()


def read_math(text: str, value: NumericValue | None = None, decimal_comma: bool = True) -> Reading:
    """Candidates of a LaTeX answer (a box's content, a ``$…$`` segment): the items of a
    list at bracket depth 0, each equation chain reduced to its last side.

    >>> read_math("(2, 2), (6, 2)").parts
    ('(2, 2)', '(6, 2)')
    >>> read_math("1, 2, 3, \\\\ldots, 72").elided
    True
    """
    text = normalize_numbers(strip_delimiters(text), decimal_comma)
    parts: list[str] = []
    elided, conflict = False, tuple[str, ...]()
    pieces = _split_top(text, _ITEM_SEPARATOR)
    if len(pieces) > MAX_PARTS:
        pieces, elided = pieces[-MAX_PARTS:], True
    for piece, separator in pieces:
        elided = elided or bool(_ELISION.fullmatch(separator.strip()))
        piece = _strip_dollars(piece)
        if _ELISION.fullmatch(piece):
            elided = True
            continue
        if not _CONTENT.search(_EMPTY_BOX.sub("", piece)):
            continue
        reduced, clash = _chain(piece, value)
        conflict = conflict or clash
        parts.append(reduced)
    return Reading(tuple(dict.fromkeys(parts)), elided, conflict)


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    text: str
    latex: bool


def _candidates(text: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    position = 0
    for segment in segments(text):
        found.extend(_plain(text, position, segment.start))
        content = segment.content
        if segment.kind not in ("display", "bracket", "paren", "inline"):
            content = _unalign(content)  # an align-like environment
        found.append(_Candidate(segment.start, segment.end, content, True))
        position = segment.end
    found.extend(_plain(text, position, len(text)))
    return found


def _plain(text: str, start: int, end: int) -> list[_Candidate]:
    return [
        _Candidate(m.start(), m.end(), m.group().strip(), False)
        for m in _PLAIN.finditer(text, start, end)
        if m.group().strip()
    ]


def _final_group(text: str, candidates: list[_Candidate]) -> list[_Candidate]:
    """The candidates that make up the final answer: the last one, with those before it that
    a list or a hedge ties to it; prose in between ends the group (last one wins)."""
    kept = [c for c in candidates if not _NEGATED.search(text[max(0, c.start - 40) : c.start])]
    if not kept:  # "not 12 and not 72" commits to nothing
        return []
    group = [kept[-1]]  # built backwards, then turned round
    for previous in reversed(kept[:-1]):
        between = text[previous.end : group[-1].start]
        if _HEDGE.search(between) or _LIST_GLUE.fullmatch(between):
            group.append(previous)
        else:
            break
    return group[::-1]


def read_statement(
    text: str, value: NumericValue | None = None, decimal_comma: bool = True
) -> Reading:
    """Candidates of a sentence or an answer line: the whole of it when it is pure math,
    else its LaTeX segments and plain numbers, the final group of them (see above)."""
    text = _BOLD.sub("", text).strip()
    bare = strip_delimiters(text)
    if is_math_only(bare) and "$" not in bare and "\\(" not in bare and "\\[" not in bare:
        return read_math(bare, value, decimal_comma)
    text = normalize_numbers(text, decimal_comma)
    candidates = _candidates(text)
    if not candidates:
        return Reading()
    group = _final_group(text, candidates) if candidates else []
    readings = [read_math(c.text, value, decimal_comma=False) for c in group[-MAX_PARTS:]]
    joined = Reading.join(readings)
    return joined if len(group) <= MAX_PARTS else Reading(joined.parts, True, joined.conflict)
