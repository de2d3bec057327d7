"""The executor's limits, on this machine's own processes (no container: the sweep is off).

The same executor runs in the sandbox image; tests/integration/test_code_containment.py
checks it there, where the container adds its own limits.
"""

from __future__ import annotations

import pytest

from rlvr.sandbox.executor import Executor
from rlvr.sandbox.protocol import Job, JobResult, Run


@pytest.fixture(scope="module")
def executor() -> Executor:
    return Executor()


def _run(executor: Executor, source: str, *runs: Run, **options: object) -> JobResult:
    return executor.run(Job("python", source, list(runs) or [Run()], **options))  # type: ignore[arg-type]


def test_passes_and_fails(executor: Executor) -> None:
    result = _run(executor, "print(int(input()) * 2)", Run("2\n", "4"), Run("3\n", "7"))
    assert [r.status for r in result.runs] == ["passed", "wrong_answer"]
    assert result.runs[1].stdout == "6\n"


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
    [run] = _run(executor, "x = bytearray(2 * 1024**3)", memory_mb=256, compare="none").runs
    assert run.status == "memory_limit"


def test_output_cap(executor: Executor) -> None:
    [run] = _run(executor, "while True: print('y' * 1000)", output_limit_bytes=10_000).runs
    assert run.status == "output_limit" and len(run.stdout) <= 4096


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
