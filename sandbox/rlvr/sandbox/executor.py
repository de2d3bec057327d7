"""The in-container executor (stdlib only): read a job per line, run it, answer a line.

Trusted, it runs as root with a handful of capabilities in the container and is
non-dumpable; its channel (the container's attached stdin/stdout) is moved to private
fds, so nothing it starts inherits it. Programs, and the compiler, run as another uid
(:mod:`.processes`); function-call and assertion tests are judged by a forked judge
under a third uid (:mod:`.judge`). Each run is a fresh process in a fresh session with
rlimits, a wall-clock kill and capped output; the job's ``budget_s`` bounds compile and
runs together. After every run all other processes in the container are killed; after
every job the places a program can write are emptied (:mod:`.cleanup`).

    python3 -P -m rlvr.sandbox.executor          # serve jobs on stdin/stdout
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from . import cleanup, processes
from .checkers import outputs_match
from .compiler import Compiler
from .judge import judge
from .languages import find_language
from .processes import ISOLATE, Execution
from .protocol import Job, JobResult, Run, RunResult, RunStatus
from .zygote import Zygote

# Where programs may write (a tmpfs in the container) and where the executor keeps the
# job's files and the compile cache (a tmpfs only root can write).
SCRATCH = Path(os.environ.get("RLVR_SANDBOX_SCRATCH", tempfile.gettempdir()))
WORK = Path(os.environ.get("RLVR_SANDBOX_WORK", tempfile.gettempdir()))
JUDGE_MEMORY_MB = 1024
_HARNESS = "import sys; sys.path.insert(0, {root!r}); from rlvr.sandbox.harness import main; main()"
_ROOT = str(Path(__file__).resolve().parents[2])


def _status(
    ran: Execution, judged: dict[str, Any] | None, expected: str | None, job: Job
) -> RunStatus:
    stderr = ran.stderr.decode("utf-8", "replace")
    if ran.output_exceeded:
        return "output_limit"
    if judged is not None and judged.get("status") == "passed":
        return "passed"  # the judge saw the checks through: what happened after is moot
    if ran.timed_out:
        return "timeout"
    out_of_memory = "MemoryError" in stderr or "bad_alloc" in stderr
    if judged is not None:
        status = judged.get("status")
        if status == "wrong_answer":
            return "wrong_answer"
        if out_of_memory or "MemoryError" in str(judged.get("message")):
            return "memory_limit"
        return "runtime_error"
    if ran.exit_code != 0:
        return "memory_limit" if out_of_memory else "runtime_error"
    assert expected is not None
    got = ran.stdout.decode("utf-8", "replace")
    if not outputs_match(got, expected, job.compare, job.float_tolerance):
        return "wrong_answer"
    return "passed"


class Executor:
    """Runs jobs one at a time."""

    def __init__(self, zygote: Zygote | None = None) -> None:
        cache = WORK / "cache" if ISOLATE else Path(tempfile.mkdtemp(prefix="cache-", dir=WORK))
        self._compiler = Compiler(cache)
        self._zygote = zygote
        self._spare = frozenset({zygote.pid} if zygote is not None else ())

    def run(self, job: Job) -> JobResult:
        language = find_language(job.language)
        if language is None:
            return JobResult(job.nonce, error=f"unsupported language {job.language!r}")
        if job.mode != "stdio" and language.name != "python":
            return JobResult(job.nonce, error=f"{job.mode} tests are for python")
        deadline = time.monotonic() + job.budget_s
        # The program's source and binary, where it cannot write; and where it may write.
        files = Path(tempfile.mkdtemp(prefix="job-", dir=WORK))
        cwd = Path(tempfile.mkdtemp(prefix="run-", dir=SCRATCH))
        try:
            files.chmod(0o755)
            if ISOLATE:
                os.chown(cwd, processes.PROGRAM_UID, processes.PROGRAM_UID)
            source = files / language.source_file
            source.write_text(job.source, encoding="utf-8")
            exe = files / "main"
            compiled = None
            if language.compile is not None:
                compiled = self._compiler.compile(language, job, source, exe, cwd, deadline)
                if not compiled.ok:
                    return JobResult(job.nonce, compile=compiled)
            command = [part.format(src=source, exe=exe) for part in language.run]
            if job.mode != "stdio":
                command = ["python3", "-I", "-B", "-c", _HARNESS.format(root=_ROOT), str(source)]
                if self._zygote is not None and not self._zygote.alive():
                    raise RuntimeError("the zygote died")
            runs, exhausted, verdicts = self._runs(job, command, cwd, deadline)
            reference_errors = [v for v in verdicts if v.get("status") == "reference_error"]
            if reference_errors:
                return JobResult(job.nonce, error=str(reference_errors[0].get("message")))
            helpers = sorted({h for v in verdicts for h in v.get("helpers", [])})
            return JobResult(
                job.nonce,
                runs=runs,
                compile=compiled,
                isolation="output" if job.mode == "stdio" else "judge",
                helpers=helpers,
                budget_exhausted=exhausted,
            )
        finally:
            self._clean(files, cwd)

    def _clean(self, files: Path, cwd: Path) -> None:
        shutil.rmtree(files, ignore_errors=True)
        if ISOLATE:
            cleanup.kill_all(spare=self._spare)
            cleanup.reap_children(spare=self._spare)
            cleanup.wipe(SCRATCH)
        else:
            shutil.rmtree(cwd, ignore_errors=True)

    def _runs(
        self, job: Job, command: list[str], cwd: Path, deadline: float
    ) -> tuple[list[RunResult], bool, list[dict[str, Any]]]:
        results: list[RunResult] = []
        verdicts: list[dict[str, Any]] = []
        exhausted = False
        for index, run in enumerate(job.runs):
            remaining = deadline - time.monotonic()
            if remaining <= 0.05:
                exhausted = True
                results.extend(RunResult("not_run") for _ in job.runs[index:])
                break
            limit_s = min(job.time_limit_s, remaining)
            ran, judged = self._execute(job, run, command, cwd, limit_s)
            if judged is not None:
                verdicts.append(judged)
            status = _status(ran, judged, run.expected, job)
            if status == "timeout" and limit_s < job.time_limit_s:
                exhausted = True
            detail = str(judged.get("message", "")) if judged else ""
            results.append(
                RunResult(
                    status=status,
                    exit_code=ran.exit_code,
                    signal=ran.signal,
                    time_s=ran.time_s,
                    memory_kb=ran.memory_kb,
                    stdout=ran.stdout[: processes.EXCERPT].decode("utf-8", "replace"),
                    stderr=ran.stderr.decode("utf-8", "replace"),
                    detail=detail if status != "passed" else "",
                )
            )
            if job.stop_on_failure and status != "passed":
                results.extend(RunResult("not_run") for _ in job.runs[index + 1 :])
                break
        return results, exhausted, verdicts

    def _execute(
        self, job: Job, run: Run, command: list[str], cwd: Path, limit_s: float
    ) -> tuple[Execution, dict[str, Any] | None]:
        if job.mode == "stdio":
            child = processes.spawn(command, cwd, job.memory_mb, limit_s)
            ran = processes.watch(child, run.stdin.encode(), limit_s, job.output_limit_bytes)
            self._stop(child.pid)
            return processes.reap(child, ran, job.output_limit_bytes), None
        ours, theirs = socket.socketpair()
        token = secrets.token_hex(16)  # lives in the executor and the judge only

        def judged(sock: socket.socket) -> bytes:
            return (json.dumps({**judge(job, run, sock), "token": token}) + "\n").encode()

        judge_pid, verdict = processes.fork_judge(
            judged, ours, max(job.memory_mb, JUDGE_MEMORY_MB), limit_s
        )
        ours.close()
        try:
            child = self._program(command, cwd, theirs.fileno(), job.memory_mb, limit_s)
        except BaseException:
            verdict.close()
            self._stop(judge_pid)
            raise
        finally:
            theirs.close()
        try:
            ran = processes.watch(child, b"", limit_s, job.output_limit_bytes, verdict)
            ended_itself = child.exited()
        finally:
            verdict.close()
            self._stop(child.pid, judge_pid)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(judge_pid, 0)
        ran = processes.reap(child, ran, job.output_limit_bytes)
        if not ended_itself and not ran.timed_out:
            ran.signal = None  # stopped by us once the judge was done: not a violation
        return ran, _parse_verdict(ran.verdict, token)

    def _program(
        self, command: list[str], cwd: Path, channel: int, memory_mb: int, limit_s: float
    ) -> processes.Child:
        """The program's process for a judged run: forked from the zygote when there is
        one (milliseconds), else a fresh interpreter running the harness."""
        source = Path(command[-1])
        if self._zygote is not None:
            return self._zygote.spawn(source, cwd, channel, memory_mb, limit_s)
        return processes.spawn(
            [*command, str(channel)], cwd, memory_mb, limit_s, stdin=False, pass_fds=(channel,)
        )

    def _stop(self, *pids: int) -> None:
        if ISOLATE:
            cleanup.kill_all(spare=self._spare)
            return
        for pid in pids:
            cleanup.kill_tree(pid)


def _parse_verdict(data: bytes | None, token: str) -> dict[str, Any]:
    """The judge's verdict: one line bearing the run's token, and nothing else."""
    line, _, rest = (data or b"").partition(b"\n")
    try:
        verdict = json.loads(line)
    except ValueError:
        verdict = None
    if not isinstance(verdict, dict) or verdict.pop("token", None) != token or rest:
        return {"status": "runtime_error", "message": "the judge ended without a verdict"}
    return verdict


def _self_check() -> str | None:
    """Why this executor cannot isolate programs, or None when it can."""
    if not ISOLATE:
        return None
    if os.getuid() != 0:
        return "the executor must start as root (it drops programs to their own uid)"
    pid = os.fork()
    if pid == 0:
        try:
            processes.become(processes.PROGRAM_UID)
            os._exit(0 if os.getuid() == processes.PROGRAM_UID else 1)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return "cannot change uid: the container needs CAP_SETUID and CAP_SETGID"
    return None


def _channel() -> tuple[IO[bytes], IO[bytes]]:
    """The job channel on private fds; 0 and 1 point at /dev/null from now on, so no
    process started here can inherit the channel."""
    reader = os.fdopen(os.dup(0), "rb")
    writer = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    sys.stdin = open(os.devnull)  # noqa: SIM115 - for the life of the process
    sys.stdout = sys.stderr
    return reader, writer


def _answer(message: Any, executor: Executor, refusal: str | None) -> dict[str, Any]:
    nonce = message.get("nonce", "") if isinstance(message, dict) else ""
    if not isinstance(nonce, str):
        nonce = ""
    if isinstance(message, dict) and message.get("ping") is True:
        return {
            "nonce": nonce,
            "pong": True,
            "isolation": "uids" if ISOLATE else "none",
            "refusal": refusal,
        }
    if refusal is not None:
        return JobResult(nonce, failure=refusal).to_dict()
    try:
        if not isinstance(message, dict):
            raise TypeError("a job is a JSON object")
        job = Job.from_dict(message)
    except (ValueError, TypeError, KeyError) as exc:
        return JobResult(nonce, error=f"malformed job: {exc}").to_dict()
    try:
        return executor.run(job).to_dict()
    except Exception as exc:  # the executor must answer every job
        return JobResult(nonce, failure=f"executor failed: {type(exc).__name__}: {exc}").to_dict()


def serve() -> None:
    sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != Path.cwd()]
    sys.set_int_max_str_digits(0)  # the judge reads whatever integer a program returns
    reader, writer = _channel()
    refusal = _self_check()
    if ISOLATE:
        processes.set_dumpable(False)
        os.umask(0o022)
        (WORK / "cache").mkdir(mode=0o700, exist_ok=True)
    # Forked before any job is read: nothing of a job is in its memory, ever.
    executor = Executor(Zygote())
    for line in reader:
        try:
            message = json.loads(line)
        except ValueError as exc:
            message = {"malformed": str(exc)}
        answer = _answer(message, executor, refusal)
        writer.write((json.dumps(answer) + "\n").encode())
        writer.flush()


if __name__ == "__main__":
    serve()
