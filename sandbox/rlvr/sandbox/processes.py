"""Start the program (and its judge) under their own uids and limits; watch them (stdlib only).

In a container (``RLVR_SANDBOX_ISOLATE=1``) the executor is root with a handful of
capabilities, and makes itself non-dumpable. Every process of the program, and the
compiler, runs as :data:`PROGRAM_UID` with no capabilities; the judge runs as
:data:`JUDGE_UID`, non-dumpable. A process may read another's memory, fds or
environment through ``/proc`` only with the same uid (or CAP_SYS_PTRACE, which no one
here has), so the program cannot reach the executor's channel, the judge, or the
expected outputs. Outside a container (the unsafe development backend) everything runs
as the caller and none of this holds.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import selectors
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ISOLATE = os.environ.get("RLVR_SANDBOX_ISOLATE") == "1"
# Set by the pool under gVisor (slots._gvisor): processes counted per uid inside the
# sandbox, and a System V / POSIX IPC namespace of its own for each program process.
NPROC = int(os.environ.get("RLVR_SANDBOX_NPROC", "0"))
IPC_NAMESPACE = os.environ.get("RLVR_SANDBOX_IPC_NAMESPACE") == "1"
_CLONE_NEWIPC = 0x08000000
PROGRAM_UID = 10002
JUDGE_UID = 10003
MAX_FILE_BYTES = 16 << 20
MAX_OPEN_FILES = 256
EXCERPT = 4096  # bytes of stderr kept for diagnosis
_PR_SET_DUMPABLE = 4
PROGRAM_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "PYTHONHASHSEED": "0",
}


def set_dumpable(dumpable: bool) -> None:
    """Non-dumpable: no core dumps, no ptrace, /proc/<pid>/{mem,fd,environ} owned by root,
    so not even a process of the same uid can read this one."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_DUMPABLE, int(dumpable), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE) failed")


def become(uid: int) -> None:
    """Drop to ``uid`` for good (real, effective and saved ids; no groups): with no uid
    0 left, the kernel clears every capability."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def limit(memory_mb: int, cpu_s: float) -> None:
    """rlimits of one process. Processes are counted per container by the pids cgroup,
    not with RLIMIT_NPROC, which counts a uid across the whole host."""
    memory = memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(cpu_s) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
    resource.setrlimit(resource.RLIMIT_NOFILE, (MAX_OPEN_FILES, MAX_OPEN_FILES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def prepare_program(memory_mb: int, cpu_s: float) -> None:
    """In a program's process, before it runs anything of its own: first in line for the
    OOM killer (raising the score needs no privilege; lowering it back would), limits,
    then its uid."""
    with contextlib.suppress(OSError):
        Path("/proc/self/oom_score_adj").write_text("1000")
    limit(memory_mb, cpu_s)
    if NPROC:
        resource.setrlimit(resource.RLIMIT_NPROC, (NPROC, NPROC))
    if IPC_NAMESPACE:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(_CLONE_NEWIPC) != 0:
            raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWIPC) failed")
    if ISOLATE:
        become(PROGRAM_UID)


@dataclass
class Child:
    """A program's process: its pid, the executor's ends of its pipes, and how to learn
    how it ended (it may be the executor's child, or the zygote's)."""

    pid: int
    stdout: int
    stderr: int
    stdin: int | None
    exited: Callable[[], bool]
    reap: Callable[[], tuple[int, int]]  # (wait status, peak RSS in KiB), once it is dead
    keep: object = None  # owns the fds above


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
    verdict: bytes | None = None  # the judge's line, in judged runs


@dataclass
class _Watch:
    out: bytearray = field(default_factory=bytearray)
    err: bytearray = field(default_factory=bytearray)
    verdict: bytearray = field(default_factory=bytearray)
    timed_out: bool = False
    exceeded: bool = False


def has_exited(pid: int) -> bool:
    """Whether our child ``pid`` has exited, without reaping it (wait4 wants it later)."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def _wait(pid: int) -> tuple[int, int]:
    _, status, usage = os.wait4(pid, 0)
    return status, usage.ru_maxrss


