"""verl 0.9.1's own code calling ``rlvr.trainer.verl`` against the live service.

- ``load_extern_object``, the loader behind ``reward.custom_reward_function.path``, with a file
  path (``spec_from_file_location``, no parent package: a relative import breaks there) and
  with ``pkg://``;
- ``load_reward_manager`` building the registered ``naive`` reward manager from a real config,
  ``reward_kwargs`` included;
- ``RewardLoopWorker.compute_score_batch``, which awaits the manager's ``run_single`` for every
  sample at once: ``compute_score_async`` awaited in the loop, ``compute_score`` in its threads.

Only the Ray actor wrapping is left out: the worker's class is used as a plain object.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from rlvr.trainer import verl as adapter

from ..conftest import ROOT, LiveServer
from ..integration.test_adapters import verify_requests
from .conftest import RIGHT, WRONG, pinned

torch = pytest.importorskip("torch")
with warnings.catch_warnings():  # verl's and Ray's own deprecations: not ours to fix
    warnings.simplefilter("ignore")
    pinned("verl", "0.9.1")
    from omegaconf import OmegaConf
    from verl import DataProto
    from verl.experimental.reward_loop.reward_loop import RewardLoopWorker
    from verl.experimental.reward_loop.reward_manager.naive import NaiveRewardManager
    from verl.trainer.ppo.reward import get_custom_reward_fn
    from verl.utils.import_utils import load_extern_object

ADAPTER_FILE = ROOT / "trainer" / "rlvr" / "trainer" / "verl.py"
PATHS = [str(ADAPTER_FILE), "pkg://rlvr.trainer.verl"]

# One row per sample: data_source, response, ground truth as verl's parquet hands it over.
SAMPLES: list[tuple[str, str, Any]] = [
    ("openai/gsm8k", RIGHT, "4"),
    ("openai/gsm8k", WRONG, "4"),
    ("lighteval/MATH", RIGHT, np.array(["4"])),
    ("Idavidrein/gpqa", "<answer>B</answer>", json.dumps({"answer": "B", "choices": ["a", "b"]})),
    ("codecontests", "```python\nprint(3)\n```", {"inputs": ["1 2\n"], "outputs": ["3\n"]}),
    ("math", RIGHT, "\\frac{"),  # a gold answer that does not parse
]


@pytest.fixture
def service(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    monkeypatch.setenv("RLVR_URL", live_server.url)
    monkeypatch.delenv("RLVR_DOMAIN", raising=False)
    yield live_server
    for service in adapter._services.values():
        service.client.close()
    adapter._services.clear()


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", ["compute_score", "compute_score_async"])
def test_load_extern_object_finds_both_functions(service: LiveServer, path: str, name: str) -> None:
    function = load_extern_object(module_path=path, object_name=name)
    result = function(data_source="openai/gsm8k", solution_str=RIGHT, ground_truth="4")
    if name == "compute_score_async":
        result = asyncio.run(result)
    assert result["score"] == 1.0 and result["acc"] == 1.0 and result["pred"] == "4"


def _config(tokenizer: Path, path: str, name: str, reward_kwargs: dict[str, Any]) -> Any:
    """The parts of verl's generated ppo_trainer.yaml (0.9.1) that the reward loop reads."""
    return OmegaConf.create(
        {
            "actor_rollout_ref": {"model": {"path": str(tokenizer), "tokenizer_path": None}},
            "reward": {
                "num_workers": 1,
                "custom_reward_function": {
                    "path": path,
                    "name": name,
                    "reward_kwargs": reward_kwargs,
                },
                "reward_manager": {
                    "source": "register",
                    "name": "naive",
                    "module": {"path": None, "name": "custom_reward_manager"},
                },
                "reward_model": {"enable": False, "enable_resource_pool": False},
                "sandbox_fusion": None,
            },
        }
    )


def _batch(tokenizer: Any, samples: list[tuple[str, str, Any]]) -> Any:
    """A rollout batch as verl's agent loop leaves it: left-padded prompts, right-padded
    responses ending in EOS, the attention mask over both, the dataset's non-tensor fields."""
    prompt_len, response_len = 16, 64
    pad, eos = tokenizer.pad_token_id, tokenizer.eos_token_id
    prompts, responses, masks = [], [], []
    for i, (_, response, _) in enumerate(samples):
        p = tokenizer.encode(f"Q{i}: 2+2?", add_special_tokens=False)[:prompt_len]
        r = [*tokenizer.encode(response, add_special_tokens=False), eos][:response_len]
        prompts.append([pad] * (prompt_len - len(p)) + p)
        responses.append(r + [pad] * (response_len - len(r)))
        masks.append(
            [0] * (prompt_len - len(p)) + [1] * (len(p) + len(r)) + [0] * (response_len - len(r))
        )
    prompt_ids, response_ids = torch.tensor(prompts), torch.tensor(responses)
    return DataProto.from_dict(
        tensors={
            "prompts": prompt_ids,
            "responses": response_ids,
            "input_ids": torch.cat([prompt_ids, response_ids], dim=1),
            "attention_mask": torch.tensor(masks),
        },
        non_tensors={
            "data_source": np.array([s for s, _, _ in samples], dtype=object),
            "reward_model": np.array(
                [{"ground_truth": truth, "style": "rule"} for _, _, truth in samples], dtype=object
            ),
            "extra_info": np.array([{"index": i, "split": "train"} for i in range(len(samples))]),
        },
    )


