"""The adapters against the running service: TRL reward functions, verl's compute_score,
the /openrlhf route. What each trainer's own calling code does with them is in tests/contract/.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest

from rlvr.trainer import verl
from rlvr.trainer.client import VerifierClient
from rlvr.trainer.rewards import service_rewards

from ..conftest import LiveServer

RIGHT = "<think>\n2+2\n</think>\n<answer>\n\\boxed{4}\n</answer>"
WRONG = "<think>\n2+2\n</think>\n<answer>\n\\boxed{5}\n</answer>"
NO_FORMAT = "the answer is \\boxed{4}"
OVERSIZE = "<answer>\\boxed{4}</answer>" + " pad" * 110_000  # past max_completion_chars
QWEN_PROMPT = "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n"


def verify_requests(http: httpx.Client) -> float:
    """How many POST /verify requests the service has answered."""
    text = http.get("/metrics").text
    return float(re.search(r"rlvr_batch_items_count (\S+)", text).group(1))  # type: ignore[union-attr]


# --- TRL ---------------------------------------------------------------------------------


def test_trl_functions_share_one_request(live_server: LiveServer, client: httpx.Client) -> None:
    accuracy, fmt = service_rewards(["accuracy", "format"], url=live_server.url)
    assert (accuracy.__name__, fmt.__name__) == ("accuracy", "format")
    prompts = ["What is 2+2?"] * 4
    completions = [RIGHT, WRONG, NO_FORMAT, RIGHT]
    answers = ["4", "4", "4", "???"]
    before = verify_requests(client)
    assert accuracy(prompts, completions, answer=answers) == [1.0, 0.0, 1.0, None]
    assert fmt(prompts, completions, answer=answers) == [1.0, 1.0, 0.0, None]
    assert verify_requests(client) - before == 1  # both scores from one POST /verify
    # the same batch again is a new step: scored again, not served from the cache
    assert accuracy(prompts, completions, answer=answers) == [1.0, 0.0, 1.0, None]
    assert verify_requests(client) - before == 2
    accuracy.close()


def test_trl_async_functions_share_one_request(
    live_server: LiveServer, client: httpx.Client
) -> None:
    funcs = service_rewards(["accuracy", "format"], url=live_server.url, asynchronous=True)
    before = verify_requests(client)

    async def step() -> list[list[float | None]]:  # what TRL does with async reward functions
        return list(
            await asyncio.gather(*(f(["q"] * 2, [RIGHT, WRONG], answer=["4"] * 2) for f in funcs))
        )

    assert asyncio.run(step()) == [[1.0, 0.0], [1.0, 1.0]]
    assert verify_requests(client) - before == 1
    funcs[0].close()


def test_trl_reasoning_content_and_token_counts(live_server: LiveServer) -> None:
    """transformers >= 5 parses the reasoning out of chat completions; the format score
    must see it. ``completion_ids`` make the length scores count tokens, not words."""
    fmt, overlong = service_rewards(
        ["format", "overlong"],
        url=live_server.url,
        options={"max_length": 64, "overlong_buffer": 32},
    )
    parsed = [
        [{"role": "assistant", "reasoning_content": "2+2", "content": "<answer>\n4\n</answer>"}]
    ] * 2
    ids = [[7] * 10, [7] * 100]  # the same text, 10 then 100 tokens
    assert fmt(["q"] * 2, parsed, completion_ids=ids, answer=["4"] * 2) == [1.0, 1.0]
    assert overlong(["q"] * 2, parsed, completion_ids=ids, answer=["4"] * 2) == [0.0, -1.0]
    fmt.close()


def test_trl_dataset_columns(live_server: LiveServer) -> None:
    [accuracy] = service_rewards(["accuracy"], url=live_server.url)
    completions = [RIGHT, RIGHT, RIGHT, "\\boxed{B}"]
    values = accuracy(
        ["q"] * 4,
        completions,
        solution=["4", "5", None, None],  # TRL's and open-r1's column
        reference=[None, None, '{"answer": "4"}', {"answer": "B", "choices": None}],
    )
    assert values == [1.0, 0.0, 1.0, 1.0]
    accuracy.close()


def test_trl_unscorable_is_none_but_an_oversize_completion_is_the_worst(
    live_server: LiveServer,
) -> None:
    """Think like the policy: a completion too large to score must not escape ``overlong``
    with a None (TRL would leave it out of the group) or a 0."""
    accuracy, overlong = service_rewards(
        {"accuracy": 1.0, "overlong": 0.5},
        url=live_server.url,
        options={"max_length": 64, "overlong_buffer": 32},
    )
    completions = [OVERSIZE, RIGHT]
    answers = ["4", "not an answer \\frac{"]
    assert accuracy(["q"] * 2, completions, answer=answers) == [0.0, None]
    assert overlong(["q"] * 2, completions, answer=answers) == [-1.0, None]
    accuracy.close()


def test_trl_metrics_reach_log_metric_once_per_batch(live_server: LiveServer) -> None:
    metrics: list[tuple[str, float]] = []
    columns: dict[str, list[Any]] = {}
    funcs = service_rewards(["accuracy", "format"], url=live_server.url, behaviours=True)
    hooks = {
        "log_metric": lambda name, value: metrics.append((name, value)),
        "log_extra": lambda column, values: columns.setdefault(column, []).extend(values),
    }
    completions = ["<think>Wait, no. Let me check.</think><answer>\\boxed{4}</answer>", OVERSIZE]
    for func in funcs:
        func(["q"] * 2, completions, answer=["4", "4"], **hooks)
    names = [name for name, _ in metrics]
    assert sorted(names) == sorted(
        ["rlvr/unscorable", "rlvr/failed"]
        + [
            f"behaviour/{b}"
            for b in ("verification", "subgoal_setting", "backtracking", "backward_chaining")
        ]
    )  # once, though two functions ran
    assert dict(metrics)["rlvr/failed"] == 0.5 and dict(metrics)["behaviour/backtracking"] >= 0.5
    # The service scores an oversize completion 0 (status ok, details.reason too_large).
    assert columns == {"rlvr/extracted": ["4", None], "rlvr/status": ["ok", "ok"]}
    funcs[0].close()


# --- verl --------------------------------------------------------------------------------


@pytest.fixture
def verl_url(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("RLVR_URL", live_server.url)
    monkeypatch.delenv("RLVR_DOMAIN", raising=False)
    yield live_server.url
    for service in verl._services.values():
        service.client.close()
    verl._services.clear()


def test_verl_compute_score_answers_verls_dict(verl_url: str) -> None:
    right = verl.compute_score("openai/gsm8k", RIGHT, "4")
    assert right == {
        "score": 1.0,
        "acc": 1.0,
        "pred": "4",
        "unscorable": 0.0,
        "accuracy": 1.0,
        "format": 1.0,
    }
    wrong = verl.compute_score("openai/gsm8k", WRONG, np.array(["4"]), {"index": 3})
    assert (wrong["score"], wrong["acc"], wrong["pred"]) == (0.1, 0.0, "5")
    gpqa = verl.compute_score(
        "Idavidrein/gpqa", "Answer: B", {"answer": "B", "choices": ["x", "y"]}
    )
    assert gpqa["acc"] == 1.0
    bad_gold = verl.compute_score("math", RIGHT, "\\frac{")
    assert (bad_gold["score"], bad_gold["unscorable"]) == (0.0, 1.0)


def test_verl_code_ground_truth_goes_to_the_code_domain(verl_url: str) -> None:
    truth = json.dumps({"inputs": ["1 2\n"], "outputs": ["3\n"]})
    call = verl._Call("codecontests", "```python\nprint(3)\n```", truth, None, {})
    assert call.item["domain"] == "code"
    assert call.item["reference"] == {
        "language": "python",
        "tests": [{"stdin": "1 2\n", "stdout": "3\n"}],
    }
    # The sandbox is off in these tests (no code domain, or no container to run in): the
    # service says so, and verl sees "unscorable", not a wrong answer.
    result = call.submit().result()
    assert result["error"]["code"] in ("unknown_domain", "sandbox_unavailable")
    assert call.answer(result)["unscorable"] == 1.0


def test_verl_reward_kwargs(verl_url: str) -> None:
    opened = "2+2\n</think>\n<answer>\n\\boxed{4}\n</answer>"  # the prompt opened <think>
    kwargs = {"weights": {"accuracy": 1.0, "format": 1.0}, "options": {"think_in_prompt": True}}
    assert verl.compute_score("math", opened, "4", **kwargs)["score"] == 2.0
    assert verl.compute_score("math", opened, "4")["score"] == 0.9  # format 0 without it
    with pytest.warns(UserWarning, match="'weigths' is not used"):
        verl.compute_score("math", RIGHT, "4", weigths={"accuracy": 1.0})


def test_verl_per_sample_calls_become_one_request(
    verl_url: str, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a loaded 2-core CI box can pause the submitting loop past the 5 ms default linger
    monkeypatch.setattr(verl._service(None).coalescer, "linger_s", 0.2)
    before = verify_requests(client)

    async def reward_loop() -> list[dict[str, Any]]:  # verl awaits each sample at once
        return list(
            await asyncio.gather(
                *(verl.compute_score_async("gsm8k", RIGHT, str(i)) for i in range(16))
            )
        )

    results = asyncio.run(reward_loop())
    assert [r["acc"] for r in results] == [float(i == 4) for i in range(16)]
    assert verify_requests(client) - before == 1


# --- OpenRLHF ----------------------------------------------------------------------------


def _openrlhf(client: httpx.Client, body: dict[str, Any], params: str = "") -> dict[str, Any]:
    response = client.post(f"/openrlhf?domain=math{params}", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_openrlhf_one_sample_with_its_special_tokens(client: httpx.Client) -> None:
    """OpenRLHF 0.11 decodes prompt + response with special tokens kept."""
    query = QWEN_PROMPT + RIGHT + "<|im_end|>"
    answer = _openrlhf(client, {"query": [query], "prompts": [QWEN_PROMPT], "labels": ["4"]})
    assert answer == {
        "rewards": [1.0],
        "scores": [1.0],
        "extra_logs": {"accuracy": [1.0], "format": [1.0], "unscorable": [0.0]},
    }


def test_openrlhf_scores_are_accuracy_for_dynamic_filtering(client: httpx.Client) -> None:
    body = {
        "query": [QWEN_PROMPT + WRONG, QWEN_PROMPT + NO_FORMAT],
        "prompts": [QWEN_PROMPT] * 2,
        "labels": ["4", "4"],
    }
    answer = _openrlhf(client, body)
    assert answer["scores"] == [0.0, 1.0]
    assert answer["rewards"] == [0.1, 0.9]  # the server's default weights


def test_openrlhf_options_in_the_url(client: httpx.Client) -> None:
    prompt = QWEN_PROMPT + "<think>\n"  # an R1-Distill-like template opens <think> itself
    query = prompt + "2+2\n</think>\n<answer>\n\\boxed{4}\n</answer>"
    body = {"query": [query], "prompts": [prompt], "labels": ['{"answer": "4"}']}
    auto = _openrlhf(client, body, "&rewards=accuracy&rewards=format&weights=format:1")
    assert auto["rewards"] == [1.0] and auto["extra_logs"]["accuracy"] == [1.0]
    off = _openrlhf(client, body, "&rewards=format&weights=format:1&think_in_prompt=false")
    assert off["rewards"] == [0.0] and off["scores"] == [1.0]  # accuracy computed anyway


def test_openrlhf_empty_shard_and_unmatched_prompts(client: httpx.Client) -> None:
    empty = _openrlhf(client, {"query": [], "prompts": [], "labels": []})
    assert empty["rewards"] == [] and empty["scores"] == []
    body = {"query": ["some other text " + RIGHT], "prompts": [QWEN_PROMPT], "labels": ["4"]}
    unmatched = _openrlhf(client, body)
    assert unmatched["rewards"] == [0.0] and unmatched["extra_logs"]["unscorable"] == [1.0]
    truncated = QWEN_PROMPT[-30:] + RIGHT  # OpenRLHF cut the front of a long prompt
    cut = _openrlhf(client, {"query": [truncated], "prompts": [QWEN_PROMPT], "labels": ["4"]})
    assert cut["rewards"] == [1.0]


def test_openrlhf_oversize_response_gets_the_worst_reward(client: httpx.Client) -> None:
    body = {"query": [QWEN_PROMPT + OVERSIZE], "prompts": [QWEN_PROMPT], "labels": ["4"]}
    params = "&rewards=accuracy&rewards=overlong&weights=accuracy:1&weights=overlong:1"
    answer = _openrlhf(client, body, params)
    assert answer["rewards"] == [-1.0] and answer["extra_logs"]["unscorable"] == [0.0]


@pytest.mark.parametrize(
    ("body", "params"),
    [
        ({"query": ["a", "b"], "labels": ["1"]}, ""),
        ({"query": ["a"]}, "&weights=format"),
        ({"query": ["a"]}, "&rewards=accuracy&weights=format:1"),
        ({"query": ["a"]}, "&rewards=nonsense"),
        ({"query": "a"}, ""),
    ],
)
def test_openrlhf_bad_requests_are_422(
    client: httpx.Client, body: dict[str, Any], params: str
) -> None:
    response = client.post(f"/openrlhf?domain=math{params}", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_sync_client_reuses_one_connection(live_server: LiveServer) -> None:
    """One long-lived connection, however many calls (each used to open its own)."""
    with VerifierClient(live_server.url) as client:
        item = {"id": "a", "domain": "math", "completion": RIGHT, "reference": {"answer": "4"}}
        seen = []
        for _ in range(3):
            client.verify([item])
            http = client.aio._http
            assert http is not None
            pool = http._transport._pool  # type: ignore[attr-defined]  # httpcore's pool
            seen.append([id(connection) for connection in pool.connections])
        assert len(seen[0]) == 1 and seen[0] == seen[1] == seen[2]
