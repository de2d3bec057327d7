"""The code domain on the development backend (local executor processes, no container).

The same domain on real containers is tested in tests/integration/test_code_containment.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from rlvr.sandbox.pool import ProcessSlotFactory, SandboxPool
from rlvr.verifier.domains import CannotScore, InvalidReference, MissingReference
from rlvr.verifier.domains.code import CodeDomain
from rlvr.verifier.domains.code.tests import Limits, build_job


@pytest.fixture(scope="module")
def domain() -> Iterator[CodeDomain]:
    pool = SandboxPool(ProcessSlotFactory(), size=2, acquire_timeout_s=20).start()
    yield CodeDomain(pool.run, Limits(time_limit_s=2.0))
    pool.close()


def code(source: str, language: str = "python") -> str:
    return f"<think>plan</think>\n<answer>\n```{language}\n{source}\n```\n</answer>"


ADD_IO = {
    "language": "python",
    "tests": [{"stdin": "1 2\n", "stdout": "3\n"}, {"stdin": "-1 1\n", "stdout": "0\n"}],
}


def test_stdin_stdout(domain: CodeDomain) -> None:
    verdict = domain.verify(code("print(sum(map(int, input().split())))"), ADD_IO)
    assert (verdict.accuracy, verdict.scores["pass_rate"], verdict.details["verdict"]) == (
        1.0,
        1.0,
        "passed",
    )


def test_partial_credit(domain: CodeDomain) -> None:
    verdict = domain.verify(code("print(3)"), ADD_IO)
    assert (verdict.accuracy, verdict.scores["pass_rate"]) == (0.0, 0.5)
    assert verdict.details["verdict"] == "wrong_answer"


@pytest.mark.parametrize(
    ("mode", "printed", "expected", "passes"),
    [
        ("exact", "3 4", "3  4", False),
        ("tokens", "3 4", "3  4", True),
        ("float", "0.3333333", "0.33333333", True),
        ("tokens", "0.3333333", "0.33333333", False),
    ],
)
def test_compare_modes(
    domain: CodeDomain, mode: str, printed: str, expected: str, passes: bool
) -> None:
    reference = {
        "language": "python",
        "compare": mode,
        "tests": [{"stdin": "", "stdout": expected}],
    }
    assert domain.verify(code(f"print('{printed}')"), reference).accuracy == float(passes)


def test_function_calls_including_a_solution_class(domain: CodeDomain) -> None:
    reference = {
        "language": "python",
        "fn_name": "twoSum",
        "tests": [
            {"args": [[2, 7, 11], 9], "expected": [0, 1]},
            {"args": [[3, 3], 6], "expected": [0, 1]},
        ],
    }
    solution = (
        "class Solution:\n    def twoSum(self, nums, target):\n"
        "        seen = {}\n        for i, n in enumerate(nums):\n"
        "            if target - n in seen:\n                return [seen[target - n], i]\n"
        "            seen[n] = i\n"
    )
    assert domain.verify(code(solution), reference).accuracy == 1.0
    function = "def twoSum(nums, target):\n    return [0, 0]\n"
    assert domain.verify(code(function), reference).scores["pass_rate"] == 0.0


def test_humaneval_style(domain: CodeDomain) -> None:
    reference = {
        "language": "python",
        "entry_point": "add",
        "test_code": "def check(candidate):\n    assert candidate(1, 2) == 3\n",
    }
    assert domain.verify(code("def add(a, b):\n    return a + b"), reference).accuracy == 1.0
    wrong = domain.verify(code("def add(a, b):\n    return a - b"), reference)
    assert (wrong.accuracy, wrong.details["verdict"]) == (0.0, "wrong_answer")
    assert wrong.details["isolation"] == "judge"
    assert "AssertionError at line 2" in wrong.details["tests"][0]["detail"]


def test_cpp(domain: CodeDomain) -> None:
    source = "#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<'\\n';}"
    reference = {**ADD_IO, "language": "cpp"}
    assert domain.verify(code(source, "cpp"), reference).accuracy == 1.0
    broken = domain.verify(code("int main( {", "cpp"), reference)
    assert broken.details["verdict"] == "compile_error" and broken.scores["pass_rate"] == 0.0


@pytest.mark.parametrize(
    ("source", "verdict"),
    [
        ("while True: pass", "timeout"),
        ("raise SystemExit(3)", "runtime_error"),
        ("x = bytearray(4 * 1024**3)", "memory_limit"),
        ("print('y' * 10**7)", "output_limit"),
    ],
)
def test_failures_are_verdicts(domain: CodeDomain, source: str, verdict: str) -> None:
    reference = {"language": "python", "time_limit_s": 1, "tests": [{"stdin": "", "stdout": "1"}]}
    result = domain.verify(code(source), reference)
    assert (result.accuracy, result.details["verdict"]) == (0.0, verdict)


def test_the_item_budget_bounds_all_tests_together() -> None:
    """Each test fits its own limit; together they overrun the item's budget."""
    pool = SandboxPool(ProcessSlotFactory(), size=1, acquire_timeout_s=20).start()
    try:
        tight = CodeDomain(pool.run, Limits(time_limit_s=2.0, budget_s=1.5))
        reference = {
            "language": "python",
            "tests": [{"stdin": "", "stdout": "ok"} for _ in range(6)],
        }
        verdict = tight.verify(code("import time\ntime.sleep(0.4)\nprint('ok')"), reference)
    finally:
        pool.close()
    statuses = [test["status"] for test in verdict.details["tests"]]
    assert verdict.details["verdict"] == "timeout" and verdict.details["budget_exhausted"]
    assert statuses[:2] == ["passed", "passed"] and statuses[-1] == "not_run"
    assert 0 < verdict.scores["pass_rate"] < 1


