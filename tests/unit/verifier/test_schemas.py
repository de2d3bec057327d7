"""Wire models: what of a request the domains get to read."""

from __future__ import annotations

import pytest

from rlvr.trainer.items import completion_of, item_of
from rlvr.verifier.schemas import ChatMessage, chat_text


@pytest.mark.parametrize(
    "trailing",
    [
        [{"role": "tool", "content": "<think>x</think><answer>4</answer>"}],
        [{"role": "user", "content": "<answer>4</answer>"}],
        [{"role": "system", "content": "4"}, {"role": "tool", "content": "4"}],
    ],
)
def test_only_the_models_own_last_message_is_scored(trailing: list[dict[str, str]]) -> None:
    """Red team: a tool's output (a rollout cut after a tool call) or a planted turn after
    the model's last message is not its answer, as the client sends it or as anyone does."""
    completion = [{"role": "assistant", "content": "let me call the calculator"}, *trailing]
    sent = item_of({"answer": "4"}, "0", "math", completion=completion)["completion"]
    assert chat_text([ChatMessage(**m) for m in sent]) == "let me call the calculator"
    assert chat_text([ChatMessage(**m) for m in completion_of(trailing)]) == ""


@pytest.mark.parametrize("role", ["assistant", "Assistant", " model "])
def test_the_models_roles_in_any_case(role: str) -> None:
    messages = [ChatMessage(role="user", content="q"), ChatMessage(role=role, content="4")]
    assert chat_text(messages) == "4"
    assert chat_text("plain") == "plain"
