"""Turn a code reference into a sandbox job, and the job's result into scores.

Three test formats (one per reference):

* ``tests: [{"stdin": ..., "stdout": ...}]`` — programs that read and print; the
  executor compares what they print;
* ``fn_name`` + ``tests: [{"args": [...], "expected": ...}]`` — call a function
  (LeetCode/TACO style, Python; a ``Solution`` class method is found too); the judge
  makes each call and compares the returned value, as JSON, with ``expected``;
* ``test_code`` + ``entry_point`` — HumanEval/MBPP assertions: the judge runs the
  dataset's ``check(candidate)`` with ``candidate`` a proxy to the program's function.
  ``test_setup`` (optional) is trusted code the judge runs first: the helpers a
  HumanEval prompt defines and its test calls (``poly``, ``encode_cyclic``). Without
  it, such helpers are taken from the program, and ``details.program_helpers`` says so.

Time: ``time_limit_s`` bounds each test (default :attr:`Limits.time_limit_s`);
:attr:`Limits.budget_s`, the service's one per-item budget, bounds the whole item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rlvr.sandbox.protocol import Check, Compare, Job, JobResult, Mode, Run

from ..base import InvalidReference, MissingReference


@dataclass(frozen=True)
class Limits:
    """Server-side bounds on what a reference may ask for."""

    time_limit_s: float = 5.0  # per test, when the reference names none
    budget_s: float = 10.0  # per item: compile and every test (RLVR_ITEM_TIMEOUT_S)
    memory_mb: int = 512
    max_memory_mb: int = 2048
    max_tests: int = 256


def _number(reference: Mapping[str, Any], key: str, default: float, ceiling: float) -> float:
    value = reference.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= ceiling:
        raise InvalidReference(f"{key} must be a number in (0, {ceiling:g}]")
    return float(value)


def _time_limit(reference: Mapping[str, Any], limits: Limits) -> float:
    """The reference's per-test limit, cut to the item's budget (datasets ask for more)."""
    value = reference.get("time_limit_s", limits.time_limit_s)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidReference("time_limit_s must be a positive number")
    return min(float(value), limits.budget_s)


def _tests(reference: Mapping[str, Any], limits: Limits) -> list[Any]:
    tests = reference.get("tests")
    if not isinstance(tests, list) or not tests:
        raise MissingReference("code reference needs a non-empty 'tests' list or 'test_code'")
    if len(tests) > limits.max_tests:
        raise InvalidReference(f"at most {limits.max_tests} tests per item")
    if not all(isinstance(test, dict) for test in tests):
        raise InvalidReference("each test must be an object")
    return tests


def _optional_text(reference: Mapping[str, Any], key: str) -> str | None:
    value = reference.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidReference(f"'{key}' must be a string")
    return value


def _shape(
    reference: Mapping[str, Any], limits: Limits, language: str
) -> tuple[Mode, list[Run], dict[str, Any]]:
    """(mode, runs, the job's other fields) for the reference's test format."""
    if "test_code" in reference:
        test_code, entry = reference.get("test_code"), reference.get("entry_point")
        if not isinstance(test_code, str) or not isinstance(entry, str) or not entry.isidentifier():
            raise InvalidReference("'test_code' needs a string and 'entry_point' an identifier")
        if language != "python":
            raise InvalidReference("'test_code' tests are for python")
        check = Check(test_code, entry, _optional_text(reference, "test_setup"))
        return "check", [Run()], {"check": check}
    tests = _tests(reference, limits)
    if "fn_name" in reference:
        name = reference["fn_name"]
        if not isinstance(name, str) or not name.isidentifier() or language != "python":
            raise InvalidReference("'fn_name' must be an identifier, for python")
        runs = []
        for test in tests:
            args = test.get("args")
            if not isinstance(args, list) or "expected" not in test:
                raise InvalidReference("function tests need 'args' (a list) and 'expected'")
            runs.append(Run(args=args, expected_value=test["expected"]))
        return "call", runs, {"fn_name": name}
    runs = []
    for test in tests:
        stdin, stdout = test.get("stdin", ""), test.get("stdout")
        if not isinstance(stdin, str) or not isinstance(stdout, str):
            raise InvalidReference("stdin/stdout tests need strings 'stdin' and 'stdout'")
        runs.append(Run(stdin, stdout))
    compare: Compare
    compare = reference.get("compare", "tokens")
    if compare not in ("exact", "tokens", "float"):
        raise InvalidReference("compare must be 'exact', 'tokens' or 'float'")
    return "stdio", runs, {"compare": compare}


def build_job(program: str, language: str, reference: Mapping[str, Any], limits: Limits) -> Job:
    """The sandbox job that tests ``program`` as ``reference`` says."""
    mode, runs, fields = _shape(reference, limits, language)
    return Job(
        language=language,
        source=program,
        runs=runs,
        mode=mode,
        time_limit_s=_time_limit(reference, limits),
        budget_s=limits.budget_s,
        memory_mb=int(_number(reference, "memory_mb", limits.memory_mb, limits.max_memory_mb)),
        float_tolerance=_number(reference, "float_tolerance", 1e-6, 1.0),
        stop_on_failure=bool(reference.get("stop_on_first_failure", False)),
        **fields,
    )


def summarize(result: JobResult) -> tuple[float, str, dict[str, Any]]:
    """(pass rate, verdict code, details) of a finished job."""
    if result.compile is not None and not result.compile.ok:
        return 0.0, "compile_error", {"compile_stderr": result.compile.stderr[-2000:]}
    statuses = [run.status for run in result.runs]
    passed = statuses.count("passed")
    rate = passed / len(statuses) if statuses else 0.0
    failing = next((s for s in statuses if s != "passed"), None)
    if result.budget_exhausted:
        failing = "timeout"
    tests = [
        {
            "status": run.status,
            "time_s": run.time_s,
            "exit_code": run.exit_code,
            **({"detail": run.detail} if run.detail else {}),
            **({"stderr": run.stderr[-500:]} if run.status != "passed" and run.stderr else {}),
        }
        for run in result.runs
    ]
    details: dict[str, Any] = {
        "passed": passed,
        "total": len(statuses),
        "tests": tests,
        "isolation": result.isolation,
    }
    if result.helpers:
        details["program_helpers"] = result.helpers
    if result.budget_exhausted:
        details["budget_exhausted"] = True
    if result.compile is not None:
        details["compile_cached"] = result.compile.cached
    return rate, failing or "passed", details
