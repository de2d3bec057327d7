"""One executor and the line channel to it: in a Docker container, or (unsafe) a local process.

A slot sends one job line and reads one result line. Anything else — the executor
dying, the engine going away, a silent executor past the deadline — is
:class:`SlotBroken`, and the slot is thrown away.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any, Protocol

from .protocol import Job, JobResult

MAX_LINE = 64 << 20
PING = b'{"ping": true}'


class SlotBroken(Exception):
    """The executor cannot answer: it died, or its channel did."""


class Slot(Protocol):
    jobs_done: int

    def exchange(self, job: Job, timeout_s: float) -> JobResult: ...

    def ping(self, timeout_s: float) -> None: ...

    def close(self) -> None: ...


def _decode(line: bytes) -> JobResult:
    try:
        return JobResult.from_dict(json.loads(line))
    except (ValueError, TypeError) as exc:
        raise SlotBroken(f"unreadable executor answer: {exc}") from exc


@dataclass(frozen=True)
class ContainerSpec:
    """How sandbox containers are made. Every field is a containment limit."""

    image: str = "rlvr-sandbox:latest"
    memory_mb: int = 1024
    cpus: float = 1.0
    pids_limit: int = 128
    tmpfs_mb: int = 128
    user: str = "10001:10001"
    label: str = "rlvr.sandbox"

    def create_kwargs(self) -> dict[str, Any]:
        return {
            "image": self.image,
            "stdin_open": True,
            "tty": False,
            "detach": True,
            "network_mode": "none",
            "read_only": True,
            "tmpfs": {"/tmp": f"size={self.tmpfs_mb}m,mode=1777,exec,nosuid,nodev"},
            "user": self.user,
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges:true"],
            "mem_limit": f"{self.memory_mb}m",
            "memswap_limit": f"{self.memory_mb}m",
            "pids_limit": self.pids_limit,
            "nano_cpus": int(self.cpus * 1e9),
            "init": True,
            "ipc_mode": "private",
            "environment": {},
            "hostname": "sandbox",
            "labels": {self.label: "1"},
        }


class _LineSlot:
    """Jobs and answers as JSON lines; subclasses carry the bytes."""

    jobs_done = 0

    def exchange(self, job: Job, timeout_s: float) -> JobResult:
        result = _decode(self._ask(json.dumps(job.to_dict()).encode(), timeout_s))
        self.jobs_done += 1
        return result

    def ping(self, timeout_s: float) -> None:
        self._ask(PING, timeout_s)

    def _ask(self, message: bytes, timeout_s: float) -> bytes:
        raise NotImplementedError


class ContainerSlot(_LineSlot):
    """An executor in a locked-down container, reached through the Docker attach stream."""

    def __init__(self, client: Any, spec: ContainerSpec) -> None:
        self.container = client.containers.create(**spec.create_kwargs())
        try:
            attached = self.container.attach_socket(
                params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
            )
            self._sock: socket.socket = attached._sock
            self._keep = attached  # keeps the socket's owner alive
            self.container.start()
        except Exception:
            self.close()
            raise
        self._buffer = bytearray()

    def _ask(self, message: bytes, timeout_s: float) -> bytes:
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
        # Either may already be gone with the container or the engine; the label
        # sweep at the next start removes what is left.
        with contextlib.suppress(Exception):
            self._keep.close()
            self._sock.close()
        with contextlib.suppress(Exception):
            self.container.remove(force=True)


class ProcessSlot(_LineSlot):
    """UNSAFE, for development only: the executor as a plain local process, no isolation."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rlvr.sandbox.executor"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": _path()},
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


def _path() -> str:
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])
