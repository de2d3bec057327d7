"""The data-job commands against the real service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr.trainer import cli

from ..conftest import LiveServer

GOOD = "<think>\nx\n</think>\n<answer>\n\\boxed{{{}}}\n</answer>"


def _samples(path: Path) -> Path:
    rows = []
    for prompt, answers in [
        ("always", ["4", "4", "4"]),
        ("sometimes", ["5", "4", "4"]),
        ("never", ["1", "2", "3"]),
    ]:
        for i, answer in enumerate(answers):
            completion = GOOD.format(answer) if i != 2 else f"\\boxed{{{answer}}}"
            rows.append(
                {"prompt": prompt, "completion": completion + " " * i, "reference": {"answer": "4"}}
            )
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _read(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_rejection_sample(live_server: LiveServer, tmp_path: Path) -> None:
    source = _samples(tmp_path / "samples.jsonl")
    cli.main(
        ["--url", live_server.url, "rejection-sample", str(source), str(tmp_path / "all.jsonl")]
    )
    assert [r["prompt"] for r in _read(tmp_path / "all.jsonl")] == [
        "always",
        "always",
        "always",
        "sometimes",
        "sometimes",
    ]
    cli.main(
        [
            "--url",
            live_server.url,
            "rejection-sample",
            "--keep",
            "shortest",
            "--require-format",
            str(source),
            str(tmp_path / "short.jsonl"),
        ]
    )
    kept = _read(tmp_path / "short.jsonl")
    assert [(r["prompt"], r["completion"]) for r in kept] == [
        ("always", GOOD.format("4")),
        ("sometimes", GOOD.format("4") + " "),
    ]


def test_pass_rate_filter(live_server: LiveServer, tmp_path: Path) -> None:
    source = _samples(tmp_path / "samples.jsonl")
    out = tmp_path / "prompts.jsonl"
    cli.main(["--url", live_server.url, "pass-rate-filter", str(source), str(out)])
    [kept] = _read(out)
    assert kept["prompt"] == "sometimes" and kept["pass_rate"] == 2 / 3
    inclusive = tmp_path / "inclusive.jsonl"
    cli.main(
        ["--url", live_server.url, "pass-rate-filter", "--inclusive", str(source), str(inclusive)]
    )
    assert [r["prompt"] for r in _read(inclusive)] == ["always", "sometimes", "never"]


def test_build_sft(tmp_path: Path) -> None:
    reasoning = tmp_path / "kept.jsonl"
    reasoning.write_text(json.dumps({"prompt": "2+2?", "completion": "<think>x</think>4"}) + "\n")
    other = tmp_path / "chat.jsonl"
    other.write_text(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": "hi"},
                    {"role": "assistant", "content": "hello"},
                ]
            }
        )
        + "\n"
    )
    out = tmp_path / "sft.jsonl"
    cli.main(
        [
            "build-sft",
            str(out),
            "--reasoning",
            str(reasoning),
            "--other",
            str(other),
            "--system-prompt",
            "think first",
        ]
    )
    examples = sorted(_read(out), key=lambda e: str(e["source"]))
    assert [e["source"] for e in examples] == ["non_reasoning", "reasoning"]
    assert examples[1]["messages"] == [
        {"role": "system", "content": "think first"},
        {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": "<think>x</think>4"},
    ]


def test_evaluate(
    live_server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _samples(tmp_path / "samples.jsonl")
    cli.main(["--url", live_server.url, "evaluate", str(source), "--k", "1", "3"])
    report = json.loads(capsys.readouterr().out)
    # always: 3/3 right, sometimes: 2/3, never: 0/3
    assert report["prompts"] == report["scored"] == 3
    assert report["pass_at_k"]["1"] == pytest.approx((1 + 2 / 3 + 0) / 3)
    assert report["pass_at_k"]["3"] == pytest.approx(2 / 3)
    assert report["maj_at_k"]["3"] == pytest.approx(2 / 3)
