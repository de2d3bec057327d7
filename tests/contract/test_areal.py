"""AReaL 1.0.4's own rollout code calling ``rlvr.trainer.areal.reward_fn`` against the live
service: ``RLVRWorkflow.arun_episode`` under ``GroupedRolloutWorkflow``, which loads the
function from its import string, templates the prompt, decodes the completion with its
special tokens and runs the function in ``AsyncRewardWrapper``'s process pool (so it must be
sync and picklable, and its errors must survive the pool). It runs in ``.contracts/areal``
(:mod:`tests.contract.areal_episode`); only the inference engine is a stand-in.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from ..conftest import ROOT, LiveServer
from .conftest import RIGHT, WRONG, contract_python

DRIVER = Path(__file__).with_name("areal_episode.py")
MESSAGES = [{"role": "user", "content": "What is 2+2?"}]


def _episodes(server: LiveServer, tmp_path: Path, cases: list[dict[str, Any]]) -> list[Any]:
    python = contract_python("areal", "areal", "1.0.4")
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases))
    env = {
        **os.environ,
        "RLVR_URL": server.url,
        "PYTHONPATH": str(ROOT / "trainer"),  # the client alone, as a trainer installs it
    }
    for name in ("RLVR_DOMAIN", "RLVR_WEIGHTS", "RLVR_OPTIONS", "RLVR_DEADLINE_S"):
        env.pop(name, None)
    done = subprocess.run(
        [python, "-W", "ignore", DRIVER, path],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return [json.loads(line) for line in lines]


def test_areal_rollouts_get_the_services_rewards(live_server: LiveServer, tmp_path: Path) -> None:
    cases = [
        {"row": {"messages": MESSAGES, "answer": "4"}, "reply": RIGHT, "group": 2},
        {"row": {"messages": MESSAGES, "answer": "4"}, "reply": WRONG, "group": 2},
        # verl-style rows and code-free dict references work as in every adapter
        {
            "row": {"messages": MESSAGES, "reward_model": {"ground_truth": "4"}},
            "reply": RIGHT,
            "group": 1,
        },
        # a reference no one can score: AReaL's executor drops the group, never trains on it
        {"row": {"messages": MESSAGES, "answer": "\\frac{"}, "reply": RIGHT, "group": 2},
    ]
    right, wrong, verl_row, unscorable = _episodes(live_server, tmp_path, cases)
    # The completion AReaL decodes ends in the tokenizer's EOS; the format score still holds.
    assert right == {"rewards": [1.0, 1.0]}
    assert wrong["rewards"] == [0.10000000149011612] * 2  # 0.1 as float32
    assert verl_row == {"rewards": [1.0]}
    assert unscorable["error"] == "Unscorable"
    assert "dropping its group" in unscorable["message"]
