"""NeMo-Gym 0.7.0's own launcher, agent and rollout collection with the rlvr resources
server, against the live service.

``gym env start`` (in ``.contracts/gym``: nemo-gym needs Python 3.13) reads the server
directory that ``python -m rlvr.trainer.nemo_gym`` writes, finds it through
``NEMO_GYM_EXTRA_ROOTS`` and runs its ``app.py``; Gym's own ``simple_agent`` and
``legacy_agent`` environment server stand between it and the model, and
``gym eval run --no-serve`` collects rollouts the way NeMo-RL's wrapper does (one ``/run``
per row: the agent seeds a session, calls the model, posts the row and the response to our
``/verify``), then asks ``/aggregate_metrics``. The model is a stand-in server that replies
what each row's prompt dictates (tests/contract/nemo_gym/responses_api_models/fixed_model).
Gym's per-server venvs are this one venv, given to it as prebuilt (``skip_venv_if_present``:
uv is not here), with the client on ``PYTHONPATH`` as its ``requirements.txt`` would install it.

NeMo-RL (not installable here) is represented by its one check on what a resources server
answers, ``validate_reward_components_match_scalar`` (nemo_rl/environments/nemo_gym.py), and
the ``instance_config.mask_sample`` flag its GRPO loop reads.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rlvr.trainer.nemo_gym import write_server

from ..conftest import ROOT, LiveServer, free_port
from .conftest import CONTRACTS, RIGHT, WRONG, contract_python

FIXED_MODEL = Path(__file__).with_name("nemo_gym") / "responses_api_models" / "fixed_model"
SERVER_DIRS = (
    "resources_servers/rlvr",
    "responses_api_agents/simple_agent",
    "environment_servers/legacy_agent",
    "responses_api_models/fixed_model",
)
# A second instance of the same server whose service is down (nothing listens there).
DOWN_CONFIG = """
rlvr_down:
  resources_servers:
    rlvr:
      entrypoint: app.py
      domain: math
      verified: false
      description: the rlvr server with its service unreachable
      rlvr_url: http://127.0.0.1:{port}
rlvr_down_agent:
  responses_api_agents:
    simple_agent:
      entrypoint: app.py
      resources_server: {{type: resources_servers, name: rlvr_down}}
      model_server: {{type: responses_api_models, name: policy_model}}
rlvr_down_environment_server:
  environment_servers:
    legacy_agent:
      entrypoint: app.py
      agent_server: {{type: responses_api_agents, name: rlvr_down_agent}}
