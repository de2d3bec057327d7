"""Find the program in a completion.

After the reasoning is dropped (see :mod:`..text`) and, if there is an ``<answer>``
block, inside the last one: the last fenced block tagged with the requested language;
else the last untagged fenced block; else, for an ``<answer>`` block without fences,
its whole text.

>>> extract_program("<think>```python\\nx=1\\n```</think>```python\\nprint(2)\\n```", "python")
Program(text='print(2)\\n', source='fenced')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..text import answer_blocks, answer_region

_FENCE = re.compile(r"```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
TAGS: dict[str, set[str]] = {
    "python": {"python", "py", "python3"},
    "cpp": {"cpp", "c++", "cc", "cxx", "c"},
}


@dataclass(frozen=True)
class Program:
    text: str | None
    source: Literal["fenced", "untagged_fence", "answer_tag"] | None = None


def extract_program(completion: str, language: str) -> Program:
    """The program to run for ``language`` (a key of :data:`TAGS`), or ``Program(None)``."""
    region = answer_region(completion)
    blocks = answer_blocks(region)
    if blocks:
        region = blocks[-1]
    fences = _FENCE.findall(region)
    wanted = TAGS.get(language, {language})
    tagged = [body for tag, body in fences if tag.lower() in wanted]
    if tagged:
        return Program(tagged[-1], "fenced")
    untagged = [body for tag, body in fences if not tag]
    if untagged:
        return Program(untagged[-1], "untagged_fence")
    if blocks and not fences and region.strip():
        return Program(region.strip() + "\n", "answer_tag")
    return Program(None)
