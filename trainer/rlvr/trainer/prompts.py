"""The R1 prompt: its system prompt and the ways a question becomes the text a model sees.

- ``chat``: the tokenizer's chat template, R1 system prompt first, generation prompt added;
- ``r1``: R1-Zero's plain template, ending in ``Assistant: <think>`` so the completion starts
  inside the reasoning (score it with ``think_in_prompt``);
- ``raw``: the question as it is (already templated upstream).
"""

from __future__ import annotations

from typing import Any, Literal

from .errors import ConfigError

Template = Literal["chat", "r1", "raw"]

R1_SYSTEM_PROMPT = (
    "A conversation between User and Assistant. The user asks a question, and the Assistant "
    "solves it. The assistant first thinks about the reasoning process in the mind and then "
    "provides the user with the answer. The reasoning process and answer are enclosed within "
    "<think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning "
    "process here </think> <answer> answer here </answer>."
)


def r1_messages(question: str, system_prompt: str = R1_SYSTEM_PROMPT) -> list[dict[str, str]]:
    """The chat turns; an empty system prompt leaves the system turn out."""
    system = [{"role": "system", "content": system_prompt}] if system_prompt else []
    return [*system, {"role": "user", "content": question}]


def r1_plain(question: str, system_prompt: str = R1_SYSTEM_PROMPT) -> str:
    """R1-Zero's template.

    >>> r1_plain("1+1?", "Think.")
    'Think.\\nUser: 1+1?\\nAssistant: <think>'
    """
    return f"{system_prompt}\nUser: {question}\nAssistant: <think>"


def render(
    question: str,
    template: Template,
    tokenizer: Any = None,
    system_prompt: str = R1_SYSTEM_PROMPT,
) -> str:
    """The prompt text for ``question`` (``chat`` needs a tokenizer with a chat template)."""
    if template == "raw":
        return question
    if template == "r1":
        return r1_plain(question, system_prompt)
    if tokenizer is None or not getattr(tokenizer, "chat_template", None):
        raise ConfigError(
            "template 'chat' needs a tokenizer with a chat template; pass --tokenizer "
            "or use --template r1"
        )
    text: str = tokenizer.apply_chat_template(
        r1_messages(question, system_prompt), tokenize=False, add_generation_prompt=True
    )
    return text
