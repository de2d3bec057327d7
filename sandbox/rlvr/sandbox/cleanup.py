"""Leave nothing of a job behind in the container (stdlib only).

After each run every process but the executor and PID 1 is killed; after each job the
places a program can write are emptied: the scratch space (``/tmp``), ``/dev/shm``,
POSIX message queues (``/dev/mqueue``) and System V IPC objects. The compile cache is
out of the program's reach (a root-only directory), so it needs no wipe.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import time
from pathlib import Path

from .processes import become

SHARED_DIRS = (Path("/dev/shm"), Path("/dev/mqueue"))
_IPC_RMID = 0
_SYSV = {"shm": "shmid", "sem": "semid", "msg": "msqid"}


def _others(spare: frozenset[int]) -> list[int]:
    """Live processes other than this one, PID 1 and ``spare`` (zombies are dead already)."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in (1, me) or int(entry) in spare:
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if stat.rpartition(")")[2].split()[0] not in ("Z", "X"):
            found.append(int(entry))
    return found


def reap_children(spare: frozenset[int] = frozenset()) -> None:
    """Reap the executor's dead children, but for ``spare`` ones."""
    with contextlib.suppress(ChildProcessError):
        while True:
            found = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            if found is None or found.si_pid in spare:
                return
            os.waitpid(found.si_pid, 0)


def kill_all(spare: frozenset[int] = frozenset()) -> None:
    """SIGKILL every process in the container but this one, PID 1 and ``spare`` (the
    zygote). The executor's own children are left for it to reap (it wants their exit
    status and rusage).

    Without ``spare``, ``kill(-1)`` signals them all in one pass of the kernel's task
    list, which a fork cannot race. With it, each is killed by pid, again until none
    is left: a fork bomb stops growing once its forkers are dead, and the pids cgroup
    bounds it meanwhile.
    """
    pause = 0.0005
    for _ in range(2000):
        if not spare:
            with contextlib.suppress(ProcessLookupError):
                os.kill(-1, signal.SIGKILL)
        others = _others(spare)
        if not others:
            return
        for pid in others:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(pause)
        pause = min(pause * 2, 0.01)


def kill_tree(pid: int) -> None:
    """Outside a container: the run's process group only (a program can leave it)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def empty(directory: Path, keep: frozenset[Path] = frozenset()) -> None:
    """Remove everything in ``directory`` (needs CAP_DAC_OVERRIDE and CAP_FOWNER for
    what the program made unreadable or sticky)."""
    try:
        entries = list(directory.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()


def _sysv_objects() -> dict[tuple[str, int], list[int]]:
    """(kind, owner uid) → ids, from /proc/sysvipc (this container's IPC namespace)."""
    found: dict[tuple[str, int], list[int]] = {}
    for kind, id_column in _SYSV.items():
        try:
            header, *rows = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
        except (OSError, ValueError):
            continue
        columns = header.split()
        for row in rows:
            values = dict(zip(columns, row.split(), strict=False))
            with contextlib.suppress(KeyError, ValueError):
                found.setdefault((kind, int(values["uid"])), []).append(int(values[id_column]))
    return found


def remove_sysv_ipc() -> None:
    """Remove every System V shared memory segment, semaphore set and message queue.

    Only the owner (or CAP_SYS_ADMIN, which the executor does not have) may remove
    one, so a child takes each owner's uid in turn.
    """
    for (kind, uid), ids in _sysv_objects().items():
        pid = os.fork()
        if pid == 0:
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                if uid != os.getuid():
                    become(uid)
                for ident in ids:
                    if kind == "shm":
                        libc.shmctl(ident, _IPC_RMID, None)
                    elif kind == "sem":
                        libc.semctl(ident, 0, _IPC_RMID)
                    else:
                        libc.msgctl(ident, _IPC_RMID, None)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)


def wipe(scratch: Path) -> None:
    """Empty every place a program may have written during the job."""
    empty(scratch)
    for directory in SHARED_DIRS:
        empty(directory)
    remove_sysv_ipc()
