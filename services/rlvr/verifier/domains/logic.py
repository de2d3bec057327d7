"""Logic domain: generic matchers, and reasoning-gym tasks scored by their own ``score_answer``.

References:

* ``{"answer": ..., "match": "exact" | "ci" | "ordered_list" | "unordered_list" | "set" |
  "json" | "boolean" | "numeric"}`` (default ``ci``: case- and whitespace-insensitive);
* ``{"task": "knights_knaves", "entry": {...}}`` — an entry of a reasoning-gym dataset
  (``question``, ``answer``, ``metadata``), scored by that task's ``score_answer``, with
  the partial credit the task defines. Runs offline: the tasks are procedural.

The answer is the last ``<answer>`` block after the reasoning, else the last ``\\boxed{}``,
else the whole text after the reasoning.

>>> LogicDomain().verify("<answer> Yes </answer>", {"answer": "true", "match": "boolean"}).accuracy
1.0
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from .base import AnswerOptions, InvalidReference, MissingReference, Verdict
from .maths.extract import find_boxed
from .text import answer_blocks, answer_region

_TRUE = {"true", "yes", "y", "1", "correct", "valid"}
_FALSE = {"false", "no", "n", "0", "incorrect", "invalid"}


def final_answer(completion: str) -> str | None:
    """The answer text: last ``<answer>`` block, else last ``\\boxed{}``, else the tail."""
    region = answer_region(completion)
    blocks = answer_blocks(region)
    text = blocks[-1] if blocks else (find_boxed(region) or [region])[-1]
    text = text.strip()
    return text or None


def _norm(text: str) -> str:
    return " ".join(text.strip().strip(".").split()).lower()


def _items(text: str) -> list[str]:
    text = text.strip().strip("[](){}")
    return [_norm(part).strip("'\"") for part in re.split(r"[,;\n]", text) if part.strip()]


def _boolean(text: str) -> bool | None:
    word = _norm(text)
    return True if word in _TRUE else False if word in _FALSE else None


def _number(text: str) -> float | None:
    try:
        return float(_norm(text).replace(",", ""))
    except ValueError:
        return None


def _same_json(got: Any, want: Any) -> bool:
    """JSON equality without Python's ``True == 1``: a boolean equals only a boolean."""
    if isinstance(got, bool) or isinstance(want, bool):
        return type(got) is type(want) and got == want
    if isinstance(got, dict) and isinstance(want, dict):
        return got.keys() == want.keys() and all(_same_json(got[k], want[k]) for k in got)
    if isinstance(got, list) and isinstance(want, list):
        return len(got) == len(want) and all(map(_same_json, got, want))
    return bool(got == want)


def _json_equal(got: str, want: Any) -> bool:
    try:
        return _same_json(json.loads(got), want)
    except (ValueError, RecursionError):
        return False


def _numeric_equal(got: str, want: Any) -> bool:
    """Equal to 1e-9 relative; an absolute slack only around a gold of 0 (a fixed one would
    make every small answer right for a gold of 5e-10)."""
    value, gold = _number(got), float(want)
    if value is None:
        return False
    return math.isclose(value, gold, rel_tol=1e-9, abs_tol=1e-12 if gold == 0 else 0.0)


MATCHERS: dict[str, Callable[[str, Any], bool]] = {
    "exact": lambda got, want: got.strip() == str(want).strip(),
    "ci": lambda got, want: _norm(got) == _norm(str(want)),
    "ordered_list": lambda got, want: (
        _items(got) == [_norm(str(w)) for w in want]
        if isinstance(want, list)
        else _items(got) == _items(str(want))
    ),
    "unordered_list": lambda got, want: (
        sorted(_items(got))
        == sorted([_norm(str(w)) for w in want] if isinstance(want, list) else _items(str(want)))
    ),
    "set": lambda got, want: (
        set(_items(got))
        == set([_norm(str(w)) for w in want] if isinstance(want, list) else _items(str(want)))
    ),
    "json": lambda got, want: _json_equal(
        got, want if not isinstance(want, str) else json.loads(want)
    ),
    "boolean": lambda got, want: (
        _boolean(got) is not None
        and _boolean(got) == (want if isinstance(want, bool) else _boolean(str(want)))
    ),
    "numeric": _numeric_equal,
}


