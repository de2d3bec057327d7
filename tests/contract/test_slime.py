"""slime's remote reward call and custom reward hooks, against the live service.

slime is not on the package index (PyPI's ``slime`` is another project), so its calling code
is **reproduced here from its source**, statement for statement, at these THUDM/slime commits:

- ``slime/rollout/rm_hub/__init__.py`` @ 0b420f1e: ``_get_shared_session`` (one aiohttp
  session, ``limit=64``, 120 s), ``remote_rm`` (the ``{"prompt", "response", "label"}``
  payload posted with ``json=`` to ``--rm-url`` as given, ``raise_for_status``, the whole
  JSON answer as the reward, 10 tries), ``async_rm``'s ``--custom-rm-path`` branch and
  ``batched_async_rm``;
- ``slime/utils/misc.py`` @ 582d0e8f: ``load_function``;
- ``slime/rollout/sglang_rollout.py`` @ 0044b40d: how ``generate_and_rm`` and
  ``generate_and_rm_group`` store what the reward function returns;
- ``slime/utils/types.py`` @ 0d234f3e: ``Sample.get_reward_value``; ``slime/ray/rollout.py``:
  ``_post_process_rewards`` (GRPO group normalisation, ``torch.tensor`` of the rewards),
  ``_compute_reward_cat_metrics`` (``--log-reward-category``) and the loss mask of a sample
  whose ``remove_sample`` is set.

aiohttp is the real one, at the version pinned for the contracts; the bytes it puts on the
wire are captured and checked.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import random
import socket
import threading
from argparse import Namespace
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from ..conftest import LiveServer
from ..integration.test_adapters import verify_requests
from .conftest import RIGHT, WRONG, pinned

aiohttp = pinned("aiohttp", "3.14.5")
torch = pytest.importorskip("torch")


# --- reproduced from slime -------------------------------------------------------------


@dataclass
class Sample:
    """The fields of slime's ``Sample`` that reward code reads and writes."""

    prompt: str | list[dict[str, str]] = ""
    response: str = ""
    label: Any = None
    reward: float | dict[str, Any] | None = None
    index: int = 0
    group_index: int = 0
    response_length: int = 4
    loss_mask: list[int] | None = None
    remove_sample: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    custom_rm_path: str | None = None

    def get_reward_value(self, args: Namespace) -> Any:
        return self.reward if not args.reward_key else self.reward[args.reward_key]  # type: ignore[index]


_shared_session: Any = None


def _get_shared_session() -> Any:
    global _shared_session
    if _shared_session is None or _shared_session.closed:
        connector = aiohttp.TCPConnector(limit=64, enable_cleanup_closed=True)
        timeout = aiohttp.ClientTimeout(total=120)
        _shared_session = aiohttp.ClientSession(connector=connector, timeout=timeout)
    return _shared_session


async def remote_rm(args: Namespace, sample: Sample, max_retries: int = 10) -> Any:
    payload = {"prompt": sample.prompt, "response": sample.response, "label": sample.label}
    session = _get_shared_session()
    for attempt in range(max_retries):
        try:
            async with session.post(args.rm_url, json=payload) as resp:
                resp.raise_for_status()
                return await resp.json()
        except Exception:
            if attempt + 1 >= max_retries:
                raise
            backoff = min(2**attempt, 30) + random.random()
            await asyncio.sleep(backoff)
    return None


def load_function(path: str) -> Any:
    module_path, _, attr = path.rpartition(".")
    module = importlib.import_module(module_path)
    return getattr(module, attr)


async def async_rm(args: Namespace, sample: Sample, **kwargs: Any) -> Any:
    if sample.custom_rm_path:
        rm_function = load_function(sample.custom_rm_path)
        return await rm_function(args, sample, **kwargs)
    if args.custom_rm_path is not None:
        rm_function = load_function(args.custom_rm_path)
        return await rm_function(args, sample, **kwargs)
    if args.rm_type == "remote_rm":
        return await remote_rm(args, sample)
    raise NotImplementedError(args.rm_type)


async def batched_async_rm(args: Namespace, samples: list[Sample], **kwargs: Any) -> Any:
    if args.custom_rm_path is not None:
        rm_function = load_function(args.custom_rm_path)
        return await rm_function(args, samples, **kwargs)
    return await asyncio.gather(*(async_rm(args, sample, **kwargs) for sample in samples))


async def rollout_group(args: Namespace, group: list[Sample]) -> None:
    """generate_and_rm per sample (concurrently), or the group at once with --group-rm."""
    if args.group_rm:
        rewards = await batched_async_rm(args, group)
        for sample, reward in zip(group, rewards, strict=False):
            sample.reward = reward
        return

    async def one(sample: Sample) -> None:
        if sample.reward is None:
            sample.reward = await async_rm(args, sample)

    await asyncio.gather(*(one(sample) for sample in group))


def post_process_rewards(args: Namespace, samples: list[Sample]) -> tuple[list[Any], list[float]]:
    raw_rewards = [sample.get_reward_value(args) for sample in samples]
    rewards = torch.tensor(raw_rewards, dtype=torch.float)
    rewards = rewards.reshape(-1, args.n_samples_per_prompt)
    rewards = rewards - rewards.mean(dim=-1, keepdim=True)
    rewards = rewards / (rewards.std(dim=-1, keepdim=True) + 1e-6)
    return raw_rewards, rewards.flatten().tolist()


def loss_masks(samples: list[Sample]) -> list[list[int]]:
    masks = []
    for sample in samples:
        if sample.loss_mask is None:
            sample.loss_mask = [1] * sample.response_length
        if sample.remove_sample:
            sample.loss_mask = [0] * sample.response_length
        masks.append(sample.loss_mask)
    return masks


