"""A soft per-item time limit, enforced inside the worker process with SIGALRM.

The soft limit turns a slow item into ``status: timeout`` without losing the
worker. It cannot interrupt C code that never returns to the interpreter (a huge
integer power, say); the pool's hard limit kills the worker for those.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class ItemTimeout(BaseException):
    """Raised when an item runs past its soft limit.

    A BaseException, so the ``except Exception`` blocks inside math-verify and
    sympy cannot swallow it and report a timeout as a wrong answer.
    """


def _raise_timeout(signum: int, frame: FrameType | None) -> None:
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
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