"""


@dataclass
class Gym:
    gym: Path
    workdir: Path
    env: dict[str, str]
    overrides: list[str]


def _wait_ready(process: subprocess.Popen[bytes], log: Path, limit_s: float = 400) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if "servers ready!" in text:
            return
        if process.poll() is not None:
            pytest.fail(f"gym env start exited ({process.returncode}):\n{text[-4000:]}")
        time.sleep(2)
    pytest.fail(f"NeMo-Gym's servers not ready within {limit_s} s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def gym(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gym]:
    python = contract_python("gym", "nemo-gym", "0.7.0")
    workdir = tmp_path_factory.mktemp("gym")
    roots = workdir / "roots"
    server = write_server(roots, url=live_server.url, client=str(ROOT / "trainer"))
    shutil.copytree(FIXED_MODEL, roots / "responses_api_models" / "fixed_model")
    down = roots / "down.yaml"
    down.write_text(DOWN_CONFIG.format(port=free_port()))
    venvs = workdir / "venvs"
    for server_dir in SERVER_DIRS:  # Gym's per-server venvs, prebuilt
        (venvs / server_dir).mkdir(parents=True)
        (venvs / server_dir / ".venv").symlink_to(CONTRACTS / "gym")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RLVR_", "NEMO_GYM_", "PYTHON"))
    }
    env |= {"PYTHONPATH": str(ROOT / "trainer"), "NEMO_GYM_EXTRA_ROOTS": str(roots)}
    configs = [
        server / "configs" / "rlvr.yaml",
        down,
        roots / "responses_api_models" / "fixed_model" / "configs" / "fixed_model.yaml",
    ]
    overrides = [
        f"++head_server.port={free_port()}",
        "++skip_venv_if_present=true",
        f"++uv_venv_dir={venvs}",
    ]
    gym_bin = python.parent / "gym"
    log = workdir / "gym-env.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [gym_bin, "env", "start", f"+config_paths=[{','.join(map(str, configs))}]", *overrides],
            cwd=workdir,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its servers and Ray are stopped together below
        )
    try:
        _wait_ready(process, log)
        yield Gym(gym_bin, workdir, env, overrides)
    finally:
        os.killpg(process.pid, signal.SIGINT)  # Gym shuts its servers and Ray down
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _row(agent: str, reply: dict[str, str], **task: Any) -> dict[str, Any]:
    prompt = f"What is 2+2?\nECHO {json.dumps(reply)}"
    content = [{"type": "input_text", "text": prompt}]
    return {
        "responses_create_params": {
            "input": [{"role": "user", "type": "message", "content": content}]
        },
        "agent_ref": {"type": "responses_api_agents", "name": agent},
        **task,
    }


def _collect(gym: Gym, rows: list[dict[str, Any]]) -> tuple[list[Any], list[Any], Any]:
    """``gym eval run --no-serve``: rollouts, the failures sidecar, the aggregate metrics."""
    source, output = gym.workdir / "rows.jsonl", gym.workdir / "rollouts.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    done = subprocess.run(
        [
            gym.gym,
            "eval",
            "run",
            "--no-serve",
            "--input",
            source,
            "--output",
            output,
            *gym.overrides,
        ],
        cwd=gym.workdir,
        env=gym.env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]

    def lines(path: Path) -> list[Any]:
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    metrics = json.loads((gym.workdir / "rollouts_aggregate_metrics.json").read_text())
    return lines(output), lines(gym.workdir / "rollouts_failures.jsonl"), metrics


def _nemo_rl_accepts(row: dict[str, Any]) -> bool:
    total = sum(row["reward_components"].values())
    return math.isclose(row["reward"], total, rel_tol=1e-5, abs_tol=1e-6)


def test_rollouts_through_gyms_agent_and_collection(gym: Gym) -> None:
    agent = "rlvr_simple_agent"
    rows = [
        _row(agent, {"text": RIGHT}, expected_answer="4"),
        _row(agent, {"text": WRONG}, expected_answer="4"),
        # the reasoning as a Responses reasoning item, the answer in the message
        _row(
            agent,
            {"text": "<answer>\\boxed{4}</answer>", "reasoning": "2+2=4"},
            reference={"answer": "4"},
            domain="math",
        ),
        # think like the policy: the right answer inside the reasoning only does not count
        _row(
            agent,
            {"text": "<answer>no idea</answer>", "reasoning": "\\boxed{4}"},
            expected_answer="4",
        ),
        _row(agent, {"text": RIGHT}, expected_answer="\\frac{"),  # gold no one can parse
        _row("rlvr_down_agent", {"text": RIGHT}, expected_answer="4"),  # service unreachable
    ]
    rollouts, failures, metrics = _collect(gym, rows)
    by_task = {row["_ng_task_index"]: row for row in rollouts}
    right, wrong, reasoned, hidden, unscorable = (by_task[i] for i in range(5))
    assert (right["reward"], right["reward_components"]) == (1.0, {"accuracy": 0.9, "format": 0.1})
    assert (wrong["reward"], wrong["rlvr_verdict"]) == (pytest.approx(0.1), "wrong")
    assert (reasoned["reward"], reasoned["rlvr_format"]) == (1.0, 1.0)
    assert hidden["rlvr_accuracy"] == 0.0
    for row in (right, wrong, reasoned, hidden, unscorable):
        assert _nemo_rl_accepts(row)
        assert row["expected_answer" if "expected_answer" in row else "reference"]  # echoed
    # Unscorable: Gym's mask, and NeMo-RL's, with the reason; not a 0 to train on.
    assert unscorable["mask_sample"] is True
    assert unscorable["instance_config"] == {"mask_sample": True}
    assert unscorable["failure_kind"] == "verifier_error"
    assert "invalid_reference" in unscorable["failure_reason"]
    # The service down: a judge failure, filed in Gym's failures sidecar, not a reward.
    assert 5 not in by_task
    [down] = failures
    assert down["_ng_failure_class"] == "judge_failed" and down["mask_sample"] is True
    assert "no answer after" in down["failure_reason"]
    [agent_metrics] = [m for m in metrics if m["agent_ref"]["name"] == agent]
    key = agent_metrics["key_metrics"]
    assert key["coverage/masked_rollouts"] == 1 and key["coverage/measured_rollouts"] == 4
    assert key["mean/reward"] == pytest.approx((1.0 + 0.1 + 1.0 + 0.1) / 4)
    assert key["mean/rlvr_accuracy"] == pytest.approx(0.5)
