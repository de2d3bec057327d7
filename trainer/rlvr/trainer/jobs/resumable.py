"""Stream JSONL records in, groups of them through a function, JSONL records out — resumably.

After each chunk the output is flushed and fsynced, then ``<out>.progress`` records how many
input records are done and how long the output is, atomically (write + rename). A restart
after a crash or Ctrl-C cuts the output back to that length and skips the done inputs, so
no written record is lost or duplicated.

Input records are grouped by ``group_key`` over *consecutive* records (``generate`` writes
the k samples of a prompt together); a group is never split across chunks.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from tqdm import tqdm

Record = dict[str, Any]
Group = list[Record]


@dataclass(frozen=True)
class Progress:
    inputs_done: int = 0
    output_bytes: int = 0


def _progress_path(out: Path) -> Path:
    return out.with_name(out.name + ".progress")


def load_progress(out: Path) -> Progress:
    path = _progress_path(out)
    if not path.exists():
        return Progress()
    return Progress(**json.loads(path.read_text()))


def _save_progress(out: Path, progress: Progress) -> None:
    path = _progress_path(out)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(progress.__dict__))
    os.replace(temporary, path)


def read_jsonl(path: Path) -> Iterator[Record]:
    with path.open(encoding="utf-8") as source:
        for number, line in enumerate(source, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    raise SystemExit(f"{path}:{number}: not a JSON line ({exc})") from exc


def run(
    source: Path,
    out: Path,
    process: Callable[[list[Group]], list[Record]],
    group_key: Callable[[Record], Any],
    chunk_groups: int = 64,
    description: str = "records",
) -> Progress:
    """Apply ``process`` to chunks of groups of ``source`` records; append to ``out``."""
    progress = load_progress(out)
    if progress == Progress() and out.exists() and out.stat().st_size > 0:
        raise SystemExit(
            f"{out} exists and was not written by this job (no "
            f"{_progress_path(out).name}): remove it or pick another output"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("ab") as sink:
        sink.truncate(progress.output_bytes)  # drop what was written after the last checkpoint
    records = read_jsonl(source)
    for _ in range(progress.inputs_done):
        next(records, None)
    groups = (list(g) for _, g in groupby(records, key=group_key))
    bar = tqdm(initial=progress.inputs_done, desc=description, unit="rec")
    chunk: list[Group] = []
    with out.open("ab") as sink:
        for group in groups:
            chunk.append(group)
            if len(chunk) >= chunk_groups:
                progress = _flush(chunk, process, sink, out, progress, bar)
                chunk = []
        if chunk:
            progress = _flush(chunk, process, sink, out, progress, bar)
    bar.close()
    return progress


def _flush(
    chunk: list[Group],
    process: Callable[[list[Group]], list[Record]],
    sink: Any,
    out: Path,
    progress: Progress,
    bar: Any,
) -> Progress:
    for record in process(chunk):
        sink.write((json.dumps(record, ensure_ascii=False) + "\n").encode())
    sink.flush()
    os.fsync(sink.fileno())
    consumed = sum(len(group) for group in chunk)
    progress = Progress(progress.inputs_done + consumed, sink.tell())
    _save_progress(out, progress)
    bar.update(consumed)
    return progress
