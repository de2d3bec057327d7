"""Science and logic items over real HTTP, including 24 reasoning-gym task families."""

from __future__ import annotations

from typing import Any

import httpx
import reasoning_gym

FAMILIES = [
    "knights_knaves",
    "zebra_puzzles",
    "countdown",
    "sudoku",
    "mini_sudoku",
    "basic_arithmetic",
    "caesar_cipher",
    "word_sorting",
    "letter_counting",
    "number_sorting",
    "family_relationships",
    "syllogism",
    "gcd",
    "lcm",
    "prime_factorization",
    "base_conversion",
    "chain_sum",
    "maze",
    "tower_of_hanoi",
    "n_queens",
    "word_ladder",
    "spell_backward",
    "calendar_arithmetic",
    "cryptarithm",
    "rotate_matrix",
    "shortest_path",
    "time_intervals",
    "number_filtering",
]


def _corrupt(answer: str) -> str:
    return answer[::-1] + " x" if answer else "x"


def _gym_item(item_id: str, family: str, entry: dict[str, Any], answer: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "domain": "logic",
        "completion": f"<think>solving</think>\n<answer>{answer}</answer>",
        "reference": {"task": family, "entry": entry},
    }


def test_reasoning_gym_families_through_http(client: httpx.Client) -> None:
    items = []
    for family in FAMILIES:
        entry = reasoning_gym.create_dataset(family, size=1, seed=3)[0]
        items.append(_gym_item(f"{family}/right", family, entry, str(entry["answer"])))
        items.append(_gym_item(f"{family}/wrong", family, entry, _corrupt(str(entry["answer"]))))
    response = client.post("/verify", json={"items": items, "rewards": ["accuracy"]})
    assert response.status_code == 200
    results = {r["id"]: r for r in response.json()["results"]}
    assert len(results) == 2 * len(FAMILIES) >= 40
    for family in FAMILIES:
        assert results[f"{family}/right"]["scores"]["accuracy"] == 1.0, results[f"{family}/right"]
        assert results[f"{family}/wrong"]["scores"]["accuracy"] < 1.0, family


def test_science_and_logic_items(client: httpx.Client) -> None:
    items = [
        {
            "id": "mc",
            "domain": "science",
            "completion": "<think>noble gas</think>\nAnswer: C",
            "reference": {"answer": "C", "choices": ["He", "Ne", "Ar", "Kr"]},
        },
        {
            "id": "units",
            "domain": "science",
            "completion": "\\boxed{980 cm/s^2}",
            "reference": {"value": 9.8, "unit": "m/s^2"},
        },
        {
            "id": "dimension",
            "domain": "science",
            "completion": "\\boxed{9.8 m/s}",
            "reference": {"value": 9.8, "unit": "m/s^2"},
        },
        {
            "id": "set",
            "domain": "logic",
            "completion": "<answer>blue, red</answer>",
            "reference": {"answer": ["red", "blue"], "match": "set"},
        },
        {
            "id": "bad-task",
            "domain": "logic",
            "completion": "<answer>1</answer>",
            "reference": {"task": "no_such_task", "entry": {}},
        },
    ]
    results = client.post("/verify", json={"items": items}).json()["results"]
    assert [r["scores"].get("accuracy") for r in results[:4]] == [1.0, 1.0, 0.0, 1.0]
    assert results[4]["error"]["code"] == "invalid_reference"


def test_reasoning_gym_hedges_that_contain_the_gold_score_nothing(client: httpx.Client) -> None:
    """Red team: reasoning-gym's scorers credit an answer that contains the gold (some in
    full), so listing candidates paid; over HTTP such an answer is a hedge."""
    families = ["game_of_life_halting", "knights_knaves", "isomorphic_strings", "basic_arithmetic"]
    items = []
    for family in families:
        entry = reasoning_gym.create_dataset(family, size=1, seed=5)[0]
        gold = str(entry["answer"])
        items.append(_gym_item(f"{family}/right", family, entry, gold))
        for n, hedge in enumerate((f"{gold} or 0", f"maybe {gold}", f"True, False, {gold}")):
            items.append(_gym_item(f"{family}/hedge{n}", family, entry, hedge))
    response = client.post("/verify", json={"items": items, "rewards": ["accuracy"]})
    results = {r["id"]: r for r in response.json()["results"]}
    for family in families:
        assert results[f"{family}/right"]["scores"]["accuracy"] == 1.0
        for n in range(3):
            hedged = results[f"{family}/hedge{n}"]
            assert hedged["status"] == "ok" and hedged["scores"]["accuracy"] == 0.0, hedged
            assert hedged["details"]["reason"] == "multiple_answers"
