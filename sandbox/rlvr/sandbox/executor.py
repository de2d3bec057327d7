"""The in-container executor (stdlib only): read a job per line on stdin, run it, answer a line.

Each run is a fresh process in its own session with rlimits (address space, CPU,
file size, processes, open files), a wall-clock kill of its whole process group,
capped stdout/stderr and a minimal environment, in a fresh work directory. In a
container (``RLVR_SANDBOX_SWEEP=1``) every process but the executor is killed and
the scratch space wiped after each job, so nothing outlives the job that made it.

    python3 -m rlvr.sandbox.executor          # serve jobs on stdin/stdout
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .checkers import outputs_match
from .languages import Language, find_language
from .protocol import CompileResult, Job, JobResult, RunResult, RunStatus

SCRATCH = Path(os.environ.get("RLVR_SANDBOX_SCRATCH", tempfile.gettempdir()))
SWEEP = os.environ.get("RLVR_SANDBOX_SWEEP") == "1"
EXCERPT = 4096  # bytes of stdout/stderr kept for diagnosis
COMPILE_TIME_S = 30.0
COMPILE_MEMORY_MB = 2048
MAX_PROCESSES = 64
MAX_FILE_BYTES = 16 << 20


@dataclass
class Execution:
    exit_code: int | None
    signal: int | None
    time_s: float
    memory_kb: int
    stdout: bytes
    stderr: bytes
    timed_out: bool
    output_exceeded: bool


def _limit_child(memory_mb: int, cpu_s: float) -> None:
    memory = memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(cpu_s) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
    resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _feed(pipe: object, data: bytes) -> None:
    try:
        pipe.write(data)  # type: ignore[attr-defined]
        pipe.close()  # type: ignore[attr-defined]
    except (BrokenPipeError, OSError):
        pass


def execute(
    command: list[str],
    cwd: Path,
    stdin: bytes,
    time_limit_s: float,
    memory_mb: int,
    output_limit: int,
) -> Execution:
    """Run ``command`` once under the limits; never raises for anything the program does."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(cwd),
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
    }
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        close_fds=True,
        preexec_fn=lambda: _limit_child(memory_mb, time_limit_s),
    )
    threading.Thread(target=_feed, args=(process.stdin, stdin), daemon=True).start()
    deadline = started + time_limit_s
    out, err = bytearray(), bytearray()
    timed_out = exceeded = False
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ, out)  # type: ignore[arg-type]
        selector.register(process.stderr, selectors.EVENT_READ, err)  # type: ignore[arg-type]
        exited = False
        while selector.get_map():
            now = time.monotonic()
            if now >= deadline:
                timed_out = not exited
                break
            if not exited and _exited(process.pid):
                # Exited, but a background child may hold the pipes open: drain briefly.
                exited, deadline = True, min(deadline, now + 0.1)
            for key, _ in selector.select(timeout=min(deadline - now, 0.05)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                buffer: bytearray = key.data
                buffer.extend(chunk[: max(0, output_limit + 1 - len(buffer))])
                if len(out) > output_limit:
                    exceeded = True
            if exceeded:
                break
    _kill_group(process.pid)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = 0  # reaped above; keeps Popen from waiting again
    for pipe in (process.stdout, process.stderr):
        pipe.close()  # type: ignore[union-attr]
    elapsed = time.monotonic() - started
    killed_by = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    if killed_by == signal.SIGXCPU:
        timed_out = True
    return Execution(
        exit_code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        signal=killed_by,
        time_s=round(elapsed, 4),
        memory_kb=usage.ru_maxrss,
        stdout=bytes(out[:output_limit]),
        stderr=bytes(err[:EXCERPT]),
        timed_out=timed_out,
        output_exceeded=exceeded,
    )


def _exited(pid: int) -> bool:
    """Whether ``pid`` has exited, without reaping it (wait4 below needs its rusage)."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _judge(run_expected: str | None, job: Job, ran: Execution) -> RunStatus:
    stderr = ran.stderr.decode("utf-8", "replace")
    if ran.output_exceeded:
        return "output_limit"
    if ran.timed_out:
        return "timeout"
    if ran.exit_code != 0:
        if "MemoryError" in stderr or "bad_alloc" in stderr:
            return "memory_limit"
        return "runtime_error"
    if run_expected is not None and not outputs_match(
        ran.stdout.decode("utf-8", "replace"), run_expected, job.compare, job.float_tolerance
    ):
        return "wrong_answer"
    return "passed"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Executor:
    """Runs jobs one at a time; remembers compiled programs (verified by hash before reuse)."""

    def __init__(self) -> None:
        self._binaries: dict[str, tuple[Path, str]] = {}  # source hash → (path, binary hash)
        self._cache_dir = SCRATCH / "rlvr-cache"

    def run(self, job: Job) -> JobResult:
        language = find_language(job.language)
        if language is None:
            return JobResult(error=f"unsupported language {job.language!r}")
        workdir = Path(tempfile.mkdtemp(prefix="job-", dir=SCRATCH))
        try:
            source = workdir / language.source_file
            source.write_text(job.source, encoding="utf-8")
            exe = workdir / "main"
            compiled = None
            if language.compile is not None:
                compiled = self._compile(language, job.source, source, exe, workdir)
                if not compiled.ok:
                    return JobResult(compile=compiled)
            command = [part.format(src=source, exe=exe) for part in language.run]
            return JobResult(runs=self._runs(job, command, workdir), compile=compiled)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            if SWEEP:
                _sweep(keep={self._cache_dir})

    def _runs(self, job: Job, command: list[str], workdir: Path) -> list[RunResult]:
        results: list[RunResult] = []
        for index, run in enumerate(job.runs):
            ran = execute(
                command,
                workdir,
                run.stdin.encode(),
                job.time_limit_s,
                job.memory_mb,
                job.output_limit_bytes,
            )
            status = _judge(run.expected, job, ran)
            results.append(
                RunResult(
                    status=status,
                    exit_code=ran.exit_code,
                    signal=ran.signal,
                    time_s=ran.time_s,
                    memory_kb=ran.memory_kb,
                    stdout=ran.stdout[:EXCERPT].decode("utf-8", "replace"),
                    stderr=ran.stderr.decode("utf-8", "replace"),
                )
            )
            if job.stop_on_failure and status != "passed":
                results.extend(RunResult("not_run") for _ in job.runs[index + 1 :])
                break
        return results

    def _compile(
        self, language: Language, text: str, source: Path, exe: Path, workdir: Path
    ) -> CompileResult:
        key = _digest(f"{language.name}\0{text}".encode())
        cached = self._binaries.get(key)
        if cached and cached[0].exists() and _digest(cached[0].read_bytes()) == cached[1]:
            shutil.copy2(cached[0], exe)
            return CompileResult(ok=True, cached=True)
        assert language.compile is not None
        command = [part.format(src=source, exe=exe) for part in language.compile]
        ran = execute(command, workdir, b"", COMPILE_TIME_S, COMPILE_MEMORY_MB, 1 << 20)
        ok = ran.exit_code == 0 and exe.exists()
        if ok:
            self._cache_dir.mkdir(exist_ok=True)
            stored = self._cache_dir / key
            shutil.copy2(exe, stored)
            self._binaries[key] = (stored, _digest(stored.read_bytes()))
        stderr = ran.stderr.decode("utf-8", "replace")
        if ran.timed_out:
            stderr = f"compilation took longer than {COMPILE_TIME_S:g} s\n{stderr}"
        return CompileResult(ok=ok, time_s=ran.time_s, stderr=stderr)


def _sweep(keep: set[Path]) -> None:
    """Kill every process but this one and PID 1, and empty the scratch space."""
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) not in (1, me):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry.name), signal.SIGKILL)
    for child in SCRATCH.iterdir():
        if child in keep:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def serve() -> None:
    executor = Executor()
    for line in sys.stdin.buffer:
        try:
            message = json.loads(line)
            if message == {"ping": True}:  # the pool checking that this executor is alive
                sys.stdout.write(json.dumps(JobResult().to_dict()) + "\n")
                sys.stdout.flush()
                continue
            job = Job.from_dict(message)
        except (ValueError, TypeError) as exc:
            result = JobResult(error=f"malformed job: {exc}")
        else:
            try:
                result = executor.run(job)
            except Exception as exc:  # the executor must answer every job
                result = JobResult(error=f"executor failed: {type(exc).__name__}: {exc}")
        sys.stdout.write(json.dumps(result.to_dict()) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
