"""The record-to-item rule: every shape a trainer or a dataset hands us, one row each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rlvr.trainer.items import (
    completion_of,
    item_of,
    record_reference,
    reference_of,
    response_of,
    strip_special_tokens,
)


@pytest.mark.parametrize(
    ("label", "reference"),
    [
        ("4", {"answer": "4"}),
        (4, {"answer": "4"}),
        (0.5, {"answer": "0.5"}),
        (np.float64(0.5), {"answer": "0.5"}),
        (np.array(["7"]), {"answer": "7"}),  # a one-answer array from Parquet
        (["7"], {"answer": "7"}),
        ("{1, 2}", {"answer": "{1, 2}"}),  # a set is an answer, not broken JSON
        ('{"answer": "x", "unit": null}', {"answer": "x"}),
        ({"answer": "B", "choices": np.array(["x", "y"])}, {"answer": "B", "choices": ["x", "y"]}),
        (b"12", {"answer": "12"}),
        (True, {"answer": True}),
        (None, None),
    ],
)
def test_labels(label: Any, reference: dict[str, Any] | None) -> None:
    assert reference_of(label) == reference
    if reference is not None:
        json.dumps(reference)  # what numpy values used to break


def test_verl_stdin_ground_truth_becomes_stdin_tests() -> None:
    truth = json.dumps({"inputs": ["1 2\n", "3 4\n"], "outputs": ["3\n", "7\n"]})
    assert reference_of(truth) == {
        "language": "python",
        "tests": [{"stdin": "1 2\n", "stdout": "3\n"}, {"stdin": "3 4\n", "stdout": "7\n"}],
    }


def test_verl_call_based_ground_truth_becomes_function_tests() -> None:
    truth = {"fn_name": "add", "inputs": ["1\n2", "[1]\n[2]"], "outputs": ["3", "[1, 2]"]}
    assert reference_of(truth) == {
        "language": "python",
        "fn_name": "add",
        "tests": [{"args": [1, 2], "expected": 3}, {"args": [[1], [2]], "expected": [1, 2]}],
    }


def test_assert_case_ground_truth_becomes_test_code() -> None:
    truth = {"assert_case": ["assert add(1, 2) == 3", "assert add(0, 0) == 0"], "inputs": ["", ""]}
    reference = reference_of(truth)
    assert reference == {
        "language": "python",
        "test_code": (
            "def check(candidate):\n    assert add(1, 2) == 3\n    assert add(0, 0) == 0\n"
        ),
        "entry_point": "None",
    }


def test_a_reference_already_in_our_shape_is_left_alone() -> None:
    ours = {"language": "cpp", "tests": [{"stdin": "", "stdout": "1"}], "inputs": ["x"]}
    assert reference_of(ours) == ours
    uneven = {"inputs": ["1"], "outputs": []}  # the service says invalid_reference, not us
    assert reference_of(uneven) == uneven


def test_arrow_struct_columns_lose_the_keys_arrow_filled_with_null(tmp_path: Path) -> None:
    rows = [
        {"reference": {"answer": "4"}},
        {"reference": {"language": "python", "fn_name": "f", "tests": [{"args": [1]}]}},
    ]
    rows[1]["reference"]["tests"][0]["expected"] = None  # a real None result: kept
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "refs.parquet")
    back = pq.read_table(tmp_path / "refs.parquet").to_pylist()
    assert back[0]["reference"]["fn_name"] is None  # what Arrow hands back
    assert record_reference(back[0]) == {"answer": "4"}
    assert record_reference(back[1]) == {
        "language": "python",
        "fn_name": "f",
        "tests": [{"args": [1], "expected": None}],
    }


@pytest.mark.parametrize(
    ("record", "column", "reference"),
    [
        ({"solution": "\\frac{1}{2}"}, None, {"answer": "\\frac{1}{2}"}),  # TRL/open-r1 column
        ({"answer": "1", "solution": "2"}, None, {"answer": "1"}),
        ({"answer": "1", "solution": "2"}, "solution", {"answer": "2"}),
        ({"answer": "1", "reference": '{"answer": "9"}'}, None, {"answer": "9"}),
        (
            {"answer": "1", "reward_model": {"ground_truth": "5", "style": "rule"}},
            None,
            {"answer": "5"},
        ),
        ({"gold": 3}, "gold", {"answer": "3"}),
        ({"prompt": "no answer"}, None, None),
    ],
)
def test_record_reference_order(
    record: dict[str, Any], column: str | None, reference: dict[str, Any] | None
) -> None:
    assert record_reference(record, column) == reference


def test_reasoning_split_off_by_a_chat_parser_is_put_back() -> None:
    for key in ("reasoning_content", "reasoning", "thinking"):
        message = {"role": "assistant", key: " 2+2=4 ", "content": "<answer>4</answer>"}
        assert completion_of([message]) == [
            {"role": "assistant", "content": "<think>\n2+2=4\n</think>\n<answer>4</answer>"}
        ]
    # no reasoning field: nothing invented
    assert completion_of([{"role": "assistant", "content": "<answer>4</answer>"}]) == [
        {"role": "assistant", "content": "<answer>4</answer>"}
    ]


def test_tool_and_multimodal_messages_become_text() -> None:
    messages = [
        {"role": "assistant", "content": None, "tool_calls": [{"function": {"name": "f"}}]},
        {"role": "tool", "content": "42"},
        {"role": "assistant", "content": [{"type": "text", "text": "It is "}, {"text": "42"}]},
    ]
    assert completion_of(messages) == [
        {"role": "assistant", "content": ""},
        {"role": "tool", "content": "42"},
        {"role": "assistant", "content": "It is 42"},
    ]


def test_item_carries_domain_and_token_count() -> None:
    record = {"answer": np.int64(6), "domain": "science"}
    item = item_of(record, "7", "math", "B", num_tokens=np.int64(12))  # type: ignore[arg-type]
    assert item == {
        "id": "7",
        "domain": "science",
        "completion": "B",
        "reference": {"answer": "6"},
        "num_tokens": 12,
    }
    json.dumps(item)


@pytest.mark.parametrize(
    ("query", "prompt", "response"),
    [
        ("P: 1+1?\nA: <answer>2</answer><|im_end|>", "P: 1+1?\nA: ", "<answer>2</answer>"),
        ("<answer>2</answer></s>", None, "<answer>2</answer>"),
        ("<answer>2</answer><｜end▁of▁sentence｜>", "", "<answer>2</answer>"),
        # OpenRLHF cut the front of a long prompt: its tail starts the query
        (
            "tail of the long prompt: <answer>3</answer>",
            "A very long head, tail of the long prompt: ",
            "<answer>3</answer>",
        ),
        # a special token inside the response is the model's writing and stays
        ("Q <|im_start|>x<|im_end|>", "Q ", "<|im_start|>x"),
        ("something else entirely", "Q: 1+1?\nA: ", None),
        ("Q: 1+1?", "Q: 1+1?\nA: ", None),  # a prompt longer than the query is not in it
    ],
)
def test_response_of(query: str, prompt: str | None, response: str | None) -> None:
    assert response_of(query, prompt) == response


def test_a_short_shared_tail_is_not_taken_for_the_prompt() -> None:
    # Only "A: " is shared: cutting there would score text that may be the prompt's.
    assert response_of("A: \\boxed{5}", "Example: \\boxed{9}\nQ: 2+3?\nA: ") is None


def test_strip_special_tokens_only_at_the_end() -> None:
    assert strip_special_tokens("x <|im_end|>\n<|endoftext|><pad><pad>") == "x"
    assert strip_special_tokens("<|im_start|>x") == "<|im_start|>x"
    assert strip_special_tokens("x < y | z >") == "x < y | z >"


def test_a_humaneval_record_becomes_assertion_tests_with_its_prompt_as_setup() -> None:
    record = {
        "task_id": "HumanEval/38",
        "prompt": "def encode_cyclic(s: str):\n    return s\n\n\n"
        'def decode_cyclic(s: str):\n    """."""\n',
        "test": "def check(candidate):\n    assert candidate(encode_cyclic('abc')) == 'abc'\n",
        "entry_point": "decode_cyclic",
    }
    assert record_reference(record) == {
        "language": "python",
        "test_code": record["test"],
        "entry_point": "decode_cyclic",
        # the helper the test calls is the dataset's, not whatever the program defines
        "test_setup": record["prompt"],
    }
    # an explicit reference still wins, and records without a check() are not code tests
    assert record_reference({**record, "reference": {"answer": "1"}}) == {"answer": "1"}
    assert record_reference({"test": "assert f() == 1", "entry_point": "f"}) is None
    chat = {**record, "prompt": [{"role": "user", "content": "..."}]}
    assert "test_setup" not in (record_reference(chat) or {})
    # an instruction prompt is no setup (the judge would refuse it: all samples unscorable)
    instructed = {**record, "prompt": "Complete the function:\n```python\ndef f():\n```"}
    assert "test_setup" not in (record_reference(instructed) or {})
