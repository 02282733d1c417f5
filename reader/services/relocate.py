"""Moving the database of the user's own config.yaml from the config folder, where readers before
0.2 kept it, to the user data folder: once, whole, and only while no program has it open.

It never leaves two live copies: the database is renamed (its write-ahead log written into it
first), or copied under a name no reader opens and only then put in place; if anything stands in
the way, the database stays where it is and is used there.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from reader.services.restore import _sync_folder, in_use
from reader.store import Store, database_file_problem


@dataclass(frozen=True, slots=True)
class Settled:
    """Which database to open, and one line for the user (None: nothing to say)."""

    database: Path
    note: str | None = None


def settle_database(database: Path, former: Path) -> Settled:
    """Move the database at `former` (the old place) to `database` (the new one) if it is there
    and `database` is not. Several processes may call this at once: one moves, the others wait
    for it (a lock on the new folder) and then find the database moved. The database stays at
    `former`, and is used there, while another program has it open, or when it is not a reader
    database or cannot be made one self-contained file (damaged): opening it then says what is wrong."""
    database, former = Path(database), Path(former)
    staging = former.with_name(f"{former.name}.moving")
    if not database.exists() and not former.exists() and not staging.exists():
        return Settled(database)  # nothing to move (the usual case): no folder made, no lock taken
    if database.exists() and not former.exists() and not staging.exists():
        return Settled(database)
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        with _folder_lock(database.parent):
            return _settle(database, former, staging)
    except OSError as error:
        if database.exists():
            return Settled(database)
        return Settled(former, f"{former}: not moved to {database} ({error.strerror or error}); reader uses it where it is")


def _settle(database: Path, former: Path, staging: Path) -> Settled:
    if staging.exists():  # a copy to another file system was interrupted: finish it
        if not database.exists():
            _copy_into_place(staging, database)
        staging.unlink()
        return Settled(database, _moved(former, database))
    if not former.exists():
        return Settled(database)  # another process moved it meanwhile
    if database.exists():
        if former.stat().st_size == 0:
            return Settled(database)
        return Settled(database, f"note: {former} is a database an older reader kept there; reader uses {database} "
                                 f"(move or delete the old one to stop this note)")
    if in_use(former):
        return Settled(former, f"{former} is open in another program, so reader uses it there this time; it moves to "
                               f"{database} (the user data folder) when no program has it open")
    if database_file_problem(former) is not None or not Store.fold_journal(former):
        return Settled(former)  # not reader's, or damaged: opening it says so; never moved
    Path(f"{former}-shm").unlink(missing_ok=True)  # shared memory only, of no one now
    try:
        os.rename(former, database)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        os.rename(former, staging)  # no reader opens this name: never two live copies
        _copy_into_place(staging, database)
        staging.unlink()
    _sync_folder(database.parent)
    _sync_folder(former.parent)
    return Settled(database, _moved(former, database))


def _moved(former: Path, database: Path) -> str:
    return f"Moved your database from {former} to {database}: reader keeps it in your user data folder now"


def _copy_into_place(source: Path, database: Path) -> None:
    """Copy `source` to `database` whole: written beside it under another name, then renamed."""
    partial = database.with_name(f".{database.name}.moving-{os.getpid()}")
    try:
        with open(source, "rb") as reading, open(partial, "wb") as writing:
            shutil.copyfileobj(reading, writing, 1024 * 1024)
            writing.flush()
            os.fsync(writing.fileno())
        os.replace(partial, database)
    finally:
        partial.unlink(missing_ok=True)


class _folder_lock:
    """An exclusive lock on a folder (flock on its descriptor), held for a `with` block."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.descriptor = -1

    def __enter__(self) -> None:
        self.descriptor = os.open(self.folder, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        fcntl.flock(self.descriptor, fcntl.LOCK_EX)

    def __exit__(self, *_exc) -> None:
        os.close(self.descriptor)  # releases the lock