def spawn(
    command: list[str],
    cwd: Path,
    memory_mb: int,
    cpu_s: float,
    stdin: bool = True,
    pass_fds: tuple[int, ...] = (),
) -> Child:
    """``command`` as a child of the executor, prepared as a program."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={**PROGRAM_ENV, "HOME": str(cwd), "TMPDIR": str(cwd)},
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        close_fds=True,
        pass_fds=pass_fds,
        preexec_fn=lambda: prepare_program(memory_mb, cpu_s),
    )
    assert process.stdout is not None and process.stderr is not None
    process.returncode = 0  # reaped by Child.reap; keeps Popen from waiting again
    return Child(
        pid=process.pid,
        stdout=process.stdout.fileno(),
        stderr=process.stderr.fileno(),
        stdin=process.stdin.fileno() if process.stdin is not None else None,
        exited=lambda: has_exited(process.pid),
        reap=lambda: _wait(process.pid),
        keep=process,
    )


def close_child(child: Child) -> None:
    if isinstance(child.keep, subprocess.Popen):
        for pipe in (child.keep.stdin, child.keep.stdout, child.keep.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        return
    for fd in (child.stdout, child.stderr, child.stdin):
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)


def fork_judge(
    work: Callable[[socket.socket], bytes], sock: socket.socket, memory_mb: int, cpu_s: float
) -> tuple[int, socket.socket]:
    """Fork the judge: it runs ``work(sock)`` and sends the bytes it returns on a socket
    of its own (a socket, unlike a pipe, cannot be opened through /proc/<pid>/fd, under
    any runtime). Returns (pid, the executor's end of that socket)."""
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # the judge
        status = 1
        try:
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):  # never the executor's channel
                os.dup2(null, fd)
            close_fds_except({0, 1, 2, sock.fileno(), theirs.fileno()})
            limit(memory_mb, cpu_s)
            if ISOLATE:
                become(JUDGE_UID)
            set_dumpable(False)
            os.chdir("/")
            theirs.sendall(work(sock))
            status = 0
        finally:
            os._exit(status)
    theirs.close()
    return pid, ours


def close_fds_except(keep: set[int]) -> None:
    for name in os.listdir("/proc/self/fd"):
        if int(name) not in keep:
            with contextlib.suppress(OSError):
                os.close(int(name))


def watch(
    child: Child,
    stdin: bytes,
    time_limit_s: float,
    output_limit: int,
    verdict: socket.socket | None = None,
) -> Execution:
    """Feed, drain and time ``child`` until it is done (or, in a judged run, until the
    judge's verdict is in); never raises for anything the program does. The caller kills
    what is left and reaps the child (:func:`reap`)."""
    started = time.monotonic()
    deadline = started + time_limit_s
    state = _Watch()
    pending = memoryview(stdin)
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ, state.out)
        selector.register(child.stderr, selectors.EVENT_READ, state.err)
        if verdict is not None:
            selector.register(verdict, selectors.EVENT_READ, state.verdict)
        if child.stdin is not None:
            os.set_blocking(child.stdin, False)
            selector.register(child.stdin, selectors.EVENT_WRITE, None)
            if not pending:
                _close_stdin(selector, child)
        exited = False
        while selector.get_map():
            now = time.monotonic()
            if now >= deadline:
                state.timed_out = not exited
                break
            if verdict is None and not exited and child.exited():
                # Exited, but a background child may hold the pipes open: drain briefly.
                exited, deadline = True, min(deadline, now + 0.1)
            for key, _ in selector.select(timeout=min(deadline - now, 0.05)):
                if key.data is None:  # the program's stdin
                    pending = _feed(selector, child, pending)
                    continue
                chunk = os.read(key.fd, 65536)
                buffer: bytearray = key.data
                if buffer is state.verdict:
                    buffer.extend(chunk[:65536])
                    if not chunk or b"\n" in buffer:  # the judge is done: so is the run
                        return _finish(state, started, verdict=True)
                    continue
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                buffer.extend(chunk[: max(0, output_limit + 1 - len(buffer))])
                if len(state.out) > output_limit:
                    state.exceeded = True
            if state.exceeded:
                break
    return _finish(state, started, verdict=verdict is not None)


def _close_stdin(selector: selectors.BaseSelector, child: Child) -> None:
    assert child.stdin is not None
    selector.unregister(child.stdin)
    with contextlib.suppress(OSError):
        os.close(child.stdin)
    child.stdin = None
    if isinstance(child.keep, subprocess.Popen) and child.keep.stdin is not None:
        with contextlib.suppress(OSError):
            child.keep.stdin.close()  # the fd is closed already: let it know


def _feed(selector: selectors.BaseSelector, child: Child, data: memoryview) -> memoryview:
    assert child.stdin is not None
    try:
        written = os.write(child.stdin, data[:65536])
    except (BlockingIOError, InterruptedError):
        return data
    except OSError:  # the program closed its stdin: what it did not read, it does not get
        written = len(data)
    data = data[written:]
    if not data:
        _close_stdin(selector, child)
    return data


def _finish(state: _Watch, started: float, verdict: bool) -> Execution:
    return Execution(
        exit_code=None,
        signal=None,
        time_s=round(time.monotonic() - started, 4),
        memory_kb=0,
        stdout=bytes(state.out),
        stderr=bytes(state.err[:EXCERPT]),
        timed_out=state.timed_out,
        output_exceeded=state.exceeded,
        verdict=bytes(state.verdict) if verdict else None,
    )


def reap(child: Child, ran: Execution, output_limit: int) -> Execution:
    """After every process of the run was killed: exit status and peak memory."""
    status, maxrss = child.reap()
    close_child(child)
    killed_by = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    ran.exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    ran.signal = killed_by
    ran.memory_kb = maxrss
    ran.stdout = ran.stdout[:output_limit]
    if killed_by == signal.SIGXCPU:
        ran.timed_out = True
    return ran