@cache
def _task(name: str) -> Any:
    import reasoning_gym
    from reasoning_gym.factory import DATASETS

    if name not in DATASETS:
        raise InvalidReference(f"unknown reasoning-gym task {name!r}")
    return reasoning_gym.create_dataset(name, size=1, seed=0)


@dataclass(frozen=True)
class LogicDomain:
    name: str = "logic"
    waits_on_io: bool = False

    def answer(
        self,
        completion: str,
        reference: Mapping[str, Any] | None = None,
        options: AnswerOptions | None = None,
    ) -> str | None:
        """The final answer text, as :meth:`verify` reads it."""
        return final_answer(completion)

    def same_answer(self, a: str, b: str) -> bool:
        """One vote when equal ignoring case, spacing and a final full stop."""
        return _norm(a) == _norm(b)

    def verify(
        self, completion: str, reference: Mapping[str, Any], options: AnswerOptions | None = None
    ) -> Verdict:
        # Answer options are about reading math answers (tags vs. prose, the judge): logic
        # answers are read and matched as the reference's matcher says.
        answer = final_answer(completion)
        if "task" in reference:
            return self._gym(answer, reference)
        if "answer" not in reference:
            raise MissingReference("logic reference needs 'answer' or 'task' + 'entry'")
        mode = reference.get("match", "ci")
        if mode not in MATCHERS:
            raise InvalidReference(f"match must be one of {sorted(MATCHERS)}")
        if mode == "json" and isinstance(reference["answer"], str):
            try:
                json.loads(reference["answer"])
            except ValueError as exc:
                raise InvalidReference("'answer' is not valid JSON") from exc
        if mode == "numeric" and not isinstance(reference["answer"], int | float | str):
            raise InvalidReference("numeric 'answer' must be a number")
        if answer is None:
            return Verdict(0.0, None, {"reason": "no_answer"})
        try:
            correct = MATCHERS[mode](answer, reference["answer"])
        except (TypeError, ValueError) as exc:
            raise InvalidReference(f"cannot compare with this reference: {exc}") from exc
        return Verdict(float(correct), answer, {"match": mode})

    def _gym(self, answer: str | None, reference: Mapping[str, Any]) -> Verdict:
        task, entry = reference.get("task"), reference.get("entry")
        if not isinstance(task, str) or not isinstance(entry, dict):
            raise InvalidReference("'task' must be a task name and 'entry' its entry object")
        dataset = _task(task)
        try:
            score = float(dataset.score_answer(answer, entry))
        except (KeyError, TypeError) as exc:
            raise InvalidReference(f"the entry does not fit task {task!r}: {exc}") from exc
        except Exception:  # a task's scorer failing on a malformed answer: a wrong answer
            score = 0.0
        if score > 0 and answer is not None and _pads_the_gold(answer, entry.get("answer")):
            details = {"task": task, "reason": "multiple_answers", "task_score": score}
            return Verdict(0.0, answer, details)
        return Verdict(max(0.0, min(1.0, score)), answer, {"task": task})


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _pads_the_gold(answer: str, gold: Any) -> bool:
    """Whether ``answer`` is the task's gold answer with other words or numbers around it.

    reasoning-gym's scorers credit an answer that merely *contains* the gold: the default
    one by len(gold)/len(answer), several in full ("False or True" is 1.0 on
    game_of_life_halting, "maybe 288" on gsm_symbolic). Under RL that pays for listing
    candidates, so such an answer is a hedge. Punctuation, brackets and spacing around the
    gold ("False.", "[3]") are not words; the same number written otherwise ("3.0") is not
    a padding.

    >>> _pads_the_gold("False or True", "False"), _pads_the_gold("False.", "False")
    (True, False)
    """
    if not isinstance(gold, str) or not gold.strip():
        return False
    got, want = _folded(answer).strip(" ."), _folded(gold).strip(" .")
    if not want or got == want or want not in got:
        return False
    if (a := _number(got)) is not None and (b := _number(want)) is not None:
        return not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return any(char.isalnum() for char in got.replace(want, " "))
