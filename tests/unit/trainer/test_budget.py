"""Budget forcing (s1) on a real tiny model that ends its thinking by itself after ~20 tokens."""

from __future__ import annotations

import pytest

from rlvr.trainer.budget import Budget, force
from rlvr.trainer.errors import ConfigError
from rlvr.trainer.generation import Sample, Sampling, TransformersGenerator
from rlvr.trainer.prompts import render

from ...conftest import DistilledModel

pytest.importorskip("transformers", reason="the [trainer] extra is not installed")


@pytest.fixture(scope="module")
def generator(distilled_model: DistilledModel) -> TransformersGenerator:
    return TransformersGenerator(str(distilled_model.path))


def _prompts(generator: TransformersGenerator) -> list[str]:
    return [render(f"{a}+{a}?", "chat", generator.tokenizer, "") for a in (3, 7)]


def test_a_model_within_budget_thinks_and_answers_as_it_would(
    generator: TransformersGenerator,
) -> None:
    forced = force(generator, _prompts(generator), Budget(64))
    assert [f.completion for f in forced] == [
        "<think>3+3=6</think>\n<answer>6</answer>",
        "<think>7+7=14</think>\n<answer>14</answer>",
    ]
    assert [f.thinking_tokens for f in forced] == [20, 21]  # "<think>…</think>", a byte a token
    assert not any(f.capped or f.waits_used for f in forced)


@pytest.mark.parametrize("cap", [1, 4, 11])
def test_the_cap_cuts_thinking_at_exactly_n_tokens(
    generator: TransformersGenerator, cap: int
) -> None:
    for f in force(generator, _prompts(generator), Budget(cap)):
        assert f.capped and f.thinking_tokens == cap
        assert f.thinking == "<think>3+3=6"[:cap] or f.thinking == "<think>7+7=14"[:cap]
        assert f.completion.startswith(f.thinking + "\n</think>\n<answer>")
        assert f.completion.endswith("</answer>")


def test_waits_make_the_model_think_on(generator: TransformersGenerator) -> None:
    for f in force(generator, _prompts(generator), Budget(64, waits=2)):
        assert f.waits_used >= 1  # the model ends its thinking at ~20 tokens: that end is taken
        assert f.thinking.count("\nWait") == f.waits_used <= 2
        assert f.thinking_tokens <= 64
        assert "</think>" not in f.thinking  # each end the model wrote was taken away


class NoCounts:
    """A backend that reports no token counts (some OpenAI-compatible servers)."""

    backend, model = "openai", "m"

    def generate(self, prompts: list[str], sampling: Sampling) -> list[list[Sample]]:
        return [[Sample("x", None, "stop")] for _ in prompts]


def test_a_backend_without_token_counts_is_refused_with_a_reason() -> None:
    with pytest.raises(ConfigError, match="no token counts"):
        force(NoCounts(), ["p"], Budget(8))


def test_labels() -> None:
    assert [Budget(512).label, Budget(512, waits=2).label] == ["512", "512+2wait"]
