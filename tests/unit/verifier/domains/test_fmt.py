"""Format rewards: one small table per reward."""

from __future__ import annotations

import math

import pytest

from rlvr.verifier.domains.fmt import (
    FORMAT_REWARDS,
    FormatOptions,
    Sample,
    cosine_length_reward,
    format_reward,
    language_consistency_reward,
    overlong_reward,
    reasoning_steps_reward,
    repetition_reward,
    tag_count_reward,
)

LENIENT = FormatOptions(mode="lenient")
STRICT = FormatOptions(mode="strict")


@pytest.mark.parametrize(
    ("completion", "lenient", "strict"),
    [
        ("<think>\nwork\n</think>\n<answer>\n4\n</answer>", 1.0, 1.0),
        ("<think>work</think><answer>4</answer>", 1.0, 0.0),
        ("  <think>work</think>\n\n<answer>4</answer>\n", 1.0, 0.0),
        ("<think>work</think>", 0.0, 0.0),
        ("<answer>4</answer>", 0.0, 0.0),
        ("<answer>4</answer><think>work</think>", 0.0, 0.0),
        ("<think>a</think><think>b</think><answer>4</answer>", 0.0, 0.0),
        ("<think>a</think><answer>4</answer> trailing text", 0.0, 0.0),
        ("preamble <think>a</think><answer>4</answer>", 0.0, 0.0),
        ("<think>a</think><answer>4</answer><answer>5</answer>", 0.0, 0.0),
        ("4", 0.0, 0.0),
        # Empty bodies earn nothing, whatever fills them that a reader would not see.
        ("<think></think><answer>4</answer>", 0.0, 0.0),
        ("<think>work</think><answer></answer>", 0.0, 0.0),
        ("<think>\n\n</think>\n<answer>\n4\n</answer>", 0.0, 0.0),
        ("<think>\n \n</think>\n<answer>\n4\n</answer>", 0.0, 0.0),
        ("<think>\nwork\n</think>\n<answer>\n\t\n</answer>", 0.0, 0.0),
        ("<think>\u200b\u200d\ufeff</think><answer>4</answer>", 0.0, 0.0),
        ("<think>\u00a0\u3000</think><answer>4</answer>", 0.0, 0.0),
        ("<think>.</think><answer>4</answer>", 1.0, 0.0),
    ],
)
def test_format(completion: str, lenient: float, strict: float) -> None:
    assert format_reward(Sample(completion), LENIENT) == lenient
    assert format_reward(Sample(completion), STRICT) == strict


def test_format_with_think_opened_in_the_prompt() -> None:
    options = FormatOptions(think_in_prompt=True)
    assert format_reward(Sample("work</think><answer>4</answer>"), options) == 1.0
    assert format_reward(Sample("work</think><answer>4</answer>"), LENIENT) == 0.0
    assert format_reward(Sample("</think><answer>4</answer>"), options) == 0.0
    assert format_reward(Sample(" \n</think>\n<answer>\n4\n</answer>"), options) == 0.0


@pytest.mark.parametrize(
    ("completion", "score"),
    [
        ("<think>a</think><answer>4</answer>", 1.0),
        ("<think>a</think>", 0.5),
        ("<think>a", 0.25),
        ("", 0.0),
        ("<answer>4</answer>", 0.5),
        ("</think><think>", 0.25),
        ("<think>a</think><think>b</think><answer>4</answer>", 0.5),
        # An empty pair earns nothing for either of its tags.
        ("<think></think><answer>4</answer>", 0.5),
        ("<think>a</think><answer> \n </answer>", 0.5),
        ("<think>\u200b</think><answer></answer>", 0.0),
        ("<think></think>", 0.0),
        ("<think>", 0.25),
    ],
)
def test_tag_count(completion: str, score: float) -> None:
    assert tag_count_reward(Sample(completion), LENIENT) == score
    assert tag_count_reward(Sample(completion), STRICT) == score


def test_tag_count_with_think_opened_in_the_prompt() -> None:
    options = FormatOptions(think_in_prompt=True)
    assert tag_count_reward(Sample("work</think><answer>4</answer>"), options) == 1.0
    assert tag_count_reward(Sample("</think><answer>4</answer>"), options) == 0.5


