"""Resumable jobs: a job interrupted mid-way and run again writes exactly what one run writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr.trainer.jobs.resumable import Group, Record, load_progress, run


def _input(path: Path, prompts: int = 10, samples: int = 3) -> Path:
    lines = [
        json.dumps({"prompt": f"p{p}", "completion": f"c{p}-{s}"})
        for p in range(prompts)
        for s in range(samples)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _keep_odd(groups: list[Group]) -> list[Record]:
    return [r for g in groups for r in g if int(r["completion"].split("-")[1]) % 2]


def _by_prompt(record: Record) -> object:
    return record["prompt"]


def test_an_interrupted_job_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    source = _input(tmp_path / "in.jsonl")
    whole = tmp_path / "whole.jsonl"
    run(source, whole, _keep_odd, _by_prompt, chunk_groups=2)

    calls = 0

    def crash_on_third_chunk(groups: list[Group]) -> list[Record]:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        return _keep_odd(groups)

    resumed = tmp_path / "resumed.jsonl"
    with pytest.raises(KeyboardInterrupt):
        run(source, resumed, crash_on_third_chunk, _by_prompt, chunk_groups=2)
    assert load_progress(resumed).inputs_done == 12  # 2 chunks × 2 prompts × 3 samples
    with resumed.open("a") as torn:  # a crash in the middle of a write
        torn.write('{"prompt": "p9", "compl')
    run(source, resumed, _keep_odd, _by_prompt, chunk_groups=2)
    assert resumed.read_text() == whole.read_text()
    assert load_progress(resumed).inputs_done == 30


def test_refuses_to_overwrite_a_foreign_file(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n")
    with pytest.raises(SystemExit, match="was not written by this job"):
        run(_input(tmp_path / "in.jsonl"), out, _keep_odd, _by_prompt)
    assert out.read_text() == "precious\n"
