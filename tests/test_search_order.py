"""Search results in order of relevance (FTS5 rank over texts, titles and notes) as well as by
date: `o` cycles the list's orders (relevance only while searching), and the list's header says
the order the list is really in ("sorted by date" only when an article has a date)."""

from reader.core.model import ListQuery
from reader.store import Store
from reader.tui.app import ReaderApp
from reader.tui.screens.article_list import ArticleListScreen
from reader.tui.widgets.article_list import ArticleList
from tests.conftest import make_article


def relevance_store(path, dated: bool = True) -> Store:
    """The newest article mentions the ferry once in a long text; an older one is all about it."""
    store = Store.open(path)
    store.articles.add(make_article(
        "Ferry strike ends", "Ferry strike ends\n\nThe ferry strike ended; ferry crews return to the ferry docks today.",
        "2025-01-10" if dated else None, "ferry.txt"))
    store.articles.add(make_article(
        "Council meets", "Council meets\n\n" + "The council discussed budgets, roads and schools at length. " * 8
        + "A ferry was mentioned once.", "2025-03-01" if dated else None, "council.txt"))
    store.articles.add(make_article(
        "Market report", "Market report\n\nPrices rose slightly in the morning trade.",
        "2025-02-01" if dated else None, "market.txt"))
    return store


def test_relevance_puts_the_best_match_first_and_notes_count(tmp_path):
    store = relevance_store(tmp_path / "a.db")
    by_date = [row.title for row in store.listing.page(0, 10, ListQuery(search="ferry"))]
    by_rank = [row.title for row in store.listing.page(0, 10, ListQuery(search="ferry", sort="relevance"))]
    assert by_date == ["Council meets", "Ferry strike ends"]
    assert by_rank == ["Ferry strike ends", "Council meets"]
    # a note about ferries makes the market report a match too (after the two texts that say it)
    store.annotations.add(3, 0, 13, ["conflict"], "alice", note="ferry ferry ferry: ferry prices")
    by_rank = [row.title for row in store.listing.page(0, 10, ListQuery(search="ferry", sort="relevance"))]
    assert set(by_rank) == {"Ferry strike ends", "Council meets", "Market report"}
    # without a search, relevance means nothing: the list is by date
    assert [row.title for row in store.listing.page(0, 10, ListQuery(sort="relevance"))] == [
        "Council meets", "Market report", "Ferry strike ends"]
    store.close()


def test_o_cycles_relevance_only_while_searching():
    assert ListQuery().next_sort() == "title"
    assert ListQuery(search="x").next_sort() == "relevance"
    assert ListQuery(search="x", sort="relevance").next_sort() == "title"
    assert ListQuery(sort="relevance").order == "published"


def header(app) -> str:
    return str(app.screen.query_one("#list-title").render())


async def test_the_header_says_relevance_while_searching_and_date_only_with_dates(tmp_path, config):
    store = relevance_store(tmp_path / "a.db")
    app = ReaderApp(config, store)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "sorted by date" in header(app)
        await pilot.press("slash", *"ferry", "enter", "o")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ArticleListScreen) and "sorted by relevance" in header(app)
        assert screen.query_one(ArticleList).current.title == "Ferry strike ends"
        await pilot.press("c")  # no search: relevance is not the order any more
        await pilot.pause()
        assert "sorted by date" in header(app) and "sorted by relevance" not in header(app)
    store.close()


async def test_a_list_of_undated_articles_does_not_claim_to_be_sorted_by_date(tmp_path, config):
    store = relevance_store(tmp_path / "a.db", dated=False)
    app = ReaderApp(config, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert "sorted by date" not in header(app) and "newest imported first" in header(app)
        assert app.screen.query_one(ArticleList).current.title == "Market report"
        await pilot.press("o")
        await pilot.pause()
        assert "sorted by title" in header(app)
    store.close()


def test_a_note_on_the_whole_article_is_found_by_the_search_with_its_snippet(tmp_path):
    store = relevance_store(tmp_path / "a.db")
    store.article_notes.set(3, "alice", "Compare with the harbour levy story.", seen=None)
    for sort in ("published", "relevance"):
        rows = store.listing.page(0, 10, ListQuery(search="levy", sort=sort))
        assert [row.title for row in rows] == ["Market report"]
    assert rows[0].snippet.startswith("article note: ") and "levy" in rows[0].snippet
    store.article_notes.set(3, "alice", "Compare with the port story.", seen=store.article_notes.get(3, "alice"))
    assert store.listing.count(ListQuery(search="levy")) == 0  # the index follows a changed note
    store.close()