def reward_category_shares(args: Namespace, samples: list[Sample]) -> dict[str, float]:
    groups: dict[Any, int] = {}
    for sample in samples:
        key = sample.reward[args.log_reward_category]  # type: ignore[index]
        groups[key] = groups.get(key, 0) + 1
    return {f"error_cat/{k}": n / len(samples) for k, n in groups.items()}


def _args(**overrides: Any) -> Namespace:
    base = {
        "rm_type": "remote_rm",
        "rm_url": None,
        "custom_rm_path": None,
        "reward_key": None,
        "eval_reward_key": None,
        "group_rm": False,
        "n_samples_per_prompt": 4,
        "log_reward_category": None,
    }
    return Namespace(**{**base, **overrides})


def _run(coroutine: Any) -> Any:
    async def main() -> Any:
        global _shared_session
        try:
            return await coroutine
        finally:
            if _shared_session is not None:
                await _shared_session.close()
            _shared_session = None

    return asyncio.run(main())


# --- the tests -------------------------------------------------------------------------


class _Capture:
    """A loopback TCP listener keeping the bytes of the one request it gets."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/slime?domain=math"
        self.raw = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            while b"\r\n\r\n" not in self.raw:
                self.raw += conn.recv(65536)
            head, _, body = self.raw.partition(b"\r\n\r\n")
            length = int(
                next(
                    line.split(b":")[1]
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
            )
            while len(body) < length:
                body += conn.recv(65536)
            self.raw = head + b"\r\n\r\n" + body
            answer = b'{"score": 1.0}'
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(answer), answer)
            )
        self.sock.close()


def test_remote_rm_bytes_on_the_wire_are_what_the_service_reads(client: httpx.Client) -> None:
    capture = _Capture()
    sample = Sample(
        prompt=[{"role": "user", "content": "Compute ½+½"}],
        response="<think>\n1\n</think>\n<answer>\\boxed{1}</answer><|im_end|>",
        label="1",
    )
    assert _run(remote_rm(_args(rm_url=capture.url), sample)) == {"score": 1.0}
    capture.thread.join(timeout=10)
    head, _, body = capture.raw.partition(b"\r\n\r\n")
    assert head.startswith(b"POST /slime?domain=math HTTP/1.1\r\n")
    assert b"\r\nContent-Type: application/json\r\n" in head + b"\r\n"
    # aiohttp's json= is json.dumps with its defaults: ", "/": ", ASCII escapes, key order.
    expected = json.dumps(
        {"prompt": sample.prompt, "response": sample.response, "label": sample.label}
    ).encode()
    assert body == expected and b"\\u00bd" in body
    # Those very bytes, replayed to the service:
    answer = client.post(
        "/slime?domain=math", content=body, headers={"Content-Type": "application/json"}
    ).json()
    assert (answer["score"], answer["format"], answer["verdict"]) == (1.0, 1.0, "correct")


def test_remote_rm_with_reward_key_group_normalisation_and_categories(
    live_server: LiveServer,
) -> None:
    args = _args(
        rm_url=f"{live_server.url}/slime?domain=math",
        reward_key="score",
        log_reward_category="verdict",
    )
    group = [
        Sample(prompt="What is 2+2?", response=RIGHT, label="4"),
        Sample(prompt="What is 2+2?", response=WRONG, label="4"),
        Sample(prompt="What is 2+2?", response=RIGHT + "<|im_end|>", label=4),
        Sample(prompt="What is 2+2?", response=RIGHT, label=None),  # no label: unscorable
    ]
    _run(rollout_group(args, group))
    raw, normalised = post_process_rewards(args, group)  # a null here would crash slime
    assert raw == [1.0, 0.1, 1.0, 0.0]
    assert normalised[0] > normalised[1] and normalised[0] == pytest.approx(normalised[2])
    assert reward_category_shares(args, group) == {
        "error_cat/correct": 0.5,
        "error_cat/wrong": 0.25,
        "error_cat/unscorable": 0.25,
    }


def test_custom_rm_per_sample_is_one_request_and_unscorable_leaves_the_loss(
    live_server: LiveServer, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RLVR_URL", live_server.url)
    monkeypatch.delenv("RLVR_WEIGHTS", raising=False)
    args = _args(rm_type=None, custom_rm_path="rlvr.trainer.slime.reward")
    group = [Sample(prompt="q", response=RIGHT, label="4") for _ in range(3)]
    group.append(Sample(prompt="q", response=RIGHT, label="\\frac{"))
    before = verify_requests(client)
    _run(rollout_group(args, group))
    assert verify_requests(client) - before == 1  # four awaited calls, one POST /verify
    assert [s.reward for s in group] == [1.0, 1.0, 1.0, 0.0]
    assert loss_masks(group) == [[1] * 4, [1] * 4, [1] * 4, [0] * 4]


def test_custom_rm_with_group_rm_answers_dicts_for_reward_key(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RLVR_URL", live_server.url)
    args = _args(
        rm_type=None,
        custom_rm_path="rlvr.trainer.slime.reward",
        group_rm=True,
        reward_key="score",
        log_reward_category="verdict",
    )
    group = [Sample(prompt="q", response=r, label="4") for r in (RIGHT, WRONG, RIGHT, WRONG)]
    _run(rollout_group(args, group))
    raw, _ = post_process_rewards(args, group)
    assert raw == [1.0, 0.1, 1.0, 0.1]
    assert group[0].reward["accuracy"] == 1.0 and group[1].reward["pred"] == "5"  # type: ignore[index]
    assert reward_category_shares(args, group) == {"error_cat/correct": 0.5, "error_cat/wrong": 0.5}
