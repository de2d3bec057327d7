"""Compile a program once, as the program's uid, and cache the binary where it cannot write.

The compiler runs untrusted source, so it runs like a program: its own uid, limits, a
wall-clock kill. Its output is copied by the executor into a root-only cache
(``0700``), keyed by the hash of the language and source and checked by the binary's
own hash before reuse: no program can plant a binary for another's source.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from . import cleanup, processes
from .languages import Language
from .processes import ISOLATE
from .protocol import CompileResult, Job

COMPILE_MEMORY_MB = 2048


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Compiler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._binaries: dict[str, str] = {}  # source key → binary hash

    def _cached(self, key: str, exe: Path) -> bool:
        stored = self.directory / key
        expected = self._binaries.get(key)
        if expected is None or not stored.is_file():
            return False
        data = stored.read_bytes()
        if _digest(data) != expected:
            return False
        exe.write_bytes(data)
        exe.chmod(0o755)
        return True

    def compile(
        self, language: Language, job: Job, source: Path, exe: Path, cwd: Path, deadline: float
    ) -> CompileResult:
        """Put the program's binary at ``exe`` (readable, not writable, by the program)."""
        assert language.compile is not None
        key = _digest(f"{language.name}\0{job.source}".encode())
        if self._cached(key, exe):
            return CompileResult(ok=True, cached=True)
        remaining = deadline - time.monotonic()
        if remaining <= 0.05:
            return CompileResult(ok=False, stderr="the item's time budget ran out before compiling")
        built = cwd / "main"
        command = [part.format(src=source, exe=built) for part in language.compile]
        process = processes.spawn(command, cwd, COMPILE_MEMORY_MB, remaining)
        ran = processes.watch(process, b"", remaining, 1 << 20)
        if ISOLATE:
            cleanup.kill_all()  # nothing of the compiler's uid lives on to touch its output
        else:
            cleanup.kill_tree(process.pid)
        ran = processes.reap(process, ran, 1 << 20)
        stderr = ran.stderr.decode("utf-8", "replace")
        if ran.timed_out:
            stderr = f"compiling ran past the item's time budget ({remaining:.1f} s left)\n{stderr}"
            return CompileResult(ok=False, time_s=ran.time_s, stderr=stderr)
        if ran.exit_code != 0 or not built.is_file() or built.is_symlink():
            return CompileResult(ok=False, time_s=ran.time_s, stderr=stderr)
        data = built.read_bytes()
        built.unlink()
        self.directory.mkdir(mode=0o700, exist_ok=True)
        stored = self.directory / key
        stored.write_bytes(data)
        self._binaries[key] = _digest(data)
        exe.write_bytes(data)
        exe.chmod(0o755)
        return CompileResult(ok=True, time_s=ran.time_s, stderr=stderr)
