"""Several annotators: the list and the article show one, everyone, or two side by side."""

from reader.core.model import ListQuery
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.compare import CompareScreen
from reader.tui.widgets.article_list import ArticleList
from reader.tui.widgets.article_view import ArticleView
from tests.conftest import ARTICLE, open_article


def annotate(store):
    geneva = 1
    lima = ARTICLE.index("Ana Lima")
    store.annotations.add(geneva, lima, lima + 8, ["conflict"], "alice")
    store.annotations.add(geneva, lima, lima + 8, ["conflict"], "bob")  # the same passage and tag
    said = ARTICLE.index("She said")
    store.annotations.add(geneva, said, said + 8, ["cooperation"], "bob")
    store.annotations.add(2, 0, 4, ["conflict"], "carol")


def test_the_store_lists_annotators_and_filters_the_list_by_one(store):
    annotate(store)
    assert store.annotations.annotators() == ["bob", "alice", "carol"]
    rows = store.listing.page(0, 10, ListQuery(annotator="bob"))
    assert [(row.title, row.annotation_count) for row in rows] == [("Talks resume in Geneva", 2)]
    assert store.listing.count(ListQuery(annotator="carol")) == 1


async def test_a_filters_the_list_and_w_the_article_to_one_annotator(store, config):
    annotate(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"bob", "enter")
        await pilot.pause()
        rows = app.screen.query_one(ArticleList)
        assert rows.count == 1 and rows.current.annotation_count == 2
        view = await open_article(pilot)
        assert {h.id for h in view.highlights} == {a.id for a in store.annotations.of_article(1) if a.annotator == "bob"}
        await pilot.press("W")
        await pilot.pause()
        await pilot.press(*"everyone", "enter")
        await pilot.pause()
        assert len(view.highlights) == 3
        await pilot.press("q")
        await pilot.pause()
        assert app.screen.query_one(ArticleList).count == 3  # the list follows the article's choice


async def test_w_compares_two_annotators_side_by_side(store, config):
    annotate(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=(140, 30)) as pilot:
        await open_article(pilot)
        await pilot.press("W")
        await pilot.pause()
        await pilot.press(*"compare", "enter")
        await pilot.pause()
        await pilot.press(*"alice", "enter")
        await pilot.pause()
        await pilot.press(*"bob", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        left, right = app.screen.query(ArticleView)
        assert len(left.highlights) == 1 and len(right.highlights) == 2
        summary = str(app.screen.query_one("#compare-summary").render())
        assert "same passage and tags: 1" in summary and "only bob: 1" in summary and "only alice: 0" in summary
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)


async def test_my_keys_never_change_a_colleagues_annotation(store, config):
    said = ARTICLE.index("She said")
    end = ARTICLE.index("done”.") + len("done”.")
    bobs = store.annotations.add(1, said, end, ["conflict"], "bob", note="bob's note")
    app = ReaderApp(config, store)  # the configured annotator is alice
    async with app.run_test(size=(110, 30)) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(said + 2)
        await pilot.press("2")  # tag the sentence bob tagged
        await pilot.pause()
        await pilot.press("x")  # the innermost of mine is deleted, never bob's
        await pilot.pause()
        await pilot.press("x")  # nothing of mine is left there: refused, with whose it is
        await pilot.pause()
    annotations = store.annotations.of_article(1)
    assert [(a.annotator, a.tags, a.note) for a in annotations] == [("bob", ("conflict",), "bob's note")]
    assert annotations[0].id == bobs.id


async def test_a_colleagues_annotation_says_whose_it_is(store, config):
    said = ARTICLE.index("She said")
    store.annotations.add(1, said, said + 8, ["conflict"], "bob")
    store.annotations.add(1, said, said + 8, ["cooperation"], "alice")
    app = ReaderApp(config, store)
    async with app.run_test(size=(110, 30)) as pilot:
        view = await open_article(pilot)
        assert sorted(h.label for h in view.highlights) == ["conflict · bob", "cooperation"]
