"""AReaL reward function backed by the service (checked against areal 1.0.4's
``RLVRWorkflow`` and ``AsyncRewardWrapper``)::

    RLVRWorkflow(reward_fn="rlvr.trainer.areal.reward_fn", ...)

AReaL calls ``reward_fn(prompt, completions, prompt_ids, completion_ids, **row)`` once per
completion, by keyword or by position, in a process pool (so the function is synchronous,
module-level and picklable, and keeps one client per worker process), and trains on the
float it returns. What it sends: the completion with the special tokens AReaL's decoding
kept at its end removed; ``num_tokens`` from ``completion_ids`` (length scores count tokens);
the row's reference read by :func:`rlvr.trainer.items.item_of` (``reference``, verl's
``reward_model``, ``answer``, ``solution``; the row's ``domain``, else ``RLVR_DOMAIN``, else
math); ``think_in_prompt`` when the templated prompt ends with ``<think>``.

**Unscorable** (no usable reference, the sandbox down): AReaL has no per-completion skip in
its RLVR workflow, and ``None`` crashes it, but an exception drops the prompt's whole group
(``workflow_exception``), and an unscorable reference is shared by the whole group: so the
function raises :class:`Unscorable`. A failure of the completion's own doing scores as the
worst answer (:mod:`rlvr.trainer.verdicts`), never raises.

**Deadline**: AReaL waits ``timeout_seconds`` (15 s by default) and then trains on a silent
``0``; so the function gives up first, after ``RLVR_DEADLINE_S`` (12 s), raising
:class:`RewardUnavailable` (AReaL retries, then drops the group) rather than letting a busy
service turn into zero rewards. The per-score components cannot be logged: the function
runs in a child process, away from AReaL's stats tracker.

Configuration from the environment: ``RLVR_URL``, ``RLVR_DOMAIN``, ``RLVR_WEIGHTS`` (JSON
object, default ``{"accuracy": 0.9, "format": 0.1}``), ``RLVR_OPTIONS`` (JSON object),
``RLVR_DEADLINE_S``.
"""

from __future__ import annotations

import concurrent.futures
import os
import threading
from typing import Any

from .client import VerifierClient
from .errors import ConfigError, RlvrError
from .items import item_of, strip_special_tokens
from .per_sample import env_options, env_weights, format_options, verdict_of

DEFAULT_DEADLINE_S = 12.0  # under AReaL's default timeout_seconds (15)


class Unscorable(Exception):
    """The item cannot be scored: AReaL drops the prompt's group. Plain (one string
    argument) so that it crosses AReaL's process pool intact."""


class RewardUnavailable(Exception):
    """The service gave no verdict in time (or refused the request); plain, as above."""


_clients: dict[tuple[int, str | None], VerifierClient] = {}
_clients_lock = threading.Lock()


def _client() -> VerifierClient:
    url = os.environ.get("RLVR_URL") or None
    key = (os.getpid(), url)  # each worker process makes its own
    with _clients_lock:
        if key not in _clients:
            _clients[key] = VerifierClient(url)
        return _clients[key]


def _deadline_s() -> float:
    text = os.environ.get("RLVR_DEADLINE_S")
    try:
        return float(text) if text else DEFAULT_DEADLINE_S
    except ValueError:
        raise ConfigError(f"RLVR_DEADLINE_S={text!r}: write a number of seconds") from None


def reward_fn(
    prompt: str,
    completions: str,
    prompt_ids: list[int],
    completion_ids: list[int],
    **kwargs: Any,
) -> float:
    """AReaL's reward signature: the weighted reward of one completion."""
    weights = env_weights()
    names = list(weights) if "accuracy" in weights else ["accuracy", *weights]
    options = format_options(prompt, env_options())
    domain = os.environ.get("RLVR_DOMAIN") or "math"
    item = item_of(
        kwargs,
        "0",
        domain,
        strip_special_tokens(completions),
        num_tokens=len(completion_ids) if completion_ids is not None else None,
    )
    client = _client()
    future = client.submit(client.aio.verify([item], names, weights, options))
    try:
        [result] = future.result(timeout=_deadline_s())
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise RewardUnavailable(
            f"no verdict from {client.urls} within {_deadline_s()} s (RLVR_DEADLINE_S): is the "
            "service overloaded? AReaL would otherwise train on a silent 0"
        ) from None
    except RlvrError as exc:  # typed client errors do not all survive pickling: pass text
        raise RewardUnavailable(str(exc)) from None
    verdict = verdict_of(result, weights, names, options)
    if verdict.reward is None:
        raise Unscorable(f"rlvr cannot score this item ({verdict.reason}): dropping its group")
    return verdict.reward
