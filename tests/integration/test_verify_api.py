"""POST /verify over real HTTP against a real service process."""

from __future__ import annotations

import re

import httpx

from rlvr.verifier.schemas import VerifyResponse

HALF = "<think>\nhalf of one\n</think>\n<answer>\n\\boxed{\\frac{1}{2}}\n</answer>"


def _item(item_id: str, completion: str, answer: str = "0.5", **extra: object) -> dict[str, object]:
    return {
        "id": item_id,
        "domain": "math",
        "completion": completion,
        "reference": {"answer": answer},
        **extra,
    }


def test_readme_example(client: httpx.Client) -> None:
    response = client.post("/verify", json={"items": [_item("p7-s3", HALF)]})
    assert response.status_code == 200
    [result] = VerifyResponse.model_validate(response.json()).results
    assert (result.id, result.status, result.reward) == ("p7-s3", "ok", 1.0)
    assert result.scores == {"accuracy": 1.0, "format": 1.0}
    assert result.extracted == "\\frac{1}{2}"
    assert result.elapsed_ms >= 0


def test_mixed_batch_keeps_order_ids_and_count(client: httpx.Client) -> None:
    items = [
        _item("right", HALF),
        _item("wrong", HALF.replace("\\frac{1}{2}", "\\frac{1}{3}")),
        {"id": "unknown-domain", "domain": "alchemy", "completion": "x", "reference": {}},
        {"id": "no-reference", "domain": "math", "completion": "\\boxed{1}"},
        _item("bad-gold", HALF, answer="???"),
        {"id": 17, "domain": "math", "completion": "x"},  # wrong type for id
        {"domain": "math", "completion": "x"},  # no id at all
        "not an object",
        _item("chat", [{"role": "user", "content": "q"}, {"role": "assistant", "content": HALF}]),
        _item("hedge", "<think>x</think> \\boxed{0.5} or \\boxed{2}"),
        _item("think-only", "<think>it is \\boxed{0.5}</think>"),
    ]
    response = client.post("/verify", json={"items": items})
    assert response.status_code == 200
    results = VerifyResponse.model_validate(response.json()).results
    assert [r.id for r in results] == [
        "right",
        "wrong",
        "unknown-domain",
        "no-reference",
        "bad-gold",
        "17",
        None,
        None,
        "chat",
        "hedge",
        "think-only",
    ]
    codes = [r.error.code if r.error else r.status for r in results]
    assert codes == [
        "ok",
        "ok",
        "unknown_domain",
        "missing_reference",
        "invalid_reference",
        "invalid_item",
        "invalid_item",
        "invalid_item",
        "ok",
        "ok",
        "ok",
    ]
    rewards = [r.reward for r in results]
    assert rewards[:2] == [1.0, 0.1]  # the wrong answer keeps its format credit
    assert rewards[2:8] == [None] * 6
    assert rewards[8] == 1.0
    assert results[9].scores["accuracy"] == 0.0 and results[10].scores["accuracy"] == 0.0


def test_reward_selection_and_weights(client: httpx.Client) -> None:
    body = {
        "items": [_item("a", HALF, num_tokens=100)],
        "rewards": ["accuracy", "tag_count", "length", "overlong", "language_consistency"],
        "weights": {"accuracy": 2.0, "tag_count": 1.0},
        "options": {"max_length": 200, "overlong_buffer": 50, "language": "en"},
    }
    [result] = client.post("/verify", json=body).json()["results"]
    assert set(result["scores"]) == {
        "accuracy",
        "tag_count",
        "length",
        "overlong",
        "language_consistency",
    }
    assert result["reward"] == 3.0
    assert result["scores"]["overlong"] == 0.0
    assert 0.5 < result["scores"]["length"] < 1.0


def test_duplicates_are_scored_once(client: httpx.Client) -> None:
    def scored() -> float:
        text = client.get("/metrics").text
        return sum(
            float(v)
            for v in re.findall(r'rlvr_item_latency_seconds_count\{domain="math"\} (\S+)', text)
        )

    before = scored()
    items = [
        _item(f"g{i}", HALF if i % 2 else HALF.replace("frac{1}{2}", "frac{2}{4}"))
        for i in range(200)
    ]
    results = client.post("/verify", json={"items": items}).json()["results"]
    assert [r["id"] for r in results] == [f"g{i}" for i in range(200)]
    assert {r["reward"] for r in results} == {1.0}
    assert scored() - before == 2


def test_ten_thousand_items(client: httpx.Client) -> None:
    answers = [str(n) for n in range(50)]
    items = [
        _item(
            f"i{i}",
            f"<think>...</think><answer>\\boxed{{{answers[i % 50]}}}</answer>",
            answer=answers[(i * 7) % 50],
        )
        for i in range(10_000)
    ]
    response = client.post("/verify", json={"items": items}, timeout=300)
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 10_000
    assert [r["id"] for r in results] == [item["id"] for item in items]
    for item, result in zip(items, results, strict=True):
        expected = item["completion"].count(f"{{{item['reference']['answer']}}}")  # type: ignore[union-attr]
        assert result["scores"]["accuracy"] == float(expected)


def test_enormous_exponent_is_a_wrong_answer_that_delays_only_itself(
    client: httpx.Client,
) -> None:
    items = [
        _item("ok-1", HALF),
        _item("bomb", "\\boxed{2^{2^{2^{100}}}}", answer="5"),
        _item("ok-2", HALF),
    ]
    results = client.post("/verify", json={"items": items}).json()["results"]
    assert [r["status"] for r in results] == ["ok", "ok", "ok"]
    assert [r["scores"]["accuracy"] for r in results] == [1.0, 0.0, 1.0]
    assert results[1]["details"]["reason"] == "timeout" and results[1]["reward"] == 0.0
    assert client.get("/health").json()["status"] == "ok"
