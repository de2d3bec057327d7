"""Resumable jobs: a job interrupted mid-way and run again writes exactly what one run writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr.trainer.errors import DataError
from rlvr.trainer.jobs.records import Record, count_records, read_records, write_records
from rlvr.trainer.jobs.resumable import Group, load_progress, run


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


def _interrupt_at_third_chunk(source: Path, out: Path) -> None:
    """Run the job with a Ctrl-C in its third chunk (chunks of 2 prompts × 3 samples)."""
    calls = 0

    def crash_on_third_chunk(groups: list[Group]) -> list[Record]:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        return _keep_odd(groups)

    with pytest.raises(KeyboardInterrupt):
        run(source, out, crash_on_third_chunk, _by_prompt, chunk_groups=2)
    assert load_progress(out).inputs_done == 12 and not load_progress(out).finished


def test_an_interrupted_job_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    source = _input(tmp_path / "in.jsonl")
    whole = tmp_path / "whole.jsonl"
    run(source, whole, _keep_odd, _by_prompt, chunk_groups=2)

    resumed = tmp_path / "resumed.jsonl"
    _interrupt_at_third_chunk(source, resumed)
    with resumed.open("a") as torn:  # a crash in the middle of a write
        torn.write('{"prompt": "p9", "compl')
    run(source, resumed, _keep_odd, _by_prompt, chunk_groups=2)
    assert resumed.read_text() == whole.read_text()
    assert load_progress(resumed).inputs_done == 30


def test_refuses_to_overwrite_a_foreign_file(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n")
    with pytest.raises(DataError, match="was not written by this job"):
        run(_input(tmp_path / "in.jsonl"), out, _keep_odd, _by_prompt)
    assert out.read_text() == "precious\n"


def test_parquet_in_and_out_resume_without_loss_or_duplicates(tmp_path: Path) -> None:
    source = tmp_path / "in.parquet"
    write_records(source, read_records(_input(tmp_path / "in.jsonl")))
    whole = tmp_path / "whole.parquet"
    run(source, whole, _keep_odd, _by_prompt, chunk_groups=2)

    resumed = tmp_path / "resumed.parquet"
    _interrupt_at_third_chunk(source, resumed)
    parts = tmp_path / "resumed.parquet.parts"
    assert not resumed.exists() and len(list(parts.glob("*.parquet"))) == 2
    (parts / "00000002.parquet").write_bytes(b"torn: a part that was never committed")
    run(source, resumed, _keep_odd, _by_prompt, chunk_groups=2)
    assert list(read_records(resumed)) == list(read_records(whole))
    assert len(list(read_records(resumed))) == 10 and not parts.exists()
    assert load_progress(resumed).finished


def test_a_finished_job_is_not_redone(tmp_path: Path) -> None:
    source, out = _input(tmp_path / "in.jsonl"), tmp_path / "out.parquet"
    run(source, out, _keep_odd, _by_prompt)
    before = list(read_records(out))

    def fail(groups: list[Group]) -> list[Record]:
        raise AssertionError("a finished job ran again")

    run(source, out, fail, _by_prompt)
    assert list(read_records(out)) == before


def test_records_of_clashing_types_name_the_way_out(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    with pytest.raises(DataError, match="write JSONL instead"):
        run(
            [{"prompt": "a", "reference": {"answer": "4"}}, {"prompt": "b", "reference": 4}],
            out,
            lambda groups: [r for g in groups for r in g],
            chunk_groups=1,
        )


def test_an_empty_result_is_a_valid_empty_file(tmp_path: Path) -> None:
    out = tmp_path / "none.parquet"
    run(_input(tmp_path / "in.jsonl"), out, lambda groups: [], _by_prompt)
    assert list(read_records(out)) == [] and count_records(out) == 0
