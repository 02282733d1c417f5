"""The store's errors: one line each, naming the database file and, for a write, what was not saved.

Classes and wording only: nothing here touches a database.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StoreError(RuntimeError):
    """A database problem worth one line to the user (the file is named)."""


class StoreWriteError(StoreError):
    """A change that could not be saved (read-only file, full disk, failing disk): nothing of it
    was written. `action` says what was not saved, `reason` why, in a few words each."""

    def __init__(self, path: Path | None, reason: str, action: str) -> None:
        where = str(path) if path is not None else "the database"
        super().__init__(f"{where}: {reason}; not saved: {action}")
        self.path = path
        self.reason = reason
        self.action = action


class StaleWriteError(StoreWriteError):
    """A change refused because what it was made against changed since the user saw it (another
    program re-imported the article, edited the passage, renamed the tag...): nothing of it was
    written, and the screen that made it should show the database as it is now."""


#: Why a change made against what a screen showed was refused (StaleWriteError's reasons).
TEXT_CHANGED = "the article's text changed since it was shown (re-imported by another program?)"
PASSAGE_CHANGED = "the passage changed since it was shown (in another window or program)"
ORPHANED = "the passage lost its place when its article's text changed (O lists it)"
GONE = "the passage is not there any more (deleted in another window or program)"
NOTE_CHANGED = "the article's note changed since it was shown (in another window or program)"
META_CHANGED = "the article's title, date, source or attributes changed since they were shown (in another window or program)"


#: SQLite's words for a write that cannot happen, and ours for the user.
_WRITE_FAILURES = (
    ("readonly", "the database is read-only"),
    ("disk is full", "the disk is full"),
    ("disk i/o error", "the disk failed to write"),
    ("database is locked", "another program kept the database locked"),
    ("unable to open", "the database file cannot be written"),
)


def write_failure(error: sqlite3.OperationalError) -> str | None:
    """Our one-phrase reason for `error` if it means the write cannot happen, else None."""
    message = str(error).lower()
    for words, reason in _WRITE_FAILURES:
        if words in message:
            return reason
    return None


def database_error_reason(error: sqlite3.Error) -> str:
    """What is wrong, in a few words, when SQLite fails on the database: a damaged file, a file
    that is not a database, a failing disk, a write refused; else SQLite's own words."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF  # the primary code of an extended one
    if code == sqlite3.SQLITE_CORRUPT:
        return f"the database is damaged ({error}); put a backup back, or recover what can be read with sqlite3's .recover"
    if code == sqlite3.SQLITE_NOTADB:
        return f"not an SQLite database, or damaged beyond reading ({error})"
    if code == sqlite3.SQLITE_IOERR:
        return f"the disk failed to read or write the database ({error})"
    if isinstance(error, sqlite3.OperationalError):
        reason = write_failure(error)
        if reason is not None:
            return reason
    return f"database error ({error})"


def busy(error: sqlite3.Error) -> bool:
    """Whether `error` only says another connection holds the lock (worth waiting for)."""
    return (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
