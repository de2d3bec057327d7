"""One executor and the line channel to it: in a Docker container, or (unsafe) a local process.

A slot sends one job line and reads one answer line, which must echo the job's nonce.
Anything else — a line that answers another job, bytes after the answer, the executor
dying, the engine going away, a silent executor past the deadline, an executor that
reports its own failure — is :class:`SlotBroken`, and the slot is thrown away.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from .protocol import Job, JobResult, new_nonce

MAX_LINE = 64 << 20
HANDSHAKE_S = 30.0
# The executor is root in its container with only these; programs drop them all.
EXECUTOR_CAPS = ("CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "SETGID", "SETUID")


class SlotBroken(Exception):
    """The executor cannot answer: it died, or its channel did."""


class Slot(Protocol):
    jobs_done: int

    def exchange(self, job: Job, timeout_s: float) -> JobResult: ...

    def ping(self, timeout_s: float) -> None: ...

    def close(self) -> None: ...


def _decode(line: bytes, nonce: str) -> dict[str, Any]:
    try:
        answer = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise SlotBroken(f"unreadable executor answer: {exc}") from exc
    if not isinstance(answer, dict) or answer.get("nonce") != nonce:
        raise SlotBroken("a line on the channel that does not answer the job in flight")
    return answer


@dataclass(frozen=True)
class ContainerSpec:
    """How sandbox containers are made. Every field is a containment limit."""

    image: str = "rlvr-sandbox:latest"
    memory_mb: int = 1024
    cpus: float = 1.0
    pids_limit: int = 128
    tmpfs_mb: int = 128
    runtime: str | None = None  # None: the engine's default (runc); "runsc": gVisor
    label: str = "rlvr.sandbox"
    labels: dict[str, str] = field(default_factory=dict)  # the owner's (see owners.py)

    def create_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "image": self.image,
            "stdin_open": True,
            # detach=False makes the SDK set StdinOnce: when the service's attach
            # connection goes (it exits, it is killed), stdin closes, the executor ends,
            # and the engine removes the container (auto_remove).
            "detach": False,
            "auto_remove": True,
            "tty": False,
            "network_mode": "none",
            "read_only": True,
            # Inodes bounded too: a job's files are removed before it is answered, so a
            # million of them would cost the job its own time, but no more than that.
            "tmpfs": {
                "/tmp": f"size={self.tmpfs_mb}m,nr_inodes=16384,mode=1777,noexec,nosuid,nodev",
                "/run/rlvr": f"size={self.tmpfs_mb}m,nr_inodes=4096,mode=0755,exec,nosuid,nodev",
            },
            "shm_size": f"{min(self.tmpfs_mb, 64)}m",
            "user": "0:0",
            "cap_drop": ["ALL"],
            "cap_add": list(EXECUTOR_CAPS),
            "security_opt": ["no-new-privileges:true"],
            "mem_limit": f"{self.memory_mb}m",
            "memswap_limit": f"{self.memory_mb}m",
            "pids_limit": self.pids_limit,
            "nano_cpus": int(self.cpus * 1e9),
            "init": True,
            "ipc_mode": "private",
            "environment": {},
            "hostname": "sandbox",
            "labels": {self.label: "1", **self.labels},
        }
        if self.runtime:
            kwargs["runtime"] = self.runtime
        if self.runtime == "runsc":
            kwargs.update(_gvisor(self.pids_limit))
            kwargs["cap_add"] = [*EXECUTOR_CAPS, "SYS_ADMIN"]
        else:
            # System V shared memory outlives its processes (until the wipe after the job)
            # and is not counted in RLIMIT_AS: bound it in this IPC namespace.
            kwargs["sysctls"] = {
                "kernel.shmmax": str(64 << 20),
                "kernel.shmall": str((64 << 20) // 4096),
                "kernel.shmmni": "64",
                "kernel.msgmni": "64",
            }
        return kwargs


def _gvisor(pids_limit: int) -> dict[str, Any]:
    """gVisor runs the container's processes in its own kernel (the sentry), whose threads
    and per-process stubs the host's pids cgroup counts too: a limit sized for the
    program alone kills the whole sandbox. So the host limit leaves the sentry room, and
    the program's processes are counted inside, by RLIMIT_NPROC, which gVisor counts
    per uid in this sandbox alone. gVisor has no /proc/sysvipc or /dev/mqueue to empty
    after a job: each program process gets an IPC namespace of its own instead, which
    needs CAP_SYS_ADMIN, a capability of gVisor's kernel, not of the host's."""
    return {
        "pids_limit": 8 * pids_limit + 512,
        "environment": {
            "RLVR_SANDBOX_NPROC": str(pids_limit),
            "RLVR_SANDBOX_IPC_NAMESPACE": "1",
        },
    }


class _LineSlot:
    """Jobs and answers as JSON lines; subclasses carry the bytes."""

    jobs_done = 0

    def exchange(self, job: Job, timeout_s: float) -> JobResult:
        answer = _decode(self._ask(json.dumps(job.to_dict()).encode(), timeout_s), job.nonce)
        try:
            result = JobResult.from_dict(answer)
        except (TypeError, ValueError) as exc:
            raise SlotBroken(f"unreadable executor answer: {exc}") from exc
        if result.failure is not None:
            raise SlotBroken(f"the executor failed: {result.failure}")
        self.jobs_done += 1
        return result

    def ping(self, timeout_s: float) -> None:
        nonce = new_nonce()
        answer = _decode(
            self._ask(json.dumps({"ping": True, "nonce": nonce}).encode(), timeout_s), nonce
        )
        if answer.get("refusal"):
            raise SlotBroken(f"the executor cannot isolate programs: {answer['refusal']}")

    def _ask(self, message: bytes, timeout_s: float) -> bytes:
        raise NotImplementedError


class ContainerSlot(_LineSlot):
    """An executor in a locked-down container, reached through the Docker attach stream.

    Created only once its executor answered a ping: a slot in the pool is known to work.
    """

    def __init__(self, client: Any, spec: ContainerSpec) -> None:
        self.container = client.containers.create(**spec.create_kwargs())
        try:
            attached = self.container.attach_socket(
                params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
            )
            self._sock: socket.socket = attached._sock
            self._keep = attached  # keeps the socket's owner alive
            self._buffer = bytearray()
            self.container.start()
            self.ping(HANDSHAKE_S)
        except Exception:
            self.close()
            raise

    @property
    def id(self) -> str:
        return str(self.container.id)

    def _ask(self, message: bytes, timeout_s: float) -> bytes:
        if self._buffer:  # bytes no job asked for: someone else wrote on the channel
            raise SlotBroken("stray bytes on the channel between jobs")
        deadline = time.monotonic() + timeout_s
        try:
            self._sock.sendall(message + b"\n")
            while b"\n" not in self._buffer:
                stream, payload = self._frame(deadline)
                if stream == 1:
                    self._buffer.extend(payload)
                if len(self._buffer) > MAX_LINE:
                    raise SlotBroken("executor answer too long")
        except OSError as exc:
            raise SlotBroken(f"container channel failed: {exc}") from exc
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer = bytearray(rest)
        return line

    def _frame(self, deadline: float) -> tuple[int, bytes]:
        """One frame of Docker's multiplexed stream: 8-byte header, then the payload."""
        header = self._read(8, deadline)
        stream, size = header[0], struct.unpack(">I", header[4:])[0]
        return stream, self._read(size, deadline)

    def _read(self, size: int, deadline: float) -> bytes:
        data = bytearray()
        while len(data) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SlotBroken("executor did not answer in time")
            self._sock.settimeout(remaining)
            try:
                chunk = self._sock.recv(size - len(data))
            except TimeoutError as exc:
                raise SlotBroken("executor did not answer in time") from exc
            if not chunk:
                raise SlotBroken("executor exited")
            data.extend(chunk)
        return bytes(data)

    def close(self) -> None:
        # Either may already be gone with the container or the engine; the pool's
        # janitor removes what is left once the engine answers again.
        with contextlib.suppress(Exception):
            self._keep.close()
            self._sock.close()
        with contextlib.suppress(Exception):
            self.container.remove(force=True)


class ProcessSlot(_LineSlot):
    """UNSAFE, for development only: the executor as a plain local process, no isolation."""

    def __init__(self) -> None:
        self._work = tempfile.mkdtemp(prefix="rlvr-executor-")
        env = {
            **os.environ,
            "PYTHONPATH": _path(),
            "RLVR_SANDBOX_WORK": self._work,
            "RLVR_SANDBOX_SCRATCH": self._work,
        }
        env.pop("RLVR_SANDBOX_ISOLATE", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rlvr.sandbox.executor"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )

    def _ask(self, message: bytes, timeout_s: float) -> bytes:
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(message + b"\n")
            self.process.stdin.flush()
        except OSError as exc:
            raise SlotBroken(f"executor exited: {exc}") from exc
        ready, _, _ = select.select([self.process.stdout], [], [], timeout_s)
        line = self.process.stdout.readline() if ready else b""
        if not line:
            raise SlotBroken("executor exited or did not answer in time")
        return line

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
        shutil.rmtree(self._work, ignore_errors=True)


def _path() -> str:
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])
