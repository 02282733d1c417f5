"""Opening a database safely: several processes creating one new database at once all succeed;
a foreign SQLite file or a database from a newer reader is refused in one line with nothing
written into it; a damaged database is one line naming it, from every command, never a
traceback (benchmarks/open_race.py counts the concurrent openers)."""

import multiprocessing
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from reader.core.ingest import Document
from reader.store import Store, StoreError
from reader.store.schema import migrations

KNOWN = sorted(migration.name for migration in migrations._migrations)


def files_beside(path: Path) -> dict[str, bytes]:
    """The database file and every file SQLite could make beside it, with their bytes."""
    return {found.name: found.read_bytes() for found in path.parent.iterdir() if found.name.startswith(path.name)}


def applied(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return sorted(row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'reader'"))
    finally:
        conn.close()


# ---- several processes opening one new database ----------------------------------------------


def _open_at_once(path: str, barrier, results) -> None:
    barrier.wait()
    try:
        store = Store.open(path)
        store.listing.count()
        store.close()
        results.put("")
    except BaseException as error:  # any refusal is what the test counts
        results.put(f"{type(error).__name__}: {error}")


def test_processes_opening_one_new_database_at_once_all_succeed(tmp_path):
    context = multiprocessing.get_context("fork")
    refused = []
    for round_number in range(6):
        path = tmp_path / f"round{round_number}" / "annotations.db"
        path.parent.mkdir()
        barrier, results = context.Barrier(4), context.Queue()
        workers = [context.Process(target=_open_at_once, args=(str(path), barrier, results)) for _ in range(4)]
        for worker in workers:
            worker.start()
        refused += [outcome for outcome in (results.get(timeout=120) for _ in workers) if outcome]
        for worker in workers:
            worker.join()
        assert applied(path) == KNOWN  # every migration, each once
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.close()
    assert refused == []


# ---- a database that is not reader's ---------------------------------------------------------


def _foreign_tables(path: Path, wal: bool) -> None:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer TEXT, total REAL)")
    conn.execute("INSERT INTO invoices (customer, total) VALUES ('Harbour Supplies', 120.5)")
    conn.commit()
    conn.close()


def _foreign_application(path: Path, wal: bool) -> None:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA application_id = 1196444237")  # another program's stamp, on an otherwise empty file
    conn.commit()
    conn.close()


def _foreign_migrations(path: Path, wal: bool) -> None:
    """Another program that keeps its schema with sqlite-utils' Migrations too."""
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    theirs = Migrations("ledger")

    @theirs()
    def m001_accounts(db):
        db["accounts"].create({"id": int, "name": str}, pk="id")

    db = Database(path)
    if wal:
        db.enable_wal()
    theirs.apply(db)
    db.close()


@pytest.mark.parametrize("wal", [False, True], ids=["rollback journal", "WAL"])
@pytest.mark.parametrize("make", [_foreign_tables, _foreign_application, _foreign_migrations],
                         ids=["tables", "application id", "other migrations"])
def test_a_foreign_database_is_refused_with_nothing_written_into_it(tmp_path, make, wal):
    path = tmp_path / "annotations.db"
    make(path, wal)
    before = files_beside(path)
    for read_only in (None, True, False):
        with pytest.raises(StoreError) as caught:
            Store.open(path, read_only=read_only)
        message = str(caught.value)
        assert message.startswith(f"{path}: ") and "\n" not in message
        assert files_beside(path) == before  # same bytes, and no -wal, -shm or -journal appeared


def test_an_empty_file_and_an_empty_database_become_readers(tmp_path):
    for name, make in (("zero.db", lambda p: p.write_bytes(b"")), ("blank.db", lambda p: sqlite3.connect(p).close())):
        path = tmp_path / name
        make(path)
        Store.open(path).close()
        assert applied(path) == KNOWN
        assert sqlite3.connect(path).execute("PRAGMA application_id").fetchone()[0] == int.from_bytes(b"read", "big")


# ---- a database from a newer reader ----------------------------------------------------------


def test_a_database_from_a_newer_reader_is_refused_unchanged(tmp_path):
    path = tmp_path / "annotations.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('reader', 'm099_future_thing', 'x')")
    conn.execute("CREATE TABLE future_thing (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = files_beside(path)
    for read_only in (None, True):
        with pytest.raises(StoreError, match="newer reader") as caught:
            Store.open(path, read_only=read_only)
        assert str(caught.value).startswith(f"{path}: ") and "m099_future_thing" in str(caught.value)
    assert files_beside(path) == before


def test_an_older_readers_database_is_still_upgraded_and_stamped(tmp_path):
    from sqlite_utils import Database

    path = tmp_path / "annotations.db"
    old = Database(path)
    migrations.apply(old, stop_before=KNOWN[-1])
    old.close()
    Store.open(path).close()
    assert applied(path) == KNOWN
    assert sqlite3.connect(path).execute("PRAGMA application_id").fetchone()[0] == int.from_bytes(b"read", "big")


# ---- a damaged database, from every command ----------------------------------------------------

CONFIG = "annotator: alice\nload_samples: false\n"


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    """A workspace whose database has its article and annotation pages overwritten (its first
    pages, with the schema, intact), and one whose first page is overwritten."""
    folder = tmp_path_factory.mktemp("damaged")
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    good = folder / "good.db"
    store = Store.open(good)
    for number in range(60):
        text = f"Harbour story {number}\n\n" + " ".join(
            f"Dock workers in port {number} walked out on day {day}, the union said." for day in range(60))
        article = store.articles.add(Document(text=text, title=f"Harbour story {number}", source="Wirefeed", url=None,
                                              path=f"/corpus/{number}.txt", published="2025-03-03", locator="")).article_id
        for who in ("alice", "bob"):
            store.annotations.add(article, 20, 60 + number, ["conflict"], who)
    store.close()  # the last connection checkpoints: every page is in the file
    assert not Path(f"{good}-wal").exists()
    data = bytearray(good.read_bytes())
    pages = len(data) // 4096
    noise = random.Random(7)
    for page in range(pages // 2, pages - 1):  # the articles, their index and the annotations live here
        data[page * 4096 + 8 : page * 4096 + 4088] = bytes(noise.randrange(256) for _ in range(4080))
    (folder / "annotations.db").write_bytes(bytes(data))
    header = bytearray(good.read_bytes())
    header[:100] = bytes(noise.randrange(256) for _ in range(100))
    (folder / "header.db").write_bytes(bytes(header))
    (folder / "header.yaml").write_text(CONFIG + "database: header.db\n", encoding="utf-8")
    (folder / "new.txt").write_text("Harbour talks\n\nDock workers met port managers.\n", encoding="utf-8")
    (folder / "empty.yaml").write_text("format: reader-annotations/2\narticles: []\n", encoding="utf-8")
    return folder


def reader(folder: Path, *args: str, config: str = "config.yaml") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reader", "--config", str(folder / config), *args],
                          capture_output=True, text=True, cwd=folder, timeout=120)


COMMANDS = [
    ("import", "new.txt"), ("export",), ("export", "--format", "csv"), ("export", "-o", "out.yaml"),
    ("backup", "copy.db"), ("import-annotations", "empty.yaml"), ("agreement",), ("stats", "--by", "cooccurrence"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args))
def test_every_command_on_a_damaged_database_says_so_in_one_line(damaged, args):
    result = reader(damaged, *args)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines()
             if not line.startswith(("Importing", "Database: "))]  # the progress bar, which database it writes
    assert lines == [lines[0]] and lines[0].startswith(f"Error: {damaged / 'annotations.db'}: ")
    assert "Traceback" not in result.stderr + result.stdout
    assert not (damaged / "copy.db").exists() and not (damaged / "out.yaml").exists()
    # the same with its first page damaged: one line, and the file left as it is
    before = files_beside(damaged / "header.db")
    result = reader(damaged, *args, config="header.yaml")
    assert result.returncode == 1 and result.stderr.startswith(f"Error: {damaged / 'header.db'}: ")
    assert len([line for line in result.stderr.splitlines() if not line.startswith("Importing")]) == 1
    assert files_beside(damaged / "header.db") == before


def test_the_reader_screen_on_a_damaged_database_ends_in_one_line(damaged):
    from tests.terminal import run_in_terminal

    written, code = run_in_terminal(["--config", str(damaged / "config.yaml")], [])
    assert code == 1
    shown = written.decode("utf-8", "replace")
    assert f"Error: {damaged / 'annotations.db'}: " in shown.replace("\r\n", "")
    assert "Traceback" not in shown and "DatabaseError" not in shown


def test_the_foreign_database_at_the_configured_path_stops_every_command_unwritten(tmp_path):
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    _foreign_tables(tmp_path / "annotations.db", wal=True)
    before = files_beside(tmp_path / "annotations.db")
    for args in (("stats",), ("export",), ("import", str(tmp_path / "config.yaml")), ("backup", "copy.db")):
        result = reader(tmp_path, *args)
        assert result.returncode == 1 and result.stderr.startswith(f"Error: {tmp_path / 'annotations.db'}: ")
        assert len(result.stderr.splitlines()) == 1
    assert files_beside(tmp_path / "annotations.db") == before