@pytest.mark.parametrize(
    ("completion", "score"),
    [
        ("Step 1: a\nStep 2: b\nStep 3: c", 1.0),
        ("1. a\n2. b", pytest.approx(2 / 3)),
        ("First, a. Next, b. Finally, c.", 1.0),
        ("- a\n- b\n- c\n- d", 1.0),
        ("just an answer", 0.0),
    ],
)
def test_reasoning_steps(completion: str, score: float) -> None:
    assert reasoning_steps_reward(Sample(completion), LENIENT) == score


def test_cosine_length_shapes_correct_and_wrong_answers_oppositely() -> None:
    opts = FormatOptions(max_length=1000)
    short_right = cosine_length_reward(Sample("", 100, correct=True), opts)
    long_right = cosine_length_reward(Sample("", 900, correct=True), opts)
    short_wrong = cosine_length_reward(Sample("", 100, correct=False), opts)
    long_wrong = cosine_length_reward(Sample("", 900, correct=False), opts)
    assert short_right > long_right >= 0.5
    assert -1.0 <= short_wrong < long_wrong <= -0.5
    assert cosine_length_reward(Sample("", 5000, correct=True), opts) == pytest.approx(0.5)
    midpoint = 0.5 + 0.5 * (1 + math.cos(math.pi * 0.5)) / 2
    assert cosine_length_reward(Sample("", 500, correct=True), opts) == pytest.approx(midpoint)


@pytest.mark.parametrize(
    ("tokens", "score"),
    [(0, 0.0), (3584, 0.0), (3585, -1 / 512), (3840, -0.5), (4096, -1.0), (9000, -1.0)],
)
def test_overlong_soft_punishment(tokens: int, score: float) -> None:
    assert overlong_reward(Sample("", tokens), FormatOptions()) == pytest.approx(score)


def test_length_counts_words_without_num_tokens() -> None:
    assert Sample("one two, three 四五").length == 5
    assert Sample("anything", num_tokens=7).length == 7


@pytest.mark.parametrize(
    ("completion", "score"),
    [
        ("the cat sat on the mat", 0.0),
        ("a b c a b c a b c a b c", -0.7),
        ("go " * 50, pytest.approx(-(1 - 1 / 48))),
        ("too short", 0.0),
    ],
)
def test_repetition(completion: str, score: float) -> None:
    assert repetition_reward(Sample(completion), LENIENT) == score


@pytest.mark.parametrize(
    ("completion", "language", "score"),
    [
        ("<think>we add two and two</think><answer>4</answer>", "en", 1.0),
        ("<think>我们 把 二 加 二</think>", "zh", 1.0),
        ("<think>so x 等于 2</think>", "en", 0.5),
        ("<think>x = 2 + 2 = 4</think>", "en", 1.0),
        ("<think></think>", "en", 1.0),
        ("<think>Сложим два и два</think>", "ru", 1.0),
        ("<think>Сложим два и два</think>", "en", 0.0),
        ("no tags, all reasoning", "en", 1.0),
    ],
)
def test_language_consistency(completion: str, language: str, score: float) -> None:
    opts = FormatOptions(language=language)
    assert language_consistency_reward(Sample(completion), opts) == pytest.approx(score)


def test_language_consistency_ignores_the_answer() -> None:
    sample = Sample("<think>two plus two</think><answer>四</answer>")
    assert language_consistency_reward(sample, LENIENT) == 1.0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("language", "xx", "unsupported language"),
        ("max_length", 0, "at least 1"),
        ("overlong_buffer", 0, "overlong_buffer"),
        ("overlong_buffer", 10_000, "overlong_buffer"),
    ],
)
def test_bad_options_are_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FormatOptions(**{field: value})  # type: ignore[arg-type]


def test_registry_names() -> None:
    assert set(FORMAT_REWARDS) == {
        "format",
        "tag_count",
        "reasoning_steps",
        "length",
        "overlong",
        "repetition",
        "language_consistency",
    }


