"""Find the final answer in an R1-style completion.

Order, as R1-style outputs need it:

1. Reasoning is dropped first: only text after the last ``</think>`` is searched. A
   ``<think>`` that is never closed means the model never left its reasoning, so
   there is no answer (an answer written only inside ``<think>`` does not count).
2. The last ``<answer>…</answer>`` block, if any. Inside it, a ``\\boxed{}`` wins
   over the surrounding prose.
3. Else the last ``\\boxed{…}`` (or ``\\fbox{…}``).
4. Else the configured fallback patterns ("final answer is …"), last match wins.

Several *different* boxed answers in the searched text are hedging; they are
reported so the comparison can refuse them.

>>> extract_answer("<think>maybe \\\\boxed{3}</think><answer>\\\\boxed{4}</answer>").text
'4'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ..text import answer_blocks, answer_region

Source = Literal["answer_tag", "boxed", "fallback"]

_BOX_START = re.compile(r"\\(?:boxed|fbox)(?![A-Za-z])")

DEFAULT_FALLBACK_PATTERNS: tuple[str, ...] = (
    r"final answer is[:\s]*\$?([^\n$]+?)\$?\s*(?:\.\s*)?(?:\n|$)",
    r"(?:the )?answer is[:\s]*\$?([^\n$]+?)\$?\s*(?:\.\s*)?(?:\n|$)",
)


@dataclass(frozen=True)
class ExtractionConfig:
    """How to find the answer.

    ``fallback_patterns`` are regular expressions (case-insensitive) whose first
    group is the answer; they are tried only when there is no ``<answer>`` block
    and no ``\\boxed{}``.
    """

    fallback_patterns: tuple[str, ...] = DEFAULT_FALLBACK_PATTERNS
    use_answer_tag: bool = True


@dataclass(frozen=True)
class Extraction:
    """What was found: the answer text, where it came from, and any rivals."""

    text: str | None
    source: Source | None = None
    candidates: tuple[str, ...] = field(default=())

    @property
    def hedged(self) -> bool:
        """True when several different boxed answers were given."""
        return len(set(self.candidates)) > 1


def find_boxed(text: str) -> list[str]:
    """Contents of every ``\\boxed{…}`` / ``\\fbox{…}`` in order, braces balanced.

    Also accepts the brace-less form ``\\boxed 5``.

    >>> find_boxed("a \\\\boxed{\\\\frac{1}{2}} b \\\\boxed 7")
    ['\\\\frac{1}{2}', '7']
    """
    found: list[str] = []
    pos = 0
    while (match := _BOX_START.search(text, pos)) is not None:
        content, end = _read_argument(text, match.end())
        if content is not None and content.strip():
            found.append(content.strip())
        # A box nested in another (\boxed{\fbox{1}}) is part of the outer answer.
        pos = max(end, match.start() + 1)
    return found


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


def _strip_math_delimiters(text: str) -> str:
    text = text.strip()
    for left, right in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        if text.startswith(left) and text.endswith(right) and len(text) > len(left) + len(right):
            return text[len(left) : -len(right)].strip()
    return text


def extract_answer(completion: str, config: ExtractionConfig | None = None) -> Extraction:
    """Find the final answer of ``completion``; see the module docstring for the order."""
    config = config or ExtractionConfig()
    region = answer_region(completion)
    if not region.strip():
        return Extraction(None)

    if config.use_answer_tag:
        blocks = answer_blocks(region)
        if blocks:
            block = blocks[-1]
            boxed = find_boxed(block)
            if boxed:
                return Extraction(boxed[-1], "boxed", tuple(boxed))
            text = _strip_math_delimiters(block)
            return Extraction(text or None, "answer_tag" if text else None)

    boxed = find_boxed(region)
    if boxed:
        return Extraction(boxed[-1], "boxed", tuple(boxed))

    for pattern in config.fallback_patterns:
        matches = re.findall(pattern, region, flags=re.IGNORECASE)
        if matches:
            text = _strip_math_delimiters(matches[-1])
            if text:
                return Extraction(text, "fallback")
    return Extraction(None)