def _score(config: Any, samples: list[tuple[str, str, Any]]) -> tuple[list[dict[str, Any]], Any]:
    async def reward_loop() -> tuple[list[dict[str, Any]], Any]:
        worker = RewardLoopWorker(config)  # what ray.remote(RewardLoopWorker) wraps
        assert isinstance(worker.reward_manager, NaiveRewardManager)
        data = _batch(worker.input_tokenizer, samples)
        return await worker.compute_score_batch(data), data

    return asyncio.run(reward_loop())


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", ["compute_score_async", "compute_score"])
def test_reward_loop_scores_every_sample(
    service: LiveServer, tiny_tokenizer_dir: Path, path: str, name: str
) -> None:
    with service.client() as http:
        before = verify_requests(http)
        outputs, data = _score(_config(tiny_tokenizer_dir, path, name, {}), SAMPLES)
        requests = verify_requests(http) - before
    scores = [o["reward_score"] for o in outputs]
    info = [o["reward_extra_info"] for o in outputs]
    assert scores == [1.0, 0.1, 1.0, 0.9, 0.0, 0.0]
    assert [i["acc"] for i in info] == [1.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    assert [i["pred"] for i in info] == ["4", "5", "4", "B", "", ""]
    # the code ground truth went to the code domain (off here) and the bad gold: unscorable,
    # flagged, not silently wrong
    assert [i["unscorable"] for i in info] == [0.0, 0.0, 0.0, 0.0, 1.0, 1.0]
    assert {frozenset(i) for i in info} == {
        frozenset({"score", "acc", "pred", "unscorable", "accuracy", "format"})
    }  # the same keys for every sample: verl stacks them into arrays
    if name == "compute_score_async":
        assert requests == 1  # six per-sample calls, one POST /verify
    else:
        assert 1 <= requests <= len(SAMPLES)  # threads arrive close together, mostly batched
    # verl turns the scores into its token-level reward tensor
    rm_scores = NaiveRewardManager.assemble_rm_scores(data, scores)
    assert rm_scores.sum(dim=1).tolist() == pytest.approx(scores)


def test_reward_kwargs_from_the_config_reach_the_service(
    service: LiveServer, tiny_tokenizer_dir: Path
) -> None:
    opened = "2+2\n</think>\n<answer>\n\\boxed{4}\n</answer>"  # the template opened <think>
    reward_kwargs = {
        "weights": {"accuracy": 1.0, "format": 0.5},
        "rewards": ["accuracy", "format", "tag_count"],
        "options": {"think_in_prompt": True},
    }
    config = _config(
        tiny_tokenizer_dir, "pkg://rlvr.trainer.verl", "compute_score_async", reward_kwargs
    )
    [output], _ = _score(config, [("math", opened, "4")])
    assert output["reward_score"] == 1.5
    assert output["reward_extra_info"]["tag_count"] == 1.0


def test_a_sample_too_large_to_score_gets_the_worst_score(
    service: LiveServer, tiny_tokenizer_dir: Path
) -> None:
    """A completion too large to score must not escape the overlong penalty with a 0."""
    huge = "<answer>\\boxed{4}</answer>" + " pad" * 110_000
    reward_kwargs = {"weights": {"accuracy": 1.0, "overlong": 1.0}}
    config = _config(
        tiny_tokenizer_dir, "pkg://rlvr.trainer.verl", "compute_score_async", reward_kwargs
    )
    # verl's own wrapping of the configured function (the manager would only add a decode,
    # which takes the tiny byte-level tokenizer minutes over 440k characters)
    function = get_custom_reward_fn(config)
    assert function is not None
    result = asyncio.run(
        function(data_source="math", solution_str=huge, ground_truth="4", extra_info={})
    )
    assert (result["score"], result["unscorable"]) == (-1.0, 0.0)


def test_the_service_is_reached_once_per_process(service: LiveServer) -> None:
    """verl's workers each load the function; each process makes one client, not one per call."""
    function = load_extern_object("pkg://rlvr.trainer.verl", "compute_score")
    for _ in range(3):
        function("openai/gsm8k", RIGHT, "4")
    assert len(adapter._services) == 1
    [service_for_url] = adapter._services.values()
    http = service_for_url.client.aio._http
    assert isinstance(http, httpx.AsyncClient) and not http.is_closed
