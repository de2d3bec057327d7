"""POST /analyze over real HTTP."""

from __future__ import annotations

import httpx


def test_analyze_endpoint(client: httpx.Client) -> None:
    completions: list[object] = [
        "<think>First, we need the area. Wait, the units are cm. Let me check: 3*4=12."
        "</think><answer>12</answer>",
        [{"role": "assistant", "content": "<think>Working backwards from 24.</think>"}],
        "plain answer",
    ] + ["<think>Actually, no.</think>"] * 100
    response = client.post("/analyze", json={"completions": completions})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 103
    first = results[0]
    assert first["counts"] == {
        "verification": 1,
        "subgoal_setting": 1,
        "backtracking": 1,
        "backward_chaining": 0,
    }
    start, end, text = first["spans"]["backtracking"][0]
    assert completions[0][start:end] == text == "Wait"  # type: ignore[index]
    assert results[1]["counts"]["backward_chaining"] == 1
    assert results[2]["thinking_words"] == 2 and sum(results[2]["counts"].values()) == 0
    assert all(r["counts"]["backtracking"] == 1 for r in results[3:])


def test_analyze_rejects_bad_requests(client: httpx.Client) -> None:
    response = client.post("/analyze", json={"completions": []})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"
