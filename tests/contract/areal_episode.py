"""Runs AReaL 1.0.4's own rollout code for the contract test (in ``.contracts/areal``, not
the project's venv: AReaL's hydra needs an older antlr4 than math-verify).

``python areal_episode.py CASES.json`` reads ``[{"row": {...}, "reply": "...", "group":
n}]`` and, for each case, runs ``GroupedRolloutWorkflow(RLVRWorkflow(reward_fn=
"rlvr.trainer.areal.reward_fn", ...), n).arun_episode`` with the project's tiny tokenizer:
the prompt is templated from ``row["messages"]``, the "engine" returns the reply's tokens
followed by EOS (vLLM/SGLang do not run here; this stand-in is the only part not AReaL's),
AReaL decodes them with special tokens kept and calls the reward function through its
``AsyncRewardWrapper`` in a process pool. It prints one JSON line per case: the
``rewards`` tensor, or the exception that would make AReaL's executor drop the group.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any


def main() -> None:
    from areal.api.cli_args import GenerationHyperparameters
    from areal.api.io_struct import ModelResponse
    from areal.infra.remote_inf_engine import GroupedRolloutWorkflow
    from areal.utils import logging as areal_logging
    from areal.workflow.rlvr import RLVRWorkflow

    from rlvr.trainer.models import tiny_qwen2

    tokenizer = tiny_qwen2()[1]

    class FixedEngine:
        def __init__(self, reply: str) -> None:
            self.ids = [*tokenizer.encode(reply, add_special_tokens=False), tokenizer.eos_token_id]

        async def agenerate(self, req: Any) -> Any:
            return ModelResponse(
                input_tokens=list(req.input_ids),
                output_tokens=list(self.ids),
                output_logprobs=[0.0] * len(self.ids),
                output_versions=[0] * len(self.ids),
                stop_reason="stop",
                tokenizer=tokenizer,
            )

    async def run(case: dict[str, Any]) -> dict[str, Any]:
        workflow = RLVRWorkflow(
            reward_fn="rlvr.trainer.areal.reward_fn",
            gconfig=GenerationHyperparameters(n_samples=1, max_new_tokens=64),
            tokenizer=tokenizer,
        )
        grouped = GroupedRolloutWorkflow(workflow, case["group"], areal_logging.getLogger("t"))
        try:
            result = await grouped.arun_episode(FixedEngine(case["reply"]), case["row"])
        except Exception as exc:  # what AReaL's WorkflowExecutor catches: group dropped
            return {"error": type(exc).__name__, "message": str(exc)}
        return {"rewards": result["rewards"].tolist()}

    with open(sys.argv[1]) as source:
        cases = json.load(source)
    for case in cases:
        print(json.dumps(asyncio.run(run(case))), flush=True)


if __name__ == "__main__":
    main()
