"""LaTeX segments in text — ``$$…$$``, ``\\[…\\]``, ``\\(…\\)``, ``\\begin{align}…\\end{align}``,
``$…$`` — found in time linear in the text.

A regular expression with a lazy ``.+?`` rescans the rest of the text from every opener
that has no closer: a completion of 40,000 ``\\[`` takes minutes, and Python's regex engine
cannot be interrupted by the item's time limit. Here, once an opener of a kind has no
closer, every later opener of that kind is known to have none (for inline kinds: none
before the end of its line).

>>> [(s.kind, s.content) for s in segments("So $x = 1$ and \\\\[ y \\\\] but 5$ is money.")]
[('inline', 'x = 1'), ('bracket', ' y ')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPENER = re.compile(r"\$\$|\\\[|\\\(|\\begin\{(align|equation|gather|eqnarray|multline)(\*?)\}|\$")
_INLINE = {"$": "inline", "\\(": "paren"}
_DISPLAY = {"$$": ("display", "$$"), "\\[": ("bracket", "\\]")}


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    content: str
    kind: str  # display, bracket, paren, inline, or the environment's name


def _closing(text: str, closer: str, start: int, stop: int) -> int:
    """Index of the first ``closer`` in ``text[start:stop]`` not escaped by a backslash."""
    while True:
        found = text.find(closer, start, stop)
        if found <= 0 or text[found - 1] != "\\" or closer[0] == "\\":
            return found
        start = found + 1


def segments(text: str) -> list[Segment]:
    """The LaTeX segments of ``text``, leftmost first, never overlapping.

    Inline ``$…$`` and ``\\(…\\)`` stay on one line; a ``$`` right after a digit or escaped
    (``5$``, ``\\$``) is a dollar sign.
    """
    found: list[Segment] = []
    no_closer_before: dict[str, int] = {}  # kind → no closer of it before this index
    pos = 0
    while (match := _OPENER.search(text, pos)) is not None:
        token, start, after = match.group(), match.start(), match.end()
        pos = after
        if token == "$" and start > 0 and (text[start - 1] == "\\" or text[start - 1].isdigit()):
            continue
        if match.group(1):
            kind, closer = match.group(1), f"\\end{{{match.group(1)}{match.group(2)}}}"
            stop = len(text)
        elif token in _DISPLAY:
            kind, closer = _DISPLAY[token]
            stop = len(text)
        else:
            kind, closer = _INLINE[token], ("$" if token == "$" else "\\)")
            newline = text.find("\n", after)
            stop = len(text) if newline < 0 else newline
        if no_closer_before.get(kind, -1) >= stop:
            continue
        end = _closing(text, closer, after, stop)
        if end < 0:
            no_closer_before[kind] = stop
            continue
        if end > after:  # "$$" read as two inline "$" around nothing is no segment
            found.append(Segment(start, end + len(closer), text[after:end], kind))
        pos = end + len(closer)
    return found
