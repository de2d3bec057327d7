"""The job/result messages between the pool and the executor (stdlib only: runs in the image).

One JSON object per line in each direction over the executor's stdin/stdout.

>>> job = Job(language="python", source="print(1)", runs=[Run(stdin="", expected="1")])
>>> Job.from_dict(job.to_dict()) == job
True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Compare = Literal["exact", "tokens", "float", "none"]
# "none": the run passes when it exits 0 (assertion-style tests).
RunStatus = Literal[
    "passed",
    "wrong_answer",
    "runtime_error",
    "timeout",
    "memory_limit",
    "output_limit",
    "not_run",
]


@dataclass(frozen=True)
class Run:
    """One execution of the program: what it reads, and what it should print."""

    stdin: str = ""
    expected: str | None = None


@dataclass(frozen=True)
class Job:
    """A program and the runs to make of it. Limits apply to each run."""

    language: str
    source: str
    runs: list[Run]
    time_limit_s: float = 5.0
    memory_mb: int = 512
    output_limit_bytes: int = 1 << 20
    compare: Compare = "tokens"
    float_tolerance: float = 1e-6
    stop_on_failure: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Job:
        runs = [Run(**run) for run in data.get("runs", [])]
        return cls(**{**data, "runs": runs})


@dataclass(frozen=True)
class RunResult:
    status: RunStatus
    exit_code: int | None = None
    signal: int | None = None
    time_s: float = 0.0
    memory_kb: int = 0
    stdout: str = ""  # an excerpt, for diagnosis
    stderr: str = ""


@dataclass(frozen=True)
class CompileResult:
    ok: bool
    time_s: float = 0.0
    stderr: str = ""
    cached: bool = False


@dataclass(frozen=True)
class JobResult:
    """What happened to a job. ``error`` is set when the *executor* could not run it."""

    runs: list[RunResult] = field(default_factory=list)
    compile: CompileResult | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobResult:
        compiled = data.get("compile")
        return cls(
            runs=[RunResult(**run) for run in data.get("runs", [])],
            compile=CompileResult(**compiled) if compiled else None,
            error=data.get("error"),
        )
