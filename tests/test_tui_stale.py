"""The TUI never acts on a stale view: when another program changes what a screen shows, a key
either acts on what is saved now or is refused with one line, and the screen redraws.

"Another program" is a second connection to the database file, as another reader or a
`reader import` in another terminal would be.
"""

import pytest

from reader.store import Store
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.tags import TagsScreen

from .conftest import ARTICLE, make_article, open_article

SIZE = (110, 32)
SENTENCE = "She said the draft was “close to done”."
#: The same article as re-scraped: a paragraph arrived before the text the reader is looking at.
REIMPORTED = ARTICLE.replace("GENEVA, March 3", "UPDATE: the talks were moved to a larger hall.\n\nGENEVA, March 3")


def notices(app) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


def reimport_elsewhere(config, text: str = REIMPORTED) -> None:
    other = Store.open(config.database)
    try:
        assert other.articles.add(make_article("Talks resume in Geneva", text, "2025-03-03", "geneva.txt")).outcome == "updated"
    finally:
        other.close()


@pytest.fixture
def slow_watch(monkeypatch):
    """The app looks for other programs' changes only when a test says (the key comes first)."""
    monkeypatch.setattr(ReaderApp, "WATCH_SECONDS", 3600)


async def test_a_tag_key_after_a_re_import_elsewhere_is_refused_then_lands_on_the_words_seen(store, config, slow_watch):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(ARTICLE.index(SENTENCE) + 4)
        await pilot.pause()
        reimport_elsewhere(config)
        await pilot.press("1")
        await pilot.pause()
        assert store.annotations.of_article(1) == []  # nothing stored against the old text
        [refused] = [text for text in notices(app) if text.startswith("Not saved")]
        assert "text changed since it was shown" in refused
        assert view.text == REIMPORTED  # the screen shows the text as it is now
        assert REIMPORTED[view.cursor:].startswith(SENTENCE[4:])  # the cursor stayed on the same words
        await pilot.press("1")
        await pilot.pause()
    [stored] = store.annotations.of_article(1)
    assert stored.quote == SENTENCE == REIMPORTED[stored.start : stored.end]


async def test_the_open_article_shows_a_re_import_elsewhere_without_a_key(store, config, monkeypatch):
    monkeypatch.setattr(ReaderApp, "WATCH_SECONDS", 0.05)
    store.annotations.add(1, ARTICLE.index(SENTENCE), ARTICLE.index(SENTENCE) + len(SENTENCE), ["conflict"], "alice")
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        reimport_elsewhere(config)
        for _ in range(40):
            await pilot.pause(0.05)
            if view.text == REIMPORTED:
                break
        assert view.text == REIMPORTED
        [highlight] = view.highlights
        assert REIMPORTED[highlight.start : highlight.end] == SENTENCE  # drawn where the re-import moved it
        assert any("changed this article's text" in text for text in notices(app))


async def test_x_and_m_on_a_passage_orphaned_elsewhere_do_not_crash_and_keep_the_typed_note(store, config, slow_watch):
    start = ARTICLE.index(SENTENCE)
    annotation = store.annotations.add(1, start, start + len(SENTENCE), ["conflict"], "alice")
    without = ARTICLE.replace(SENTENCE + " ", "")
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(start + 2)
        await pilot.pause()
        reimport_elsewhere(config, without)  # the sentence is gone: the passage becomes an orphan
        await pilot.press("x")
        await pilot.pause()
        assert any(text.startswith("Not saved") and "lost its place" in text for text in notices(app))
        assert isinstance(app.screen, ArticleScreen) and view.text == without
        [orphan] = store.annotations.orphans(1)
        assert orphan.id == annotation.id  # not deleted: x was refused
    # the note: typed into the editor while the re-import happens
    reader = Store.open(config.database)
    reader.articles.add(make_article("Talks resume in Geneva", ARTICLE, "2025-03-03", "geneva.txt"))
    [orphan] = reader.annotations.orphans(1)
    _placed = reader.annotations.reattach_orphan(orphan.id, start, start + len(SENTENCE))
    app = ReaderApp(config, reader)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(start + 2)
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"check the quote")
        reimport_elsewhere(config, without)
        await pilot.press("escape")  # esc saves the note
        await pilot.pause()
        assert not any("Traceback" in text for text in notices(app))
    [orphan] = reader.annotations.orphans(1)
    assert orphan.note == "check the quote"
    reader.close()


async def test_a_merge_against_a_tag_renamed_elsewhere_is_refused_and_the_list_redraws(store, config, slow_watch):
    store.annotations.add(2, 0, 19, ["conflict", "cooperation"], "bob")
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TagsScreen)
        screen.table.move_cursor(row=[row.name for row in screen.rows].index("cooperation"))
        other = Store.open(config.database)
        other.tags.rename("cooperation", "alliance")
        other.close()
        await pilot.press("M", *"conflict", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TagsScreen)  # no KeyError: still running
        assert any(text.startswith("Not saved") and "no tag cooperation" in text for text in notices(app))
        assert [row.name for row in screen.rows] == ["alliance", "conflict"]
    assert store.annotations.of_article(2)[0].tags == ("alliance", "conflict")


async def test_the_codebook_follows_a_rename_elsewhere_and_keys_apply_the_renamed_tag(store, config, monkeypatch):
    monkeypatch.setattr(ReaderApp, "WATCH_SECONDS", 0.05)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T")
        await pilot.pause()
        screen = app.screen
        other = Store.open(config.database)
        other.tags.rename("conflict", "dispute")
        other.close()
        for _ in range(40):
            await pilot.pause(0.05)
            if "dispute" in [row.name for row in screen.rows]:
                break
        assert [row.name for row in screen.rows] == ["cooperation", "dispute"]
        await pilot.press("q")
        view = await open_article(pilot)
        view.move_cursor_to(ARTICLE.index(SENTENCE))
        await pilot.press("1")
        await pilot.pause()
    [stored] = store.annotations.of_article(1)
    assert stored.tags == ("dispute",)


async def test_merge_and_undo_in_the_codebook_give_each_key_its_tag_back(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T")
        await pilot.pause()
        screen = app.screen
        screen.table.move_cursor(row=[row.name for row in screen.rows].index("cooperation"))
        await pilot.press("M", *"conflict", "enter")
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("q")
        view = await open_article(pilot)
        view.move_cursor_to(ARTICLE.index(SENTENCE))
        await pilot.press("2")  # cooperation's key, given back by the undo
        await pilot.pause()
        view.move_cursor_to(ARTICLE.index("Critics"))
        await pilot.press("1")
        await pilot.pause()
    tags = sorted(annotation.tags for annotation in store.annotations.of_article(1))
    assert tags == [("conflict",), ("cooperation",)]


async def test_a_name_typed_in_the_tag_picker_that_cannot_name_a_tag_is_refused_not_a_crash(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(ARTICLE.index(SENTENCE))
        await pilot.press("t", *"framing//economy", "enter")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ArticleScreen)
        assert any("Not a tag name" in text for text in notices(app))
        await pilot.press("T", *"/lead", "enter")
        await pilot.pause()
        assert app.is_running
    assert store.annotations.of_article(1) == [] and "framing//economy" not in store.tags.names()
