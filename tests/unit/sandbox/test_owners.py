"""Who owns a sandbox container, and whether that owner is alive, from its labels."""

from __future__ import annotations

import subprocess
from pathlib import Path

from rlvr.sandbox.owners import PREFIX, Owner


def _ended_process() -> tuple[str, str]:
    process = subprocess.Popen(["true"])
    started = Path(f"/proc/{process.pid}/stat").read_text().rpartition(")")[2].split()[19]
    process.wait()
    return str(process.pid), started


def test_labels_name_the_instance_and_its_process() -> None:
    me = Owner.current()
    labels = me.labels()
    assert labels[PREFIX] == me.instance and len(me.instance) == 32
    assert labels[f"{PREFIX}.pid"] == str(me.pid) and labels[f"{PREFIX}.started"]
    assert Owner.current().instance != me.instance


def test_liveness_from_labels() -> None:
    me = Owner.current()
    other_here = Owner.current().labels()  # another instance, in a live process
    pid, started = _ended_process()
    ended = {**other_here, f"{PREFIX}.pid": pid, f"{PREFIX}.started": started}
    reused_pid = {**other_here, f"{PREFIX}.started": "1"}  # same pid, another process
    elsewhere = {**other_here, f"{PREFIX}.pidns": "pid:[1]"}  # cannot be checked from here
    assert me.judge(me.labels(), client=None) == "alive"
    assert me.judge(other_here, client=None) == "alive"
    assert me.judge(ended, client=None) == "gone"
    assert me.judge(reused_pid, client=None) == "gone"
    assert me.judge(elsewhere, client=None) == "unknown"
    assert me.judge({}, client=None) == "unknown"  # an older service: left alone
