"""Red team over real HTTP: completions written to be paid more than they deserve."""

from __future__ import annotations

import httpx

TEMPLATE = "<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n<think>\n"


def test_think_opened_by_the_template_and_never_closed_gives_no_answer(
    client: httpx.Client,
) -> None:
    """The template opened <think>: a completion that never closes it answered nothing, even
    though its reasoning ends in the right box (it was paid 0.9 of 1.0 before)."""
    never_closed = "2+3 = 5, so \\boxed{5}"
    closed = "2+3 = 5</think>\n<answer>\\boxed{5}</answer>"
    items = [
        {"id": "open", "domain": "math", "completion": never_closed, "reference": {"answer": "5"}},
        {"id": "closed", "domain": "math", "completion": closed, "reference": {"answer": "5"}},
    ]
    body = {"items": items, "options": {"think_in_prompt": True}}
    results = {r["id"]: r for r in client.post("/verify", json=body).json()["results"]}
    assert results["open"]["scores"] == {"accuracy": 0.0, "format": 0.0}
    assert results["closed"]["scores"] == {"accuracy": 1.0, "format": 1.0}

    # OpenRLHF's route infers the option from the prompt: the same two responses
    query = {
        "query": [TEMPLATE + never_closed + "<|im_end|>", TEMPLATE + closed + "<|im_end|>"],
        "prompts": [TEMPLATE, TEMPLATE],
        "labels": ["5", "5"],
    }
    answer = client.post("/openrlhf?domain=math", json=query).json()
    assert answer["scores"] == [0.0, 1.0]