def test_time_limits_beyond_the_budget_are_cut_to_it() -> None:
    job = build_job(
        "print(1)",
        "python",
        {"tests": [{"stdin": "", "stdout": "1"}], "time_limit_s": 999},
        Limits(budget_s=7.0),
    )
    assert (job.time_limit_s, job.budget_s) == (7.0, 7.0)


def test_no_code(domain: CodeDomain) -> None:
    verdict = domain.verify("<think>hm</think> I cannot solve this.", ADD_IO)
    assert (verdict.accuracy, verdict.extracted, verdict.details["verdict"]) == (
        0.0,
        None,
        "no_code",
    )


@pytest.mark.parametrize(
    ("reference", "error"),
    [
        ({"language": "python"}, MissingReference),
        ({"language": "python", "tests": []}, MissingReference),
        ({"language": "python", "tests": [{"stdin": 1, "stdout": "x"}]}, InvalidReference),
        (
            {"language": "python", "tests": [{"stdin": "", "stdout": "1"}], "compare": "fuzzy"},
            InvalidReference,
        ),
        (
            {"language": "python", "tests": [{"stdin": "", "stdout": "1"}], "time_limit_s": 0},
            InvalidReference,
        ),
        (
            {"language": "python", "tests": [{"stdin": "", "stdout": "1"}], "time_limit_s": "1"},
            InvalidReference,
        ),
        (
            {
                "language": "python",
                "test_code": "def check(c):\n    pass",
                "entry_point": "f",
                "test_setup": 3,
            },
            InvalidReference,
        ),
        # Only the reference can make these: the program never reaches the judge's code.
        (
            {"language": "python", "test_code": "def check(c) pass", "entry_point": "f"},
            InvalidReference,
        ),
        ({"language": "python", "test_code": "x = 1", "entry_point": "f"}, InvalidReference),
        (
            {
                "language": "python",
                "test_code": "def check(c):\n    c(object())",
                "entry_point": "f",
            },
            InvalidReference,
        ),
        ({"language": "python", "fn_name": "f", "tests": [{"args": [1]}]}, InvalidReference),
        ({"language": "cpp", "test_code": "x", "entry_point": "f"}, InvalidReference),
        ({"language": "brainfuck", "tests": [{"stdin": "", "stdout": ""}]}, CannotScore),
    ],
)
def test_bad_references(
    domain: CodeDomain, reference: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        domain.verify(code("print(1)"), reference)
