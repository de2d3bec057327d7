"""A warm pool of executors: ``SandboxPool.run(job)`` from any thread, no container start per job.

A background thread keeps ``size`` slots ready. A slot is thrown away and replaced
after it answered ``jobs_per_slot`` jobs, after a job that hit a limit (timeout,
memory, output, a signal), or when it broke. If the Docker engine goes away, slot
creation fails and is retried with backoff, so the pool recovers by itself when the
engine is back, without a restart of the service.

    SandboxPool(DockerSlotFactory(ContainerSpec()), size=4).start().run(job, timeout_s=30)
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from .protocol import Job, JobResult
from .slots import ContainerSlot, ContainerSpec, ProcessSlot, Slot, SlotBroken

log = logging.getLogger(__name__)

_VIOLATIONS = {"timeout", "memory_limit", "output_limit"}
API = "1.41"


class SandboxUnavailable(Exception):
    """No executor could be had in time (engine down, image missing, pool saturated)."""


class SandboxCrashed(Exception):
    """The executor died twice while running this job: the job itself kills its sandbox."""


class DockerSlotFactory:
    """Makes :class:`ContainerSlot` s; reconnects to the engine after it failed."""

    def __init__(self, spec: ContainerSpec, client_factory: Callable[[], Any] | None = None):
        self.spec = spec
        self._client_factory = client_factory
        self._client: Any = None

    def _connect(self) -> Any:
        if self._client is None:
            import docker

            # A fixed API version (Docker 20.10+) spares a version request at connect,
            # which leaks its socket in the SDK when the engine is down.
            self._client = (self._client_factory or partial(docker.from_env, version=API))()
        return self._client

    def __call__(self) -> Slot:
        try:
            return ContainerSlot(self._connect(), self.spec)
        except Exception:
            self.close()  # reconnect next time: the engine may have restarted
            raise

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None

    def sweep_leftovers(self) -> None:
        """Remove containers a previous run of the service left behind."""
        try:
            for container in self._connect().containers.list(
                all=True, filters={"label": self.spec.label}
            ):
                container.remove(force=True)
        except Exception as exc:
            log.warning("could not sweep old sandbox containers: %s", str(exc))


class ProcessSlotFactory:
    """UNSAFE: local executor processes without any isolation, for development and tests."""

    def __call__(self) -> Slot:
        return ProcessSlot()

    def sweep_leftovers(self) -> None:
        pass

    def close(self) -> None:
        pass


class SandboxPool:
    """Hands out warm slots, one job at a time each; thread-safe.

    Errors are logged as text, never as exception objects: a log record that keeps an
    exception keeps its traceback, and with it the sockets of a failed connection.
    """

    def __init__(
        self,
        factory: DockerSlotFactory | ProcessSlotFactory,
        size: int,
        jobs_per_slot: int = 100,
        acquire_timeout_s: float = 30.0,
    ) -> None:
        self.factory = factory
        self.size = size
        self.jobs_per_slot = jobs_per_slot
        self.acquire_timeout_s = acquire_timeout_s
        self.recycled = 0
        self.last_error: str | None = None
        self._ready: queue.Queue[Slot] = queue.Queue()
        self._live = 0  # slots ready or in use
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._closers: list[threading.Thread] = []
        self._refiller = threading.Thread(target=self._refill, name="sandbox-refill", daemon=True)

    def start(self) -> SandboxPool:
        self.factory.sweep_leftovers()
        self._refiller.start()
        return self

    @property
    def ready(self) -> int:
        return self._ready.qsize()

    def run(self, job: Job, timeout_s: float) -> JobResult:
        """Run ``job`` on a warm slot.

        A slot that breaks may have died before the job reached it (the engine
        restarted, someone removed the container), so the job is retried on slots
        checked alive just before. Only a job that breaks two such slots is blamed.
        """
        checked, broke_live_slots = False, 0
        while True:
            slot = self._acquire(checked)
            try:
                result = slot.exchange(job, timeout_s)
            except SlotBroken as exc:
                log.info("sandbox slot broke: %s", str(exc))
                self._discard(slot)
                broke_live_slots += checked
                if broke_live_slots >= 2:
                    raise SandboxCrashed("the program killed its sandbox twice") from exc
                checked = True
                continue
            self._release(slot, result)
            return result

    def _acquire(self, checked: bool) -> Slot:
        """A ready slot; with ``checked``, one that just answered a ping."""
        deadline = time.monotonic() + self.acquire_timeout_s
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                slot = self._ready.get(timeout=remaining)
            except queue.Empty:
                break
            if not checked:
                return slot
            try:
                slot.ping(min(5.0, remaining))
                return slot
            except SlotBroken:
                self._discard(slot)
        reason = f": {self.last_error}" if self.last_error else ""
        raise SandboxUnavailable(
            f"no sandbox was ready within {self.acquire_timeout_s:g} s{reason}"
        )

    def _release(self, slot: Slot, result: JobResult) -> None:
        violated = any(run.status in _VIOLATIONS or run.signal for run in result.runs)
        if violated or slot.jobs_done >= self.jobs_per_slot:
            self._discard(slot)
        else:
            self._ready.put(slot)

    def _discard(self, slot: Slot) -> None:
        # Removing a container takes a while: not on the caller's time.
        closer = threading.Thread(target=slot.close, daemon=True)
        closer.start()
        with self._lock:
            self.recycled += 1
            self._live -= 1
            self._closers = [t for t in self._closers if t.is_alive()] + [closer]
        self._wake.set()

    def _refill(self) -> None:
        backoff = 0.5
        while not self._closed.is_set():
            with self._lock:
                missing = self.size - self._live
            if missing <= 0:
                self._wake.wait(timeout=1.0)
                self._wake.clear()
                continue
            try:
                slot = self.factory()
            except Exception as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "cannot start a sandbox (retrying in %.1f s): %s", backoff, self.last_error
                )
                self._closed.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            backoff = 0.5
            self.last_error = None
            with self._lock:
                self._live += 1
            self._ready.put(slot)

    def close(self) -> None:
        self._closed.set()
        self._wake.set()
        if self._refiller.is_alive():
            self._refiller.join(timeout=15)
        while True:
            try:
                self._ready.get_nowait().close()
            except queue.Empty:
                break
        for closer in self._closers:
            closer.join(timeout=15)
        self.factory.close()
