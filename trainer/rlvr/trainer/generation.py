"""Text generation behind one small interface, for the ``generate`` job and budget forcing.

Three backends return the same :class:`Sample`\\ s:

- ``transformers``: ``model.generate`` on CPU or GPU (the tests use ``tiny-qwen2``);
- ``vllm``: offline ``vllm.LLM`` on a GPU;
- ``openai``: any OpenAI-compatible ``/v1/completions`` endpoint (``vllm serve``,
  ``transformers serve``, SGLang, a hosted API), several base URLs spread round-robin.

A stop string that ends a sample stays in its text, whatever the backend's own habit, so a
completion stopped at ``</answer>`` is still well formed.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

import httpx

from .models import load_model
from .retry import post_json

Backend = Literal["transformers", "vllm", "openai"]


@dataclass(frozen=True)
class Sampling:
    """How to sample; ``temperature: 0`` is greedy."""

    n: int = 1
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int = 1024
    seed: int | None = None
    stop: tuple[str, ...] = ()

    def settings(self) -> dict[str, Any]:
        """The settings as recorded next to each generated sample."""
        return {**asdict(self), "stop": list(self.stop)}


GREEDY = Sampling(temperature=0.0)


@dataclass(frozen=True)
class Sample:
    text: str  # what was generated, a stop string that ended it included
    tokens: int | None  # generated tokens, where the backend reports them
    finish_reason: Literal["stop", "length"]  # stop: end of sequence or a stop string


class Generator(Protocol):
    backend: str
    model: str

    def generate(self, prompts: Sequence[str], sampling: Sampling) -> list[list[Sample]]:
        """``sampling.n`` samples for each prompt, in prompt order."""
        ...


def cut_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """``text`` up to and including its first stop string, and whether one was found.

    >>> cut_at_stop("a</think>b", ["</think>"])
    ('a</think>', True)
    """
    ends = [text.find(s) + len(s) for s in stop if s and s in text]
    return (text[: min(ends)], True) if ends else (text, False)


class TransformersGenerator:
    """``model.generate`` in batches of prompts (left-padded)."""

    backend = "transformers"

    def __init__(self, model: str, device: str = "cpu", batch_size: int = 8) -> None:
        self.model, self.batch_size = model, batch_size
        self._model, self.tokenizer = load_model(model)
        self._model.to(device).eval()
        self.tokenizer.padding_side = "left"
        self.device = device

    def generate(self, prompts: Sequence[str], sampling: Sampling) -> list[list[Sample]]:
        out: list[list[Sample]] = []
        for start in range(0, len(prompts), self.batch_size):
            out += self._batch(prompts[start : start + self.batch_size], sampling)
        return out

    def _batch(self, prompts: Sequence[str], sampling: Sampling) -> list[list[Sample]]:
        import torch

        if sampling.seed is not None:
            torch.manual_seed(sampling.seed)
        tokenizer = self.tokenizer
        encoded = tokenizer(
            list(prompts), return_tensors="pt", padding=True, add_special_tokens=False
        ).to(self.device)
        greedy = sampling.temperature == 0
        # Greedy samples of a prompt are all the same: generate one and repeat it.
        returned = 1 if greedy else sampling.n
        options: dict[str, Any] = {
            "max_new_tokens": sampling.max_tokens,
            "do_sample": not greedy,
            "num_return_sequences": returned,
            "pad_token_id": tokenizer.pad_token_id,
        }
        if not greedy:
            options |= {"temperature": sampling.temperature, "top_p": sampling.top_p}
        else:
            options |= {"temperature": None, "top_p": None, "top_k": None}
        if sampling.stop:
            options |= {"stop_strings": list(sampling.stop), "tokenizer": tokenizer}
        with torch.no_grad():
            generated = self._model.generate(**encoded, **options)
        new = generated[:, encoded["input_ids"].shape[1] :].tolist()
        samples = [self._sample(ids, sampling) for ids in new]
        per_prompt = [samples[i : i + returned] for i in range(0, len(samples), returned)]
        return [group * (sampling.n // returned) for group in per_prompt]

    def _sample(self, ids: list[int], sampling: Sampling) -> Sample:
        eos, pad = self.tokenizer.eos_token_id, self.tokenizer.pad_token_id
        if eos in ids:
            ids, ended = ids[: ids.index(eos) + 1], True
        else:
            while ids and ids[-1] == pad:  # finished early in a batch: padded after the end
                ids = ids[:-1]
            ended = False
        text, stopped = cut_at_stop(
            self.tokenizer.decode(ids, skip_special_tokens=True), sampling.stop
        )
        done = ended or stopped or len(ids) < sampling.max_tokens
        return Sample(text, len(ids), "stop" if done else "length")


class VLLMGenerator:
    """Offline vLLM on a GPU; ``engine`` goes to ``vllm.LLM`` (``tensor_parallel_size``…)."""

    backend = "vllm"

    def __init__(self, model: str, **engine: Any) -> None:
        from vllm import LLM

        self.model = model
        self._llm = LLM(model=model, **engine)
        self.tokenizer = self._llm.get_tokenizer()

    def generate(self, prompts: Sequence[str], sampling: Sampling) -> list[list[Sample]]:
        from vllm import SamplingParams

        params = SamplingParams(
            n=sampling.n,
            temperature=sampling.temperature,
            top_p=sampling.top_p,
            max_tokens=sampling.max_tokens,
            seed=sampling.seed,
            stop=list(sampling.stop) or None,
            include_stop_str_in_output=True,
        )
        return [
            [
                Sample(
                    o.text, len(o.token_ids), "length" if o.finish_reason == "length" else "stop"
                )
                for o in request.outputs
            ]
            for request in self._llm.generate(list(prompts), params, use_tqdm=False)
        ]


class OpenAIGenerator:
    """``POST {base_url}/completions`` (``base_url`` ends in ``/v1``), concurrently.

    Servers that ignore ``n`` are asked again until each prompt has ``n`` samples. Token
    counts come from ``usage``, so they are only known when one sample is asked at a time.
    OpenAI's API drops the stop string that fired; it is put back from vLLM's
    ``stop_reason``, or, from servers that do not send one, when a single stop string was
    asked for (an end of sequence then reads as that stop string too).
    """

    backend = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        max_concurrency: int = 16,
        timeout_s: float = 600.0,
    ) -> None:
        self.urls = [u.strip().rstrip("/") + "/completions" for u in base_url.split(",")]
        self.model, self.max_concurrency, self.timeout_s = model, max_concurrency, timeout_s
        key = api_key or os.environ.get("OPENAI_API_KEY")
        self._headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._next = itertools.cycle(self.urls)

    def generate(self, prompts: Sequence[str], sampling: Sampling) -> list[list[Sample]]:
        return asyncio.run(self._generate(prompts, sampling))

    async def _generate(self, prompts: Sequence[str], sampling: Sampling) -> list[list[Sample]]:
        gate = asyncio.Semaphore(self.max_concurrency)
        async with httpx.AsyncClient(timeout=self.timeout_s) as http:

            async def one(prompt: str) -> list[Sample]:
                samples: list[Sample] = []
                while len(samples) < sampling.n:
                    async with gate:
                        samples += await self._request(http, prompt, sampling, len(samples))
                return samples[: sampling.n]

            return list(await asyncio.gather(*(one(p) for p in prompts)))

    async def _request(
        self, http: httpx.AsyncClient, prompt: str, sampling: Sampling, have: int
    ) -> list[Sample]:
        wanted = sampling.n - have
        body: dict[str, Any] = {
            "model": self.model,
            "prompt": prompt,
            "n": wanted,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "max_tokens": sampling.max_tokens,
        }
        if sampling.seed is not None:
            body["seed"] = sampling.seed + have  # distinct samples from a server ignoring n
        if sampling.stop:
            body["stop"] = list(sampling.stop)
        answer = await post_json(http, lambda: next(self._next), body, headers=self._headers)
        choices = answer.get("choices") or []
        if not choices:
            raise RuntimeError(f"{self.urls[0]} answered without choices: {answer}")
        usage = answer.get("usage") or {}
        tokens = usage.get("completion_tokens") if len(choices) == 1 else None
        return [self._sample(c, sampling, tokens) for c in choices]

    @staticmethod
    def _sample(choice: dict[str, Any], sampling: Sampling, tokens: int | None) -> Sample:
        text = choice.get("text") or ""
        if choice.get("finish_reason") == "length":
            return Sample(text, tokens, "length")
        # OpenAI servers drop the stop string; put back the one that fired, when known.
        fired = choice.get("stop_reason")
        if not isinstance(fired, str) and len(sampling.stop) == 1:
            fired = sampling.stop[0]
        if isinstance(fired, str) and fired in sampling.stop and not text.endswith(fired):
            text += fired
        return Sample(text, tokens, "stop")


def make_generator(backend: Backend, model: str, **options: Any) -> Generator:
    """The generator for ``backend``; ``options`` go to its constructor."""
    if backend == "transformers":
        return TransformersGenerator(model, **options)
    if backend == "vllm":
        return VLLMGenerator(model, **options)
    return OpenAIGenerator(model=model, **options)
