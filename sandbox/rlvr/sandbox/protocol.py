"""The job/result messages between the pool and the executor (stdlib only: runs in the image).

One JSON object per line in each direction over the executor's channel. Every job and
ping carries a fresh ``nonce`` that its answer must echo: a line that does not answer
the job in flight is never taken for its result.

>>> job = Job(language="python", source="print(1)", runs=[Run(stdin="", expected="1")])
>>> Job.from_dict(job.to_dict()) == job
True
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Compare = Literal["exact", "tokens", "float"]
Mode = Literal["stdio", "call", "check"]
RunStatus = Literal[
    "passed",
    "wrong_answer",
    "runtime_error",
    "timeout",
    "memory_limit",
    "output_limit",
    "not_run",
]


def new_nonce() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True)
class Run:
    """One execution of the program.

    ``stdio``: what it reads (``stdin``) and should print (``expected``).
    ``call``: the arguments of one call of the job's function and the value it should
    return (JSON values).
    """

    stdin: str = ""
    expected: str | None = None
    args: list[Any] | None = None
    expected_value: Any = None


@dataclass(frozen=True)
class Check:
    """Assertion tests: the dataset's ``check(candidate)``, run by the trusted judge.

    ``setup`` is trusted code run before ``test_code`` in the judge (the helpers a
    HumanEval prompt defines and its test uses, e.g. ``poly``).
    """

    test_code: str
    entry_point: str
    setup: str | None = None


@dataclass(frozen=True)
class Job:
    """A program and the runs to make of it.

    ``time_limit_s`` bounds each run; ``budget_s`` bounds the whole job (compile and
    every run): runs that would start after it are ``not_run``.
    """

    language: str
    source: str
    runs: list[Run]
    mode: Mode = "stdio"
    fn_name: str | None = None
    check: Check | None = None
    time_limit_s: float = 5.0
    budget_s: float = 60.0
    memory_mb: int = 512
    output_limit_bytes: int = 1 << 20
    compare: Compare = "tokens"
    float_tolerance: float = 1e-6
    stop_on_failure: bool = False
    nonce: str = field(default_factory=new_nonce, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Job:
        runs = [Run(**run) for run in data.get("runs", [])]
        check = Check(**data["check"]) if data.get("check") else None
        return cls(**{**data, "runs": runs, "check": check})


@dataclass(frozen=True)
class RunResult:
    status: RunStatus
    exit_code: int | None = None
    signal: int | None = None
    time_s: float = 0.0
    memory_kb: int = 0
    stdout: str = ""  # an excerpt, for diagnosis
    stderr: str = ""
    detail: str = ""  # the judge's reason (the failing assertion, the value returned)


@dataclass(frozen=True)
class CompileResult:
    ok: bool
    time_s: float = 0.0
    stderr: str = ""
    cached: bool = False


@dataclass(frozen=True)
class JobResult:
    """What happened to a job.

    ``error``: the job cannot be run as given (a reference problem). ``failure``: the
    executor itself failed (an infrastructure problem: the container is discarded).
    ``isolation`` says how the verdict was reached; ``helpers`` names functions that the
    test took from the program because the reference did not define them.
    """

    nonce: str = ""
    runs: list[RunResult] = field(default_factory=list)
    compile: CompileResult | None = None
    error: str | None = None
    failure: str | None = None
    isolation: str = ""
    helpers: list[str] = field(default_factory=list)
    budget_exhausted: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobResult:
        compiled = data.get("compile")
        return cls(
            **{
                **data,
                "runs": [RunResult(**run) for run in data.get("runs", [])],
                "compile": CompileResult(**compiled) if compiled else None,
            }
        )
