"""The executor and its judge, on this machine's own processes (no container, no uids).

The same executor runs in the sandbox image, where programs also run under their own uid;
tests/integration/test_code_containment.py and test_code_exploits.py check it there.
What is tested here does not depend on the uids: what the judge accepts as a pass.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from rlvr.sandbox import executor as executor_module
from rlvr.sandbox.executor import Executor
from rlvr.sandbox.protocol import Check, Job, JobResult, Run
from rlvr.sandbox.zygote import Zygote


@pytest.fixture(scope="module", params=["zygote", "fresh interpreter"])
def executor(request: pytest.FixtureRequest) -> Iterator[Executor]:
    """Judged runs fork from the zygote (as in the image) or start a fresh interpreter."""
    work = Path(tempfile.mkdtemp(prefix="rlvr-test-executor-"))
    patch = pytest.MonkeyPatch()
    patch.setattr(executor_module, "WORK", work)
    patch.setattr(executor_module, "SCRATCH", work)
    zygote = Zygote() if request.param == "zygote" else None
    yield Executor(zygote)
    if zygote is not None:
        zygote.close()
    patch.undo()
    shutil.rmtree(work, ignore_errors=True)


def _run(executor: Executor, source: str, *runs: Run, **options: object) -> JobResult:
    return executor.run(Job("python", source, list(runs) or [Run("", "")], **options))  # type: ignore[arg-type]


def _check(executor: Executor, source: str, test: str, entry: str = "f", **options: object) -> str:
    job = Job("python", source, [Run()], mode="check", check=Check(test, entry), **options)  # type: ignore[arg-type]
    result = executor.run(job)
    assert result.error is None, result.error
    return result.runs[0].status


def test_passes_and_fails(executor: Executor) -> None:
    result = _run(executor, "print(int(input()) * 2)", Run("2\n", "4"), Run("3\n", "7"))
    assert [r.status for r in result.runs] == ["passed", "wrong_answer"]
    assert result.runs[1].stdout == "6\n" and result.isolation == "output"


def test_the_answer_echoes_the_job_nonce(executor: Executor) -> None:
    job = Job("python", "print(1)", [Run("", "1")])
    assert executor.run(job).nonce == job.nonce != Job("python", "", []).nonce


def test_runtime_error_keeps_stderr(executor: Executor) -> None:
    [run] = _run(executor, "raise ValueError('boom')", Run("", "")).runs
    assert run.status == "runtime_error" and run.exit_code == 1 and "boom" in run.stderr


def test_wall_clock_kill(executor: Executor) -> None:
    [run] = _run(executor, "import time; time.sleep(30)", time_limit_s=0.5).runs
    assert run.status == "timeout" and run.time_s < 5


def test_cpu_loop_is_killed(executor: Executor) -> None:
    [run] = _run(executor, "while True: pass", time_limit_s=0.5).runs
    assert run.status == "timeout"


def test_memory_limit(executor: Executor) -> None:
    [run] = _run(executor, "x = bytearray(2 * 1024**3)", memory_mb=256).runs
    assert run.status == "memory_limit"


def test_output_cap(executor: Executor) -> None:
    [run] = _run(executor, "while True: print('y' * 1000)", output_limit_bytes=10_000).runs
    assert run.status == "output_limit" and len(run.stdout) <= 4096


def test_large_stdin_is_fed_without_blocking(executor: Executor) -> None:
    data = "7\n" * 200_000
    [run] = _run(
        executor,
        "import sys\nprint(sum(map(int, sys.stdin.read().split())))",
        Run(data, str(7 * 200_000)),
    ).runs
    assert run.status == "passed"


def test_background_children_die_with_the_run(executor: Executor) -> None:
    source = "import subprocess; subprocess.Popen(['sleep', '30']); print('done')"
    [run] = _run(executor, source, Run("", "done")).runs
    assert run.status == "passed" and run.time_s < 5


def test_stop_on_failure(executor: Executor) -> None:
    result = _run(
        executor,
        "print(input())",
        Run("1", "1"),
        Run("2", "3"),
        Run("4", "4"),
        stop_on_failure=True,
    )
    assert [r.status for r in result.runs] == ["passed", "wrong_answer", "not_run"]


def test_the_budget_bounds_the_whole_job(executor: Executor) -> None:
    runs = [Run("", "ok")] * 5
    result = _run(executor, "import time; time.sleep(0.3); print('ok')", *runs, budget_s=0.8)
    statuses = [r.status for r in result.runs]
    assert result.budget_exhausted and statuses[0] == "passed" and statuses[-1] == "not_run"


def test_environment_is_minimal(executor: Executor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLVR_SECRET", "hunter2")
    [run] = _run(executor, "import os; print(sorted(os.environ))").runs
    assert "RLVR_SECRET" not in run.stdout and "PATH" in run.stdout


def test_cpp_compiles_once_per_program(executor: Executor) -> None:
    source = "#include <iostream>\nint main(){int a;std::cin>>a;std::cout<<a+1;}"
    first = executor.run(Job("cpp", source, [Run("1", "2")]))
    second = executor.run(Job("cpp", source, [Run("5", "6")]))
    assert first.compile is not None and not first.compile.cached
    assert second.compile is not None and second.compile.cached
    assert [first.runs[0].status, second.runs[0].status] == ["passed", "passed"]


def test_compile_error(executor: Executor) -> None:
    result = executor.run(Job("cpp", "int main( {", [Run()]))
    assert result.compile is not None and not result.compile.ok and result.runs == []
    assert "error" in result.compile.stderr


def test_unsupported_language(executor: Executor) -> None:
    assert executor.run(Job("cobol", "x", [Run()])).error == "unsupported language 'cobol'"


ADD_TEST = (
    "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(5, 5) == 10\n"
)


def test_a_check_passes_only_when_it_ran_to_the_end(executor: Executor) -> None:
    assert _check(executor, "def f(a, b):\n    return a + b", ADD_TEST) == "passed"
    assert _check(executor, "def f(a, b):\n    return 3", ADD_TEST) == "wrong_answer"
    assert _check(executor, "def f(a, b):\n    raise ValueError", ADD_TEST) == "runtime_error"
    assert _check(executor, "def g(a, b):\n    return a + b", ADD_TEST) == "runtime_error"


# Finds the program's end of the channel to the judge, as an exploit would.
CHANNEL = """import os
def chan():
    for fd in os.listdir('/proc/self/fd'):
        try:
            if os.readlink(f'/proc/self/fd/{fd}').startswith('socket:'):
                return int(fd)
        except OSError:
            pass
