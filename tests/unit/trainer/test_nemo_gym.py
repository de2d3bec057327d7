"""The NeMo-Gym server's pure parts: which text of a Responses API answer is scored, which
column is the reference, and what ``/verify`` answers (Gym itself: tests/contract/)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from rlvr.trainer.errors import RlvrError
from rlvr.trainer.nemo_gym import (
    answer_fields,
    main,
    response_completion,
    verify_item,
    write_server,
)
from rlvr.trainer.per_sample import DEFAULT_WEIGHTS, verdict_of


def message(text: str, role: str = "assistant") -> dict[str, Any]:
    return {"type": "message", "role": role, "content": [{"type": "output_text", "text": text}]}


def reasoning(text: str) -> dict[str, Any]:
    return {"type": "reasoning", "summary": [{"type": "summary_text", "text": text}]}


def test_the_last_assistant_message_is_the_answer() -> None:
    """A policy that writes the right answer first and something else last is scored on
    what it ended with, as every Gym verifier reads it."""
    output = [message("\\boxed{4}"), {"type": "function_call", "name": "f"}, message("no idea")]
    assert response_completion({"output": output}) == [{"role": "assistant", "content": "no idea"}]


def test_reasoning_items_go_back_in_front_of_their_message_only() -> None:
    output = [
        reasoning("old thought"),
        message("first"),
        reasoning("2+2=4"),
        {"type": "reasoning", "content": [{"type": "reasoning_text", "text": "so 4"}]},
        message("<answer>4</answer>"),
    ]
    [last] = response_completion({"output": output})  # type: ignore[misc]
    assert last["content"] == "<think>\n2+2=4\nso 4\n</think>\n<answer>4</answer>"


def test_no_assistant_message_is_an_empty_completion() -> None:
    assert response_completion({"output": [reasoning("hm")]}) == ""
    assert response_completion({}) == ""


@pytest.mark.parametrize(
    ("row", "reference"),
    [
        ({"expected_answer": "Paris"}, {"answer": "Paris"}),
        ({"expected_answer": "5", "answer": "4"}, {"answer": "4"}),
        ({"expected_answer": "5", "reference": {"answer": "3"}}, {"answer": "3"}),
        ({"reward_model": {"ground_truth": "7"}}, {"answer": "7"}),
        ({"other": "x"}, None),
    ],
)
def test_reference_columns(row: dict[str, Any], reference: Any) -> None:
    item = verify_item({**row, "response": {"output": [message("x")]}})
    assert item["reference"] == reference and item["domain"] == "math"


def test_a_named_answer_column_and_the_rows_domain() -> None:
    row = {"gold": "B", "domain": "science", "response": {"output": [message("B")]}}
    item = verify_item(row, domain="math", answer_column="gold")
    assert item["reference"] == {"answer": "B"} and item["domain"] == "science"


def _nemo_rl_accepts(fields: dict[str, Any]) -> bool:
    """NeMo-RL's validate_reward_components_match_scalar (nemo_rl/environments/nemo_gym.py)."""
    total = sum(fields["reward_components"].values())
    return math.isclose(fields["reward"], total, rel_tol=1e-5, abs_tol=1e-6)


@pytest.mark.parametrize(
    "result",
    [
        {"status": "ok", "reward": 0.91, "scores": {"accuracy": 1.0, "format": 0.1}},
        {"status": "timeout", "error": {"code": "item_timeout"}},
        {"status": "error", "error": {"code": "missing_reference", "message": "none"}},
    ],
)
def test_reward_is_the_sum_of_its_components(result: dict[str, Any]) -> None:
    weights = {"accuracy": 0.9, "format": 0.1, "overlong": 0.3}
    fields = answer_fields(verdict_of(result, weights), weights, list(weights), {})
    assert _nemo_rl_accepts(fields)
    assert set(fields["reward_components"]) == set(weights)


def test_scores_are_top_level_numbers_for_aggregate_metrics() -> None:
    result = {"status": "ok", "reward": 0.1, "scores": {"accuracy": 0.0, "format": 1.0}}
    fields = answer_fields(verdict_of(result, DEFAULT_WEIGHTS), DEFAULT_WEIGHTS, ["accuracy"], {})
    assert (fields["rlvr_accuracy"], fields["rlvr_unscorable"], fields["rlvr_verdict"]) == (
        0.0,
        0.0,
        "wrong",
    )
    assert "mask_sample" not in fields  # a valid measurement keeps Gym's default


def test_unscorable_is_masked_where_gym_and_nemo_rl_look() -> None:
    result = {"status": "error", "error": {"code": "invalid_reference", "message": "bad gold"}}
    row = {"instance_config": {"seed": 3}}
    fields = answer_fields(verdict_of(result, DEFAULT_WEIGHTS), DEFAULT_WEIGHTS, ["accuracy"], row)
    assert fields["mask_sample"] is True and fields["reward"] == 0.0
    assert fields["instance_config"] == {"seed": 3, "mask_sample": True}
    assert fields["failure_kind"] == "verifier_error"
    assert "invalid_reference: bad gold" in fields["failure_reason"]
    assert fields["rlvr_unscorable"] == 1.0


def test_write_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main([str(tmp_path), "--url", "http://verifier:9000", "--client", "rlvr-client==0.1.0"])
    server = tmp_path / "resources_servers" / "rlvr"
    assert sorted(p.name for p in server.iterdir()) == [
        "app.py",
        "configs",
        "data",
        "requirements.txt",
    ]
    assert "rlvr_url: http://verifier:9000" in (server / "configs" / "rlvr.yaml").read_text()
    assert (server / "requirements.txt").read_text().splitlines()[-1] == "rlvr-client==0.1.0"
    assert str(server.resolve()) in capsys.readouterr().out
    with pytest.raises(RlvrError, match="exists"):
        write_server(tmp_path)


def test_by_default_the_server_installs_this_client(tmp_path: Path) -> None:
    server = write_server(tmp_path)
    requirement = (server / "requirements.txt").read_text().splitlines()[-1]
    assert requirement == "rlvr-client" or (Path(requirement) / "pyproject.toml").is_file()
