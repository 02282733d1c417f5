"""Putting a backup made by `reader backup` back in the database's place (`reader restore`):
checked first, the replaced database kept aside, its write-ahead log never replayed onto it.

It never touches a database another process has open, and never leaves half a database at the
database's path: the checked copy is renamed into place whole.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import struct
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from reader.store import Store, StoreError

#: Where SQLite's unix VFS keeps a connection's "dead man's switch" lock in a database's `-shm`
#: file (byte 128: after the 8 WAL locks that start at byte 120). Every connection to a
#: database in WAL mode (reader always uses it) holds a shared lock there while it is open.
_SHM_OPEN_LOCK = 128


@dataclass(frozen=True, slots=True)
class Restored:
    """What `restore` did."""

    articles: int
    annotations: int
    #: Where the database it replaced was put (None: there was none).
    kept_aside: Path | None


def in_use(database: Path) -> bool:
    """Whether another process has the database open (a reader, an import...), told by the lock
    every SQLite connection to a WAL database holds on its `-shm` file. (Not on network file
    systems, where reader's WAL mode does not work either.)"""
    shm = Path(f"{database}-shm")
    try:
        descriptor = os.open(shm, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot look: say so rather than guess
    try:
        probe = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, _SHM_OPEN_LOCK, 1, 0)
        answer = fcntl.fcntl(descriptor, fcntl.F_GETLK, probe)
        return struct.unpack("hhqqi", answer)[0] != fcntl.F_UNLCK
    except OSError:
        return True
    finally:
        os.close(descriptor)


def restore(backup: Path, database: Path) -> Restored:
    """Put the backup at `backup` in place of `database`. The backup is copied beside the
    database and checked there (an SQLite file, undamaged (`integrity_check`), reader's, not
    from a newer reader); then, unless another process has the database open, the database is
    moved aside as `<name>.before-restore-<time>` (its write-ahead log written into it first, or
    moved with it when it cannot be), its `-shm` removed, and the checked copy renamed in.
    StoreError, one line naming the file, when anything is wrong; nothing is changed then."""
    backup, database = Path(backup), Path(database)
    _check_source(backup, database)
    copy = database.with_name(f".{database.name}.restoring-{os.getpid()}")
    try:
        try:
            with open(backup, "rb") as source, open(copy, "wb") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
                target.flush()
                os.fsync(target.fileno())
        except OSError as error:
            raise StoreError(f"{copy}: cannot copy the backup here ({error.strerror or error})") from None
        try:
            found = Store.check_backup(copy)
        except StoreError as error:
            raise StoreError(str(error).replace(str(copy), str(backup), 1)) from None
        if in_use(database):
            raise StoreError(
                f"{database}: open in another program (a reader, an import...): close it, then restore again"
            )
        kept = _move_aside(database)
        try:
            os.replace(copy, database)
        except OSError as error:
            if kept is not None and kept.exists():  # put it back as it was
                os.replace(kept, database)
                for journal in ("-wal", "-journal"):
                    if Path(f"{kept}{journal}").exists():
                        os.replace(f"{kept}{journal}", f"{database}{journal}")
            raise StoreError(f"{database}: cannot put the backup in place ({error.strerror or error})") from None
        _sync_folder(database.parent)
        return Restored(found.articles, found.annotations, kept)
    finally:
        for leftover in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm"), Path(f"{copy}-journal")):
            leftover.unlink(missing_ok=True)


def _check_source(backup: Path, database: Path) -> None:
    try:
        info = backup.stat()
    except OSError as error:
        raise StoreError(f"{backup}: cannot read it ({error.strerror or error})") from None
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{backup}: not a regular file (a backup is one file, as reader backup writes it)")
    if database.exists() and database.samefile(backup):
        raise StoreError(f"{backup}: is the database itself")
    wal = Path(f"{backup}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StoreError(
            f"{backup}: has a write-ahead log beside it ({wal.name}), so it is a database in use or copied while in "
            f"use, not a backup; make one with reader backup"
        )


def _move_aside(database: Path) -> Path | None:
    """Move the database (with its write-ahead log, written into it where SQLite can) to
    `<name>.before-restore-<time>`, and remove its `-shm`; the new place, or None when there was
    no database (a stray `-wal` is moved aside all the same, never left to be replayed)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    aside = database.with_name(f"{database.name}.before-restore-{stamp}")
    number = 1
    while aside.exists() or Path(f"{aside}-wal").exists():
        number += 1
        aside = database.with_name(f"{database.name}.before-restore-{stamp}-{number}")
    wal, shm = Path(f"{database}-wal"), Path(f"{database}-shm")
    if database.exists() and wal.exists():
        Store.fold_journal(database)  # a self-contained file when it can be; else its log goes with it
    moved = None
    if database.exists():
        os.replace(database, aside)
        moved = aside
    for journal in ("-wal", "-journal"):  # a log belongs with the database it was written for
        if Path(f"{database}{journal}").exists():
            os.replace(f"{database}{journal}", f"{aside}{journal}")
            moved = moved or Path(f"{aside}{journal}")
    shm.unlink(missing_ok=True)  # shared memory only: SQLite makes it again from the file
    return moved


def _sync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
