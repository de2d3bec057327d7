"""Trainer adapters against the running service: TRL reward functions, verl, OpenRLHF."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from rlvr.trainer import verl
from rlvr.trainer.rewards import service_rewards

from ..conftest import LiveServer

RIGHT = "<think>\n2+2\n</think>\n<answer>\n\\boxed{4}\n</answer>"
WRONG = "<think>\n2+2\n</think>\n<answer>\n\\boxed{5}\n</answer>"
NO_FORMAT = "the answer is \\boxed{4}"


def _batches(http: httpx.Client) -> float:
    text = http.get("/metrics").text
    return float(re.search(r"rlvr_batch_items_count (\S+)", text).group(1))  # type: ignore[union-attr]


def test_trl_reward_functions_share_one_request(
    live_server: LiveServer, client: httpx.Client
) -> None:
    accuracy, fmt = service_rewards(["accuracy", "format"], url=live_server.url)
    assert (accuracy.__name__, fmt.__name__) == ("accuracy", "format")
    prompts = ["What is 2+2?"] * 4
    completions = [RIGHT, WRONG, NO_FORMAT, RIGHT]
    answers = ["4", "4", "4", "???"]
    before = _batches(client)
    assert accuracy(prompts, completions, answer=answers) == [1.0, 0.0, 1.0, None]
    assert fmt(prompts, completions, answer=answers) == [1.0, 1.0, 0.0, None]
    assert _batches(client) - before == 1  # both scores from one POST /verify
    accuracy.close()


def test_trl_chat_completions_and_reference_column(live_server: LiveServer) -> None:
    [accuracy] = service_rewards(["accuracy"], url=live_server.url)
    chats = [[{"role": "assistant", "content": RIGHT}], [{"role": "assistant", "content": WRONG}]]
    prompts = [[{"role": "user", "content": "2+2?"}]] * 2
    assert accuracy(prompts, chats, reference=[{"answer": "4"}] * 2) == [1.0, 0.0]
    # a new batch with the same objects' ids must not reuse the previous answer
    assert accuracy(prompts, chats[::-1], reference=[{"answer": "4"}] * 2) == [0.0, 1.0]
    accuracy.close()


@pytest.fixture
def verl_service(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RLVR_URL", live_server.url)
    verl._client.cache_clear()
    yield
    verl._client().close()
    verl._client.cache_clear()


def test_verl_compute_score(verl_service: None) -> None:
    assert verl.compute_score("openai/gsm8k", RIGHT, "4") == 1.0
    assert verl.compute_score("openai/gsm8k", WRONG, "4") == 0.1  # format weight only
    batch = verl.compute_score_batch(
        ["math", "logic", "gpqa"],
        [RIGHT, "<answer>yes</answer>", "Answer: B"],
        ["4", '{"answer": true, "match": "boolean"}', {"answer": "B", "choices": ["x", "y"]}],
    )
    assert [round(b, 1) for b in batch] == [1.0, 0.9, 0.9]


def test_openrlhf_protocol(client: httpx.Client) -> None:
    prompts = ["Q: 2+2?\n", "Q: 2+3?\n", "Q: ?\n"]
    body = {
        "query": [prompts[0] + RIGHT, prompts[1] + WRONG, prompts[2] + RIGHT],
        "prompts": prompts,
        "labels": ["4", "5", "???"],
    }
    response = client.post("/openrlhf?domain=math", json=body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["rewards"] == answer["scores"] == [1.0, 1.0, 0.0]
    assert answer["extra_logs"]["accuracy"] == [1.0, 1.0, 0.0]
    mismatched = client.post("/openrlhf", json={"query": ["a", "b"], "labels": ["1"]})
    assert mismatched.status_code == 422
