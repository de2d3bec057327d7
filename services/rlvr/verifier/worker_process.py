"""The inside of one scoring worker process: receive tasks on a pipe, run them, answer.

A worker is started (from the forkserver, see :mod:`.workers`) with the app's domains and
keeps them for its whole life; each task ``fn(*args)`` runs as ``fn(*args, domains)``. With
each answer it reports its resident memory and whether a soft time limit fired during the
task, so the parent can recycle it before leaked memory piles up.

Messages (plain tuples, pickled by :mod:`multiprocessing`):

* parent → worker: ``(task_id, fn, args)``, or ``None`` to stop;
* worker → parent: ``("ready", pid)`` once; during a task, ``("limit", seconds)`` each time a
  soft limit starts (the parent moves the task's hard limit to ``seconds`` + grace from
  now); then ``(task_id, ok, value, rss_bytes, timed_out)``, where ``ok`` is False when the
  task raised and ``value`` is then the error's text.
"""

from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from typing import Any

from . import timeouts
from .domains import Domain

_PR_SET_PDEATHSIG = 1
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes() -> int:
    """This process's resident set size now (not its peak)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):  # not Linux: the peak is the best we have
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when its parent (the forkserver, which itself exits
    with the service) goes, so a worker stuck in C code never outlives the service."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the closed pipe still stops an idle worker
        pass


def serve(conn: Connection, domains: Mapping[str, Domain]) -> None:
    """The worker's main loop (its main thread, so SIGALRM time limits work)."""
    # Ctrl-C in a terminal reaches the whole process group: the service decides, not us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # No lower CPU priority (nice) for workers: limits are wall-clock, so on a shared machine
    # a deprioritised worker turns the neighbours' load into false timeouts (measured: a
    # niced pool scored 5x fewer items/s on a loaded 2-core machine, and timed out good ones).
    _die_with_parent()
    timeouts.on_limit(lambda seconds: conn.send(("limit", seconds)))
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the service is gone
            return
        if message is None:
            return
        task_id, fn, args = message
        _answer(conn, task_id, fn, args, domains)


def _answer(
    conn: Connection,
    task_id: int,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    domains: Mapping[str, Domain],
) -> None:
    fired = timeouts.fired()
    ok, value = True, None
    try:
        value = fn(*args, domains)
    except BaseException as exc:  # a task must never take its worker down by raising
        ok, value = False, f"{type(exc).__name__}: {exc}"
    timed_out = timeouts.fired() != fired
    try:
        conn.send((task_id, ok, value, rss_bytes(), timed_out))
    except (EOFError, OSError):
        return
    except Exception as exc:  # the value does not pickle: say so instead of going silent
        conn.send((task_id, False, f"unpicklable result: {exc}", rss_bytes(), timed_out))
