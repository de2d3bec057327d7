"""Format rewards: scores of the *shape* of a completion, whatever its domain.

Each reward is a small function of a :class:`Sample` and :class:`FormatOptions`,
registered in :data:`FORMAT_REWARDS` under the name a request selects it by.
Length is counted in tokens when the caller sends ``num_tokens`` (the trainer knows
them), otherwise in words (runs of letters or digits, and single CJK characters) but never
fewer than one per :data:`CHARS_PER_WORD` characters: text written to have few words (glued
words, runs of symbols or of blank space) is as long as the tokens it costs.

Every reward reads the completion as the policy would game it: what a penalty measures must
be what the completion cannot reshape for free (see the README's "Shaping rewards").
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import regex

# Scripts each target language is written in (ISO 639-1 codes).
LANGUAGE_SCRIPTS: dict[str, tuple[str, ...]] = {
    **{
        code: ("Latin",)
        for code in (
            "en",
            "fr",
            "de",
            "es",
            "it",
            "pt",
            "nl",
            "pl",
            "tr",
            "vi",
            "id",
            "sv",
            "da",
            "no",
            "fi",
            "cs",
            "ro",
            "hu",
        )
    },
    "zh": ("Han",),
    "ja": ("Han", "Hiragana", "Katakana"),
    "ko": ("Hangul", "Han"),
    "ru": ("Cyrillic",),
    "uk": ("Cyrillic",),
    "bg": ("Cyrillic",),
    "ar": ("Arabic",),
    "fa": ("Arabic",),
    "he": ("Hebrew",),
    "hi": ("Devanagari",),
    "el": ("Greek",),
    "th": ("Thai",),
}
_SCRIPTS = sorted({s for scripts in LANGUAGE_SCRIPTS.values() for s in scripts})
# One unit per CJK character (they have no spaces), one per word otherwise.
_UNIT = regex.compile(r"\p{Han}|\p{Hiragana}|\p{Katakana}|\p{L}[\p{L}\p{M}]*")
_SCRIPT_OF = {s: regex.compile(rf"^\p{{Script={s}}}") for s in _SCRIPTS}
_WORD = regex.compile(r"\p{Han}|\p{Hiragana}|\p{Katakana}|[\p{L}\p{N}]+")
_STEP = re.compile(
    r"(?m)^[^\S\n]*(?:Step\s*\d+\s*[:.]|\d+[.)]\s|[-*•]\s)|\b(?:First|Second|Third|Next|Then|Finally),"
)
# English runs ~6 characters a word with its space and punctuation; tokenizers spend at least
# a token per 6 characters of anything else, so no text is shorter than this.
CHARS_PER_WORD = 6
# Units of the repetition n-grams: what lies between spaces, as before, but single CJK
# characters and long runs cut in 12-character chunks, so that a loop written without spaces
# ("waitwait…", "我我我…", "=+=+…", words joined by zero-width spaces) repeats as visibly
# as one with them, while ordinary words stay whole.
_GRAM = regex.compile(
    r"\p{Han}|\p{Hiragana}|\p{Katakana}|[^\s\p{Han}\p{Hiragana}\p{Katakana}]{1,12}"
)
_TAG = re.compile(r"</?(?:think|answer)>", re.IGNORECASE)
_NEWLINE = re.compile("\n")
_ANSWER_BLOCK = re.compile(r"<answer>(.*?)</answer>", re.IGNORECASE | re.DOTALL)
# A final answer this short may be in any script (a name, the character a question asks for);
# a longer one is writing like the reasoning.
_SHORT_ANSWER_UNITS = 5
_TAGS = ("<think>", "</think>", "<answer>", "</answer>")
_VISIBLE = regex.compile(r"[\p{L}\p{N}\p{P}\p{S}]")


@dataclass(frozen=True)
class FormatOptions:
    """Parameters of the format rewards; every field has a sensible default."""

    mode: Literal["strict", "lenient"] = "lenient"
    think_in_prompt: bool = False  # the template already opened <think> in the prompt
    min_steps: int = 3
    max_length: int = 4096
    overlong_buffer: int = 512
    cosine_min_correct: float = 0.5
    cosine_max_correct: float = 1.0
    cosine_min_wrong: float = -1.0
    cosine_max_wrong: float = -0.5
    ngram_size: int = 3
    max_repetition_penalty: float = -1.0
    language: str = "en"

    def __post_init__(self) -> None:
        if self.language not in LANGUAGE_SCRIPTS:
            raise ValueError(
                f"unsupported language {self.language!r}; use one of {sorted(LANGUAGE_SCRIPTS)}"
            )
        if self.max_length < 1 or self.min_steps < 1 or self.ngram_size < 1:
            raise ValueError("max_length, min_steps and ngram_size must be at least 1")
        if not 0 < self.overlong_buffer <= self.max_length:
            raise ValueError("overlong_buffer must be in (0, max_length]")


@dataclass(frozen=True)
class Sample:
    """What a format reward may look at."""

    completion: str
    num_tokens: int | None = None
    correct: bool | None = None  # from the domain's accuracy, for length shaping

    @property
    def length(self) -> int:
        if self.num_tokens is not None:
            return self.num_tokens
        words = len(_WORD.findall(self.completion))
        return max(words, -(-len(self.completion) // CHARS_PER_WORD))


def as_written(completion: str, think_in_prompt: bool) -> str:
    """The completion as the model wrote it: after a ``<think>`` the template opened in the
    prompt (``think_in_prompt``), so that a completion that never closes it never left its
    reasoning and gives no answer, in every domain and in ``/vote``, as one that opened it
    itself.

    >>> as_written("2+3=5</think>5", True), as_written("5", False)
    ('<think>\\n2+3=5</think>5', '5')
    """
    if think_in_prompt and not completion.lstrip().startswith("<think>"):
        return "<think>\n" + completion.lstrip()
    return completion


def _blank(body: str) -> bool:
    """Nothing a reader would see: whitespace, zero-width and other invisible characters."""
    return _VISIBLE.search(body) is None


def format_reward(sample: Sample, opts: FormatOptions) -> float:
    """1.0 when the completion is ``<think>…</think>`` then ``<answer>…</answer>``, else 0.0.

    strict: ``<think>\\n…\\n</think>\\n<answer>\\n…\\n</answer>`` exactly, each tag once.
    lenient: the same order, any whitespace between parts, each tag once.
    In both modes each body must hold something visible: empty tags are not a format.

    >>> format_reward(Sample("<think>hm</think> <answer>4</answer>"), FormatOptions())
    1.0
    >>> format_reward(Sample("<think> </think> <answer>4</answer>"), FormatOptions())
    0.0
    """
    text = as_written(sample.completion, opts.think_in_prompt).strip()
    if any(text.count(tag) != 1 for tag in _TAGS):
        return 0.0
    if opts.mode == "strict":
        pattern = r"<think>\n(.+?)\n</think>\n<answer>\n(.+?)\n</answer>"
    else:
        pattern = r"<think>(.*?)</think>\s*<answer>(.*?)</answer>"
    match = re.fullmatch(pattern, text, flags=re.DOTALL)
    if match is None or any(_blank(body) for body in match.groups()):
        return 0.0
    return 1.0


def tag_count_reward(sample: Sample, opts: FormatOptions) -> float:
    """0.25 for each of the four tags present exactly once and after the tag before it;
    a pair whose body is only whitespace earns nothing for either of its tags.

    >>> tag_count_reward(Sample("<think>x</think>"), FormatOptions())
    0.5
    >>> tag_count_reward(Sample("<think></think><answer>4</answer>"), FormatOptions())
    0.5
    """
    text = as_written(sample.completion, opts.think_in_prompt).lstrip()
    found: dict[str, int] = {}
    previous_end = 0
    for tag in _TAGS:
        if text.count(tag) == 1 and (position := text.find(tag)) >= previous_end:
            found[tag] = position
            previous_end = position + len(tag)
    for opening, closing in (_TAGS[:2], _TAGS[2:]):
        pair = opening in found and closing in found
        if pair and _blank(text[found[opening] + len(opening) : found[closing]]):
            del found[opening], found[closing]
    return 0.25 * len(found)


def reasoning_steps_reward(sample: Sample, opts: FormatOptions) -> float:
    """min(1, steps / min_steps), counting "Step 1:", numbered or bulleted lines and
    "First," / "Next," / "Finally,"-style transitions.

    A step is its marker and what follows it up to the next marker or the end of the line:
    a marker with no word after it, or a step written again word for word, counts nothing
    (a ladder of bare "Step 1:" lines, or one step pasted three times, is not reasoning).

    >>> reasoning_steps_reward(Sample("Step 1: a\\nStep 2: b\\nStep 3: c"), FormatOptions())
    1.0
    >>> reasoning_steps_reward(Sample("Step 1:\\nStep 2:\\nFirst, Then, Finally,"), FormatOptions())
    0.0
    """
    text = sample.completion
    markers = list(_STEP.finditer(text))
    # Where each step may end: the next marker, line or tag (found once: linear in the text).
    tags = {m.start() for m in _TAG.finditer(text)}
    newlines = {m.start() for m in _NEWLINE.finditer(text)}  # searched in C, not per character
    ends = sorted({m.start() for m in markers} | tags | newlines)
    steps: set[str] = set()
    for marker in markers:
        at = bisect.bisect_left(ends, marker.end())
        body = text[marker.end() : ends[at] if at < len(ends) else len(text)]
        words = _WORD.findall(body.lower())
        if words:
            steps.add(" ".join(words))
    return min(1.0, len(steps) / max(opts.min_steps, 1))


def cosine_length_reward(sample: Sample, opts: FormatOptions) -> float:
    """Cosine-scaled length reward (Yeo et al., 2025, "Demystifying Long CoT").

    r(L) = lo + (hi − lo)·(1 + cos(π·min(L, L_max)/L_max))/2, where for a correct
    answer (lo, hi) = (min_correct, max_correct), so shorter is better, and for a
    wrong one (lo, hi) = (max_wrong, min_wrong), so longer effort is penalised less.

    >>> cosine_length_reward(Sample("x", num_tokens=0, correct=True), FormatOptions())
    1.0
    """
    if sample.correct:
        lo, hi = opts.cosine_min_correct, opts.cosine_max_correct
    else:
        lo, hi = opts.cosine_max_wrong, opts.cosine_min_wrong
    progress = min(sample.length, opts.max_length) / max(opts.max_length, 1)
    return lo + (hi - lo) * (1.0 + math.cos(math.pi * progress)) / 2.0


def overlong_reward(sample: Sample, opts: FormatOptions) -> float:
    """DAPO soft overlong punishment, with L_max = max_length and buffer = overlong_buffer.

    0 when L ≤ L_max − buffer; ((L_max − buffer) − L)/buffer inside the buffer; −1 past L_max.

    >>> overlong_reward(Sample("", num_tokens=3840), FormatOptions())
    -0.5
    """
    safe = opts.max_length - opts.overlong_buffer
    if sample.length <= safe:
        return 0.0
    if sample.length > opts.max_length:
        return -1.0
    return (safe - sample.length) / max(opts.overlong_buffer, 1)


def repetition_reward(sample: Sample, opts: FormatOptions) -> float:
    """N-gram repetition penalty: (1 − unique n-grams / all n-grams) × max_penalty.

    0 for text without repeats, down to ``max_repetition_penalty`` for a loop. The n-grams are
    over what lies between spaces, single CJK characters apart and long runs cut in
    12-character chunks: a loop with no spaces in it ("我我我…", "waitwait…") is a loop too.

    >>> repetition_reward(Sample("a b c a b c a b c a b c"), FormatOptions())
    -0.7
    """
    words = _GRAM.findall(sample.completion.lower())
    n = opts.ngram_size
    if len(words) < n:
        return 0.0
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    penalty = (1.0 - len(set(grams)) / len(grams)) * opts.max_repetition_penalty
    return round(penalty, 6) + 0.0


def _reasoning(completion: str) -> str:
    """Everything the completion wrote but its final answer: every ``<think>`` block and any
    text outside them (reasoning moved out of the first block is reasoning still). The last
    ``<answer>`` block is left out when it is a short answer; a long one counts."""
    blocks = list(_ANSWER_BLOCK.finditer(completion))
    if blocks and len(_UNIT.findall(blocks[-1].group(1))) <= _SHORT_ANSWER_UNITS:
        completion = completion[: blocks[-1].start()] + completion[blocks[-1].end() :]
    return _TAG.sub(" ", completion)


def language_consistency_reward(sample: Sample, opts: FormatOptions) -> float:
    """Share of the reasoning's words written in the target language's script
    (DeepSeek-R1's language-consistency reward). 1.0 when there are no words.

    The reasoning is all the completion but a short final answer (see :func:`_reasoning`).

    >>> language_consistency_reward(Sample("<think>so x is 2, 所以</think>"), FormatOptions())
    0.6
    """
    scripts = LANGUAGE_SCRIPTS[opts.language]
    units = _UNIT.findall(_reasoning(sample.completion))
    if not units:
        return 1.0
    inside = sum(1 for unit in units if any(_SCRIPT_OF[s].match(unit) for s in scripts))
    return inside / len(units)


FORMAT_REWARDS: dict[str, Callable[[Sample, FormatOptions], float]] = {
    "format": format_reward,
    "tag_count": tag_count_reward,
    "reasoning_steps": reasoning_steps_reward,
    "length": cosine_length_reward,
    "overlong": overlong_reward,
    "repetition": repetition_reward,
    "language_consistency": language_consistency_reward,
}
