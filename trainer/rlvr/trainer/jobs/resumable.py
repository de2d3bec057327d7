"""Stream records in, groups of them through a function, records out — resumably.

After each chunk the output sink commits (fsync; see :mod:`.records`), then
``<out>.progress`` records how many input records are done and the sink's position,
atomically (write + rename). A restart after a crash or Ctrl-C cuts the output back to that
position and skips the done inputs, so no written record is lost or duplicated.

Input records are grouped by ``group_key`` over *consecutive* records (``generate`` writes
the k samples of a prompt together); a group is never split across chunks. Without a
``group_key`` each record is its own group.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..errors import DataError
from .records import Record, Sink, count_records, open_sink, read_records

Group = list[Record]


@dataclass(frozen=True)
class Progress:
    inputs_done: int = 0
    output_position: int | None = None  # None: nothing committed yet
    finished: bool = False


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
    temporary.write_text(json.dumps(asdict(progress)))
    os.replace(temporary, path)


def run(
    source: Path | Iterable[Record],
    out: Path,
    process: Callable[[list[Group]], list[Record]],
    group_key: Callable[[Record], Any] | None = None,
    chunk_groups: int = 64,
    description: str = "records",
    total: int | None = None,
) -> Progress:
    """Apply ``process`` to chunks of groups of ``source`` records; append to ``out``."""
    progress = load_progress(out)
    if progress.finished:
        print(f"{out} is already complete ({progress.inputs_done} input records done)")
        return progress
    if progress == Progress() and out.exists() and out.stat().st_size > 0:
        raise DataError(
            f"{out} exists and was not written by this job (no "
            f"{_progress_path(out).name}): remove it or pick another output"
        )
    if isinstance(source, Path):
        total = count_records(source) if total is None else total
        source = read_records(source)
    records = iter(source)
    for _ in range(progress.inputs_done):
        next(records, None)
    sink = open_sink(out, progress.output_position)
    bar = tqdm(initial=progress.inputs_done, total=total, desc=description, unit="rec")
    chunk: list[Group] = []
    try:
        for group in _groups(records, group_key):
            chunk.append(group)
            if len(chunk) >= chunk_groups:
                progress = _flush(chunk, process, sink, out, progress, bar)
                chunk = []
        if chunk:
            progress = _flush(chunk, process, sink, out, progress, bar)
    finally:
        sink.close()
        bar.close()
    sink.finish()
    progress = Progress(progress.inputs_done, progress.output_position, finished=True)
    _save_progress(out, progress)
    return progress


def _groups(records: Iterator[Record], key: Callable[[Record], Any] | None) -> Iterator[Group]:
    if key is None:
        return ([record] for record in records)
    return (list(group) for _, group in groupby(records, key=key))


def _flush(
    chunk: list[Group],
    process: Callable[[list[Group]], list[Record]],
    sink: Sink,
    out: Path,
    progress: Progress,
    bar: Any,
) -> Progress:
    sink.write(process(chunk))
    position = sink.commit()
    consumed = sum(len(group) for group in chunk)
    progress = Progress(progress.inputs_done + consumed, position)
    _save_progress(out, progress)
    bar.update(consumed)
    return progress
