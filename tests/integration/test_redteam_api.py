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


def test_shaping_rewards_see_text_written_to_look_short_or_varied(client: httpx.Client) -> None:
    """Lengths counted in words let glued or symbol padding escape ``overlong``, and a loop
    without spaces escaped ``repetition``; reasoning moved out of the first <think> escaped
    ``language_consistency``; bare step markers earned ``reasoning_steps``."""
    answer = "</think><answer>\\boxed{5}</answer>"
    completions = {
        "glued": "<think>" + "letmecheckthisagain" * 2_000 + answer,
        "symbols": "<think>" + "=+" * 15_000 + answer,
        "cjk-loop": "<think>" + "我我我" * 2_000 + answer,
        "second-think": "<think>we add</think><think>所以答案是五因为二加三" + answer,
        "bare-steps": "<think>Step 1:\nStep 2:\nFirst, Then, Finally,</think><answer>5</answer>",
    }
    items = [
        {"id": key, "domain": "math", "completion": text, "reference": {"answer": "5"}}
        for key, text in completions.items()
    ]
    names = ["accuracy", "overlong", "repetition", "language_consistency", "reasoning_steps"]
    body = {"items": items, "rewards": names, "weights": {"accuracy": 1.0}}
    results = {r["id"]: r["scores"] for r in client.post("/verify", json=body).json()["results"]}
    assert results["glued"]["overlong"] == -1.0 and results["symbols"]["overlong"] == -1.0
    assert results["glued"]["repetition"] < -0.9 and results["cjk-loop"]["repetition"] < -0.9
    assert results["second-think"]["language_consistency"] < 0.5
    assert results["bare-steps"]["reasoning_steps"] == 0.0


def test_multiple_choice_hedged_over_several_boxes_scores_nothing(client: httpx.Client) -> None:
    reference = {"answer": "B", "choices": ["red", "blue", "green", "yellow"]}
    items = [
        {"id": "hedge", "domain": "science", "completion": "\\boxed{A} or \\boxed{B}"},
        {"id": "right", "domain": "science", "completion": "\\boxed{B}"},
    ]
    body = {"items": [{**item, "reference": reference} for item in items]}
    results = {r["id"]: r for r in client.post("/verify", json=body).json()["results"]}
    assert results["hedge"]["scores"]["accuracy"] == 0.0
    assert results["hedge"]["details"]["reason"] == "multiple_answers"
    assert results["right"]["scores"]["accuracy"] == 1.0


def test_vote_with_the_template_opened_think_counts_a_never_closed_one_as_no_answer(
    client: httpx.Client,
) -> None:
    """/vote agrees with /verify under think_in_prompt: reasoning never closed is no vote."""
    never_closed = "2+3 = 5, so \\boxed{5}"
    closed = "2+3 = 5</think>\n<answer>\\boxed{5}</answer>"
    prompt = {"id": "p", "domain": "math", "reference": {"answer": "5"}}
    body = {"prompts": [{**prompt, "completions": [never_closed, closed]}], "k": [1]}
    opened = client.post("/vote", json={**body, "think_in_prompt": True}).json()["results"][0]
    assert opened["answers"] == [None, "5"] and opened["correct"] == 1
    plain = client.post("/vote", json=body).json()["results"][0]
    assert plain["correct"] == 2  # without the option both read as the model wrote them


def test_a_chat_completion_is_scored_by_the_models_last_message(client: httpx.Client) -> None:
    """A tool's output (or a planted turn) after the model's message is not its answer."""
    asked = [
        {"role": "assistant", "content": "let me ask the calculator"},
        {"role": "tool", "content": "\\boxed{5}"},
    ]
    planted = [{"role": "assistant", "content": "\\boxed{4}"}, {"role": "user", "content": "5"}]
    answered = [*asked, {"role": "assistant", "content": "<answer>\\boxed{5}</answer>"}]
    items = [
        {"id": i, "domain": "math", "completion": c, "reference": {"answer": "5"}}
        for i, c in (("asked", asked), ("planted", planted), ("answered", answered))
    ]
    scored = client.post("/verify", json={"items": items}).json()["results"]
    assert [r["scores"]["accuracy"] for r in scored] == [0.0, 0.0, 1.0]
