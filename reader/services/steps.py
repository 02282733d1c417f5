"""Long merges written as a run of short transactions, so that a key pressed in an open reader,
or a second import, never waits on one for more than a fraction of a second.

It never holds the write lock longer than one step past `seconds`, and leaves the database free
between two transactions long enough for a waiting writer to get in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from reader.store import Store

#: How long one transaction of a long merge runs before it commits (the last step may pass it).
STEP_SECONDS = 0.4
#: How long the database is left free between two transactions: SQLite's busy handler, in a
#: process waiting for the lock, sleeps at most 100 ms between two tries, so a pause this long
#: always holds one of its tries.
PAUSE_SECONDS = 0.11
#: How often a long merge looks whether the database is free when someone else writes: less
#: often than SQLite's busy handler tries (every 100 ms), so that a key pressed in a reader,
#: which waits the usual way, goes before a second import.
LOOK_SECONDS = (0.2, 0.3)
#: How long it gives way before it waits as every writer does.
PATIENCE_SECONDS = 10.0


class _RolledBack(Exception):
    """Raised inside a dry run's transaction to undo it."""


def write_in_steps(
    store: Store,
    steps: Iterable[Callable[[], object]],
    *,
    action: str,
    dry_run: bool = False,
    seconds: float = STEP_SECONDS,
    pause: float = PAUSE_SECONDS,
    begin: Callable[[], object] | None = None,
    end: Callable[[], object] | None = None,
) -> int:
    """Run every step inside a write transaction (`Store.writing`, naming `action`), committing
    and starting a new transaction once one has run `seconds` (every step gets its own with 0).
    `begin` runs first in each transaction, `end` last (to write what the steps gathered). A dry
    run rolls every transaction back. Returns the number of transactions.

    A step that raises ends the run: the transactions before it stay committed (a dry run's
    not), the one it was in is rolled back."""
    pending = iter(steps)
    step = next(pending, None)
    transactions = 0
    while step is not None:
        if transactions:
            time.sleep(pause)
            store.give_way(PATIENCE_SECONDS, LOOK_SECONDS)
        transactions += 1
        try:
            with store.writing(action):
                if begin is not None:
                    begin()
                started = time.perf_counter()
                while step is not None:
                    step()
                    step = next(pending, None)
                    if time.perf_counter() - started >= seconds:
                        break
                if end is not None:
                    end()
                if dry_run:
                    raise _RolledBack
        except _RolledBack:
            pass
    return transactions
