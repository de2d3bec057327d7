"""TRL 1.16's own calling code with ``service_rewards`` against the live service.

- a real ``GRPOTrainer`` step on CPU with the project's tiny model, distilled to answer
  ``<think>a+a=2a</think>\\n<answer>2a</answer>``, under Qwen3's chat template with TRL's
  response schema: TRL then hands the reward functions parsed messages whose reasoning sits in
  ``reasoning_content``, as it does for any model with tools or a response schema;
- ``GRPOTrainer._calculate_rewards`` with sync and with async functions: an unscorable row
  is all-``None`` (TRL leaves it out), a completion too large to score is the worst, not 0;
- ``AsyncGRPOTrainer``'s scoring: the functions pickled into a spawned process, where its
  rollout loop's ``_score_group`` calls them. (``AsyncRolloutWorker`` itself refuses to start
  without vLLM, so the loop object is made without its vLLM session.)
"""

from __future__ import annotations

import multiprocessing
import pickle
from pathlib import Path
from typing import Any

import pytest

from rlvr.trainer.client import VerifierClient
from rlvr.trainer.rewards import ServiceReward, service_rewards

from ..conftest import DistilledModel, LiveServer
from .conftest import RIGHT, pinned

trl = pinned("trl", "1.16.0")
torch = pytest.importorskip("torch")

OVERSIZE = "<answer>\\boxed{4}</answer>" + " pad" * 110_000
SCORES = {"accuracy": 1.0, "format": 0.1, "overlong": 0.5}
OPTIONS = {"max_length": 256, "overlong_buffer": 128}


def _trainer(model: Any, funcs: list[Any], output_dir: Path, **args: Any) -> Any:
    from datasets import Dataset
    from transformers import AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer
    from trl.chat_template_utils import add_response_schema, qwen3_chat_template

    tokenizer = AutoTokenizer.from_pretrained(model)
    tokenizer.chat_template = qwen3_chat_template  # same turn markup the model learnt
    tokenizer = add_response_schema(tokenizer)  # TRL now parses reasoning out of completions
    rows = [
        {"prompt": [{"role": "user", "content": f"{a}+{a}?"}], "answer": 2 * a} for a in range(4)
    ]
    config = GRPOConfig(
        output_dir=str(output_dir),
        num_generations=4,
        per_device_train_batch_size=4,
        max_completion_length=40,
        max_steps=1,
        learning_rate=1e-6,
        use_cpu=True,
        report_to="none",
        logging_steps=1,
        reward_weights=list(SCORES.values()),
        temperature=0.3,
        **args,
    )
    return GRPOTrainer(
        model=str(model),
        processing_class=tokenizer,
        reward_funcs=funcs,
        args=config,
        train_dataset=Dataset.from_list(rows),
    )


class Recording:
    """Passes a reward function's calls through, keeping what TRL handed it."""

    def __init__(self, func: ServiceReward) -> None:
        self.func, self.__name__ = func, func.__name__
        self.calls: list[tuple[list[Any], list[float | None]]] = []

    def __call__(self, prompts: Any, completions: Any, **columns: Any) -> list[float | None]:
        values = self.func(prompts, completions, **columns)
        self.calls.append((list(completions), values))
        return values


def test_a_grpo_step_scores_the_reasoning_trl_parsed_out(
    live_server: LiveServer, distilled_model: DistilledModel, tmp_path: Path
) -> None:
    funcs = service_rewards(SCORES, url=live_server.url, options=OPTIONS, behaviours=True)
    fmt = Recording(funcs[1])
    trainer = _trainer(distilled_model.path, [funcs[0], fmt, funcs[2]], tmp_path)
    trainer.train()

    [(completions, values)] = fmt.calls
    parsed = [c for c in completions if c and c[-1].get("reasoning_content")]
    assert parsed, f"TRL handed over no parsed reasoning: {completions}"
    with VerifierClient(live_server.url) as client:
        bare = client.verify(  # what was scored before: the content without the reasoning
            [
                {
                    "id": str(i),
                    "domain": "math",
                    "completion": c[-1]["content"],
                    "reference": {"answer": "0"},
                }
                for i, c in enumerate(completions)
            ],
            rewards=["format"],
        )
    for completion, value, without in zip(completions, values, bare, strict=True):
        if completion[-1].get("reasoning_content") and completion[-1]["content"].strip().startswith(
            "<answer>"
        ):
            assert value == 1.0 and without["scores"]["format"] == 0.0, completion
    [log] = [h for h in trainer.state.log_history if "rewards/format/mean" in h]
    assert log["rewards/format/mean"] == pytest.approx(sum(values) / len(values))  # type: ignore[arg-type]
    assert log["rewards/accuracy/mean"] > 0  # the distilled model answers a+a
    assert "behaviour/verification" in log and log["rlvr/unscorable"] == 0.0
    funcs[0].close()


