"""First open of a new database by several processes at once: how many were refused, and why.

Each round makes a new, empty folder; `--processes` processes wait at one barrier and then
open the same new database with `Store.open` and read its articles. A refusal is any exception
(the message is counted by its first words); after each round the schema must be complete.

    python benchmarks/open_race.py [--rounds 15] [--processes 4]

Prints the numbers; tests/test_open_safety.py runs the same race with fewer rounds.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def open_once(path: str, barrier, results) -> None:
    """One opener: wait for the others, open the database, read from it, report."""
    from reader.store import Store

    barrier.wait()
    try:
        store = Store.open(path)
        try:
            store.listing.count()
        finally:
            store.close()
    except BaseException as error:  # a refusal of any kind is what is counted
        results.put(f"{type(error).__name__}: {error}")
    else:
        results.put("")


def race(path: Path, processes: int) -> list[str]:
    """Start `processes` openers of `path` at once; their outcomes ("" for opened)."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes)
    results = context.Queue()
    workers = [context.Process(target=open_once, args=(str(path), barrier, results)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join()
    return outcomes


def schema_complete(path: Path) -> bool:
    """Whether every migration reader knows is recorded as applied, once."""
    from reader.store.schema import migrations

    conn = sqlite3.connect(path)
    try:
        names = [row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'reader'")]
    finally:
        conn.close()
    known = [migration.name for migration in migrations._migrations]
    return sorted(names) == sorted(known)


def _first_words(message: str) -> str:
    """A refusal without the parts that differ between rounds: its first words, up to a colon."""
    words = message.split()
    return " ".join(words[:9])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--processes", type=int, default=4)
    args = parser.parse_args()
    refused: Counter[str] = Counter()
    incomplete = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for round_number in range(args.rounds):
            path = Path(folder) / f"round{round_number}" / "annotations.db"
            path.parent.mkdir()
            outcomes = race(path, args.processes)
            for outcome in outcomes:
                if outcome:
                    refused[_first_words(outcome.replace(str(path), "DB"))] += 1
            if not schema_complete(path):
                incomplete += 1
    total = args.rounds * args.processes
    print(f"{args.processes} processes opening a new database at once, {args.rounds} rounds "
          f"({time.perf_counter() - started:.1f} s)")
    print(f"opened: {total - sum(refused.values())} of {total}; refused: {sum(refused.values())}")
    for message, count in refused.most_common():
        print(f"  {count:4d}  {message}")
    print(f"rounds whose schema was incomplete afterwards: {incomplete}")


if __name__ == "__main__":
    main()
