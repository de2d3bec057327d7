"""Budget forcing (s1, Muennighoff et al. 2025): control how long a model thinks at test time.

- **Cap**: thinking may use at most ``max_thinking`` generated tokens. When the cap is hit
  the end of thinking and the answer tag are forced (``\\n</think>\\n<answer>``) and the
  model writes only the answer. A model that ends its thinking in time gets ``\\n<answer>``
  after its own ``</think>``.
- **Extend**: the first ``waits`` times the model ends its thinking on its own, the end is
  taken away and ``Wait`` appended, so it goes on thinking (still under the cap).

Every completion ends the same way: ``…</think>\\n<answer>…</answer>``, so the verifier
scores the answer the model gave under that budget. Works with any :mod:`.generation`
backend that reports token counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from .errors import ConfigError
from .generation import GREEDY, Generator, Sampling

END_THINKING = "</think>"
FORCED_END = "\n</think>\n<answer>"
NATURAL_END = "</think>\n<answer>"
END_ANSWER = "</answer>"
WAIT = "\nWait"


@dataclass(frozen=True)
class Budget:
    """``max_thinking`` tokens of thinking at most; ``waits`` forced continuations."""

    max_thinking: int
    waits: int = 0

    @property
    def label(self) -> str:
        """How the budget is named in reports.

        >>> Budget(512, waits=2).label
        '512+2wait'
        """
        return f"{self.max_thinking}" + (f"+{self.waits}wait" if self.waits else "")


@dataclass
class Forced:
    """One budget-forced completion and how it came about."""

    prompt: str
    thinking: str = ""
    thinking_tokens: int = 0
    waits_used: int = 0
    capped: bool = False  # the cap, not the model, ended the thinking
    answer: str = ""
    done_thinking: bool = field(default=False, repr=False)

    @property
    def answer_prompt(self) -> str:
        """The prompt, the thinking (without its end) and the forced opening of the answer."""
        return self.prompt + self.thinking + (FORCED_END if self.capped else NATURAL_END)

    @property
    def completion(self) -> str:
        return self.answer_prompt.removeprefix(self.prompt) + self.answer


def force(
    generator: Generator,
    prompts: Sequence[str],
    budget: Budget,
    sampling: Sampling = GREEDY,
    answer_tokens: int = 64,
) -> list[Forced]:
    """One budget-forced completion per prompt (``sampling.n`` is ignored).

    ``thinking`` never keeps the model's ``</think>``: the closing is added once, when the
    answer is asked for, as :attr:`Forced.answer_prompt` shows.
    """
    states = [Forced(prompt) for prompt in prompts]
    while pending := [s for s in states if not s.done_thinking]:
        # Prompts with the same budget left are generated together.
        by_room: dict[int, list[Forced]] = defaultdict(list)
        for state in pending:
            by_room[budget.max_thinking - state.thinking_tokens].append(state)
        for room, group in by_room.items():
            thinking = replace(sampling, n=1, max_tokens=room, stop=(END_THINKING,))
            samples = generator.generate([s.prompt + s.thinking for s in group], thinking)
            for state, [sample] in zip(group, samples, strict=True):
                if sample.tokens is None:
                    raise ConfigError(
                        f"the {generator.backend} backend reported no token counts; budget "
                        "forcing needs them (an OpenAI-compatible server must return usage)"
                    )
                _think(state, sample.text, sample.tokens, sample.finish_reason, budget)
    answering = replace(sampling, n=1, max_tokens=answer_tokens, stop=(END_ANSWER,))
    answers = generator.generate([s.answer_prompt for s in states], answering)
    for state, [sample] in zip(states, answers, strict=True):
        state.answer = sample.text if sample.text.endswith(END_ANSWER) else sample.text + END_ANSWER
    return states


def _think(state: Forced, text: str, tokens: int, finish: str, budget: Budget) -> None:
    state.thinking_tokens += tokens
    if finish == "length":  # the cap cut the thinking short
        state.thinking += text
        state.capped = state.done_thinking = True
        return
    text = text.removesuffix(END_THINKING)  # the model ended its thinking
    if state.waits_used < budget.waits and state.thinking_tokens < budget.max_thinking:
        state.thinking += text.rstrip() + WAIT
        state.waits_used += 1
    else:
        state.thinking += text
        state.done_thinking = True
