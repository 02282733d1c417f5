"""`reader restore FILE` puts a backup back safely: checked first, the replaced database kept aside,
a write-ahead log left behind never replayed onto the backup, refused while the database is open."""

import os
import shutil
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.core.ingest import Document
from reader.store import Store

TEXT = "Council vote\n\nThe council voted on the harbour plan on Monday evening."


def configured(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {tmp_path / 'annotations.db'}\nload_samples: false\n")
    return config


def reader(config, *args):
    return CliRunner().invoke(main, ["--config", str(config), *map(str, args)])


def counts(path) -> tuple[int, int, list]:
    conn = sqlite3.connect(path)
    try:
        return (conn.execute("SELECT count(*) FROM annotations").fetchone()[0],
                conn.execute("SELECT count(*) FROM tags").fetchone()[0],
                conn.execute("PRAGMA integrity_check").fetchall())
    finally:
        conn.close()


def database_with_backup(tmp_path) -> tuple[object, object]:
    """A database with one annotation, its backup, then work done after the backup."""
    config = configured(tmp_path)
    store = Store.open(tmp_path / "annotations.db")
    article = store.articles.add(Document(text=TEXT, title="Council vote", source=None, url=None, path="c.txt",
                                          published=None, locator="")).article_id
    store.annotations.add(article, 0, 7, ["politics"], "alice")
    store.close()
    backup = tmp_path / "backup.db"
    assert reader(config, "backup", backup).exit_code == 0
    return config, backup


def leave_a_log_behind(tmp_path) -> None:
    """Work written after the backup, left in annotations.db-wal as a crash leaves it."""
    database = tmp_path / "annotations.db"
    writer = sqlite3.connect(database)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    for index in range(40):
        writer.execute("INSERT INTO tags (name) VALUES (?)", [f"after-{index}"])
        writer.commit()
    saved = {suffix: (tmp_path / f"annotations.db{suffix}").read_bytes() for suffix in ("", "-wal")}
    writer.close()  # (a clean close folds the log in: put it back as a crash would have left it)
    for suffix, data in saved.items():
        (tmp_path / f"annotations.db{suffix}").write_bytes(data)


def test_a_backup_restored_over_a_database_with_a_log_left_behind_is_the_backup(tmp_path):
    config, backup = database_with_backup(tmp_path)
    leave_a_log_behind(tmp_path)
    result = reader(config, "restore", backup)
    assert result.exit_code == 0, result.output
    assert counts(tmp_path / "annotations.db") == (1, 1, [("ok",)])  # the backup: one annotation, one tag
    assert not (tmp_path / "annotations.db-wal").exists() and not (tmp_path / "annotations.db-shm").exists()
    [kept] = tmp_path.glob("annotations.db.before-restore-*")
    assert counts(kept) == (1, 41, [("ok",)])  # the replaced database, its log written into it
    assert f"kept as {kept}" in result.output
    assert reader(config, "export").exit_code == 0  # reader opens it


def test_restoring_the_replaced_database_gives_it_back(tmp_path):
    config, backup = database_with_backup(tmp_path)
    leave_a_log_behind(tmp_path)
    assert reader(config, "restore", backup).exit_code == 0
    [kept] = tmp_path.glob("annotations.db.before-restore-*")
    assert reader(config, "restore", kept).exit_code == 0
    assert counts(tmp_path / "annotations.db")[:2] == (1, 41)


def future_database(tmp_path, backup):
    future = tmp_path / "future.db"
    shutil.copy(backup, future)
    with sqlite3.connect(future) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('reader', 'm999_later', 'x')")
    return future


def damaged_database(tmp_path, backup):
    """The backup with the page holding the annotations table's rows scrambled."""
    damaged = tmp_path / "damaged.db"
    with sqlite3.connect(backup) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'annotations'").fetchone()[0]
    data = bytearray(backup.read_bytes())
    start = (root - 1) * page_size
    data[start : start + page_size] = bytes([0x0D, 0xFF, 0xFF, 0x00, 0x40]) + b"\xee" * (page_size - 5)
    damaged.write_bytes(bytes(data))
    return damaged


def foreign_database(tmp_path, _backup):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    return other


def live_copy(tmp_path, _backup):
    copy = tmp_path / "copied.db"
    shutil.copy(tmp_path / "annotations.db", copy)
    (tmp_path / "copied.db-wal").write_bytes(b"\x37\x7f\x06\x82" + b"\x00" * 60)
    return copy


@pytest.mark.parametrize("make, problem", [
    (lambda tmp, backup: tmp / "missing.db", "cannot read it"),
    (lambda tmp, backup: (tmp / "notes.txt").write_text("shopping list") and tmp / "notes.txt", "not an SQLite database"),
    (foreign_database, "not a reader database"),
    (future_database, "made by a newer reader"),
    (damaged_database, ""),
    (live_copy, "write-ahead log beside it"),
    (lambda tmp, backup: tmp / "annotations.db", "is the database itself"),
    (lambda tmp, backup: os.mkfifo(tmp / "pipe.db") or tmp / "pipe.db", "not a regular file"),
], ids=["missing", "text", "foreign", "newer", "damaged", "in-use copy", "itself", "pipe"])
def test_a_file_that_is_not_a_good_backup_is_refused_in_one_line_and_nothing_changes(tmp_path, make, problem):
    config, backup = database_with_backup(tmp_path)
    bad = make(tmp_path, backup)
    before = (tmp_path / "annotations.db").read_bytes()
    result = reader(config, "restore", bad)
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"Error: {bad}: ") and problem in line and "nothing was changed" in line
    assert (tmp_path / "annotations.db").read_bytes() == before
    assert not list(tmp_path.glob("annotations.db.before-restore-*")) and not list(tmp_path.glob(".annotations.db.*"))


def test_a_database_another_program_has_open_is_not_replaced(tmp_path):
    config, backup = database_with_backup(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from reader.store import Store; "
                               f"s = Store.open({str(tmp_path / 'annotations.db')!r}); s.listing.count(); "
                               "print('open', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        result = reader(config, "restore", backup)
        assert result.exit_code == 1 and "open in another program" in result.output
        assert not list(tmp_path.glob("annotations.db.before-restore-*"))
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert reader(config, "restore", backup).exit_code == 0  # once it is closed


def test_a_backup_goes_where_there_is_no_database_yet(tmp_path):
    config, backup = database_with_backup(tmp_path)
    for path in tmp_path.glob("annotations.db*"):
        path.unlink()
    result = reader(config, "restore", backup)
    assert result.exit_code == 0, result.output
    assert counts(tmp_path / "annotations.db") == (1, 1, [("ok",)]) and "kept as" not in result.output
