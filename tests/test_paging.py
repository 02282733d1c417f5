"""Paging the passages of a tag by key: pages read after or before a passage, the last page read
from the end and a deep page found from the list's outline are the same rows, in the same order,
as the whole list sorted by its definition (ties in dates, undated articles, every filter)."""

import random
from dataclasses import dataclass

import pytest

from reader.core.ingest import Document
from reader.core.model import PassageQuery
from reader.store import Store
from reader.store.passages import Passages
from reader.tui.app import ReaderApp
from reader.tui.screens.tags import TagPassagesScreen
from reader.tui.widgets.paged_list import PageCache, PagedList

DATES = ["2025-03-03", "2025-03-03", "2025-02-01", "2025-02-01", "2025-01-15", "2024-12-31", None, None]
SOURCES = ["Wirefeed", "Daily"]
TAG_SETS = [["conflict"], ["framing/economy"], ["framing/security"], ["framing/economy", "framing/security"],
            ["conflict", "framing/economy"], ["cooperation"]]


@dataclass(frozen=True)
class Made:
    """What the test put in the database: the truth the listing is checked against."""

    id: str
    article_id: int
    start: int
    tags: tuple[str, ...]
    annotator: str
    published: str | None
    source: str


def fill(store: Store, articles: int = 30, seed: int = 3) -> list[Made]:
    """Articles with tied and missing dates, each with up to five passages (some at the same start)."""
    rng = random.Random(seed)
    made = []
    for number in range(articles):
        published, source = rng.choice(DATES), rng.choice(SOURCES)
        text = f"Article {number}\n\n" + "Words of the story go on here. " * 4
        article_id = store.articles.add(Document(text=text, title=f"Article {number}", source=source, url=None,
                                                 path=f"a{number}.txt", published=published, locator="")).article_id
        for _ in range(rng.randrange(6)):
            start = rng.choice([0, 0, 10, 20, 35])  # equal starts: the annotation id decides
            annotator = rng.choice(["alice", "bob"])
            annotation = store.annotations.add(article_id, start, start + 5, rng.choice(TAG_SETS), annotator)
            made.append(Made(annotation.id, article_id, start, annotation.tags, annotator, published, source))
    return made


def listed(made: list[Made], query: PassageQuery) -> list[str]:
    """The ids the list should show, by the list's definition: newest article first, undated
    last, then the higher article id, then start and annotation id."""
    def wanted(row: Made) -> bool:
        tagged = any(tag == query.tag or (query.nested and tag.startswith(query.tag + "/")) for tag in row.tags)
        return (tagged and (query.source is None or row.source == query.source)
                and (query.annotator is None or row.annotator == query.annotator)
                and (not query.since or (row.published is not None and row.published >= query.since))
                and (not query.until or (row.published is not None and row.published < query.until + "\uffff")))

    rows = sorted((row for row in made if wanted(row)), key=lambda row: (row.start, row.id))
    rows.sort(key=lambda row: row.article_id, reverse=True)
    rows.sort(key=lambda row: (row.published is not None, row.published or ""), reverse=True)
    return [row.id for row in rows]


QUERIES = [
    PassageQuery("framing"),
    PassageQuery("conflict"),
    PassageQuery("framing", nested=False),
    PassageQuery("framing", source="Daily"),
    PassageQuery("framing", since="2025-02"),
    PassageQuery("framing", until="2025-02"),
    PassageQuery("framing", since="2025-01-15", until="2025-02-01"),
    PassageQuery("framing", annotator="bob"),
    PassageQuery("framing", source="Wirefeed", since="2025", annotator="alice"),
    PassageQuery("nothing"),
]


@pytest.fixture(params=["walk", "sort"])
def mode(request, monkeypatch):
    """Both ways a page is read: walking the articles in date order (a long list; with the walk
    and its skipping kept to the first and last 7 rows, so the outline finds the rest) or
    sorting the passages (a short list)."""
    if request.param == "walk":
        monkeypatch.setattr(Passages, "_WALK_ABOVE", 0)
        monkeypatch.setattr(Passages, "_WALK_DEPTH", 7)
    else:
        monkeypatch.setattr(Passages, "_WALK_ABOVE", 10**9)
    return request.param


def ids(passages) -> list[str]:
    return [passage.annotation.id for passage in passages]


@pytest.mark.parametrize("query", QUERIES, ids=repr)
def test_pages_by_key_and_by_position_are_the_list(store, mode, query):
    made = fill(store)
    truth = listed(made, query)
    assert store.passages.count(query) == len(truth)
    assert ids(store.passages.page(query, 0, 10_000)) == truth

    forward, page = [], store.passages.after(query, None, 7)
    while page:
        forward += page
        page = store.passages.after(query, page[-1], 7)
    assert ids(forward) == truth

    backward, page = [], store.passages.before(query, None, 7)
    while page:
        backward = page + backward
        page = store.passages.before(query, page[0], 7)
    assert ids(backward) == truth

    for offset in range(len(truth) + 2):
        assert ids(store.passages.page(query, offset, 7)) == truth[offset : offset + 7], offset


def test_the_fixture_has_what_the_keys_must_handle(store):
    made = fill(store)
    framing = [row for row in made if any(tag.startswith("framing/") for tag in row.tags)]
    assert any(row.published is None for row in framing)
    assert len({row.article_id for row in framing if row.published == "2025-03-03"}) > 1  # tied dates
    assert any(len([tag for tag in row.tags if tag.startswith("framing/")]) == 2 for row in framing)  # counted once
    starts = [(row.article_id, row.start) for row in framing]
    assert len(starts) > len(set(starts))  # passages at the same start of the same article
    assert len(listed(made, PassageQuery("framing"))) > 3 * 7


