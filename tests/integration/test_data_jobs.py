"""The data-job commands against the real service."""

from __future__ import annotations

import json
from pathlib import Path

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
