"""Which service instance owns a sandbox container, and whether that owner is still alive.

Several instances may share one Docker engine. Each labels its containers with its
instance id and with what tells whether it is still alive: its pid and that process's
start time, in a pid namespace on a boot of a kernel, and, when the instance itself runs
in a container, that container's id. An instance removes only its own containers and
those whose owner is provably gone; a container whose owner it cannot judge (another
pid namespace, no container id) is left to that owner.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

PREFIX = "rlvr.sandbox.owner"
Liveness = Literal["alive", "gone", "unknown"]
_CONTAINER_ID = re.compile(r"/containers/([0-9a-f]{64})/")


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot: with the pid, unique per boot."""
    stat = _read(f"/proc/{pid}/stat")
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else ""


def _own_container() -> str:
    """This process's container id when it runs in Docker ('' elsewhere): Docker mounts
    the container's hostname file from its own directory."""
    match = _CONTAINER_ID.search(_read("/proc/self/mountinfo"))
    return match.group(1) if match else ""


@dataclass(frozen=True)
class Owner:
    instance: str
    pid: int
    started: str
    boot: str
    pid_namespace: str
    container: str

    @classmethod
    def current(cls, instance: str | None = None) -> Owner:
        pid = os.getpid()
        try:
            namespace = os.readlink("/proc/self/ns/pid")
        except OSError:
            namespace = ""
        return cls(
            instance=instance or uuid.uuid4().hex,
            pid=pid,
            started=_start_time(pid),
            boot=_read("/proc/sys/kernel/random/boot_id"),
            pid_namespace=namespace,
            container=_own_container(),
        )

    def labels(self) -> dict[str, str]:
        return {
            PREFIX: self.instance,
            f"{PREFIX}.pid": str(self.pid),
            f"{PREFIX}.started": self.started,
            f"{PREFIX}.boot": self.boot,
            f"{PREFIX}.pidns": self.pid_namespace,
            f"{PREFIX}.container": self.container,
        }

    def judge(self, labels: dict[str, str], client: Any) -> Liveness:
        """Whether the owner named in a container's ``labels`` is alive, seen from here."""
        if PREFIX not in labels:
            return "unknown"  # an older service that does not label its owner
        if labels[PREFIX] == self.instance:
            return "alive"
        same_place = (
            labels.get(f"{PREFIX}.boot") == self.boot
            and labels.get(f"{PREFIX}.pidns") == self.pid_namespace
            and labels.get(f"{PREFIX}.container", "") == self.container
        )
        if same_place:
            try:
                pid = int(labels.get(f"{PREFIX}.pid", ""))
            except ValueError:
                return "unknown"
            alive = _start_time(pid) == labels.get(f"{PREFIX}.started") != ""
            return "alive" if alive else "gone"
        container = labels.get(f"{PREFIX}.container", "")
        if container and container != self.container:
            return _container_state(client, container)
        if container and container == self.container:
            return "gone"  # our own container, another pid namespace: it restarted
        return "unknown"


def _container_state(client: Any, container: str) -> Liveness:
    import docker.errors

    try:
        found = client.containers.get(container)
    except docker.errors.NotFound:
        return "gone"
    except Exception:
        return "unknown"
    return "alive" if found.status in ("running", "restarting", "paused") else "gone"
