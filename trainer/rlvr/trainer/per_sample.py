"""What the per-sample adapters share (slime, NeMo-Gym, verifiers, AReaL, and the service's
``/slime`` route): a result as one trainer-facing :class:`Verdict`, the format options a
prompt implies, and one client per process or per event loop.

A :class:`Verdict` is :mod:`rlvr.trainer.verdicts` applied once: ``reward`` and ``scores``
are its numbers (the worst ones for a failure of the completion's doing), ``None`` only for
an unscorable item; each adapter then maps ``None`` to its trainer's own "skip". Stdlib
only at import (the client is imported when first used): the service's ``/slime`` route
imports :func:`verdict_of`.

>>> ok = {"status": "ok", "reward": 0.1, "scores": {"accuracy": 0.0, "format": 1.0}}
>>> v = verdict_of(ok, DEFAULT_WEIGHTS)
>>> v.reward, v.label, v.components(DEFAULT_WEIGHTS)
(0.1, 'wrong', {'accuracy': 0.0, 'format': 0.1})
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .verdicts import completion_failed, is_unscorable, trainer_reward, trainer_scores

if TYPE_CHECKING:
    from .coalesce import Coalescer

# The service's defaults, made explicit: an adapter that reports weighted components must
# know the weights its reward was summed with.
DEFAULT_WEIGHTS: dict[str, float] = {"accuracy": 0.9, "format": 0.1}
THINK_OPENER = "<think>"


@dataclass(frozen=True)
class Verdict:
    """One item's result, as the numbers a trainer trains on and logs."""

    reward: float | None  # the weighted reward; None: unscorable
    scores: dict[str, float] | None  # each requested score; None: unscorable
    label: str  # correct | wrong | failed (the completion's doing) | unscorable
    extracted: str  # the answer the service read, for logs and maj@k
    reason: str  # "code: message" of a result that is not ok, else ""

    @property
    def unscorable(self) -> bool:
        return self.scores is None

    def components(self, weights: Mapping[str, float]) -> dict[str, float]:
        """Each score times its weight, so that they sum to :attr:`reward` (0.0 each when
        unscorable): what a trainer that checks that sum (NeMo-RL) receives."""
        scores = self.scores or {}
        return {name: float(weight) * scores.get(name, 0.0) for name, weight in weights.items()}

    def score_values(self, names: Sequence[str]) -> dict[str, float]:
        """Each of ``names``, 0.0 when unscorable (for trainers that take numbers only)."""
        scores = self.scores or {}
        return {name: scores.get(name, 0.0) for name in names}


def verdict_of(
    result: Mapping[str, Any],
    weights: Mapping[str, float],
    names: Sequence[str] | None = None,
    options: Mapping[str, Any] | None = None,
) -> Verdict:
    """``result`` judged by the one result rule (:mod:`rlvr.trainer.verdicts`); ``names``
    default to the weighted scores, with accuracy first."""
    names = list(names or weights)
    if "accuracy" not in names:
        names.insert(0, "accuracy")
    scores = trainer_scores(result, names, weights, options)
    reward = trainer_reward(result, weights, options) if scores is not None else None
    error = result.get("error") or {}
    reason = f"{error.get('code', '')}: {error.get('message', '')}" if error else ""
    if scores is None or is_unscorable(result):
        label = "unscorable"
    elif completion_failed(result):  # an error, or scored 0 because checking it failed
        label = "failed"
    else:
        label = "correct" if scores.get("accuracy", 0.0) >= 1.0 else "wrong"
    extracted = result.get("extracted")
    return Verdict(reward, scores, label, "" if extracted is None else str(extracted), reason)


def prompt_text(prompt: Any) -> str:
    """A prompt as text: a string, or the content of the last chat message."""
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, Sequence) and prompt and isinstance(prompt[-1], Mapping):
        content = prompt[-1].get("content")
        return content if isinstance(content, str) else ""
    return ""


def think_in_prompt(prompt: Any) -> bool:
    """True when the prompt opens the thinking itself (Qwen3/R1 templates end with
    ``<think>``): the completion then starts inside it, and the format score must know.

    >>> think_in_prompt("<|im_start|>assistant\\n<think>\\n"), think_in_prompt("Q: 1+1?")
    (True, False)
    """
    return prompt_text(prompt).rstrip().endswith(THINK_OPENER)


def format_options(prompt: Any, options: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """``options`` with ``think_in_prompt`` from the prompt unless they set it."""
    chosen = dict(options or {})
    if "think_in_prompt" not in chosen and think_in_prompt(prompt):
        chosen["think_in_prompt"] = True
    return chosen or None


def env_json(name: str) -> dict[str, Any] | None:
    """The JSON object in environment variable ``name`` (``None`` when unset)."""
    text = os.environ.get(name)
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{name} is not JSON ({exc}): write an object, e.g. {{...}}") from exc
    if not isinstance(value, dict):
        raise ConfigError(f"{name} must be a JSON object, not {type(value).__name__}")
    return value


def env_weights() -> dict[str, float]:
    """``RLVR_WEIGHTS`` (a JSON object of score weights), else :data:`DEFAULT_WEIGHTS`."""
    chosen = env_json("RLVR_WEIGHTS") or DEFAULT_WEIGHTS
    try:
        return {str(name): float(weight) for name, weight in chosen.items()}
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"RLVR_WEIGHTS: every weight must be a number ({exc})") from exc


def env_options() -> dict[str, Any] | None:
    """``RLVR_OPTIONS``: the format options, a JSON object."""
    return env_json("RLVR_OPTIONS")


def env_url() -> str | None:
    """``RLVR_URL`` (the client's own default applies when unset)."""
    return os.environ.get("RLVR_URL") or None


# One coalescer per (event loop, URL): per-sample callers of one loop share a request.
_coalescers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Any, Coalescer]] = (
    weakref.WeakKeyDictionary()
)
_coalescers_lock = threading.Lock()


def loop_coalescer(url: str | Sequence[str] | None = None, **client_options: Any) -> Coalescer:
    """The :class:`~rlvr.trainer.coalesce.Coalescer` of the running loop for ``url``: the
    samples a trainer scores concurrently on one loop go to the service as one request."""
    from .client import AsyncVerifierClient
    from .coalesce import Coalescer

    loop = asyncio.get_running_loop()
    key = (url if isinstance(url, str) or url is None else tuple(url), os.getpid())
    with _coalescers_lock:
        mine = _coalescers.setdefault(loop, {})
        if key not in mine:
            mine[key] = Coalescer(AsyncVerifierClient(url, **client_options))
        return mine[key]
