"""A soft per-item time limit, enforced inside the worker process with SIGALRM.

The soft limit stops a slow item without losing the worker. It cannot interrupt C
code that never returns to the interpreter (a huge integer power, say); the pool's
hard limit kills the worker for those. A worker whose soft limit fired is recycled
after its task (see :func:`fired`): what the interrupted code left behind in caches
and the heap is not worth keeping.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType


class ItemTimeout(BaseException):
    """Raised when an item runs past its soft limit.

    A BaseException, so the ``except Exception`` blocks inside math-verify and
    sympy cannot swallow it and report a timeout as a wrong answer.
    """


_fired = 0  # soft limits that fired in this process
_listener: Callable[[float], None] | None = None


def on_limit(listener: Callable[[float], None] | None) -> None:
    """Call ``listener(seconds)`` whenever a soft limit starts in this process.

    A worker process tells its supervisor, which then moves the hard limit to the soft
    limit just started plus the kill grace: the hard limit follows each limited phase of
    an item (checking the answer, then maybe the reference) and never multiplies.
    """
    global _listener
    _listener = listener


def fired() -> int:
    """How many soft limits have fired in this process so far."""
    return _fired


def _raise_timeout(signum: int, frame: FrameType | None) -> None:
    global _fired
    _fired += 1
    raise ItemTimeout


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`ItemTimeout` in this (main) thread after ``seconds``.

    >>> with time_limit(1.0):
    ...     pass
    """
    if seconds <= 0:
        yield
        return
    if _listener is not None:
        _listener(seconds)
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