"""
ASSERTION_EXPLOITS = {
    "os_exit_at_load": "import os\nos._exit(0)",
    "sys_exit_at_load": "import sys\nsys.exit(0)",
    "systemexit_in_call": "def f(a, b):\n    raise SystemExit(0)",
    "os_exit_in_call": "def f(a, b):\n    import os\n    os._exit(0)",
    "atexit_handler": "import atexit, os\natexit.register(lambda: os._exit(0))\n"
    "def f(a, b):\n    return 0",
    "excepthook": "import sys, os\nsys.excepthook = lambda *a: os._exit(0)\n"
    "def f(a, b):\n    return 0",
    "always_equal_object": "class T:\n    def __eq__(self, o):\n        return True\n"
    "def f(a, b):\n    return T()",
    "always_equal_int_subclass": "class I(int):\n    def __eq__(self, o):\n        return True\n"
    "def f(a, b):\n    return I(0)",
    "always_equal_str_subclass": "class S(str):\n    def __eq__(self, o):\n        return True\n"
    "def f(a, b):\n    return S('')",
    "patched_abs": "import builtins\nbuiltins.abs = lambda x: 0\ndef f(a, b):\n    return 0.5",
    "stop_iteration": "def f(a, b):\n    raise StopIteration",
    "forged_answer_in_call": CHANNEL
    + "def f(a, b):\n"
    + '    os.write(chan(), b\'{"op":"return","id":"j2","value":3}\\n\')\n'
    + "    return 0",
    "forged_answers_up_front": CHANNEL
    + 'os.write(chan(), b\'{"op":"loaded","ok":true}\\n\'\n'
    + '    b\'{"op":"return","id":"j1","value":{}}\\n\'\n'
    + '    b\'{"op":"return","id":"j2","value":3}\\n\'\n'
    + '    b\'{"op":"return","id":"j3","value":10}\\n\')\n'
    + "import time\ntime.sleep(5)",
    "forged_callback": CHANNEL
    + "def f(a, b):\n"
    + '    os.write(chan(), b\'{"op":"callback","id":"p1","handle":0}\\n\')\n'
    + "    return a + b",
    "garbage_on_channel": CHANNEL
    + "os.write(chan(), b'not json\\n')\ndef f(a, b):\n    return a + b",
    "closed_channel": CHANNEL + "os.close(chan())\ndef f(a, b):\n    return a + b",
    "returns_a_function": "def f(a, b):\n    return (lambda: 3)",
    "returns_a_generator": "def f(a, b):\n    return (i for i in [3])",
}


@pytest.mark.parametrize("source", ASSERTION_EXPLOITS.values(), ids=ASSERTION_EXPLOITS.keys())
def test_exploits_of_assertion_tests_fail(executor: Executor, source: str) -> None:
    test = (
        "def check(candidate):\n"
        "    assert all(map(lambda c: candidate(*c[0]) == c[1], [((1, 2), 3), ((5, 5), 10)]))\n"
        "    assert abs(candidate(1, 2) - 3) < 1e-6\n"
    )
    assert _check(executor, source, test, time_limit_s=3) != "passed"
    assert _check(executor, source, ADD_TEST, time_limit_s=3) != "passed"


def test_a_check_that_swallows_errors_still_fails_a_program_that_left(executor: Executor) -> None:
    test = (
        "def check(candidate):\n"
        "    try:\n        candidate(1, 2)\n    except BaseException:\n        pass\n"
    )
    assert _check(executor, "def f(a, b):\n    return 3", test) == "passed"
    assert _check(executor, "def f(a, b):\n    import os; os._exit(0)", test) != "passed"


def test_values_cross_as_plain_data(executor: Executor) -> None:
    test = (
        "from fractions import Fraction\n"
        "def check(candidate):\n"
        "    assert candidate((1, 2)) == ((1, 2), [1, 2], {1: 'a'}, {3}, b'x', 1 + 2j)\n"
        "    assert type(candidate((1, 2))[0]) is tuple\n"
        "    assert candidate(Fraction(1, 3))[0] == Fraction(1, 3)\n"
        "    assert candidate(float('inf'))[0] == float('inf')\n"
    )
    source = "def f(x):\n    return (x, [1, 2], {1: 'a'}, {3}, b'x', 1 + 2j)"
    assert _check(executor, source, test) == "passed"


def test_module_level_asserts_mbpp_style(executor: Executor) -> None:
    """No check(): the asserts that name the entry point are the test; they must run."""
    test = "assert f(2) == 4\nassert f(3) == 9\n"
    assert _check(executor, "def f(x):\n    return x * x", test) == "passed"
    assert _check(executor, "def f(x):\n    return x + 2", test) == "wrong_answer"
    assert _check(executor, "import os\nos._exit(0)", test) != "passed"


def test_iterators_cross_as_iterators(executor: Executor) -> None:
    test = (
        "def check(candidate):\n"
        "    assert list(candidate(3)) == [0, 1, 4]\n"
        "    assert candidate(3) != [0, 1, 4]\n"  # as in-process: an iterator is not a list
        "    assert list(candidate(-1)) == []\n"
    )
    assert _check(executor, "def f(n):\n    return (i * i for i in range(n))", test) == "passed"
    assert (
        _check(executor, "def f(n):\n    return map(lambda i: i * i, range(n))", test) == "passed"
    )
    endless = "import itertools\ndef f(n):\n    return itertools.count()"
    assert _check(executor, endless, test, time_limit_s=3) != "passed"


def test_exceptions_cross_as_built_in_types(executor: Executor) -> None:
    test = (
        "def check(candidate):\n"
        "    try:\n        candidate(-1)\n    except ValueError:\n        pass\n"
        "    else:\n        assert False\n"
    )
    assert _check(executor, "def f(x):\n    raise ValueError('negative')", test) == "passed"
    assert _check(executor, "def f(x):\n    return 0", test) == "wrong_answer"


def test_callables_passed_by_the_test_are_called_back(executor: Executor) -> None:
    test = "def check(candidate):\n    assert candidate(lambda v: v * 2, 4) == 8\n"
    assert _check(executor, "def f(g, x):\n    return g(x)", test) == "passed"


def test_setup_defines_trusted_helpers(executor: Executor) -> None:
    """A helper the test calls comes from the trusted setup when there is one; otherwise
    from the program, and the result says so."""
    test = "def check(candidate):\n    assert poly(candidate()) == 0\n"
    cheat = "def poly(x):\n    return 0\ndef f():\n    return 1"
    honest = "def poly(x):\n    return x - 2\ndef f():\n    return 2"
    setup = "def poly(x):\n    return x - 2\n"
    trusted = Job("python", cheat, [Run()], mode="check", check=Check(test, "f", setup))
    assert executor.run(trusted).runs[0].status == "wrong_answer"
    honest_job = Job("python", honest, [Run()], mode="check", check=Check(test, "f", setup))
    assert executor.run(honest_job).runs[0].status == "passed"
    untrusted = executor.run(Job("python", honest, [Run()], mode="check", check=Check(test, "f")))
    assert untrusted.runs[0].status == "passed" and untrusted.helpers == ["poly"]


def test_function_calls_compare_values(executor: Executor) -> None:
    job = Job(
        "python",
        "def f(xs):\n    return tuple(sorted(xs))",
        [Run(args=[[3, 1]], expected_value=[1, 3]), Run(args=[[2]], expected_value=[3])],
        mode="call",
        fn_name="f",
    )
    assert [r.status for r in executor.run(job).runs] == ["passed", "wrong_answer"]
    floats = Job(
        "python",
        "def f():\n    return 0.1 + 0.2",
        [Run(args=[], expected_value=0.3)],
        mode="call",
        fn_name="f",
    )
    assert executor.run(floats).runs[0].status == "passed"
    boolean = Job(
        "python",
        "def f():\n    return 1",
        [Run(args=[], expected_value=True)],
        mode="call",
        fn_name="f",
    )
    assert executor.run(boolean).runs[0].status == "wrong_answer"


def test_nothing_of_a_job_is_left_in_its_directories(executor: Executor) -> None:
    _run(executor, "open('left.txt', 'w').write('x')\nprint(1)", Run("", "1"))
    leftovers = [p for p in executor_module.WORK.iterdir() if not p.name.startswith("cache-")]
    assert leftovers == [], leftovers
    assert not os.path.exists(executor_module.WORK / "left.txt")


def test_the_program_cannot_turn_its_failure_into_a_reference_error(executor: Executor) -> None:
    """`reward: null` is a way out of a 0: nothing the program does may lead there."""
    uses_value = "LIMIT = 2 * SIZE\ndef check(candidate):\n    assert candidate() == LIMIT\n"
    job = Job("python", "SIZE = None\ndef f():\n    return 0", [Run()], mode="check",
              check=Check(uses_value, "f"))  # fmt: skip
    result = executor.run(job)
    assert result.error is None and result.runs[0].status == "runtime_error"
    mbpp = "assert f(2) == 4\n"
    own_check = "def check(candidate):\n    pass\ndef f(x):\n    return 0"
    assert _check(executor, own_check, mbpp) == "wrong_answer"
