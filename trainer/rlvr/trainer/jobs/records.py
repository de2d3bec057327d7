"""Records in and out of the data jobs: JSONL or Parquet, streamed, with resumable sinks.

A sink is written in chunks; ``commit()`` makes everything written so far durable and returns
a *position*. Opening a sink again at a position throws away whatever was written after it
(a torn line, an unfinished part), which is what makes the jobs resumable without loss or
duplicates:

- JSONL: one file; the position is its length in bytes after ``fsync``.
- Parquet: a Parquet file cannot be appended to, so chunks go to numbered part files in
  ``<out>.parts/`` (each written to a temporary name, then renamed) and the position is the
  number of parts. ``finish()`` merges the parts into ``<out>``, one row group per part.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from ..errors import DataError

Record = dict[str, Any]


def is_parquet(path: Path) -> bool:
    return path.suffix == ".parquet"


def read_records(path: Path) -> Iterator[Record]:
    """The records of a ``.jsonl`` or ``.parquet`` file, one at a time."""
    if is_parquet(path):
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
            yield from batch.to_pylist()
        return
    with path.open(encoding="utf-8") as source:
        for number, line in enumerate(source, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    raise DataError(f"{path}:{number}: not a JSON line ({exc})") from exc


def count_records(path: Path) -> int:
    """How many records ``path`` holds (Parquet from its footer, JSONL by lines)."""
    if is_parquet(path):
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    with path.open("rb") as source:
        return sum(1 for line in source if line.strip())


def write_records(path: Path, records: Iterable[Record]) -> int:
    """Write ``records`` to ``path`` at once (not resumable); returns how many."""
    sink = open_sink(path, None)
    count = sink.write(records)
    sink.commit()
    sink.close()
    sink.finish()
    return count


class Sink(Protocol):
    def write(self, records: Iterable[Record]) -> int: ...
    def commit(self) -> int: ...
    def close(self) -> None:
        """Release the output, finished or not (on success and on error alike)."""

    def finish(self) -> None:
        """After the last commit and ``close``: make the output its final self."""


def open_sink(path: Path, position: int | None) -> Sink:
    """A sink for ``path`` resumed at ``position`` (``None``: a new output)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return ParquetSink(path, position) if is_parquet(path) else JsonlSink(path, position)


class JsonlSink:
    def __init__(self, path: Path, position: int | None) -> None:
        self._file = path.open("ab")
        self._file.truncate(position or 0)  # drop what was written after the last commit
        self._file.seek(0, os.SEEK_END)

    def write(self, records: Iterable[Record]) -> int:
        count = 0
        for record in records:
            self._file.write((json.dumps(record, ensure_ascii=False) + "\n").encode())
            count += 1
        return count

    def commit(self) -> int:
        self._file.flush()
        os.fsync(self._file.fileno())
        return self._file.tell()

    def close(self) -> None:
        self._file.close()

    def finish(self) -> None:
        pass  # the committed bytes are the output


class ParquetSink:
    def __init__(self, path: Path, position: int | None) -> None:
        self._path, self._parts = path, path.with_name(path.name + ".parts")
        if position is None:
            shutil.rmtree(self._parts, ignore_errors=True)
        self._parts.mkdir(exist_ok=True)
        self._committed = position or 0
        for stale in self._parts.iterdir():  # parts of chunks that were never committed
            if not stale.name.endswith(".parquet") or int(stale.stem) >= self._committed:
                stale.unlink()
        self._pending: list[Record] = []

    def write(self, records: Iterable[Record]) -> int:
        before = len(self._pending)
        self._pending.extend(records)
        return len(self._pending) - before

    def commit(self) -> int:
        if self._pending:
            import pyarrow as pa
            import pyarrow.parquet as pq

            part = self._parts / f"{self._committed:08d}.parquet"
            temporary = part.with_suffix(".tmp")
            pq.write_table(pa.Table.from_pylist(self._pending), temporary)
            _fsync(temporary)
            os.replace(temporary, part)
            self._committed += 1
            self._pending = []
        return self._committed

    def close(self) -> None:
        self._pending = []

    def finish(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        parts = sorted(self._parts.glob("*.parquet"))
        if not parts:
            pq.write_table(pa.table({}), self._path)
            shutil.rmtree(self._parts)
            return
        try:
            schema = pa.unify_schemas(
                [pq.read_schema(p) for p in parts], promote_options="permissive"
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise DataError(
                f"{self._path}: records of different shapes cannot share one Parquet schema "
                f"({exc}); write JSONL instead (an output path ending in .jsonl)"
            ) from exc
        temporary = self._path.with_name(self._path.name + ".tmp")
        with pq.ParquetWriter(temporary, schema) as writer:
            for part in parts:
                rows = pq.read_table(part).to_pylist()
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
        os.replace(temporary, self._path)
        shutil.rmtree(self._parts)


def _fsync(path: Path) -> None:
    with path.open("rb") as written:
        os.fsync(written.fileno())
