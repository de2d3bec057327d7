"""verifiers 0.4.0's own loading and scoring code with the ``rlvr-verifiers`` taskset and the
plugged functions, against the live service.

- the v1 loader, as ``vf-eval``/prime-rl's env server use it: ``env_config_type`` narrows the
  run config to the taskset's own, ``load_environment`` imports the taskset by its id and
  builds the env, the taskset iterates its tasks;
- ``Task.score`` on each rollout's trace, as the rollout calls it when an episode ends (offline:
  no runtime, as ``vf-replay`` scores), all rollouts at once; a scoring error handled as the
  rollout does (recorded on the trace, rewards left ``None``);
- a taskset of the user's own with the functions plugged by config
  (``TaskConfig.rewards``/``metrics``), loaded by verifiers' ``load_plugged_fn``.

The model and the harness that produce the reply are left out: a trace's ``root_reply`` is
what the harness would have set.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest

from ..conftest import LiveServer
from ..integration.test_adapters import verify_requests
from .conftest import RIGHT, WRONG, pinned

with warnings.catch_warnings():  # verifiers' own import-time warnings: not ours to fix
    warnings.simplefilter("ignore")
    vf = pinned("verifiers", "0.4.0", "verifiers.v1")
    from verifiers.v1.errors import TaskError
    from verifiers.v1.utils.loaders import env_config_type

ROWS = [
    {"prompt": "What is 2+2?", "answer": "4"},
    {"prompt": [{"role": "user", "content": "What is 2+2?"}], "solution": "4"},
    {"prompt": "What is x if x^2 = 9, x > 0?", "reference": {"answer": "3"}, "domain": "math"},
    {"prompt": "What is 2+2?", "answer": "\\frac{"},  # a gold answer no one can parse
]
REPLIES = [RIGHT, WRONG, RIGHT.replace("{4}", "{3}"), RIGHT]


def _trace(task: Any, reply: str) -> Any:
    """A finished rollout's trace, as the rollout makes it for ``task``."""
    meta = vf.TraceTask(type=type(task).__name__, data=task.data, key=task.key, hash=task.hash)
    trace = vf.Trace(task=meta, agent=vf.AgentInfo(config=vf.AgentConfig()))
    trace.root_reply = reply
    return trace


async def _score(task: Any, trace: Any) -> None:
    """What Rollout.close does around scoring: an error fails the rollout, recorded, and
    ``ok`` says whether the rollout failed."""
    try:
        await task.score(trace)
    except TaskError as error:
        trace.record_error(error)
        trace.ok = False
    else:
        trace.ok = True


def test_the_taskset_loads_and_scores_through_verifiers(
    live_server: LiveServer, client: httpx.Client, tmp_path: Path
) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    config = env_config_type("rlvr-verifiers").model_validate(
        {"taskset": {"id": "rlvr-verifiers", "path": str(rows), "task": {"url": live_server.url}}}
    )
    env = vf.load_environment(config)
    assert type(env).__name__ == "SingleAgentEnv"
    tasks = list(env.taskset)
    assert [t.data.idx for t in tasks] == [0, 1, 2, 3]
    traces = [_trace(task, reply) for task, reply in zip(tasks, REPLIES, strict=True)]
    before = verify_requests(client)

    async def episodes_end() -> None:
        await asyncio.gather(*(_score(t, tr) for t, tr in zip(tasks, traces, strict=True)))

    asyncio.run(episodes_end())
    assert verify_requests(client) - before == 1  # every rollout, metric and reward: one POST
    right, wrong, by_reference, unscorable = traces
    assert right.reward == 1.0 and right.ok
    assert right.metrics == {"accuracy": 1.0, "format": 1.0}  # the scores, unweighted
    assert wrong.reward == pytest.approx(0.1) and wrong.metrics["accuracy"] == 0.0
    assert by_reference.reward == 1.0
    # Unscorable: verifiers' "scoring did not run", never a 0 it would train on.
    assert unscorable.ok is False and unscorable.reward == 0.0
    assert all(value is None for value in unscorable.rewards.values())
    assert "invalid_reference" in str(unscorable.errors[-1])


def test_functions_plugged_into_a_users_own_taskset(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RLVR_URL", live_server.url)
    monkeypatch.setenv("RLVR_WEIGHTS", '{"accuracy": 1.0, "format": 0.5}')

    class Data(vf.TaskData):  # type: ignore[misc,name-defined]
        answer: str

    class UserTask(vf.Task[Data]):  # type: ignore[misc,name-defined]
        pass

    config = vf.TaskConfig(
        rewards={"rlvr": vf.RewardFunctionConfig(fn="rlvr.trainer.verifiers:reward")},
        metrics={"rlvr_scores": vf.DecoratedFunctionConfig(fn="rlvr.trainer.verifiers:scores")},
    )
    task = UserTask(Data(prompt="What is 2+2?", answer="4"), config)
    trace = _trace(task, WRONG)
    asyncio.run(_score(task, trace))
    assert trace.reward == pytest.approx(0.5)  # 1.0 * accuracy 0 + 0.5 * format 1
    assert trace.metrics == {"accuracy": 0.0, "format": 1.0}
