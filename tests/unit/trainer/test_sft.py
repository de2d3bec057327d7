"""The SFT entry point (``python -m rlvr.trainer.sft``) on CPU, through the session fixture
that runs ``build-sft`` and the entry point as a user would."""

from __future__ import annotations

import json

import pytest

from rlvr.trainer.jobs.records import read_records

from ...conftest import DistilledModel

pytest.importorskip("trl", reason="the [trainer] extra (TRL) is not installed")


def test_build_sft_wrote_chat_examples_to_parquet(distilled_model: DistilledModel) -> None:
    examples = list(read_records(distilled_model.sft_data))
    assert len(examples) == 10 and {e["source"] for e in examples} == {"reasoning"}
    assert examples[3]["messages"] == [
        {"role": "user", "content": "3+3?"},
        {"role": "assistant", "content": "<think>3+3=6</think>\n<answer>6</answer>"},
    ]


def test_training_loss_falls_and_the_checkpoint_reloads(distilled_model: DistilledModel) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    [state] = distilled_model.path.glob("checkpoint-*/trainer_state.json")
    losses = [h["loss"] for h in json.loads(state.read_text())["log_history"] if "loss" in h]
    assert len(losses) == 15 and losses[-1] < losses[0] / 10

    tokenizer = AutoTokenizer.from_pretrained(distilled_model.path)
    model = AutoModelForCausalLM.from_pretrained(distilled_model.path)
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "4+4?"}], tokenize=False, add_generation_prompt=True
    )
    ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).input_ids
    out = model.generate(ids, max_new_tokens=48, do_sample=False)
    text = tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True)
    assert text == "<think>4+4=8</think>\n<answer>8</answer>"
