"""A clean interpreter, started once per container, that forks the program of each judged run.

Starting ``python3`` and importing the harness costs tens of milliseconds per run; a
fork costs one. The zygote is forked from the executor *before the executor reads any
job*, so its memory holds nothing a program may not see: no job, no expected value, no
nonce, no channel. It stays root and non-dumpable (a program cannot read or signal it);
each child it forks drops to the program's uid and limits before loading the program.

The executor asks over a socket: ``spawn`` (with the run's fds), ``exited`` and ``reap``
(the child is the zygote's, so only the zygote can wait for it).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from . import harness, processes
from .processes import Child

_MESSAGE = 1 << 16
CHANNEL_FD = 3  # where a program finds its end of the judge's channel


def _child(request: dict[str, Any], fds: list[int]) -> None:
    """In the forked child: become the program's process, then run the harness."""
    status = 1
    try:
        channel, out, err = fds
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.dup2(channel, CHANNEL_FD)
        processes.close_fds_except({0, 1, 2, CHANNEL_FD})
        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
            signal.signal(number, signal.SIG_DFL)
        processes.prepare_program(int(request["memory_mb"]), float(request["cpu_s"]))
        processes.set_dumpable(True)  # as after an exec: its own uid may inspect it
        cwd = str(request["cwd"])
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update({**processes.PROGRAM_ENV, "HOME": cwd, "TMPDIR": cwd})
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        random.seed()  # a fresh interpreter's stream, not the zygote's
        try:
            harness.serve(str(request["source"]), CHANNEL_FD)
            status = 0
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
    finally:
        os._exit(status)


def _serve(control: socket.socket) -> None:
    finished: dict[int, tuple[int, int]] = {}  # pid → (wait status, peak RSS KiB)
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, _MESSAGE, 3)
        except OSError:
            return
        if not data:
            return  # the executor is gone
        try:
            request = json.loads(data)
            reply = _handle(request, fds, finished)
        except Exception as exc:
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
        control.send(json.dumps(reply).encode())


def _handle(
    request: dict[str, Any], fds: list[int], finished: dict[int, tuple[int, int]]
) -> dict[str, Any]:
    op = request.get("op")
    if op == "spawn":
        pid = os.fork()
        if pid == 0:
            _child(request, fds)
        return {"pid": pid}
    pid = int(request["pid"])
    if op == "exited":
        return {"exited": pid in finished or processes.has_exited(pid)}
    if op == "reap":
        if pid not in finished:
            _, status, usage = os.wait4(pid, 0)
            finished[pid] = (status, usage.ru_maxrss)
        status, maxrss = finished.pop(pid)
        return {"status": status, "maxrss": maxrss}
    raise ValueError(f"unknown request {op!r}")


class Zygote:
    """The executor's handle on its zygote."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.pid = os.fork()
        if self.pid == 0:
            try:
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                processes.close_fds_except({0, 1, 2, theirs.fileno()})
                processes.set_dumpable(False)
                os.chdir("/")
                _serve(theirs)
            finally:
                os._exit(0)
        theirs.close()
        self._control = ours

    def _ask(self, request: dict[str, Any], fds: list[int] | None = None) -> dict[str, Any]:
        socket.send_fds(self._control, [json.dumps(request).encode()], fds or [])
        reply: dict[str, Any] = json.loads(self._control.recv(_MESSAGE))
        if "error" in reply:
            raise OSError(f"the zygote failed: {reply['error']}")
        return reply

    def spawn(self, source: Path, cwd: Path, channel: int, memory_mb: int, cpu_s: float) -> Child:
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        try:
            request = {
                "op": "spawn",
                "source": str(source),
                "cwd": str(cwd),
                "memory_mb": memory_mb,
                "cpu_s": cpu_s,
            }
            pid = int(self._ask(request, [channel, out_w, err_w])["pid"])
        except BaseException:
            for fd in (out_r, err_r):
                os.close(fd)
            raise
        finally:
            os.close(out_w)
            os.close(err_w)
        return Child(
            pid=pid,
            stdout=out_r,
            stderr=err_r,
            stdin=None,
            exited=lambda: bool(self._ask({"op": "exited", "pid": pid})["exited"]),
            reap=lambda: self._reaped(pid),
        )

    def _reaped(self, pid: int) -> tuple[int, int]:
        reply = self._ask({"op": "reap", "pid": pid})
        return int(reply["status"]), int(reply["maxrss"])

    def alive(self) -> bool:
        return not processes.has_exited(self.pid)

    def close(self) -> None:
        self._control.close()
        with contextlib.suppress(ChildProcessError, ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
