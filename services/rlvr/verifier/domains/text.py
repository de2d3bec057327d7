"""Where the answer lives in an R1-style completion; shared by every domain.

>>> answer_region("<think>x=3</think> so 4")
' so 4'
>>> answer_region("<think>never closed \\\\boxed{3}")
''
>>> answer_blocks("<answer>1</answer> <answer>2")
['1', '2']
"""

from __future__ import annotations

import re

_THINK_OPEN = re.compile(r"<think>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think>", re.IGNORECASE)
_ANSWER_BLOCK = re.compile(r"<answer>(.*?)(?:</answer>|$)", re.IGNORECASE | re.DOTALL)


def answer_region(completion: str) -> str:
    """The part of ``completion`` that may hold the answer: after the last ``</think>``.

    A ``<think>`` that is never closed means the model never left its reasoning, so
    nothing counts as an answer — a second one opened after the first closed too (an answer
    written inside it is still written inside the reasoning).

    >>> answer_region("<think>a</think> <think>so \\\\boxed{5}")
    ''
    """
    closes = list(_THINK_CLOSE.finditer(completion))
    region = completion[closes[-1].end() :] if closes else completion
    if _THINK_OPEN.search(region):  # reasoning (re)opened and never closed: still inside it
        return ""
    return region


def answer_blocks(region: str) -> list[str]:
    """Contents of the ``<answer>…</answer>`` blocks in ``region`` (an unclosed last one too)."""
    return list(_ANSWER_BLOCK.findall(region))
