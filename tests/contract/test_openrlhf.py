"""OpenRLHF 0.11.2's own remote-reward fetch against ``/openrlhf`` on the live service.

``SingleTurnAgentExecutor.execute`` is what each vLLM rollout worker runs per sample: it
tokenizes the prompt, generates, decodes prompt + response *with* special tokens, POSTs
``{"query", "prompts", "labels"}`` to the next of its reward URLs (aiohttp) and reads
``rewards``, ``scores`` and ``extra_logs``. It runs here unchanged, with the project's tiny
tokenizer; only the vLLM engine is a stand-in that returns fixed token ids (vLLM does not run
on this machine), ending in EOS as vLLM's do. The step after it, turning the output into an
``Experience``, lives in a module that imports vLLM, so its three reward lines are
reproduced from the pinned source (``samples_generator.py``, ``_process_response_into_experience``
and the dynamic-filtering check of ``_generate_vllm``).
"""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from rlvr.trainer.models import tiny_qwen2
from rlvr.trainer.prompts import r1_messages

from ..conftest import LiveServer
from .conftest import RIGHT, WRONG, pinned

torch = pytest.importorskip("torch")
with warnings.catch_warnings():  # OpenRLHF's own import-time warnings: not ours to fix
    warnings.simplefilter("ignore")
    openrlhf = pinned("openrlhf", "0.11.2")
    from openrlhf.utils.agent import SingleTurnAgentExecutor


class FixedEngine:
    """Stands in for OpenRLHF's vLLM engine: 'generates' the token ids of ``response``."""

    def __init__(self, tokenizer: Any, response: str) -> None:
        self.ids = [*tokenizer.encode(response, add_special_tokens=False), tokenizer.eos_token_id]

    async def generate(
        self, prompt_ids: list[int], params: Any, multi_modal_data: Any = None
    ) -> Any:
        output = SimpleNamespace(token_ids=self.ids, finish_reason="stop", logprobs=None)
        return SimpleNamespace(outputs=[output])


def _execute(urls: list[str], response: str, label: str) -> dict[str, Any]:
    tokenizer = tiny_qwen2()[1]
    prompt = tokenizer.apply_chat_template(
        r1_messages("What is 2+2?"), tokenize=False, add_generation_prompt=True
    )
    executor = SingleTurnAgentExecutor(remote_rm_url=urls)
    sampling = SimpleNamespace(max_tokens=256, logprobs=None)
    output: dict[str, Any] = asyncio.run(
        executor.execute(prompt, label, sampling, 1024, tokenizer, FixedEngine(tokenizer, response))
    )
    return output


def test_the_flag_is_reward_remote_url_split_on_commas() -> None:
    source = Path(openrlhf.__file__).parent / "cli" / "train_ppo_ray.py"
    text = source.read_text()
    assert '"--reward.remote_url"' in text
    assert 'args.reward.remote_url = args.reward.remote_url.split(",")' in text


def test_remote_reward_fetch_of_one_sample(live_server: LiveServer) -> None:
    url = f"{live_server.url}/openrlhf?domain=math"
    right = _execute([url], RIGHT, "4")
    assert right["reward"] == [1.0] and right["scores"] == [1.0]
    assert right["extra_logs"] == {"accuracy": [1.0], "format": [1.0], "unscorable": [0.0]}
    wrong = _execute([url], WRONG, "4")
    assert wrong["reward"] == [0.1] and wrong["scores"] == [0.0]  # scores: accuracy only


def test_several_urls_and_options_in_them(live_server: LiveServer) -> None:
    """With several URLs OpenRLHF rotates a sample over them; options ride in each URL
    (repeated parameters: OpenRLHF splits its flag on commas)."""
    base = f"{live_server.url}/openrlhf?domain=math"
    urls = [base, f"{base}&rewards=accuracy&rewards=format&weights=accuracy:1&weights=format:1"]
    first, second = _execute(urls, RIGHT, "4"), _execute(urls, RIGHT, "4")
    assert [first["reward"], second["reward"]] == [[1.0], [1.0]]
    executor = SingleTurnAgentExecutor(remote_rm_url=urls)
    answers = asyncio.run(
        executor._fetch_rewards_via_http([f"Q {RIGHT}"] * 3, ["Q "] * 3, ["4"] * 3)
    )
    assert [a["rewards"] for a in answers] == [[1.0, 1.0], [2.0]]  # 2 + 1 samples, sharded


def test_what_openrlhf_does_with_the_answer(live_server: LiveServer) -> None:
    output = _execute([f"{live_server.url}/openrlhf?domain=math"], WRONG, "4")
    # samples_generator.py, _process_response_into_experience (0.11.2):
    reward_val, score_val = output.get("reward", None), output.get("scores", None)
    info = {"reward": torch.tensor([reward_val]), "score": torch.tensor([score_val])}
    for key, value in output.get("extra_logs", {}).items():
        info[key] = torch.tensor([value])
    scores = torch.tensor([score_val])
    # _generate_vllm's dynamic filtering reads e.scores[0].item() of each sample of a group
    assert scores[0].item() == 0.0 and info["reward"].sum().item() == pytest.approx(0.1)
    assert set(info) == {"reward", "score", "accuracy", "format", "unscorable"}
