"""Reading the files of an import into documents, in order: in this process, or in worker
processes (a JSONL dump in chunks of lines, other files a few at a time) while this one writes.

It never writes anything and never reorders: both ways give the same items in the same order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from reader.core.ingest import (
    Document, ReadOptions, RecordChunk, SizeLimit, Skipped, no_records, read_chunk, read_file, read_in_chunks,
)

#: A JSONL dump is handed to the workers in chunks of about this many bytes of lines.
CHUNK_BYTES = 1 << 20
#: Small files go to a worker together, up to this many (or CHUNK_BYTES of them).
FILES_PER_TASK = 64
#: Imports of fewer bytes than this are read in this process: starting the workers costs more
#: than they save below it (measured: see BENCHMARKS.md, issue 16, speed at scale).
PARALLEL_FROM_BYTES = 8 << 20
#: Tasks given to the workers ahead of the one being written: what bounds memory.
AHEAD_PER_WORKER = 3


@dataclass(frozen=True, slots=True)
class Read:
    """What one task gave, in the order of the files: `items` (documents and skipped notes),
    and how many bytes of the import they account for (`done`)."""

    items: list[Document | Skipped]
    done: int


def import_size(files: Iterable[Path]) -> int:
    """The bytes of `files` (those that cannot be looked at count nothing)."""
    total = 0
    for path in files:
        try:
            total += os.stat(path).st_size
        except (OSError, ValueError):
            pass
    return total


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # (not on every system)
        return os.cpu_count() or 1


def machine_load() -> float:
    """Processes running or waiting for a core, averaged over the last minute (0 if unknown)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0


def workers_for(total_bytes: int, workers: int | None) -> int:
    """How many worker processes read an import of `total_bytes`: `workers` when given (0: none,
    read here), else one per core when there are two or more, at least one of them idle, and
    the import is large enough. (On a machine whose cores are all busy, workers only add the
    cost of sending the documents between processes: measured 81 s against 68 s for 100,000
    articles at a load of 3-4 on 2 cores.)"""
    if workers is not None:
        return max(0, workers)
    cores = usable_cores()
    if cores < 2 or total_bytes < PARALLEL_FROM_BYTES or cores - machine_load() < 1:
        return 0
    return cores


def read_files(
    files: list[Path], limit: SizeLimit | None, options: ReadOptions, workers: int = 0,
) -> Iterator[Read]:
    """The items of `files` in order (each file's as `read_file` gives them), read in this
    process (`workers` 0) or by that many worker processes."""
    tasks = _tasks(files, limit, options)
    if not workers:
        return _said_empty((task, _run(task, limit, options)) for task in tasks)
    return _read_by_workers(tasks, limit, options, workers)


def _read_by_workers(tasks: Iterator[_Task], limit: SizeLimit | None, options: ReadOptions, workers: int) -> Iterator[Read]:
    # fork: the workers start at once with reader imported (they never use the parent's database)
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        yield from _said_empty(_in_order(pool, tasks, limit, options, workers * AHEAD_PER_WORKER))
    finally:  # (stopped early, by an error or ^C: what was given out ahead is not waited for)
        pool.shutdown(wait=True, cancel_futures=True)


def _said_empty(done: Iterable[tuple[_Task, Read]]) -> Iterator[Read]:
    """The reads, with the note `read_file` gives a JSONL file without any record after its last chunk."""
    any_record = False
    for task, read in done:
        if isinstance(task, RecordChunk):
            any_record = (any_record and not task.first) or bool(read.items)
            if task.last and not any_record:
                read = Read([*read.items, no_records(task.name)], read.done)
        yield read


# A task: a chunk of a JSONL file, or a few whole files (with their sizes), or what was read
# here already (a CSV file, streamed: never held whole to be sent elsewhere).
_Task = RecordChunk | tuple[tuple[Path, int], ...] | Read


def _tasks(files: list[Path], limit: SizeLimit | None, options: ReadOptions) -> Iterator[_Task]:
    group: list[tuple[Path, int]] = []
    grouped = 0
    for path in files:
        size = import_size([path])
        suffix = path.suffix.lower()
        if suffix in (".jsonl", ".csv", ".tsv") or grouped + size >= CHUNK_BYTES or len(group) >= FILES_PER_TASK:
            if group:
                yield tuple(group)
            group, grouped = [], 0
        if suffix == ".jsonl":
            read = 0
            for part in read_in_chunks(path.absolute(), limit, options, CHUNK_BYTES):
                if isinstance(part, RecordChunk):
                    chunk_size = sum(line_size for _, _, line_size in part.lines)
                    read += chunk_size
                    yield part
                else:
                    yield Read([part], 0)
            yield Read([], max(0, size - read))  # (what was not lines: a byte-order mark...)
        elif suffix in (".csv", ".tsv"):
            yield from _streamed(path, size, limit, options)
        else:
            group.append((path, size))
            grouped += size
    if group:
        yield tuple(group)


def _streamed(path: Path, size: int, limit: SizeLimit | None, options: ReadOptions) -> Iterator[Read]:
    """A CSV file read here, a record at a time, given in parts of 500 items."""
    items: list[Document | Skipped] = []
    for item in read_file(path.absolute(), limit, options):
        items.append(item)
        if len(items) >= 500:
            yield Read(items, 0)
            items = []
    yield Read(items, size)


def _run(task: _Task, limit: SizeLimit | None, options: ReadOptions) -> Read:
    """What a task gives (in a worker, or here)."""
    if isinstance(task, Read):
        return task
    if isinstance(task, RecordChunk):
        return Read(read_chunk(task, options, limit), sum(size for _, _, size in task.lines))
    items: list[Document | Skipped] = []
    for path, _ in task:
        # absolute paths are stored, so the same file imported from elsewhere is recognised
        items.extend(read_file(path.absolute(), limit, options))
    return Read(items, sum(size for _, size in task))


def _in_order(
    pool: Executor, tasks: Iterator[_Task], limit: SizeLimit | None, options: ReadOptions, ahead: int,
) -> Iterator[tuple[_Task, Read]]:
    """The tasks with their results, in order, at most `ahead` of them given out at once."""
    pending: deque[tuple[_Task, Future[Read] | Read]] = deque()
    for task in tasks:
        pending.append((task, task if isinstance(task, Read) else pool.submit(_run, task, limit, options)))
        while len(pending) > ahead or (pending and isinstance(pending[0][1], Read)):
            yield _result(pending.popleft())
    while pending:
        yield _result(pending.popleft())


def _result(pair: tuple[_Task, Future[Read] | Read]) -> tuple[_Task, Read]:
    task, done = pair
    return task, done if isinstance(done, Read) else done.result()
