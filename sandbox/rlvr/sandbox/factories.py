"""Make slots for the pool: Docker containers owned by this instance, or (unsafe) local processes.

:class:`DockerSlotFactory` labels every container with its owner (:mod:`.owners`),
remembers the ones it made, and sweeps: its own containers that no slot holds any more
(left dead by an engine restart, or by a removal that failed while the engine was
away), and containers whose owner is gone. Never another live instance's.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from .owners import PREFIX, Owner
from .slots import ContainerSlot, ContainerSpec, ProcessSlot, Slot

log = logging.getLogger(__name__)

API = "1.41"


class RuntimeMissing(Exception):
    """The configured container runtime is not registered with the engine."""


class DockerSlotFactory:
    """Makes :class:`ContainerSlot` s; reconnects to the engine after it failed."""

    def __init__(
        self,
        spec: ContainerSpec,
        client_factory: Callable[[], Any] | None = None,
        owner: Owner | None = None,
    ):
        self.owner = owner or Owner.current()
        self.spec = replace(spec, labels={**spec.labels, **self.owner.labels()})
        self._client_factory = client_factory
        self._client: Any = None
        self._held: set[str] = set()  # ids of containers that a slot holds
        self._lock = threading.Lock()

    def _connect(self) -> Any:
        if self._client is None:
            import docker

            # A fixed API version (Docker 20.10+) spares a version request at connect,
            # which leaks its socket in the SDK when the engine is down.
            self._client = (self._client_factory or partial(docker.from_env, version=API))()
        return self._client

    def __call__(self) -> Slot:
        try:
            slot = ContainerSlot(self._connect(), self.spec)
        except Exception:
            self.close()  # reconnect next time: the engine may have restarted
            raise
        with self._lock:
            self._held.add(slot.id)
        return slot

    def release(self, slot: Slot) -> None:
        slot.close()
        if isinstance(slot, ContainerSlot):
            with self._lock:
                self._held.discard(slot.id)

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None

    def engine_answers(self) -> bool:
        try:
            return bool(self._connect().ping())
        except Exception:
            self.close()
            return False

    def check_runtime(self) -> None:
        """Raise :class:`RuntimeMissing` when the engine answers and lacks the runtime
        the spec asks for; an engine that does not answer is the pool's to wait for."""
        if not self.spec.runtime:
            return
        try:
            runtimes = self._connect().info().get("Runtimes") or {}
        except Exception as exc:
            log.warning("cannot ask the Docker engine for its runtimes: %s", str(exc))
            self.close()
            return
        if self.spec.runtime not in runtimes:
            raise RuntimeMissing(
                f"RLVR_SANDBOX_RUNTIME={self.spec.runtime} but the Docker engine knows only "
                f"{sorted(runtimes)}; register it (scripts/setup-runsc.sh for runsc) or unset "
                "RLVR_SANDBOX_RUNTIME"
            )

    def sweep(self) -> None:
        """Remove this instance's containers that no slot holds, and orphans."""
        try:
            containers = self._connect().containers.list(
                all=True, filters={"label": self.spec.label}
            )
        except Exception as exc:
            log.info("cannot list sandbox containers to sweep: %s", str(exc))
            self.close()
            return
        with self._lock:
            held = set(self._held)
        removed = 0
        for container in containers:
            labels = container.labels or {}
            if labels.get(PREFIX) == self.owner.instance:
                stale = container.id not in held
            else:
                stale = self.owner.judge(labels, self._client) == "gone"
            if stale:
                with contextlib.suppress(Exception):
                    container.remove(force=True)
                    removed += 1
        if removed:
            log.info("removed %d sandbox containers left by gone owners or dead slots", removed)


class ProcessSlotFactory:
    """UNSAFE: local executor processes without any isolation, for development and tests."""

    def __call__(self) -> Slot:
        return ProcessSlot()

    def release(self, slot: Slot) -> None:
        slot.close()

    def sweep(self) -> None:
        pass

    def engine_answers(self) -> bool:
        return True

    def check_runtime(self) -> None:
        pass

    def close(self) -> None:
        pass
