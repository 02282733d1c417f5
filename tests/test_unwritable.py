"""A database that refuses writes (read-only file, full disk): a clear message naming the file and
the change not saved, from the store, the command line and the TUI; nothing saved before is lost."""

import os
import sqlite3

import pytest
from click.testing import CliRunner

import reader.store.database
from reader.cli import main
from reader.services.history import History
from reader.store import Store, StoreError, StoreWriteError
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.note_editor import NoteEditor

from .conftest import open_article

SIZE = (110, 30)


def table_counts(path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'")]
        return {name: conn.execute(f"SELECT count(*) FROM [{name}]").fetchone()[0] for name in names}
    finally:
        conn.close()


@pytest.fixture
def saved(store, config):
    """The conftest database with one annotation saved, closed, and its table counts."""
    store.annotations.add(1, 0, 22, ["conflict"], "alice", note="first note")
    store.close()
    return config.database, table_counts(config.database)


# ---- read-only ---------------------------------------------------------------------------


def test_a_read_only_store_reads_and_refuses_every_write_naming_it(saved):
    path, before = saved
    store = Store.open(path, read_only=True)
    try:
        assert store.read_only
        [annotation] = store.annotations.of_article(1)
        assert store.articles.get(1).title == "Talks resume in Geneva"
        writes = [
            (lambda: store.annotations.add(1, 23, 40, ["conflict"], "alice"), "tagged conflict"),
            (lambda: store.annotations.set_note(annotation.id, "second"), "the note “second”"),
            (lambda: store.annotations.delete(annotation.id), "deleting “Talks resume in Geneva"),
            (lambda: store.articles.tag(1, "conflict", "alice"), "tag conflict on the article"),
            (lambda: store.articles.mark_read(1), "marking the article read"),
            (lambda: store.entities.reject("Geneva", "GPE", "alice"), "rejecting the entity “Geneva”"),
        ]
        for write, action in writes:
            with pytest.raises(StoreWriteError) as caught:
                write()
            message = str(caught.value)
            assert message.startswith(f"{path}: the database is read-only; not saved: ")
            assert action in message and "\n" not in message
    finally:
        store.close()
    assert table_counts(path) == before


def test_an_unwritable_file_is_opened_read_only(saved, monkeypatch):
    path, before = saved
    monkeypatch.setattr(reader.store.database, "_writable", lambda _path: False)
    store = Store.open(path)
    try:
        assert store.read_only
        assert store.annotations.count() == 1
    finally:
        store.close()
    assert table_counts(path) == before


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes read-only files anyway")
def test_a_file_without_write_permission_is_opened_read_only(saved):
    path, _ = saved
    os.chmod(path, 0o444)
    try:
        store = Store.open(path)
        assert store.read_only
        store.close()
    finally:
        os.chmod(path, 0o644)


def test_a_read_only_database_in_need_of_an_upgrade_is_one_clear_error(tmp_path):
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()  # empty: every migration is pending
    with pytest.raises(StoreError, match=r"old\.db: read-only, and made by an older reader"):
        Store.open(path, read_only=True)


def test_cli_exports_from_a_read_only_database_and_refuses_an_import_in_one_line(saved, config, tmp_path, monkeypatch):
    path, before = saved
    monkeypatch.setattr(reader.store.database, "_writable", lambda _path: False)
    runner = CliRunner()
    exported = runner.invoke(main, ["--config", str(config.path), "export", "-o", str(tmp_path / "out.yaml")])
    assert exported.exit_code == 0, exported.output
    assert "first note" in (tmp_path / "out.yaml").read_text(encoding="utf-8")
    (tmp_path / "new.txt").write_text("A new article\n\nIt says little.", encoding="utf-8")
    imported = runner.invoke(main, ["--config", str(config.path), "import", str(tmp_path / "new.txt")])
    assert imported.exit_code == 1
    [line] = [line for line in imported.output.splitlines() if line.startswith("Error")]
    assert f"{path}: the database is read-only; not saved: importing " in line and "new.txt" in line
    assert "Traceback" not in imported.output
    assert table_counts(path) == before


# ---- full disk ---------------------------------------------------------------------------


def fill_the_disk(store: Store) -> None:
    """Let the database grow no further, as on a full disk (SQLite's SQLITE_FULL)."""
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_keeps_every_earlier_change_and_names_the_one_refused(store):
    fill_the_disk(store)
    saved_ids = []
    with pytest.raises(StoreWriteError) as caught:
        for number in range(1000):
            saved_ids.append(store.annotations.add(1, 0, 22, ["conflict"], "alice", note=f"{number} " + "x" * 2000).id)
    assert caught.value.reason == "the disk is full"
    assert str(caught.value).endswith("not saved: “Talks resume in Geneva” tagged conflict")
    assert saved_ids, "some annotations fitted before the disk filled"
    assert {a.id for a in store.annotations.of_article(1)} == set(saved_ids)
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.db.execute("PRAGMA max_page_count = 1073741823")  # space freed: the same change goes through
    store.annotations.add(1, 0, 22, ["conflict"], "alice")
    assert len(store.annotations.of_article(1)) == len(saved_ids) + 1


def test_an_undo_the_database_refuses_can_be_undone_again(store):
    history = History(store)
    change = history.add(1, 0, 22, ["conflict"], "alice")
    store.read_only = True
    with pytest.raises(StoreWriteError):
        history.undo()
    assert len(store.annotations.of_article(1)) == 1
    store.read_only = False
    assert history.undo().change == change
    assert store.annotations.of_article(1) == []
    assert history.redo().change == change
    assert len(store.annotations.of_article(1)) == 1


def test_cli_import_on_a_full_disk_is_one_line_and_keeps_earlier_batches(config, tmp_path, monkeypatch):
    import reader.services.corpus

    folder = tmp_path / "articles"
    folder.mkdir()
    for number in range(6):
        (folder / f"{number}.txt").write_text(f"Article {number}\n\n" + f"Word{number} " * 4000, encoding="utf-8")
    monkeypatch.setattr(reader.services.corpus, "BATCH_SIZE", 2)
    opened = Store.open

    def nearly_full(path, read_only=None):
        store = opened(path, read_only)
        store.db.execute("PRAGMA max_page_count = 40")
        return store

    monkeypatch.setattr(Store, "open", staticmethod(nearly_full))
    result = CliRunner().invoke(main, ["--config", str(config.path), "import", str(folder)])
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert "the disk is full; not saved: importing " in line
    monkeypatch.setattr(Store, "open", opened)
    store = Store.open(config.database)
    try:
        count = store.listing.count()
        assert count % 2 == 0 and count < 6  # whole batches only
        if count:
            assert f"the {count} articles before it were saved" in line
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()


# ---- the TUI -----------------------------------------------------------------------------


def notices(app) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


async def test_tui_on_a_read_only_database_says_so_and_reports_each_refused_change(saved, config):
    path, before = saved
    store = Store.open(path, read_only=True)
    app = ReaderApp(config, store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert any("cannot be written" in text for text in notices(app))
            await open_article(pilot)
            await pilot.press("right_parenthesis", "1")  # tag the sentence after the headline
            await pilot.pause()
            [refused] = [text for text in notices(app) if text.startswith("Not saved")]
            assert "tagged conflict" in refused and "the database is read-only" in refused
            await pilot.press("X")  # an entity rejection is refused the same way, and the app goes on
            await pilot.press("j", "k", "q")
            await pilot.pause()
            assert app.is_running
    finally:
        store.close()
    assert table_counts(path) == before


async def test_tui_gives_back_a_note_the_database_refused(saved, config):
    path, before = saved
    store = Store.open(path, read_only=True)
    app = ReaderApp(config, store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            view = await open_article(pilot)
            view.move_cursor_to(3)
            await pilot.press("m")
            await pilot.pause()
            assert isinstance(app.screen, NoteEditor)
            await pilot.press(*" and more", "ctrl+s")
            await pilot.pause()
            assert any(text.startswith("Not saved: the note") for text in notices(app))
            editor = app.screen
            assert isinstance(editor, NoteEditor)  # back, holding what was typed
            assert editor.query_one("TextArea").text == "first note and more"
            await pilot.press("ctrl+d")
            await pilot.pause()
            assert isinstance(app.screen, ArticleScreen)
    finally:
        store.close()
    assert table_counts(path) == before
