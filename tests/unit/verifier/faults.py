"""Faults on command, for the pool and attribution tests: a domain and worker tasks that hang
in "C" (SIGALRM blocked), crash, leak memory or run slow. They live in an importable module
because scoring workers are forked from a forkserver and import what they run by name."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlvr.verifier.domains import Domain, Verdict
from rlvr.verifier.timeouts import time_limit

_kept: list[bytes] = []  # memory a LEAK keeps, as a parser's caches would
_warm: set[str] = set()  # references whose slow set-up finished in this process


def hang_in_c() -> None:
    """What C code deaf to the soft limit looks like: SIGALRM blocked, then a long wait."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(120)


def _obey(command: str) -> None:
    if command == "HANG":
        hang_in_c()
    elif command == "CRASH":
        os._exit(3)
    elif command.startswith("CRASH_ONCE:"):
        marker = Path(command.split(":", 1)[1])
        if not marker.exists():
            marker.touch()
            os._exit(3)
    elif command == "SLOW":
        time.sleep(120)  # Python code: the soft limit interrupts it
    elif command.startswith("SLEEP:"):
        time.sleep(float(command.split(":", 1)[1]))
    elif command == "RAISE":
        raise ValueError("the scorer chokes on this text")
    elif command.startswith("LEAK:"):
        _kept.append(b"\x01" * (int(command.split(":", 1)[1]) * 2**20))  # pages touched


@dataclass(frozen=True)
class FaultyDomain:
    """Compares text exactly, after obeying the fault its completion or reference names."""

    name: str = "faulty"
    waits_on_io: bool = False

    def verify(self, completion: str, reference: Mapping[str, Any]) -> Verdict:
        _obey(str(reference.get("fault", "")))
        if "slow_once" in reference and str(reference) not in _warm:
            time.sleep(float(reference["slow_once"]))  # a cold cache, filled only on success
            _warm.add(str(reference))
        _obey(completion)
        answer = str(reference.get("answer", ""))
        return Verdict(float(completion == answer), completion or None, {"pid": os.getpid()})


def domains() -> dict[str, Domain]:
    return {"faulty": FaultyDomain()}


# Worker tasks: a task runs as fn(*args, domains).


def pid(domains: Mapping[str, Domain]) -> int:
    return os.getpid()


def obey(command: str, domains: Mapping[str, Domain]) -> int:
    _obey(command)
    return os.getpid()


def soft_timeout(seconds: float, domains: Mapping[str, Domain]) -> str:
    try:
        with time_limit(seconds):
            time.sleep(seconds * 10)
    except BaseException as exc:
        return type(exc).__name__
    return "no timeout"
