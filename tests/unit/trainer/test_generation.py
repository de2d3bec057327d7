"""The transformers backend on a real (tiny, distilled) model, and the shared helpers."""

from __future__ import annotations

import pytest

from rlvr.trainer.generation import Sampling, TransformersGenerator, cut_at_stop
from rlvr.trainer.prompts import render

from ...conftest import DistilledModel

pytest.importorskip("transformers", reason="the [trainer] extra is not installed")


@pytest.mark.parametrize(
    ("text", "stop", "expected"),
    [
        ("a</think>b", ["</think>"], ("a</think>", True)),
        ("a</answer>b</think>", ["</think>", "</answer>"], ("a</answer>", True)),
        ("no stop here", ["</think>"], ("no stop here", False)),
        ("anything", [], ("anything", False)),
        ("x", [""], ("x", False)),
    ],
)
def test_cut_at_stop(text: str, stop: list[str], expected: tuple[str, bool]) -> None:
    assert cut_at_stop(text, stop) == expected


@pytest.fixture(scope="module")
def generator(distilled_model: DistilledModel) -> TransformersGenerator:
    return TransformersGenerator(str(distilled_model.path), batch_size=3)


def _prompts(generator: TransformersGenerator, numbers: range) -> list[str]:
    return [render(f"{a}+{a}?", "chat", generator.tokenizer, "") for a in numbers]


def test_greedy_samples_come_back_per_prompt_in_order(generator: TransformersGenerator) -> None:
    prompts = _prompts(generator, range(7))  # 3 batches, the last one partial
    out = generator.generate(prompts, Sampling(n=2, temperature=0, max_tokens=64))
    assert [len(samples) for samples in out] == [2] * 7
    for a, samples in enumerate(out):
        for sample in samples:
            assert sample.text == f"<think>{a}+{a}={2 * a}</think>\n<answer>{2 * a}</answer>"
            assert sample.finish_reason == "stop"
            assert sample.tokens == len(sample.text.encode()) + 1  # a byte a token, and EOS


def test_a_stop_string_ends_the_sample_and_stays_in_it(generator: TransformersGenerator) -> None:
    [[sample]] = generator.generate(
        _prompts(generator, range(3, 4)), Sampling(temperature=0, stop=("</think>",))
    )
    assert sample.text == "<think>3+3=6</think>" and sample.finish_reason == "stop"


def test_max_tokens_gives_length(generator: TransformersGenerator) -> None:
    [[sample]] = generator.generate(
        _prompts(generator, range(1, 2)), Sampling(temperature=0, max_tokens=5)
    )
    assert (sample.text, sample.tokens, sample.finish_reason) == ("<thin", 5, "length")


def test_a_seed_makes_sampling_repeatable(generator: TransformersGenerator) -> None:
    hot = Sampling(n=3, temperature=1.5, max_tokens=24, seed=7)
    prompts = _prompts(generator, range(2))
    first, second = generator.generate(prompts, hot), generator.generate(prompts, hot)
    assert first == second
    assert len({s.text for samples in first for s in samples}) > 1  # it did sample


def test_settings_record_every_sampling_field() -> None:
    settings = Sampling(n=4, stop=("</answer>",)).settings()
    assert settings == {
        "n": 4,
        "temperature": 1.0,
        "top_p": 1.0,
        "max_tokens": 1024,
        "seed": None,
        "stop": ["</answer>"],
    }
