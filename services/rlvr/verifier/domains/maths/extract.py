"""Find the final answer in a completion, and say where it came from (``source``).

Reasoning is dropped first: only text after the last ``</think>`` is searched, and a
``<think>`` that is never closed means there is no answer (an answer written only inside
the reasoning never counts). Then, in order:

1. ``answer_tag``/``boxed`` — the last ``<answer>…</answer>`` block; inside it a
   ``\\boxed{}`` wins (``boxed``), else the block is read like text (below).
2. ``boxed`` — the ``\\boxed{…}``/``\\fbox{…}`` answers after the reasoning.
3. ``fallback`` — the configured fallback patterns ("final answer is …"), last match.
4. ``marker`` — a final-answer marker: ``#### 72`` (GSM8K), ``Answer: 72``,
   ``Final answer: $72$``, ``**Final Answer**`` followed by the answer.
5. ``final_statement`` — the last statement that holds an answer, read the way
   math-verify's ``parse`` reads text (LaTeX and plain expressions, the last one wins).

``strict`` keeps only 1 and 2, the R1 behaviour: only tags and boxes count.

Every place yields a :class:`~.statement.Reading`: several candidates (several different
boxes, a list, "12 or 72") are kept, for the domain to compare as a set when the gold
has several values or to refuse as hedging when it has one.

>>> extract_answer("<think>maybe \\\\boxed{3}</think><answer>\\\\boxed{4}</answer>").text
'4'
>>> extract_answer("Natalia sold 48+24 = 72 clips.").parts
('72',)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

from ..text import answer_blocks, answer_region
from .compare import numeric_value
from .segments import segments
from .statement import Reading, is_math_only, read_statement, strip_delimiters

Source = Literal["answer_tag", "boxed", "fallback", "marker", "final_statement"]

_BOX_START = re.compile(r"\\(?:boxed|fbox)(?![A-Za-z])")

DEFAULT_FALLBACK_PATTERNS: tuple[str, ...] = (
    r"final answer is[:\s]*\$?([^\n$]+?)\$?\s*(?:(?<!\.)\.\s*)?(?:\n|$)",
    r"(?:the )?answer is[:\s]*\$?([^\n$]+?)\$?\s*(?:(?<!\.)\.\s*)?(?:\n|$)",
)
_FINAL_ANSWER = re.compile(r"final\s+answer", re.IGNORECASE)
_HOPE = re.compile(r"final answer is:?[ \t]*([^\n]{1,300}?)\.?[ \t]?I hope", re.IGNORECASE)
_MARKER = re.compile(
    r"(?:^|(?<=[\s*(\[>]))(?:####"
    r"|(?:the\s+)?final\s+answer(?:\s*\*\*)?(?:\s*(?:is\b|:|=))*"
    r"|(?:the\s+)?answer(?:\s*\*\*)?(?:\s*(?:is\b|:))+)(?:\s*\*\*)?[ \t]*:?",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?。](?=\s+\S)|\n")
_WORD_ANSWER = re.compile(r"[A-Za-z][A-Za-z'’-]+")  # a one-word answer: "Yes", "Evelyn"
_CONTINUATION = re.compile(r"^\s*&?\s*=")
_ASSIGNMENT = re.compile(r"^\s*([A-Za-z])\s*=")


@dataclass(frozen=True)
class ExtractionConfig:
    """How to find the answer.

    ``fallback_patterns`` are regular expressions (case-insensitive) whose first group is
    the answer, tried when there is no ``<answer>`` block and no ``\\boxed{}``; ``strict``
    keeps only tags and boxes.
    """

    fallback_patterns: tuple[str, ...] = DEFAULT_FALLBACK_PATTERNS
    use_answer_tag: bool = True
    strict: bool = False


@dataclass(frozen=True)
class Extraction:
    """What was found: the candidates, where they came from, and any conflict."""

    text: str | None
    source: Source | None = None
    parts: tuple[str, ...] = field(default=())
    elided: bool = False
    conflict: tuple[str, ...] = ()
    span: str | None = None  # the stretch of text the answer was read from
    after: str = ""  # what follows that stretch when it is not the last statement

    @property
    def candidates(self) -> tuple[str, ...]:
        return self.parts

    @property
    def hedged(self) -> bool:
        """True when several textually different candidates were given."""
        return len(self.parts) > 1 or self.elided


@dataclass(frozen=True)
class Box:
    content: str
    start: int
    end: int


def find_boxes(text: str) -> list[Box]:
    """Every ``\\boxed{…}`` / ``\\fbox{…}`` in order, braces balanced, with its span.

    Also accepts the brace-less form ``\\boxed 5``.
    """
    found: list[Box] = []
    pos = 0
    while (match := _BOX_START.search(text, pos)) is not None:
        content, end = _read_argument(text, match.end())
        if content is not None and content.strip():
            found.append(Box(content.strip(), match.start(), end))
        # A box nested in another (\boxed{\fbox{1}}) is part of the outer answer.
        pos = max(end, match.start() + 1)
    return found


def find_boxed(text: str) -> list[str]:
    """Contents of every box in order (see :func:`find_boxes`).

    >>> find_boxed("a \\\\boxed{\\\\frac{1}{2}} b \\\\boxed 7")
    ['\\\\frac{1}{2}', '7']
    """
    return [box.content for box in find_boxes(text)]


def _read_argument(text: str, pos: int) -> tuple[str | None, int]:
    """Read a ``{…}`` group (or one bare token) starting at ``pos``."""
    if pos < len(text) and text[pos] == "{":
        depth = 0
        for i in range(pos, len(text)):
            char = text[i]
            if char == "{" and text[i - 1] != "\\":
                depth += 1
            elif char == "}" and text[i - 1] != "\\":
                depth -= 1
                if depth == 0:
                    return text[pos + 1 : i], i + 1
        return None, len(text)
    if pos < len(text) and text[pos] == " ":
        match = re.match(r" +([^\s$]+)", text[pos:])
        if match:
            return match.group(1), pos + match.end()
    return None, pos


def _outside_math(text: str) -> list[bool]:
    """Per character: True when it is not inside a LaTeX segment."""
    outside = [True] * len(text)
    for segment in segments(text):
        outside[segment.start : segment.end] = [False] * (segment.end - segment.start)
    return outside


def _first_sentence(text: str) -> str:
    """``text`` up to its first sentence end (outside LaTeX)."""
    outside = _outside_math(text)
    for match in _SENTENCE_END.finditer(text):
        if outside[match.start()] and text[: match.start()].strip():
            return text[: match.end()]
    return text


def marker_span(text: str) -> str | None:
    """The answer after the last final-answer marker: the rest of its sentence, or the next
    line when the marker ends its line (``**Final Answer**\\n72``)."""
    markers = list(_MARKER.finditer(text))
    if not markers:
        return None
    lines = _lines(text[markers[-1].end() :])
    if not lines:
        return None
    span = _first_sentence(lines[0]).strip()
    if span == lines[0].strip():
        span = _with_column(span, lines[1:])
    return span or None


def _lines(text: str) -> list[str]:
    """Non-blank lines of ``text``, a LaTeX segment that spans lines kept whole."""
    return [text[a:b] for a, b in _line_spans(text, _outside_math(text))]


def _belongs_with(previous: str, line: str) -> bool:
    """Whether a math-only line before the final one is part of the same statement: a bare
    value in a column of bare values, or the same variable assigned again — the shapes of
    a list, never of a derivation."""
    if not is_math_only(strip_delimiters(previous)):
        return False
    if "=" not in previous and "=" not in line:
        return True
    left, right = (
        _ASSIGNMENT.match(strip_delimiters(previous)),
        _ASSIGNMENT.match(strip_delimiters(line)),
    )
    return bool(left and right and left.group(1) == right.group(1))


def _with_column(span: str, following: list[str]) -> str:
    """``span`` with the column of values that continues it on the following lines: such a
    column is one (listed) answer, never just its first line."""
    if not is_math_only(strip_delimiters(span)):
        return span
    column = [span]
    for line in following:
        if not _belongs_with(line, column[-1]):
            break
        column.append(line)
    return "\n".join(column)


def _line_spans(text: str, outside: list[bool]) -> list[tuple[int, int]]:
    """(start, end) of the non-blank lines of ``text``, a LaTeX segment that spans lines
    kept whole."""
    spans, start = [], 0
    for i, char in enumerate(text):
        if char == "\n" and outside[i]:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def statements(text: str) -> Iterator[str]:
    """The statements of ``text`` from the last one backwards: sentences, with the
    continuation lines (``= …``) of an equation and a column of values that ends one kept
    together. Linear in the text, however many statements are read."""
    outside = _outside_math(text)
    spans = _line_spans(text, outside)
    lines = [text[a:b] for a, b in spans]
    i = len(spans)
    while i > 0:
        first = i - 1  # the final line, after the lines it continues ("= …")
        while first > 0 and _CONTINUATION.match(lines[first]):
            first -= 1
        start, end = spans[first][0], spans[i - 1][1]
        last = text[start:end].replace("\n", " ")
        if is_math_only(strip_delimiters(last)):
            top = first
            column = [last]
            while top > 0 and _belongs_with(lines[top - 1], column[-1]):
                top -= 1
                column.append(lines[top])
            yield "\n".join(reversed(column))
            i = top
            continue
        cuts = [
            m.end() - start
            for m in _SENTENCE_END.finditer(text, start, end)
            if m.group() != "\n" and outside[m.start()]
        ]
        for a, b in reversed(list(zip([0, *cuts], [*cuts, len(last)], strict=True))):
            if last[a:b].strip():
                yield last[a:b].strip()
        i = first


def final_statement(text: str) -> str:
    """The last statement of ``text`` (see :func:`statements`)."""
    return next(statements(text.strip()), "")


def _reading_of(text: str, decimal_comma: bool) -> Reading:
    return read_statement(text, numeric_value, decimal_comma)


def _found(reading: Reading, source: Source, span: str) -> Extraction:
    if not reading.parts and not reading.conflict:
        return Extraction(None)
    text = ", ".join(reading.parts) if reading.parts else " = ".join(reading.conflict)
    return Extraction(text, source, reading.parts, reading.elided, reading.conflict, span.strip())


def _read_boxes(boxes: list[Box], decimal_comma: bool) -> Extraction:
    readings = []
    for box in boxes:  # prose inside a box is read as prose, math as math
        inside = read_statement(box.content, numeric_value, decimal_comma)
        if not inside.parts and not inside.conflict:  # a boxed word: "Evelyn", "Yes"
            inside = Reading((strip_delimiters(box.content),))
        readings.append(inside)
    return _found(Reading.join(readings), "boxed", boxes[-1].content)


def _final_answer_span(text: str, boxes: list[Box]) -> str | None:
    """The answer of a final-answer marker that outranks the boxes, as in math-verify:
    Minerva's "The final answer is X. I hope it is correct." wherever it is, else a "final
    answer" marker written after the last box (intermediate results are often boxed before
    "Final Answer: The final answer is …")."""
    hopes = list(_HOPE.finditer(text))
    if hopes:
        return hopes[-1].group(1)
    tail = text[boxes[-1].end :]
    return marker_span(tail) if _FINAL_ANSWER.search(tail) else None


def _read_text(
    text: str, config: ExtractionConfig, in_tag: bool, decimal_comma: bool
) -> Extraction:
    """Read a region or an answer block: boxes (unless a final-answer marker follows them),
    then (not strict, or inside a tag) the fallback patterns, markers and the statements
    from the last one back to the first that holds an answer."""
    tag: Source | None = "answer_tag" if in_tag else None
    boxes = find_boxes(text)
    lenient = in_tag or not config.strict
    if boxes:
        span = _final_answer_span(text, boxes) if lenient else None
        if span is not None:
            found = _found(_reading_of(span, decimal_comma), tag or "marker", span)
            if found.text is not None:
                return found
        return _read_boxes(boxes, decimal_comma)
    if not lenient:
        return Extraction(None)
    for pattern in config.fallback_patterns:
        matches = list(re.finditer(pattern, text, flags=re.IGNORECASE))
        if matches:
            last = matches[-1]
            captured = _with_column(last.group(1), _lines(text[last.end() :]))
            found = _found(_reading_of(captured, decimal_comma), tag or "fallback", captured)
            if found.text is not None:
                return found
    span = marker_span(text)
    if span is not None:
        found = _found(_reading_of(span, decimal_comma), tag or "marker", span)
        if found.text is not None:
            return found
    after: list[str] = []  # the statements after the one read, for the judge to screen
    for statement in statements(text.strip()):  # the last statement that holds an answer
        found = _found(_reading_of(statement, decimal_comma), tag or "final_statement", statement)
        if found.text is not None:
            return replace(found, after=" ".join(reversed(after)))
        after.append(statement)
    word = strip_delimiters(text)
    if _WORD_ANSWER.fullmatch(word):
        return Extraction(word, tag or "final_statement", (word,), span=word)  # "Yes", "odd"
    return Extraction(None)


def extract_answer(
    completion: str, config: ExtractionConfig | None = None, *, decimal_comma: bool = True
) -> Extraction:
    """Find the final answer of ``completion``; see the module docstring for the order.

    ``decimal_comma`` reads ``1,22`` as 1.22 (as when the gold has one value); without it,
    as the list 1 and 22.
    """
    config = config or ExtractionConfig()
    region = answer_region(completion)
    if not region.strip():
        return Extraction(None)
    if config.use_answer_tag:
        blocks = answer_blocks(region)
        if blocks:
            return _read_text(blocks[-1], config, True, decimal_comma)
    return _read_text(region, config, False, decimal_comma)
