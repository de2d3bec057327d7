"""Worker processes that score, each one owned by a supervising thread of the service.

pebble's pool (used before) broke for good when an *idle* worker was killed (the kernel's
OOM killer, ``kill -9``) and never recycled workers, so memory grew without bound. Here each
worker has a *slot*: a thread that takes the next task from the pool's queue, sends it to
its worker over a pipe and waits at most the task's hard limit. The slot then

* kills the worker when the hard limit passes (C code that ignores the soft limit);
* notices when the worker died, busy or idle, and starts another;
* retires the worker after ``max_tasks`` tasks, above ``max_rss_bytes`` of resident memory,
  or after a soft time limit fired in it (interrupted parsers leave garbage behind).

Workers are forked from a forkserver: a small single-threaded process that imported and
warmed up the parsers once (:mod:`.worker_warmup`), so a fresh worker is ready in tens of
milliseconds and never inherits the service's threads, sockets or sandbox connections.
A task's result is its value or a :class:`Failure`, never an exception.

The queue is a priority queue: follow-up tasks of items already being scored (a retry,
a reference check) go before new work. A task's future can be cancelled while it waits
(a request's deadline passed, its client hung up): the slot that reaches it skips it.
Cross-request batching (:mod:`.gather`) and backpressure (:mod:`.admission`) sit in front
of :meth:`WorkerPool.submit`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from .domains import Domain
from .worker_process import serve

log = logging.getLogger(__name__)

_IDLE_CHECK_S = 0.2  # how quickly an idle worker's death is noticed
_STOP_WAIT_S = 2.0
_STOP = object()  # what a slot's queue read returns when the pool closes


class FailureKind(StrEnum):
    KILLED = "killed"  # ran past its hard limit; the worker was killed
    DIED = "died"  # the worker died while running it (crash, OOM killer, kill -9)
    RAISED = "raised"  # the task raised inside the worker (a bug)
    UNAVAILABLE = "unavailable"  # no worker could be started, or the pool is closing


@dataclass(frozen=True)
class Failure:
    """Why a task produced no value."""

    kind: FailureKind
    message: str


class Priority(IntEnum):
    FOLLOW_UP = 0  # a retry or check for an item already in progress
    NORMAL = 1


@dataclass(frozen=True)
class PoolConfig:
    size: int
    hard_limit_s: float  # a task's default wall-clock limit, after which its worker is killed
    kill_grace_s: float  # once a soft limit starts in a task, its hard limit is soft + this
    max_tasks: int = 10_000  # tasks per worker before it is replaced
    max_rss_bytes: int = 1 << 30  # resident memory above which a worker is replaced
    start_timeout_s: float = 60.0
    down_grace_s: float = 5.0  # a slot without a worker for longer than this is "down"


@dataclass(frozen=True)
class WorkerInfo:
    pid: int | None
    rss_bytes: int
    tasks: int
    busy: bool


@dataclass(eq=False)
class _Task:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    limit_s: float
    future: Future[Any] = field(default_factory=Future)


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    # Only takes effect when the forkserver starts (with the first worker of the process).
    context.set_forkserver_preload(["rlvr.verifier.worker_warmup"])
    return context


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "exit status unknown"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class _Slot(threading.Thread):
    """One worker process and the thread that owns it."""

    def __init__(self, pool: WorkerPool, index: int) -> None:
        super().__init__(name=f"rlvr-worker-slot-{index}", daemon=True)
        self.pool, self.index = pool, index
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None
        self.tasks = 0
        self.rss = 0
        self.busy = False
        self.down_since: float | None = time.monotonic()
        self.last_error: str | None = None
        self._ids = itertools.count()

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> None:
        backoff = 0.1
        while not self.pool.closing:
            if self.process is None and not self._start():
                wait, backoff = backoff, min(backoff * 2, 5.0)
                if self.pool.alive > 0:  # others take the work while this slot retries
                    time.sleep(wait)
                    continue
                # No worker anywhere: answer queued tasks now rather than leave them waiting.
                task = self._take(wait)
                if task is _STOP:
                    break
                if isinstance(task, _Task) and task.future.set_running_or_notify_cancel():
                    error = f"no scoring worker: {self.last_error}"
                    task.future.set_result(Failure(FailureKind.UNAVAILABLE, error))
                continue
            backoff = 0.1
            task = self._take(_IDLE_CHECK_S)
            if task is _STOP:
                break
            if task is None:
                self._check_idle()
            elif isinstance(task, _Task) and task.future.set_running_or_notify_cancel():
                self._execute(task)
        self._stop_worker()

    def _take(self, timeout: float) -> _Task | object | None:
        """The next task, ``_STOP``, or None when there was none for ``timeout`` seconds."""
        try:
            _, _, task = self.pool.queue.get(timeout=timeout)
        except queue.Empty:
            return None
        return _STOP if task is None else task

    def _execute(self, task: _Task) -> None:
        self.busy = True
        try:
            result = self._run(task)
        except Exception as exc:  # a bug here must not strand the task or the slot
            log.exception("worker slot %d failed", self.index)
            result = Failure(FailureKind.UNAVAILABLE, f"{type(exc).__name__}: {exc}")
        finally:
            self.busy = False
        task.future.set_result(result)

    def _run(self, task: _Task) -> Any:
        if (self.process is None or not self.process.is_alive()) and not self._restart("died"):
            return Failure(FailureKind.UNAVAILABLE, f"no scoring worker: {self.last_error}")
        message = (next(self._ids), task.fn, task.args)
        try:
            assert self.conn is not None
            self.conn.send(message)
        except (BrokenPipeError, ConnectionResetError):  # it died just before: not the task's doing
            if not self._restart("died"):
                return Failure(FailureKind.UNAVAILABLE, f"no scoring worker: {self.last_error}")
            assert self.conn is not None
            self.conn.send(message)
        try:
            answer = self._wait(task.limit_s)
        except (EOFError, OSError):
            code = self._discard("died", kill=False)
            return Failure(FailureKind.DIED, f"the scoring worker died ({_describe_exit(code)})")
        if answer is None:
            self._discard("hard_timeout", kill=True)
            return Failure(
                FailureKind.KILLED, "ran past its hard time limit; its worker was killed"
            )
        task_id, ok, value, rss, timed_out = answer
        assert task_id == message[0], "a worker answered another task"
        self.tasks += 1
        self.rss = rss
        if timed_out:
            self._discard("soft_timeout", kill=False, stop=True)
        elif rss > self.pool.config.max_rss_bytes:
            self._discard("rss", kill=False, stop=True)
        elif self.tasks >= self.pool.config.max_tasks:
            self._discard("tasks", kill=False, stop=True)
        return value if ok else Failure(FailureKind.RAISED, str(value))

    def _wait(self, limit_s: float) -> tuple[Any, ...] | None:
        """The worker's answer, or None when it ran past its hard limit. Each soft limit
        the task starts resets the hard limit to that soft limit plus the grace."""
        assert self.conn is not None
        deadline = time.monotonic() + limit_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.conn.poll(remaining):
                return None
            answer = self.conn.recv()
            if answer[0] != "limit":
                return tuple(answer)
            deadline = time.monotonic() + answer[1] + self.pool.config.kill_grace_s

    def _check_idle(self) -> None:
        if self.process is not None and not self.process.is_alive():
            code = self._discard("died", kill=False)
            log.warning(
                "idle scoring worker %d died (%s); starting another",
                self.index,
                _describe_exit(code),
            )

    # -- worker life ----------------------------------------------------------------------

    def _start(self) -> bool:
        config = self.pool.config
        context = _context()
        parent, child = context.Pipe(duplex=True)
        process = context.Process(
            target=serve,
            args=(child, self.pool.domains),
            name=f"rlvr-worker-{self.index}",
            daemon=True,
        )
        try:
            process.start()
            child.close()
            if not parent.poll(config.start_timeout_s):
                raise TimeoutError(f"not ready within {config.start_timeout_s:g} s")
            hello = parent.recv()
            if not (isinstance(hello, tuple) and hello[0] == "ready"):
                raise RuntimeError(f"unexpected first message {hello!r}")
        except Exception as exc:  # fork failed, the forkserver died, the worker crashed…
            self.last_error = f"cannot start a scoring worker: {type(exc).__name__}: {exc}"
            log.error("%s", self.last_error)
            if process.pid is not None and process.is_alive():
                process.kill()
            if process.pid is not None:
                process.join(_STOP_WAIT_S)
            parent.close()
            return False
        self.process, self.conn = process, parent
        self.tasks, self.rss, self.down_since, self.last_error = 0, 0, None, None
        self.pool.started = True
        return True

    def _restart(self, reason: str) -> bool:
        if self.process is not None:
            self._discard(reason, kill=True)
        return self._start()

    def _discard(self, reason: str, *, kill: bool, stop: bool = False) -> int | None:
        """Let go of the current worker (ask it to stop, kill it, or reap a dead one)."""
        process, conn = self.process, self.conn
        self.process, self.conn = None, None
        self.down_since = time.monotonic()
        self.pool.count_restart(reason)
        if process is None:
            return None
        if stop and conn is not None:
            with contextlib.suppress(OSError):
                conn.send(None)
            process.join(_STOP_WAIT_S)
        if process.is_alive() and (kill or stop):
            process.kill()
        process.join(_STOP_WAIT_S)
        if conn is not None:
            conn.close()
        return process.exitcode

    def _stop_worker(self) -> None:
        if self.process is not None:
            self._discard("closed", kill=False, stop=True)

    def live(self) -> bool:
        """Whether the slot's worker is up, asked of the kernel (not of the slot's records,
        which notice a death only when the slot next looks)."""
        process = self.process
        if process is None:
            return False
        try:  # the sentinel turns readable when the process ends; waiting on it consumes nothing
            return not wait([process.sentinel], 0)
        except (OSError, ValueError):  # closed under us: the slot is replacing it
            return False

    def info(self) -> WorkerInfo:
        process = self.process
        pid = process.pid if process is not None and self.live() else None
        return WorkerInfo(pid, self.rss, self.tasks, self.busy)


class WorkerPool:
    """``size`` supervised worker processes, each given ``domains`` when it starts.

    ``await pool.run(fn, *args)`` runs ``fn(*args, domains)`` in a worker and returns its
    value, or a :class:`Failure` (killed at the hard limit, died, raised, or no worker).
    """

    def __init__(self, config: PoolConfig, domains: Mapping[str, Domain]) -> None:
        self.config = config
        self.domains = dict(domains)  # a plain dict pickles; the caller's may be a proxy
        self.queue: queue.PriorityQueue[tuple[int, int, _Task | None]] = queue.PriorityQueue()
        self.closing = False
        self.started = False  # a first worker has been ready
        self._order = itertools.count()
        self._lock = threading.Lock()
        self._restarts: Counter[str] = Counter()
        self._live = 0  # tasks submitted and neither answered nor cancelled
        self._completed = 0  # tasks answered since start (the drain rate is measured on it)
        self._slots = [_Slot(self, i) for i in range(config.size)]
        for slot in self._slots:
            slot.start()

    # -- running tasks --------------------------------------------------------------------

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        limit_s: float | None = None,
        priority: Priority = Priority.NORMAL,
    ) -> Future[Any]:
        """Queue ``fn(*args, domains)``; the future's result is its value or a Failure."""
        task = _Task(fn, args, limit_s if limit_s is not None else self.config.hard_limit_s)
        if self.closing:
            task.future.set_result(Failure(FailureKind.UNAVAILABLE, "the service is stopping"))
            return task.future
        with self._lock:
            self._live += 1
        # A cancelled task stays in the queue until a slot skips it, but is no longer pending.
        task.future.add_done_callback(self._settled)
        self.queue.put((priority, next(self._order), task))
        return task.future

    def _settled(self, future: Future[Any]) -> None:
        with self._lock:
            self._live -= 1
            if not future.cancelled():
                self._completed += 1

    async def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        limit_s: float | None = None,
        priority: Priority = Priority.NORMAL,
    ) -> Any:
        return await asyncio.wrap_future(self.submit(fn, *args, limit_s=limit_s, priority=priority))

    # -- state, for /health and /metrics --------------------------------------------------

    @property
    def size(self) -> int:
        return self.config.size

    @property
    def alive(self) -> int:
        """Workers started, ready and not dead (busy or idle)."""
        return sum(1 for slot in self._slots if slot.live())

    @property
    def pending(self) -> int:
        """Tasks queued or running (a cancelled task is not)."""
        return self._live

    @property
    def completed(self) -> int:
        """Tasks answered since start."""
        return self._completed

    def problems(self) -> list[str]:
        """What is wrong with the pool: no worker ready yet, or a slot that has been without
        a worker for longer than the grace period (a restart normally takes milliseconds)."""
        if not self.started:
            return ["starting: no scoring worker is ready yet"]
        now = time.monotonic()
        grace = self.config.down_grace_s
        return [
            f"scoring worker {slot.index} is down: {slot.last_error or 'restarting'}"
            for slot in self._slots
            if slot.down_since is not None and now - slot.down_since > grace
        ]

    def workers(self) -> list[WorkerInfo]:
        return [slot.info() for slot in self._slots]

    def restarts(self) -> dict[str, int]:
        """Workers replaced since start, by reason."""
        with self._lock:
            return dict(self._restarts)

    def count_restart(self, reason: str) -> None:
        if reason != "closed":
            with self._lock:
                self._restarts[reason] += 1

    # -- shutdown -------------------------------------------------------------------------

    def close(self) -> None:
        """Stop every worker; queued tasks end as ``unavailable``, running ones are abandoned."""
        self.closing = True
        while True:
            try:
                _, _, task = self.queue.get_nowait()
            except queue.Empty:
                break
            if task is not None and task.future.set_running_or_notify_cancel():
                task.future.set_result(Failure(FailureKind.UNAVAILABLE, "the service is stopping"))
        for _ in self._slots:
            self.queue.put((-1, next(self._order), None))
        deadline = time.monotonic() + 10
        for slot in self._slots:
            slot.join(max(0.0, deadline - time.monotonic()))
            if slot.process is not None and slot.process.pid is not None:  # stuck in a task
                with contextlib.suppress(OSError):
                    os.kill(slot.process.pid, signal.SIGKILL)
