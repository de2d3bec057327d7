"""POST /vote over real HTTP."""

from __future__ import annotations

import httpx


def test_vote_endpoint(client: httpx.Client) -> None:
    body = {
        "k": [1, 4],
        "prompts": [
            {
                "id": "half",
                "domain": "math",
                "completions": [
                    "\\boxed{0.5}",
                    "\\boxed{1/2}",
                    "\\boxed{\\frac{1}{2}}",
                    "\\boxed{3}",
                ],
                "reference": {"answer": "0.5"},
            },
            {"id": "no-ref", "domain": "logic", "completions": ["<answer>yes</answer>"] * 3},
            {"id": "code", "domain": "code", "completions": ["x"]},
            {
                "id": "chat",
                "domain": "math",
                "completions": [[{"role": "assistant", "content": "\\boxed{2}"}]],
            },
        ],
    }
    response = client.post("/vote", json=body)
    assert response.status_code == 200
    half, no_ref, code, chat = response.json()["results"]
    assert (half["id"], half["majority"], half["majority_share"]) == ("half", "0.5", 0.75)
    assert [c["size"] for c in half["clusters"]] == [3, 1]
    assert half["pass_at_k"] == {"1": 0.75, "4": 1.0} and half["maj_at_k"] == {"1": 1.0, "4": 1.0}
    assert no_ref["majority"] == "yes" and "pass_at_k" not in no_ref
    assert code["status"] == "error" and code["error"]["code"] == "vote_unsupported"
    assert chat["answers"] == ["2"]


def test_vote_rejects_bad_requests(client: httpx.Client) -> None:
    assert client.post("/vote", json={"prompts": []}).json()["error"]["code"] == "invalid_request"
    bad_k = {"prompts": [{"id": "a", "domain": "math", "completions": ["x"]}], "k": [0]}
    assert client.post("/vote", json=bad_k).status_code == 422


def test_a_right_completion_does_not_carry_wrong_look_alikes(client: httpx.Client) -> None:
    """Red team: under an exact match "Yes" is right and "yes" wrong; /vote must not count
    the two wrong ones as a right majority (maj@k agrees with /verify)."""
    completions = [f"<answer>{a}</answer>" for a in ("Yes", "yes", "yes", "no")]
    prompt = {
        "id": "p",
        "domain": "logic",
        "completions": completions,
        "reference": {"answer": "Yes", "match": "exact"},
    }
    result = client.post("/vote", json={"k": [4], "prompts": [prompt]}).json()["results"][0]
    assert result["correct"] == 1 and result["maj_at_k"] == {"4": 0.0}
    assert [(c["size"], c["correct"]) for c in result["clusters"]] == [
        (2, False),
        (1, True),
        (1, False),
    ]
