"""annotations.db: `Store` opens it safely, keeps its schema current, runs transactions and hands
out one repository per noun (`store.articles`, `store.annotations`, `store.tags` ...), as
sqlite-utils' `Database` hands out tables.

It is the only package that talks SQL; it knows nothing of widgets, terminals or config files.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from reader.core.model import BackupCheck
from reader.store.common import said
from reader.store.errors import StoreError, StoreWriteError

from reader.store.article_notes import ArticleNotes
from reader.store.articles import Articles
from reader.store.annotations import Annotations
from reader.store.entities import Entities
from reader.store.exchange import Exchange
from reader.store.listing import Listing
from reader.store.passages import Passages
from reader.store.schema import NOT_OURS, READER_APPLICATION_ID, database_file_problem, identity, identity_problem, migrations
from reader.store.tags import Tags
from reader.store.study import Study
from reader.store.assignments import Assignments
from reader.store.errors import busy, database_error_reason, write_failure


#: How long opening waits, in all, for other processes creating or upgrading the same database.
OPEN_PATIENCE_SECONDS = 60.0


def _writable(path: Path) -> bool:
    """Whether this process may write the database file and create its journal beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


class Store:
    """annotations.db: open it once, read and write through its repositories, close it."""

    def __init__(self, db: Database, path: Path | None, read_only: bool = False):
        self.db = db
        self.path = path
        #: Opened read-only (the file or its folder is not writable): every write refuses.
        self.read_only = read_only
        self.study = Study(self)
        self.assignments = Assignments(self)
        self.articles = Articles(self)
        self.article_notes = ArticleNotes(self)
        self.listing = Listing(self)
        self.annotations = Annotations(self)
        self.tags = Tags(self)
        self.passages = Passages(self)
        self.entities = Entities(self)
        self.exchange = Exchange(self)

    @classmethod
    def open(cls, path: Path | str, read_only: bool | None = None) -> Store:
        """Open (creating if needed) the database at `path` and bring its schema up to date.

        With `read_only` None, a database this process cannot write (the file, or the folder
        SQLite keeps its journal in, is not writable) is opened read-only: reading works and
        every write raises StoreWriteError.
        """
        path = Path(path)
        problem = database_file_problem(path)  # a foreign, newer or damaged file: refused unwritten
        if problem:
            raise StoreError(f"{path}: {problem}")
        if read_only is None:
            read_only = path.exists() and not _writable(path)
        try:
            if read_only:
                return cls._open_read_only(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=5.0, check_same_thread=False)
            store = cls(Database(conn), path)
            try:
                store._prepare(wal=True)
            except sqlite3.OperationalError as error:
                store.close()
                if write_failure(error) != "the database is read-only":
                    raise
                return cls._open_read_only(path)
            except BaseException:  # refused (a newer reader got there first) or failed: no connection left open
                store.close()
                raise
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: cannot open the database: {database_error_reason(error)}") from None
        except OSError as error:
            raise StoreError(f"{path}: cannot open the database ({error.strerror or error})") from None
        return store

    @classmethod
    def _open_read_only(cls, path: Path) -> Store:
        if not path.exists():
            raise StoreError(f"{path}: no such database")
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0, check_same_thread=False)
        store = cls(Database(conn), path, read_only=True)
        store.db.execute("PRAGMA busy_timeout = 5000")
        if migrations.pending(store.db):
            store.close()
            raise StoreError(
                f"{path}: read-only, and made by an older reader: its schema needs an upgrade that cannot be written"
            )
        return store

    @classmethod
    def memory(cls) -> Store:
        store = cls(Database(memory=True), None)
        store._prepare(wal=False)
        return store

    def _prepare(self, wal: bool) -> None:
        """Make the connection ready: WAL, and the schema brought up to date. Safe when other
        processes open the same (even brand-new) database at once: each step that writes waits
        for the others (see `_patiently`)."""
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA busy_timeout = 5000")
        if wal:
            self._patiently(self.db.enable_wal)
        self._patiently(self._migrate)

    def _patiently(self, step) -> None:
        """Run `step`, again while another process holds the lock it needs (creating or
        upgrading the database), for up to OPEN_PATIENCE_SECONDS in all."""
        deadline = time.monotonic() + OPEN_PATIENCE_SECONDS
        while True:
            try:
                return step()
            except sqlite3.OperationalError as error:
                if not busy(error) or time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.01, 0.1))

    def _migrate(self) -> None:
        """Apply the migrations this database lacks, all in one transaction taken at once
        (BEGIN IMMEDIATE): two processes opening a new database never both create a table,
        and a process that waited sees the other's schema. Stamps reader's application id.
        Refuses (StoreError) a database that another process has meanwhile made newer."""
        application_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        if application_id == READER_APPLICATION_ID and not migrations.pending(self.db):
            return  # the usual open: nothing to write
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            problem = identity_problem(*identity(conn))  # as it is now that no one else can write
            if problem:
                raise StoreError(f"{self.path or 'the database'}: {problem}")
            migrations.apply(self.db)  # each migration in a savepoint of this transaction
            conn.execute(f"PRAGMA application_id = {READER_APPLICATION_ID}")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def data_version(self) -> int:
        """A number that changes when another connection commits (PRAGMA data_version)."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    def backup(self, target: Path) -> None:
        """A consistent copy of the whole database at `target`, taken with SQLite's backup API
        (other connections may go on writing meanwhile); written next to it first and renamed,
        so `target` is never half a database. Refuses to write over the database itself."""
        target = Path(target)
        if self.path is not None and target.resolve() == Path(self.path).resolve():
            raise ValueError(f"{target} is the database itself")
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        copy = sqlite3.connect(str(partial))
        try:
            self.db.conn.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            # the backup API copies pages as they are: a damaged database would give a damaged
            # copy, in place of whatever good backup `target` holds
            damage = " ".join(copy.execute("PRAGMA quick_check(1)").fetchone()[0].replace("*** in database main ***", "").split())
        finally:
            copy.close()
        if damage != "ok":
            partial.unlink(missing_ok=True)
            raise StoreError(f"{self.path or 'the database'}: the database is damaged ({damage}); "
                             f"no backup was written to {target}")
        partial.replace(target)

    def give_way(self, patience: float, look: tuple[float, float]) -> None:
        """Wait, looking every `look` seconds (a random time within it), until no one else
        holds the write lock, or for at most `patience` seconds: what a long merge does between
        its transactions, so that writers whose SQLite tries every 100 ms get in first."""
        conn = self.db.conn
        if self.read_only or conn.in_transaction:
            return
        waited_until = time.monotonic() + patience
        before = conn.execute("PRAGMA busy_timeout").fetchone()[0]
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            while time.monotonic() < waited_until:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as error:
                    if "locked" not in str(error) and "busy" not in str(error):
                        return  # not a lock: `writing` says what it is
                    time.sleep(random.uniform(*look))
                else:
                    conn.execute("ROLLBACK")
                    return
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(before)}")

    @contextmanager
    def interrupted_after(self, seconds: float, steps: int = 1_000) -> Iterator[None]:
        """Queries inside are stopped (sqlite3.OperationalError "interrupted") once `seconds`
        have passed, the clock read every `steps` of SQLite's steps: for counting something
        at once only when it is quick."""
        conn = self.db.conn
        deadline = time.perf_counter() + seconds
        conn.set_progress_handler(lambda: time.perf_counter() > deadline, steps)
        try:
            yield
        finally:
            conn.set_progress_handler(None, 0)

    @contextmanager
    def writing(self, action: str | Callable[[], str] = "the last change") -> Iterator[Database]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so it never fails half-way
        on a lock; nested use joins the outer transaction.

        A write the database refuses (read-only, disk full, I/O error) rolls back whole and
        raises StoreWriteError naming `action`, what was not saved (a callable is asked for
        those words only then).
        """
        conn = self.db.conn
        if self.read_only:
            raise StoreWriteError(self.path, "the database is read-only", said(action))
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                self.listing.forget_search()  # a search set filled in the transaction is gone with it
                raise
            else:
                conn.execute("COMMIT")
        except sqlite3.OperationalError as error:
            if conn.in_transaction:  # a failed COMMIT leaves the transaction open
                conn.execute("ROLLBACK")
                self.listing.forget_search()
            reason = write_failure(error)
            if reason is None:
                raise
            raise StoreWriteError(self.path, reason, said(action)) from error

    @staticmethod
    def entity_feedback_in(path: Path) -> list[tuple[str, str, str]]:
        """The entity feedback (as `entity_feedback`) of the database at `path`, read without
        writing anything there or creating it. StoreError when it cannot be read."""
        path = Path(path)
        problem = database_file_problem(path)  # another program's database, a newer reader's, damage
        if problem is not None:
            raise StoreError(f"{path}: {problem.replace(f'; {NOT_OURS}', '')}")
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
        except sqlite3.Error as error:
            raise StoreError(f"{path}: cannot open the database ({error})") from None
        try:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'entity_feedback'").fetchone() is None:
                return []
            return conn.execute("SELECT surface, label, verdict FROM entity_feedback ORDER BY id").fetchall()
        except sqlite3.Error as error:
            raise StoreError(f"{path}: cannot read the entity feedback ({error})") from None
        finally:
            conn.close()

    @staticmethod
    def check_backup(path: Path) -> BackupCheck:
        """Whether the SQLite file at `path` (a copy nobody else uses: it may be written) is a
        whole, undamaged reader database that this reader can open: StoreError saying why not.
        Leaves it as one self-contained file (journal mode DELETE)."""
        path = Path(path)
        try:
            with open(path, "rb") as handle:
                header = handle.read(16)
        except OSError as error:
            raise StoreError(f"{path}: cannot read it ({error.strerror or error})") from None
        if header != b"SQLite format 3\x00":
            raise StoreError(f"{path}: not an SQLite database (so not a reader backup)")
        conn = sqlite3.connect(str(path), timeout=5.0)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
            if problems != ["ok"]:
                found = " ".join("; ".join(str(problem) for problem in problems).split())  # on one line
                raise StoreError(f"{path}: damaged: {found[:300]}")
            application_id, tables, applied = identity(conn)
            problem = identity_problem(application_id, tables, applied)  # (what opening the database checks)
            if problem is None and not {"articles", "annotations", "tags"} <= set(tables):
                problem = "an SQLite database without reader's tables (an empty one?), not a backup"
            if problem is not None:  # (the advice to open another file does not apply here)
                raise StoreError(f"{path}: {problem.replace(f'; {NOT_OURS}', '')}")
            counts = conn.execute("SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM annotations)").fetchone()
            conn.execute("PRAGMA journal_mode = DELETE")  # one file, whatever mode the copy was in
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: cannot be read as a database ({error})") from None
        finally:
            conn.close()
        return BackupCheck(articles=counts[0], annotations=counts[1], schema=applied[-1] if applied else None)

    @staticmethod
    def fold_journal(path: Path) -> bool:
        """Write the database's write-ahead log into the file at `path` and make it one
        self-contained file (nobody else may have it open); False when SQLite cannot (damaged)."""
        try:
            conn = sqlite3.connect(str(path), timeout=1.0)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
                conn.execute("PRAGMA journal_mode = DELETE").fetchall()
            finally:
                conn.close()
        except sqlite3.Error:
            return False
        return not Path(f"{path}-wal").exists()