def test_a_page_sought_from_a_passage_of_another_filter_starts_at_its_place(store, mode):
    made = fill(store)
    everything = listed(made, PassageQuery("framing"))
    bob = listed(made, PassageQuery("framing", annotator="bob"))
    by_id = {passage.annotation.id: passage for passage in store.passages.page(PassageQuery("framing"), 0, 10_000)}
    for index, annotation_id in enumerate(everything):
        later = [other for other in everything[index + 1 :] if other in bob]
        assert ids(store.passages.after(PassageQuery("framing", annotator="bob"), by_id[annotation_id], 5)) == later[:5]


def test_the_outline_is_rebuilt_after_a_change(store, monkeypatch):
    monkeypatch.setattr(Passages, "_WALK_ABOVE", 0)
    monkeypatch.setattr(Passages, "_WALK_DEPTH", 3)
    made = fill(store)
    query = PassageQuery("framing")
    middle = len(listed(made, query)) // 2
    assert ids(store.passages.page(query, middle, 3)) == listed(made, query)[middle : middle + 3]
    newest = max((row for row in made if row.published), key=lambda row: (row.published, row.article_id))
    added = store.annotations.add(newest.article_id, 50, 55, ["framing/health"], "alice")
    made.append(Made(added.id, newest.article_id, 50, added.tags, "alice", newest.published, newest.source))
    assert ids(store.passages.page(query, middle, 3)) == listed(made, query)[middle : middle + 3]


# ---- the page cache ------------------------------------------------------------------------


class Rows:
    """A list of numbers that records how each page was read."""

    def __init__(self, count: int):
        self.rows = list(range(count))
        self.calls: list[tuple] = []

    def fetch(self, offset: int, limit: int) -> list[int]:
        self.calls.append(("fetch", offset))
        return self.rows[offset : offset + limit]

    def after(self, row: int | None, limit: int) -> list[int]:
        self.calls.append(("after", row))
        start = 0 if row is None else row + 1
        return self.rows[start : start + limit]

    def before(self, row: int | None, limit: int) -> list[int]:
        self.calls.append(("before", row))
        end = len(self.rows) if row is None else row
        return self.rows[max(0, end - limit) : end]


def test_page_cache_seeks_from_a_cached_neighbour_and_reads_the_last_page_from_the_end():
    rows = Rows(1050)
    cache = PageCache(rows.fetch, page_size=100, pages=4, after=rows.after, before=rows.before, count=1050)
    assert [cache.row(index) for index in (0, 99, 100, 250, 399)] == [0, 99, 100, 250, 399]
    assert rows.calls == [("fetch", 0), ("after", 99), ("after", 199), ("after", 299)]
    rows.calls.clear()
    assert cache.row(1049) == 1049 and cache.row(1000) == 1000  # G: the last page, 50 rows
    assert cache.row(999) == 999 and cache.row(900) == 900  # k: the page before it
    assert rows.calls == [("before", None), ("before", 1000)]
    rows.calls.clear()
    assert cache.row(612) == 612  # a jump with no neighbour cached
    assert cache.row(712) == 712 and cache.row(512) == 512
    assert rows.calls == [("fetch", 600), ("after", 699), ("before", 600)]
    assert cache.row(1100) is None


def test_page_cache_without_seeking_reads_by_offset():
    rows = Rows(250)
    cache = PageCache(rows.fetch, page_size=100)
    assert [cache.row(index) for index in (249, 150, 0)] == [249, 150, 0]
    assert rows.calls == [("fetch", 200), ("fetch", 100), ("fetch", 0)]


# ---- the passages screen -------------------------------------------------------------------


async def test_g_shows_the_true_last_passage_and_paging_back_matches_the_list(store, config, monkeypatch):
    monkeypatch.setattr(Passages, "_WALK_ABOVE", 0)  # a "long" list: walked, and sought by key
    made = fill(store, articles=200, seed=5)
    query = PassageQuery("framing")
    truth = listed(made, query)
    assert len(truth) > 2 * 100  # more than two pages of the list
    assert next(row for row in made if row.id == truth[-1]).published is None  # the last is undated
    read_at: list[int] = []  # the positions read by position rather than sought by key
    by_position = store.passages.page

    def passages(query, offset=0, limit=100):
        read_at.append(offset)
        return by_position(query, offset, limit)

    monkeypatch.setattr(store.passages, "page", passages)
    app = ReaderApp(config, store)
    async with app.run_test(size=(110, 30)) as pilot:
        app.push_screen(TagPassagesScreen(app.workspace, "framing"))
        await pilot.pause()
        rows = app.screen.query_one(PagedList)
        assert rows.count == len(truth)
        await pilot.press("G")
        await pilot.pause()
        assert rows.cursor == len(truth) - 1
        assert rows.current.annotation.id == truth[-1]
        for _ in range(40):
            await pilot.press("pageup")
        await pilot.pause()
        assert rows.current.annotation.id == truth[rows.cursor]
        assert [rows.row(index).annotation.id for index in range(len(truth))] == truth
    assert read_at == [0]  # every other page was sought from its neighbour or from the end
