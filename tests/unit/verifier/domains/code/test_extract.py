"""Program extraction from completions."""

from __future__ import annotations

import pytest

from rlvr.verifier.domains.code.extract import extract_program

PY = "```python\nprint(1)\n```"


@pytest.mark.parametrize(
    ("completion", "language", "text", "source"),
    [
        (PY, "python", "print(1)\n", "fenced"),
        ("```py\nA\n```\n```python\nB\n```", "python", "B\n", "fenced"),
        ("```python\nA\n```\n```cpp\nB\n```", "python", "A\n", "fenced"),
        ("```cpp\nint main(){}\n```", "cpp", "int main(){}\n", "fenced"),
        ("```c++\nint main(){}\n```", "cpp", "int main(){}\n", "fenced"),
        ("```\nprint(2)\n```", "python", "print(2)\n", "untagged_fence"),
        ("<think>```python\nX\n```</think>" + PY, "python", "print(1)\n", "fenced"),
        (
            "<think>x</think><answer>\ndef f(): return 1\n</answer>",
            "python",
            "def f(): return 1\n",
            "answer_tag",
        ),
        (
            "<think>x</think><answer>" + PY + "</answer> ```python\nZ\n```",
            "python",
            "print(1)\n",
            "fenced",
        ),
        ("```python\nunterminated", "python", "unterminated", "fenced"),
    ],
)
def test_extracts(completion: str, language: str, text: str, source: str) -> None:
    program = extract_program(completion, language)
    assert (program.text, program.source) == (text, source)


@pytest.mark.parametrize(
    "completion",
    [
        "",
        "no code here",
        "<think>```python\nprint(1)\n```</think>",
        "<think>```python\nx",
        "```cpp\nx\n```",
    ],
)
def test_no_program(completion: str) -> None:
    assert extract_program(completion, "python").text is None