@pytest.mark.parametrize("asynchronous", [False, True])
def test_calculate_rewards_unscorable_rows_and_oversize_completions(
    live_server: LiveServer, distilled_model: DistilledModel, tmp_path: Path, asynchronous: bool
) -> None:
    funcs = service_rewards(SCORES, url=live_server.url, options=OPTIONS, asynchronous=asynchronous)
    trainer = _trainer(distilled_model.path, funcs, tmp_path)
    prompts = [[{"role": "user", "content": "2+2?"}]] * 3
    completions = [
        [
            {
                "role": "assistant",
                "reasoning_content": "2+2",
                "content": "<answer>\n\\boxed{4}\n</answer>",
            }
        ],
        [{"role": "assistant", "content": RIGHT}],
        [{"role": "assistant", "content": OVERSIZE}],
    ]
    inputs = [
        {"prompt": p, "answer": a} for p, a in zip(prompts, ["4", "\\frac{", "4"], strict=True)
    ]
    ids = [[1] * 20, [1] * 20, [1] * 200]
    rewards = trainer._calculate_rewards(inputs, prompts, completions, ids)
    assert rewards[0].tolist() == [1.0, 1.0, 0.0]
    assert torch.isnan(rewards[1]).all()  # unscorable: TRL leaves the row out of its group
    assert rewards[2].tolist() == [0.0, 0.0, -1.0]  # too large to score: the worst, not None
    funcs[0].close()


def _score_in_child(pickled: bytes, url: str) -> list[list[float | None]]:
    """In a spawned process, as AsyncGRPOTrainer's rollout worker: unpickle the functions
    and let its loop's ``_score_group`` call them."""
    import asyncio

    from accelerate.state import PartialState
    from trl.experimental.async_grpo.async_rollout_worker import (
        RolloutGroup,
        TrainingSequence,
        _AsyncRolloutLoop,
    )

    PartialState()  # as the worker's _child_main does first
    funcs = pickle.loads(pickled)
    loop = _AsyncRolloutLoop.__new__(_AsyncRolloutLoop)  # no vLLM session needed to score
    loop.reward_funcs, loop.reward_func_names = funcs, [f.__name__ for f in funcs]
    loop._env_reward_types = []
    completions = [
        [{"role": "assistant", "content": RIGHT}],
        [{"role": "assistant", "content": "?"}],
    ]
    group = RolloutGroup(
        prompts=[[{"role": "user", "content": "2+2?"}]] * 2,
        reward_kwargs={"answer": ["4", "4"]},
        completions=completions,
        completions_ids=[[1, 2], [1]],
        completions_sequences=[
            [TrainingSequence([1, 2], [0, 1], [0.0, 0.0], "r0")],
            [TrainingSequence([1], [1], [0.0], "r1")],
        ],
        tool_call_counts=[0, 0],
        tool_failure_counts=[0, 0],
        model_version=0,
        group_id=0,
        env_rewards=[None, None],
        rollout_rewards=[None, None],
    )
    samples = asyncio.run(loop._score_group(group))
    return [[s.metrics[f"rewards/{f.__name__}"] for f in funcs] for s in samples]


def test_async_grpo_scores_in_a_spawned_process(live_server: LiveServer) -> None:
    # one sync and one async function, each with a live loop thread and connection already
    funcs = [
        *service_rewards(["accuracy"], url=live_server.url),
        *service_rewards(["format"], url=live_server.url, asynchronous=True),
    ]
    funcs[0]([""], [RIGHT], answer=["4"])
    pickled = pickle.dumps(funcs)  # what AsyncRolloutWorker.start() checks first
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        per_sample = pool.apply(_score_in_child, (pickled, live_server.url))
    assert per_sample == [[1.0, 1.0], [0.0, 0.0]]
    for func in funcs:
        func.close()
