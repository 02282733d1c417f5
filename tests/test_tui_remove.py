"""Removing articles in the TUI (issue 16): D on the list or an article, ctrl+d for every article the
list shows; a box says how many articles and annotations, keeps annotations as orphans, and
deletes them only on a second, explicit choice."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from reader.core.model import ListQuery
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.article_list import ArticleListScreen
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.orphans import OrphansScreen
from reader.tui.screens.remove import RemoveScreen

from .conftest import ARTICLE, open_article

SIZES = [(80, 24), (120, 36)]


def box_text(screen) -> str:
    return "\n".join(str(static.render()) for static in screen.query(Static))


def geneva(store) -> int:
    [article_id] = store.removal.chosen(query=ListQuery(search="Geneva"))
    return article_id


def notes_of(app) -> list[str]:
    return [notification.message for notification in app._notifications]


@pytest.mark.parametrize("size", SIZES)
async def test_d_on_the_list_removes_the_article_and_keeps_its_annotations_as_orphans(config, store, size):
    article_id = geneva(store)
    start = ARTICLE.index("Critics disagreed.")
    kept = store.annotations.add(article_id, start, start + len("Critics disagreed."), ["conflict"], "alice")
    app = ReaderApp(config, store)
    async with app.run_test(size=size) as pilot:
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, RemoveScreen)
        shown = box_text(app.screen)
        assert "Remove this article?" in shown
        assert "1 article, with 1 annotation kept as orphans" in shown
        assert "Talks resume in Geneva" in shown and "d: remove and delete the annotations" in shown
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ArticleListScreen)
        assert app.screen.article_list.count == 2
        assert any("Removed 1 article; 1 annotation kept as orphans" in note for note in notes_of(app))
        await pilot.press("O")
        await pilot.pause()
        assert isinstance(app.screen, OrphansScreen)
        assert "(removed) Talks resume" in str(app.screen.query_one("#orphans-list").get_option_at_index(0).prompt)
    assert [o.id for o in store.annotations.orphans()] == [kept.id]
    assert store.annotations.tombstones() == []


async def test_no_in_the_box_removes_nothing(config, store):
    app = ReaderApp(config, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("D")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ArticleListScreen) and app.screen.article_list.count == 3
        assert "Nothing removed." in notes_of(app)
    assert store.listing.count() == 3


@pytest.mark.parametrize("size", SIZES)
async def test_ctrl_d_removes_every_article_of_the_search(config, store, size):
    app = ReaderApp(config, store)
    async with app.run_test(size=size) as pilot:
        await pilot.press("slash", *"talks", "enter")
        await pilot.pause()
        assert app.screen.article_list.count == 2
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, RemoveScreen)
        shown = box_text(app.screen)
        assert "Remove every article the list shows (search “talks”)?" in shown
        assert "2 articles (no annotations)" in shown
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.article_list.count == 0
        await pilot.press("c")
        await pilot.pause()
        assert app.screen.article_list.count == 1
    assert [row.title for row in store.listing.page(0, 10)] == ["Älteste Zeitung"]


@pytest.mark.parametrize("size", SIZES)
async def test_d_on_an_article_deletes_its_annotations_only_after_a_second_yes(config, store, size):
    article_id = geneva(store)
    start = ARTICLE.index("Critics disagreed.")
    gone = store.annotations.add(article_id, start, start + len("Critics disagreed."), ["conflict"], "alice")
    app = ReaderApp(config, store)
    async with app.run_test(size=size) as pilot:
        await open_article(pilot)
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, RemoveScreen)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Delete 1 annotation for good" in box_text(app.screen)
        await pilot.press("n")  # the second choice refused: nothing at all is removed
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        assert store.listing.count() == 3 and store.annotations.count() == 1
        await pilot.press("D", "d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ArticleListScreen)
        assert app.screen.article_list.count == 2
        assert any("Removed 1 article and deleted 1 annotation." in note for note in notes_of(app))
        assert not any("not in the database any more" in note for note in notes_of(app))
    assert store.annotations.orphans() == [] and store.annotations.count() == 0
    assert [row[0] for row in store.annotations.tombstones()] == [gone.id]