# --- Red team: text shaped to cheat the shaping rewards (see the README's threat model). ---

# The same reasoning padded out in ways that have few or no "words": each costs the trainer
# about as many tokens as plain prose of its length would.
PADDINGS = {
    "glued letters": "x" * 30_000,
    "glued words": "waitletmecheck" * 2_000,
    "symbols": "=+" * 15_000,
    "blank space": "hm" + " " * 30_000,
    "blank lines": "hm" + "\n" * 30_000,
    "zero-width joined": "wait\u200b" * 6_000,
}


@pytest.mark.parametrize("padding", PADDINGS.values(), ids=list(PADDINGS))
def test_a_completion_cannot_shrink_its_length_by_writing_few_words(padding: str) -> None:
    completion = f"<think>{padding}</think><answer>4</answer>"
    assert Sample(completion).length >= len(completion) // 6
    assert overlong_reward(Sample(completion), LENIENT) == -1.0
    right = cosine_length_reward(Sample(completion, correct=True), LENIENT)
    assert right == pytest.approx(LENIENT.cosine_min_correct)  # as long as it can get


def test_length_of_ordinary_prose_is_still_its_words() -> None:
    prose = "We add two and two, then check the sum: it is four. " * 10
    assert Sample(prose).length == len(prose.split())


LOOPS = {
    "cjk": "我我我" * 500,
    "cjk phrase": "所以答案是" * 300,
    "glued": "waitwait" * 500,
    "zero-width joined": "wait\u200b" * 500,
    "symbols": "=+" * 1_000,
    "digits": "0.333" + "3" * 3_000,
}


@pytest.mark.parametrize("loop", LOOPS.values(), ids=list(LOOPS))
def test_a_loop_without_spaces_is_still_a_loop(loop: str) -> None:
    assert repetition_reward(Sample(f"<think>{loop}</think><answer>4</answer>"), LENIENT) < -0.9


@pytest.mark.parametrize(
    "text",
    [
        "the cat sat on the mat",
        "First we add 2 and 2, which gives 4; then we check 4 - 2 = 2.",
        "我们把二加二，得到四。",
    ],
)
def test_text_without_repeats_has_no_repetition_penalty(text: str) -> None:
    assert repetition_reward(Sample(text), LENIENT) == 0.0


@pytest.mark.parametrize(
    "completion",
    [
        "<think>we add two</think><think>所以答案是四因为二加二</think><answer>4</answer>",
        "</think>所以答案是四因为二加二 <think>we add two</think><answer>4</answer>",
        "<think>ok</think> 所以答案是四因为二加二 <answer>4</answer>",
        "<think>ok</think><answer>所以答案是四, 因为二加二等于四</answer>",
        "<THINK>ok</THINK><answer>所以答案是四, 因为二加二等于四</answer>",
    ],
)
def test_reasoning_written_outside_the_first_think_block_counts(completion: str) -> None:
    assert language_consistency_reward(Sample(completion), LENIENT) < 0.5


@pytest.mark.parametrize(
    "completion",
    [
        "<think>Step 1:\nStep 2:\nStep 3:</think><answer>4</answer>",
        "<think>First, Then, Finally,</think><answer>4</answer>",
        "<think>- \n- \n* \n• \n</think><answer>4</answer>",
        "<think>1. \n2) \n3. </think><answer>4</answer>",
    ],
)
def test_step_markers_without_content_count_nothing(completion: str) -> None:
    assert reasoning_steps_reward(Sample(completion), LENIENT) == 0.0


def test_a_step_written_again_counts_once() -> None:
    pasted = "Step 1: add 2 and 2\n" * 3
    assert reasoning_steps_reward(Sample(pasted), LENIENT) == pytest.approx(1 / 3)
    numbered = "1. add 2 and 2\n2. add 2 and 2\n3. add 2 and 2"
    assert reasoning_steps_reward(Sample(numbered), LENIENT) == pytest.approx(1 / 3)
    distinct = "1. x < 3\n2. x < 5\n3. so x is 4"
    assert reasoning_steps_reward(Sample(distinct), LENIENT) == 1.0
