"""Copies of benchmark databases: the scripts here time work on a copy, never on the corpus
database `benchmarks/run.py --keep` leaves, which they only ever open read-only."""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of `source` at `target` (its write-ahead log included, any earlier copy
    and its -wal/-shm files removed), taken with SQLite's backup API from a read-only connection."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for old in target.parent.glob(target.name + "*"):
        old.unlink()
    reading = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    writing = sqlite3.connect(str(target))
    try:
        reading.backup(writing)
    finally:
        writing.close()
        reading.close()
