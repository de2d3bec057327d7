"""The per-sample adapters against the running service: the ``/slime`` route, slime's custom
reward, AReaL's reward function, verifiers' plugged functions and the NeMo-Gym server's
scoring. What each trainer's own calling code does with them is in tests/contract/; here
the adapters are called as those trainers call them, with stand-in samples and traces.
"""

from __future__ import annotations

import asyncio
import pickle
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from rlvr.trainer import areal, nemo_gym, slime, verifiers
from rlvr.trainer.errors import ServiceError

from ..conftest import LiveServer
from .test_adapters import NO_FORMAT, OVERSIZE, RIGHT, WRONG, verify_requests

QWEN3_PROMPT = "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n"
IN_THINK = "2+2 is 4\n</think>\n<answer>\n\\boxed{4}\n</answer>"


@pytest.fixture
def env(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> LiveServer:
    """The adapters configured from the environment, as a trainer's workers are."""
    monkeypatch.setenv("RLVR_URL", live_server.url)
    for name in ("RLVR_DOMAIN", "RLVR_WEIGHTS", "RLVR_OPTIONS", "RLVR_DEADLINE_S"):
        monkeypatch.delenv(name, raising=False)
    return live_server


# --- slime's --rm-url: POST /slime ------------------------------------------------------


def _slime(client: httpx.Client, body: dict[str, Any], query: str = "") -> dict[str, Any]:
    response = client.post(f"/slime{query}", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_slime_route_answers_a_dict_for_reward_key(client: httpx.Client) -> None:
    right = _slime(client, {"prompt": "What is 2+2?", "response": RIGHT, "label": "4"})
    assert right == {
        "score": 1.0,
        "accuracy": 1.0,
        "format": 1.0,
        "unscorable": 0.0,
        "verdict": "correct",
        "pred": "4",
    }
    wrong = _slime(client, {"prompt": "What is 2+2?", "response": WRONG, "label": "4"})
    assert (wrong["score"], wrong["accuracy"], wrong["verdict"]) == (0.1, 0.0, "wrong")


def test_slime_route_unscorable_is_a_flagged_zero(client: httpx.Client) -> None:
    """slime crashes on a null reward: a neutral 0.0, flagged, never the worst answer."""
    for label in (None, "\\frac{"):
        answer = _slime(client, {"prompt": "q", "response": RIGHT, "label": label})
        assert (answer["score"], answer["unscorable"], answer["verdict"]) == (
            0.0,
            1.0,
            "unscorable",
        )


def test_slime_route_an_oversize_response_is_the_worst_not_unscorable(
    client: httpx.Client,
) -> None:
    answer = _slime(
        client,
        {"prompt": "q", "response": OVERSIZE, "label": "4"},
        "?rewards=accuracy&rewards=overlong&weights=accuracy:1&weights=overlong:0.5",
    )
    assert (answer["score"], answer["overlong"], answer["verdict"]) == (-0.5, -1.0, "failed")


def test_slime_route_reads_labels_and_prompts_like_every_adapter(client: httpx.Client) -> None:
    chat = [{"role": "user", "content": "What is 2+2?"}]
    as_json = _slime(client, {"prompt": chat, "response": RIGHT, "label": '{"answer": "4"}'})
    assert as_json["accuracy"] == 1.0
    ended = _slime(client, {"prompt": "q", "response": RIGHT + "<|im_end|>", "label": "4"})
    assert ended["format"] == 1.0  # the decoder's end-of-turn token is not the model's text
    # A templated prompt that opens <think> (Qwen3): the response starts inside it.
    opened = _slime(client, {"prompt": QWEN3_PROMPT, "response": IN_THINK, "label": "4"})
    assert (opened["format"], opened["accuracy"]) == (1.0, 1.0)
    closed = _slime(
        client,
        {"prompt": QWEN3_PROMPT, "response": IN_THINK, "label": "4"},
        "?think_in_prompt=false",
    )
    assert closed["format"] == 0.0


def test_slime_route_special_tokens_inside_the_text_stay(client: httpx.Client) -> None:
    """Think like the policy: only a trailing end-of-turn is cut, so an answer hidden after
    a fake end of turn is still read as the model's last word."""
    sneaky = "<answer>\\boxed{4}</answer><|im_end|>\n<answer>\\boxed{5}</answer>"
    answer = _slime(client, {"prompt": "q", "response": sneaky, "label": "4"})
    assert answer["accuracy"] == 0.0


def test_slime_route_options_in_the_url_and_clear_errors(client: httpx.Client) -> None:
    body = {"prompt": "q", "response": NO_FORMAT, "label": "4"}
    plain = _slime(client, body, "?rewards=accuracy&weights=accuracy:1")
    assert plain == {
        "score": 1.0,
        "accuracy": 1.0,
        "unscorable": 0.0,
        "verdict": "correct",
        "pred": "4",
    }
    bad = client.post("/slime?weights=format", json=body)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"
    missing = client.post("/slime", json={"prompt": "q", "label": "4"})
    assert missing.status_code == 422 and "response" in missing.text


# --- slime's --custom-rm-path -----------------------------------------------------------


def _sample(response: str, label: Any, **fields: Any) -> SimpleNamespace:
    """The attributes of slime's Sample that a reward function reads."""
    return SimpleNamespace(
        index=0,
        prompt="q",
        response=response,
        label=label,
        metadata={},
        remove_sample=False,
        **fields,
    )


def test_slime_custom_rm_per_sample_calls_share_one_request(
    env: LiveServer, client: httpx.Client
) -> None:
    samples = [_sample(RIGHT if i % 2 else WRONG, "4") for i in range(8)]
    args = SimpleNamespace(reward_key=None, eval_reward_key=None)
    before = verify_requests(client)

    async def rollout() -> list[Any]:  # slime gathers generate_and_rm per sample
        return list(await asyncio.gather(*(slime.reward(args, s) for s in samples)))

    assert asyncio.run(rollout()) == [0.1, 1.0] * 4
    assert verify_requests(client) - before == 1


def test_slime_custom_rm_group_and_skip(env: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLVR_WEIGHTS", '{"accuracy": 1.0}')
    group = [_sample(RIGHT, "4"), _sample(RIGHT, None), _sample(OVERSIZE, "4")]
    args = SimpleNamespace(reward_key="score")
    answers = asyncio.run(slime.reward(args, group))
    assert [a["score"] for a in answers] == [1.0, 0.0, 0.0]  # type: ignore[index]
    assert [a["verdict"] for a in answers] == ["correct", "unscorable", "failed"]  # type: ignore[index]
    # Only the unscorable sample leaves the loss; the oversize one is trained on (as wrong).
    assert [s.remove_sample for s in group] == [False, True, False]


def test_slime_custom_rm_domain_from_metadata(env: LiveServer) -> None:
    sample = _sample("<answer>B</answer>", {"answer": "B", "choices": ["x", "y"]})
    sample.metadata = {"domain": "science"}
    answer = asyncio.run(slime.reward(SimpleNamespace(reward_key="score"), sample))
    assert answer["accuracy"] == 1.0 and answer["score"] == 0.9  # type: ignore[index]


# --- AReaL ------------------------------------------------------------------------------


def test_areal_reward_fn(env: LiveServer) -> None:
    assert areal.reward_fn("p", RIGHT + "<|im_end|>", [1], [2, 3], answer="4") == 1.0
    assert (
        areal.reward_fn(
            prompt=QWEN3_PROMPT,
            completions=IN_THINK,
            prompt_ids=[1],
            completion_ids=[2],
            solution="4",
        )
        == 1.0
    )
    row = {"messages": [{"role": "user", "content": "q"}], "reward_model": {"ground_truth": "5"}}
    assert areal.reward_fn("p", RIGHT, [1], [2], **row) == 0.1


def test_areal_counts_tokens_for_length_scores(
    env: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RLVR_WEIGHTS", '{"accuracy": 0, "overlong": 1}')
    monkeypatch.setenv("RLVR_OPTIONS", '{"max_length": 64, "overlong_buffer": 32}')
    short = "<answer>4</answer>"  # a few words, but the trainer says 100 tokens
    assert areal.reward_fn("p", short, [1], list(range(100)), answer="4") == -1.0
    assert areal.reward_fn("p", short, [1], list(range(10)), answer="4") == 0.0


def test_areal_unscorable_raises_what_crosses_a_process_pool(env: LiveServer) -> None:
    with pytest.raises(areal.Unscorable, match="missing_reference") as caught:
        areal.reward_fn("p", RIGHT, [1], [2])
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is areal.Unscorable and str(copy) == str(caught.value)


class _Hang:
    """A loopback HTTP server that answers after ``delay`` seconds, or with ``status``."""

    def __init__(self, delay: float = 0.0, status: int = 200) -> None:
        outer = self
        self.delay, self.status = delay, status

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(outer.delay)
                body = b'{"error": {"code": "invalid_request", "message": "no"}}'
                self.send_response(outer.status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hang() -> Iterator[_Hang]:
    server = _Hang(delay=3.0)
    yield server
    server.close()


def test_areal_gives_up_before_areal_would_train_on_a_silent_zero(
    hang: _Hang, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RLVR_URL", hang.url)
    monkeypatch.setenv("RLVR_DEADLINE_S", "0.5")
    started = time.monotonic()
    with pytest.raises(areal.RewardUnavailable, match="RLVR_DEADLINE_S") as caught:
        areal.reward_fn("p", RIGHT, [1], [2], answer="4")
    assert time.monotonic() - started < 2.5
    assert type(pickle.loads(pickle.dumps(caught.value))) is areal.RewardUnavailable


def test_areal_service_errors_become_picklable(monkeypatch: pytest.MonkeyPatch) -> None:
    refusing = _Hang(status=422)
    try:
        monkeypatch.setenv("RLVR_URL", refusing.url)
        with pytest.raises(areal.RewardUnavailable, match="invalid_request") as caught:
            areal.reward_fn("p", RIGHT, [1], [2], answer="4")
    finally:
        refusing.close()
    assert isinstance(caught.value.__context__, ServiceError)
    pickle.loads(pickle.dumps(caught.value))  # AReaL's pool pickles what the worker raised


# --- verifiers, plugged functions -------------------------------------------------------


class _Trace(SimpleNamespace):
    """The attributes of verifiers' Trace the functions read."""


def test_verifiers_plugged_functions_share_one_request(
    env: LiveServer, client: httpx.Client
) -> None:
    task = {"prompt": "What is 2+2?", "answer": "4"}
    trace = _Trace(
        root_reply=None,
        assistant_messages=[
            {
                "role": "assistant",
                "reasoning_content": "2+2",
                "content": "<answer>\\boxed{4}</answer>",
            }
        ],
    )
    before = verify_requests(client)

    async def score() -> tuple[dict[str, float], float]:  # metrics first, then rewards
        return await verifiers.scores(task, trace), await verifiers.reward(task, trace)

    assert asyncio.run(score()) == ({"accuracy": 1.0, "format": 1.0}, 1.0)
    assert verify_requests(client) - before == 1


def test_verifiers_unscorable_raises(env: LiveServer) -> None:
    trace = _Trace(root_reply=RIGHT)
    with pytest.raises(verifiers.Unscorable, match="missing_reference"):
        asyncio.run(verifiers.reward({"prompt": "q"}, trace))


# --- NeMo-Gym ---------------------------------------------------------------------------


def _gym_row(text: str, **row: Any) -> dict[str, Any]:
    prompt = [{"role": "user", "type": "message", "content": [{"type": "input_text", "text": "q"}]}]
    output = [{"type": "message", "role": "assistant", "content": [{"text": text}]}]
    return {"responses_create_params": {"input": prompt}, "response": {"output": output}, **row}


def test_gym_rows_scored_concurrently_share_one_request(
    live_server: LiveServer, client: httpx.Client
) -> None:
    rows = [_gym_row(RIGHT if i % 2 else WRONG, expected_answer="4") for i in range(6)]
    before = verify_requests(client)

    async def rollouts() -> list[dict[str, Any]]:
        return list(
            await asyncio.gather(*(nemo_gym.verify_row(r, url=live_server.url) for r in rows))
        )

    answers = asyncio.run(rollouts())
    assert [a["reward"] for a in answers] == pytest.approx([0.1, 1.0] * 3)
    assert answers[1]["reward_components"] == pytest.approx({"accuracy": 0.9, "format": 0.1})
    assert verify_requests(client) - before == 1
    masked = asyncio.run(nemo_gym.verify_row(_gym_row(RIGHT), url=live_server.url))
    assert masked["mask_sample"] is True and masked["reward"] == 0.0
