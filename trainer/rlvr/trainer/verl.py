"""verl reward function backed by the service (checked against verl 0.9.1's reward loop).

In the verl config (``RLVR_URL`` in the environment, or ``url`` in ``reward_kwargs``)::

    reward.custom_reward_function.path=pkg://rlvr.trainer.verl
    reward.custom_reward_function.name=compute_score_async

verl calls the function once per sample, as a coroutine (``compute_score_async``: naive, dapo,
gdpo and limited reward managers) or in a thread (``compute_score``: any manager, ``remote``
included). Either way the samples that arrive together go to the service as one batch.
A file path to this module works as well as ``pkg://``: its imports are absolute.

Each call answers a dict, as verl expects: ``score`` (the weighted reward it trains on),
``acc`` (accuracy: DAPO's group filter and the validation metrics read it), ``pred`` (the
extracted answer, for maj@N), each requested score, and ``unscorable`` (1.0 when the item
could not be scored: no usable ground truth, the sandbox down; its ``score`` is then 0.0).
A failure of the completion's own doing (a scoring timeout, a crash) scores as the worst
answer, never as 0 (see :mod:`rlvr.trainer.verdicts`).

``ground_truth`` is read by :func:`rlvr.trainer.items.reference_of`: an answer, a dict, a
JSON object string, numpy values from Parquet, and verl's code ground truths
(``inputs``/``outputs``/``fn_name``, or ``assert_case``). The domain: ``extra_info["domain"]``,
else ``reward_kwargs.domain`` or ``RLVR_DOMAIN``, else code for a code ground truth, else a
guess from ``data_source`` (:func:`domain_for`). ``reward_kwargs`` (the config's
``reward.custom_reward_function.reward_kwargs``) may set ``url``, ``domain``, ``rewards``,
``weights`` (default ``{accuracy: 0.9, format: 0.1}``) and ``options`` (the format options,
e.g. ``think_in_prompt``).
"""

from __future__ import annotations

import asyncio
import os
import threading
import warnings
from collections.abc import Mapping
from typing import Any

from rlvr.trainer.client import VerifierClient
from rlvr.trainer.coalesce import Coalescer
from rlvr.trainer.items import completion_of, plain, reference_of
from rlvr.trainer.verdicts import trainer_reward, trainer_scores

DEFAULT_WEIGHTS = {"accuracy": 0.9, "format": 0.1}  # the service's defaults, made explicit
OUR_KWARGS = frozenset({"url", "domain", "rewards", "weights", "options"})
# What verl's reward managers may pass besides reward_kwargs; not ours to use.
VERL_KWARGS = frozenset(
    {
        "reward_router_address",
        "reward_model_tokenizer",
        "sandbox_fusion_url",
        "concurrent_semaphore",
        "memory_limit_mb",
    }
)

_DOMAIN_HINTS = (
    ("code", ("code", "apps", "taco", "humaneval", "mbpp", "leetcode", "livecodebench")),
    ("science", ("gpqa", "mmlu", "scibench", "science", "physics", "chemistry")),
    ("logic", ("logic", "reasoning_gym", "reasoning-gym", "knights", "zebra", "puzzle")),
)
_CODE_KEYS = ("tests", "test_code")


def domain_for(data_source: str, reference: Mapping[str, Any] | None = None) -> str:
    """The domain of a sample: ``RLVR_DOMAIN``, else code for a code reference, else a guess
    from verl's ``data_source``; math when nothing else fits.

    >>> domain_for("openai/gsm8k"), domain_for("codecontests"), domain_for("Idavidrein/gpqa")
    ('math', 'code', 'science')
    """
    override = os.environ.get("RLVR_DOMAIN")
    if override:
        return override
    if reference is not None and any(key in reference for key in _CODE_KEYS):
        return "code"
    name = str(data_source).lower()
    for domain, hints in _DOMAIN_HINTS:
        if any(hint in name for hint in hints):
            return domain
    return "math"


class _Service:
    """One service URL's client and coalescer, for this process."""

    def __init__(self, url: str | None) -> None:
        self.client = VerifierClient(url)
        self.coalescer = Coalescer(self.client.aio)


_services: dict[tuple[int, str | None], _Service] = {}
_services_lock = threading.Lock()
_warned: set[str] = set()


def _service(url: str | None) -> _Service:
    key = (os.getpid(), url)  # a forked or spawned worker makes its own
    with _services_lock:
        if key not in _services:
            _services[key] = _Service(url)
        return _services[key]


def _check_kwargs(kwargs: Mapping[str, Any]) -> None:
    for name in sorted(set(kwargs) - OUR_KWARGS - VERL_KWARGS - _warned):
        _warned.add(name)
        warnings.warn(
            f"rlvr verl adapter: reward_kwargs '{name}' is not used (known: "
            f"{', '.join(sorted(OUR_KWARGS))})",
            UserWarning,
            stacklevel=3,
        )


class _Call:
    """One sample's request, and how its result becomes verl's dict."""

    def __init__(
        self, data_source: Any, solution_str: Any, ground_truth: Any, extra_info: Any, kw: Any
    ) -> None:
        _check_kwargs(kw)
        self.weights: dict[str, float] = {
            str(k): float(v) for k, v in (plain(kw.get("weights")) or DEFAULT_WEIGHTS).items()
        }
        rewards = list(plain(kw.get("rewards")) or self.weights)
        self.rewards = rewards if "accuracy" in rewards else ["accuracy", *rewards]
        self.options: dict[str, Any] | None = plain(kw.get("options")) or None
        reference = reference_of(ground_truth)
        info = plain(extra_info) if isinstance(plain(extra_info), dict) else {}
        domain = info.get("domain") or kw.get("domain") or domain_for(data_source, reference)
        self.item = {
            "id": str(info.get("index", "")),
            "domain": str(domain),
            "completion": completion_of(solution_str),
            "reference": reference,
        }
        self.service = _service(kw.get("url"))

    def submit(self) -> Any:
        coalescer = self.service.coalescer
        return self.service.client.submit(
            coalescer.verify(self.item, self.rewards, self.weights, self.options)
        )

    def answer(self, result: Mapping[str, Any]) -> dict[str, Any]:
        scores = trainer_scores(result, self.rewards, self.weights, self.options)
        reward = trainer_reward(result, self.weights, self.options)
        answer: dict[str, Any] = {
            "score": 0.0 if reward is None else reward,
            "acc": 0.0 if scores is None else scores["accuracy"],
            "pred": result.get("extracted") or "",
            "unscorable": float(scores is None),
        }
        for name in self.rewards:
            if name not in answer:
                answer[name] = 0.0 if scores is None else scores[name]
        return answer


def compute_score(
    data_source: Any,
    solution_str: Any,
    ground_truth: Any,
    extra_info: Any = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """verl's per-sample signature, blocking (verl runs it in a thread)."""
    call = _Call(data_source, solution_str, ground_truth, extra_info, kwargs)
    return call.answer(call.submit().result())


async def compute_score_async(
    data_source: Any,
    solution_str: Any,
    ground_truth: Any,
    extra_info: Any = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """verl's per-sample signature as a coroutine (awaited in verl's reward loop)."""
    call = _Call(data_source, solution_str, ground_truth, extra_info, kwargs)
    return call.answer(await asyncio.wrap_future(call.submit()))
