"""Turn a code reference into a sandbox job, and the job's result into scores.

Three test formats (one per reference):

* ``tests: [{"stdin": ..., "stdout": ...}]`` — programs that read and print;
* ``fn_name`` + ``tests: [{"args": [...], "expected": ...}]`` — call a function
  (LeetCode/TACO style, Python; a ``Solution`` class method is found too);
* ``test_code`` + ``entry_point`` — HumanEval/MBPP assertions, ``check(entry_point)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rlvr.sandbox.protocol import Compare, Job, JobResult, Run

from ..base import InvalidReference, MissingReference

_CALL_HARNESS = """

import json as _rlvr_json, sys as _rlvr_sys
_rlvr_name = {name!r}
_rlvr_fn = globals().get(_rlvr_name)
if _rlvr_fn is None and "Solution" in globals():
    _rlvr_fn = getattr(Solution(), _rlvr_name)
_rlvr_out = _rlvr_fn(*_rlvr_json.loads(_rlvr_sys.stdin.read()))
print(_rlvr_json.dumps(_rlvr_out, sort_keys=True))
"""


@dataclass(frozen=True)
class Limits:
    """Server-side bounds on what a reference may ask for."""

    time_limit_s: float = 5.0
    max_time_limit_s: float = 30.0
    memory_mb: int = 512
    max_memory_mb: int = 2048
    max_tests: int = 256


def _number(reference: Mapping[str, Any], key: str, default: float, ceiling: float) -> float:
    value = reference.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= ceiling:
        raise InvalidReference(f"{key} must be a number in (0, {ceiling:g}]")
    return float(value)


def _tests(reference: Mapping[str, Any], limits: Limits) -> list[Any]:
    tests = reference.get("tests")
    if not isinstance(tests, list) or not tests:
        raise MissingReference("code reference needs a non-empty 'tests' list or 'test_code'")
    if len(tests) > limits.max_tests:
        raise InvalidReference(f"at most {limits.max_tests} tests per item")
    if not all(isinstance(test, dict) for test in tests):
        raise InvalidReference("each test must be an object")
    return tests


def _runs_and_program(
    program: str, reference: Mapping[str, Any], limits: Limits, language: str
) -> tuple[str, list[Run], Compare]:
    """(source to run, runs, compare mode) for the reference's test format."""
    if "test_code" in reference:
        test_code, entry = reference.get("test_code"), reference.get("entry_point")
        if not isinstance(test_code, str) or not isinstance(entry, str) or not entry.isidentifier():
            raise InvalidReference("'test_code' needs a string and 'entry_point' an identifier")
        if language != "python":
            raise InvalidReference("'test_code' tests are for python")
        source = f"{program}\n\n{test_code}\n\ncheck({entry})\n"
        return source, [Run()], "none"
    tests = _tests(reference, limits)
    if "fn_name" in reference:
        name = reference["fn_name"]
        if not isinstance(name, str) or not name.isidentifier() or language != "python":
            raise InvalidReference("'fn_name' must be an identifier, for python")
        try:
            runs = [
                Run(json.dumps(t["args"]), json.dumps(t["expected"], sort_keys=True)) for t in tests
            ]
        except (KeyError, TypeError) as exc:
            raise InvalidReference("function tests need 'args' (a list) and 'expected'") from exc
        return program + _CALL_HARNESS.format(name=name), runs, "exact"
    runs = []
    for test in tests:
        stdin, stdout = test.get("stdin", ""), test.get("stdout")
        if not isinstance(stdin, str) or not isinstance(stdout, str):
            raise InvalidReference("stdin/stdout tests need strings 'stdin' and 'stdout'")
        runs.append(Run(stdin, stdout))
    compare = reference.get("compare", "tokens")
    if compare == "exact" or compare == "tokens" or compare == "float":
        return program, runs, compare
    raise InvalidReference("compare must be 'exact', 'tokens' or 'float'")


def build_job(program: str, language: str, reference: Mapping[str, Any], limits: Limits) -> Job:
    """The sandbox job that tests ``program`` as ``reference`` says."""
    source, runs, compare = _runs_and_program(program, reference, limits, language)
    return Job(
        language=language,
        source=source,
        runs=runs,
        time_limit_s=_number(
            reference, "time_limit_s", limits.time_limit_s, limits.max_time_limit_s
        ),
        memory_mb=int(_number(reference, "memory_mb", limits.memory_mb, limits.max_memory_mb)),
        compare=compare,
        float_tolerance=_number(reference, "float_tolerance", 1e-6, 1.0),
        stop_on_failure=bool(reference.get("stop_on_first_failure", False)),
    )


def summarize(result: JobResult) -> tuple[float, str, dict[str, Any]]:
    """(pass rate, verdict code, details) of a finished job."""
    if result.compile is not None and not result.compile.ok:
        return 0.0, "compile_error", {"compile_stderr": result.compile.stderr[-2000:]}
    statuses = [run.status for run in result.runs]
    passed = statuses.count("passed")
    rate = passed / len(statuses) if statuses else 0.0
    failing = next((s for s in statuses if s != "passed"), None)
    tests = [
        {
            "status": run.status,
            "time_s": run.time_s,
            "exit_code": run.exit_code,
            **({"stderr": run.stderr[-500:]} if run.status != "passed" and run.stderr else {}),
        }
        for run in result.runs
    ]
    details: dict[str, Any] = {"passed": passed, "total": len(statuses), "tests": tests}
    if result.compile is not None:
        details["compile_cached"] = result.compile.cached
    return rate, failing or "passed", details
