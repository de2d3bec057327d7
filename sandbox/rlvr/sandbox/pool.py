"""A warm pool of executors: ``SandboxPool.run(job)`` from any thread, no container start per job.

A background thread keeps ``size`` slots ready. A slot is thrown away and replaced
after it answered ``jobs_per_slot`` jobs, after a job that hit a limit (timeout,
memory, output, a signal), or when it broke. If the Docker engine goes away, slot
creation fails and is retried with backoff, so the pool recovers by itself when the
engine is back, without a restart of the service. While no slot can be made and none is
in use, jobs fail at once (:class:`SandboxUnavailable`) instead of waiting.

    SandboxPool(DockerSlotFactory(ContainerSpec()), size=4).start().run(job, timeout_s=30)
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from .factories import API, DockerSlotFactory, ProcessSlotFactory, RuntimeMissing
from .protocol import Job, JobResult
from .slots import Slot, SlotBroken

__all__ = [
    "API",
    "DockerSlotFactory",
    "ProcessSlotFactory",
    "RuntimeMissing",
    "SandboxCrashed",
    "SandboxPool",
    "SandboxUnavailable",
]
log = logging.getLogger(__name__)

_VIOLATIONS = {"timeout", "memory_limit", "output_limit"}
JANITOR_INTERVAL_S = 60.0


class SandboxUnavailable(Exception):
    """No executor could be had in time (engine down, image missing, pool saturated)."""


class SandboxCrashed(Exception):
    """The executor died twice while running this job: the job itself kills its sandbox."""


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
        # Set when slots cannot be made: the engine does not answer, or two attempts in a
        # row failed (an image that is missing). One failure alone (a container removed
        # while it started) is not an outage.
        self._unable = False
        self._failures = 0
        self._ready: queue.Queue[Slot] = queue.Queue()
        self._live = 0  # slots ready or in use
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._closers: list[threading.Thread] = []
        self._refiller = threading.Thread(target=self._refill, name="sandbox-refill", daemon=True)

    def start(self) -> SandboxPool:
        self.factory.sweep()
        self._refiller.start()
        return self

    @property
    def ready(self) -> int:
        return self._ready.qsize()

    def run(self, job: Job, timeout_s: float) -> JobResult:
        """Run ``job`` on a warm slot.

        A slot that breaks may have died before the job reached it (the engine
        restarted, someone removed the container, a stray line on its channel), so the
        job is retried on slots checked alive just before. Only a job that breaks two
        such slots is blamed.
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
                    raise SandboxCrashed("the program broke its sandbox twice") from exc
                checked = True
                continue
            self._release(slot, result)
            return result

    def _down(self) -> bool:
        """No slot can be made now and none is in use that could come back."""
        with self._lock:
            return self._unable and self._live == 0

    def _acquire(self, checked: bool) -> Slot:
        """A ready slot; with ``checked``, one that just answered a ping."""
        deadline = time.monotonic() + self.acquire_timeout_s
        while (remaining := deadline - time.monotonic()) > 0:
            if self._down() and self._ready.empty():
                break
            try:
                slot = self._ready.get(timeout=min(remaining, 0.1))
            except queue.Empty:
                continue
            if not checked:
                return slot
            try:
                slot.ping(min(5.0, remaining))
                return slot
            except SlotBroken:
                self._discard(slot)
        if self._unable and self.last_error:
            raise SandboxUnavailable(f"no sandbox can be started: {self.last_error}")
        raise SandboxUnavailable(f"no sandbox was free within {self.acquire_timeout_s:g} s")

    def _release(self, slot: Slot, result: JobResult) -> None:
        violated = any(run.status in _VIOLATIONS or run.signal for run in result.runs)
        if violated or slot.jobs_done >= self.jobs_per_slot:
            self._discard(slot)
        else:
            self._ready.put(slot)

    def _discard(self, slot: Slot) -> None:
        # Removing a container takes a while: not on the caller's time.
        closer = threading.Thread(target=self.factory.release, args=(slot,), daemon=True)
        closer.start()
        with self._lock:
            self.recycled += 1
            self._live -= 1
            self._closers = [t for t in self._closers if t.is_alive()] + [closer]
        self._wake.set()

    def _failed(self, error: str, backoff: float) -> None:
        first = self.last_error is None
        self.last_error = error
        self._failures += 1
        self._unable = self._failures >= 2 or not self.factory.engine_answers()
        # Said once when it starts; the retries that follow are not news.
        (log.warning if first else log.debug)(
            "cannot start a sandbox (retrying with backoff until it works): %s", error
        )
        self._closed.wait(backoff)

    def _refill(self) -> None:
        backoff = 0.5
        swept = time.monotonic()
        while not self._closed.is_set():
            if time.monotonic() - swept > JANITOR_INTERVAL_S:
                self.factory.sweep()
                swept = time.monotonic()
            with self._lock:
                missing = self.size - self._live
            if missing <= 0:
                self._wake.wait(timeout=1.0)
                self._wake.clear()
                continue
            try:
                slot = self.factory()
            except Exception as exc:
                self._failed(f"{type(exc).__name__}: {exc}", backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            backoff = 0.5
            self._failures, self._unable = 0, False
            if self.last_error is not None:
                log.warning("sandboxes start again; the outage is over")
                self.last_error = None
                self.factory.sweep()  # what died with the engine
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
                self.factory.release(self._ready.get_nowait())
            except queue.Empty:
                break
        for closer in self._closers:
            closer.join(timeout=15)
        self.factory.close()
