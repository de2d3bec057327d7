"""``generate`` and ``budget`` on a real tiny model, with the transformers backend and with an
OpenAI-compatible server (``transformers serve``), scored by the real service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rlvr.trainer import cli
from rlvr.trainer.client import VerifierClient
from rlvr.trainer.generation import Sampling, TransformersGenerator
from rlvr.trainer.jobs.records import read_records

from ..conftest import DistilledModel, LiveServer

pytest.importorskip("transformers", reason="the [trainer] extra is not installed")


def _answer(a: int) -> str:
    return f"<think>{a}+{a}={2 * a}</think>\n<answer>{2 * a}</answer>"


def _generate(model: DistilledModel, out: Path, *options: str) -> None:
    cli.main(
        [
            "generate",
            str(model.prompts),
            str(out),
            "--system-prompt",
            "",
            "--max-tokens",
            "64",
            "--backend",
            "transformers",
            "--model",
            str(model.path),
            *options,
        ]
    )


def test_generate_records_samples_then_rejection_sampling_keeps_the_right_ones(
    distilled_model: DistilledModel, live_server: LiveServer, tmp_path: Path
) -> None:
    samples = tmp_path / "samples.parquet"
    _generate(distilled_model, samples, "-k", "2", "--temperature", "0")
    records = list(read_records(samples))
    assert [r["prompt"] for r in records] == [f"{a}+{a}?" for a in range(10) for _ in range(2)]
    first = records[6]
    assert first["completion"] == _answer(3) and first["reference"] == {"answer": "6"}
    assert first["sample_index"] == 0 and records[7]["sample_index"] == 1
    assert first["prompt_text"] == "<|im_start|>user\n3+3?<|im_end|>\n<|im_start|>assistant\n"
    assert first["finish_reason"] == "stop" and first["completion_tokens"] == 40
    assert first["sampling"] == {
        "backend": "transformers",
        "model": str(distilled_model.path),
        "template": "chat",
        "n": 2,
        "temperature": 0.0,
        "top_p": 1.0,
        "max_tokens": 64,
        "seed": None,
        "stop": [],
    }

    kept = tmp_path / "kept.jsonl"
    cli.main(
        ["--url", live_server.url, "rejection-sample", "--keep", "one", str(samples), str(kept)]
    )
    rows = list(read_records(kept))
    assert [r["completion"] for r in rows] == [_answer(a) for a in range(10)]
    assert all(r["scores"]["accuracy"] == 1.0 for r in rows)


def test_generate_resumes_after_ctrl_c_with_the_same_samples(
    distilled_model: DistilledModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = ("-k", "3", "--temperature", "1.2", "--seed", "5", "--chunk", "3")
    whole = tmp_path / "whole.jsonl"
    _generate(distilled_model, whole, *options)

    real = TransformersGenerator.generate
    calls = 0

    def interrupted(self: TransformersGenerator, prompts: Any, sampling: Sampling) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt
        return real(self, prompts, sampling)

    monkeypatch.setattr(TransformersGenerator, "generate", interrupted)
    resumed = tmp_path / "resumed.jsonl"
    with pytest.raises(KeyboardInterrupt):
        _generate(distilled_model, resumed, *options)
    assert len(list(read_records(resumed))) == 9  # one chunk of 3 prompts × 3 samples
    monkeypatch.setattr(TransformersGenerator, "generate", real)
    _generate(distilled_model, resumed, *options)
    assert resumed.read_text() == whole.read_text()
    assert len({r["completion"] for r in read_records(whole)}) > 10  # it did sample


def _budget(
    model: DistilledModel, server: LiveServer, tmp: Path, capsys: Any, *backend: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    samples = tmp / "forced.jsonl"
    cli.main(
        [
            "--url",
            server.url,
            "budget",
            str(model.prompts),
            "--system-prompt",
            "",
            "--budgets",
            "4",
            "64",
            "--samples-out",
            str(samples),
            *backend,
        ]
    )
    return json.loads(capsys.readouterr().out), list(read_records(samples))


def test_budget_reports_accuracy_per_thinking_budget(
    distilled_model: DistilledModel,
    live_server: LiveServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    backend = ("--backend", "transformers", "--model", str(distilled_model.path))
    report, samples = _budget(distilled_model, live_server, tmp_path, capsys, *backend)
    roomy, tight = report["budgets"]["64"], report["budgets"]["4"]
    assert report["prompts"] == 10 and roomy["scored"] == tight["scored"] == 10
    assert roomy["accuracy"] == 1.0 and roomy["capped_share"] == 0.0
    assert tight["capped_share"] == 1.0 and tight["mean_thinking_tokens"] == 4.0
    assert [s["completion"] for s in samples if s["budget"] == "64"] == [
        _answer(a) for a in range(10)
    ]
    fresh = VerifierClient(live_server.url).verify(
        [
            {
                "id": str(i),
                "domain": "math",
                "completion": s["completion"],
                "reference": {"answer": str(2 * (i % 10))},
            }
            for i, s in enumerate(samples)
        ],
        rewards=["accuracy"],
    )
    assert [s["accuracy"] for s in samples] == [r["scores"]["accuracy"] for r in fresh]
    four = [s["accuracy"] for s in samples if s["budget"] == "4"]
    assert tight["accuracy"] == pytest.approx(sum(four) / len(four))


def test_generate_and_budget_through_an_openai_compatible_server(
    distilled_model: DistilledModel,
    live_server: LiveServer,
    openai_server: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    backend = [
        "--backend",
        "openai",
        "--base-url",
        openai_server,
        "--model",
        str(distilled_model.path),
    ]
    backend += ["--tokenizer", str(distilled_model.path)]
    samples = tmp_path / "samples.jsonl"
    cli.main(
        [
            "generate",
            str(distilled_model.prompts),
            str(samples),
            "--system-prompt",
            "",
            "-k",
            "2",
            "--temperature",
            "0",
            "--max-tokens",
            "64",
            "--stop",
            "</answer>",
            *backend,
        ]
    )
    capsys.readouterr()
    records = list(read_records(samples))
    assert [r["completion"] for r in records] == [_answer(a) for a in range(10) for _ in range(2)]
    assert records[0]["sampling"]["backend"] == "openai"

    report, _ = _budget(distilled_model, live_server, tmp_path, capsys, *backend)
    assert report["budgets"]["64"]["accuracy"] == 1.0
    assert report["budgets"]["4"]["mean_thinking_tokens"] == 4.0
    assert report["budgets"]["4"]["capped_share"] == 1.0
