"""Pilot tests of articles' attributes and details in the TUI: attribute columns in the list (from
config.yaml or L) that leave the title its room, the attribute filter (F), and the details form (ctrl+e)
on the list and the article, undone by u and refused when the details changed meanwhile."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reader.core.corrections import Correction, corrected
from reader.core.ingest import Document
from reader.store import Store
from reader.tui.app import ReaderApp
from reader.tui.screens.details import DetailsEditor
from reader.tui.widgets.article_list import ArticleList, Columns

from .conftest import open_article

SIZES = [(80, 24), (160, 40)]
ARTICLES = [
    ("Ferry fares rise", "2025-03-02", (("section", "transport"), ("desk", "north \x1b[31m"))),
    ("Library opens late", "2025-03-04", (("section", "culture"),)),
    ("Bridge repairs begin", "2025-03-05", (("section", "transport"),)),
]


@pytest.fixture
def corpus(config):
    store = Store.open(config.database)
    store.tags.sync(config.tags)
    for number, (title, published, attributes) in enumerate(ARTICLES):
        store.articles.add(Document(
            text=f"{title}\n\nA short original report, number {number}, about the harbour town.", title=title,
            source="Harbour Gazette", url=None, path="town.jsonl", published=published, locator=f"line {number + 1}",
            attributes=attributes))
    yield store
    store.close()


def lines(article_list: ArticleList) -> list[str]:
    return ["".join(segment.text for segment in article_list.render_line(y)) for y in range(1 + article_list.count)]


def notices(app) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


@pytest.mark.parametrize("size", SIZES)
async def test_attribute_columns_from_the_config_and_l_leave_the_title_its_room(config, corpus, size):
    app = ReaderApp(replace(config, list_columns=("section",)), corpus)
    async with app.run_test(size=size) as pilot:
        article_list = app.screen.query_one(ArticleList)
        shown = lines(article_list)
        assert "section" in shown[0] and "Title" in shown[0] and "Date" in shown[0]
        assert "Bridge repairs begin" in shown[1] and "transport" in shown[1]
        assert "culture" in shown[2]
        assert "Ferry fares rise" in shown[3]
        assert Columns(size[0], 1).title >= Columns.MIN_TITLE
        await pilot.press("o", "o", "o", "o")  # date, title, source, annotations, then the first column
        await pilot.pause()
        assert "sorted by section" in str(app.screen.query_one("#list-title").render())
        sorted_rows = lines(article_list)[1:]
        assert "Library opens late" in sorted_rows[0] and "culture" in sorted_rows[0]
        assert "Ferry fares rise" in sorted_rows[1] and "Bridge repairs begin" in sorted_rows[2]  # then as imported
        await pilot.press("L")
        await pilot.press(*"desk", "enter")
        await pilot.pause()
        shown = lines(article_list)
        assert "desk" in shown[0]
        ferry = next(line for line in shown if "Ferry" in line)
        assert "north \ufffd[31m" in ferry and "\x1b" not in "".join(shown)  # the display guard
        assert all(len(line) == size[0] for line in shown)
        await pilot.press("L")
        await pilot.press(*"section", "enter")
        await pilot.pause()
        assert "section" not in lines(article_list)[0]


@pytest.mark.parametrize("size", SIZES)
async def test_f_filters_by_an_attributes_value_and_c_clears_it(config, corpus, size):
    app = ReaderApp(config, corpus)
    async with app.run_test(size=size) as pilot:
        await pilot.press("F")
        await pilot.press(*"section", "enter")
        await pilot.pause()
        options = app.screen.query_one("#picker-options")
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels[1:] == ["  transport  (2)", "  culture  (1)"]
        await pilot.press(*"transport", "enter")
        await pilot.pause()
        article_list = app.screen.query_one(ArticleList)
        assert article_list.count == 2
        assert "(section transport)" in str(app.screen.query_one("#list-title").render())
        await pilot.press("c")
        await pilot.pause()
        assert article_list.count == 3


@pytest.mark.parametrize("size", SIZES)
async def test_ctrl_e_on_the_list_corrects_the_details_and_u_undoes_it(config, corpus, size):
    app = ReaderApp(config, corpus)
    async with app.run_test(size=size) as pilot:
        article_list = app.screen.query_one(ArticleList)
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, DetailsEditor)
        await pilot.press("ctrl+u", *"Bridge works start", "tab", *"next week?")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DetailsEditor)  # not a date: said, and the form stays open
        problem = str(app.screen.query_one("#details-problem").render())
        assert problem.startswith("date: 'next week?' is not a date reader reads")
        await pilot.press(*["backspace"] * 10, *"6 March 2025", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, DetailsEditor)
        assert "Bridge works start" in lines(article_list)[1] and "2025-03-06" in lines(article_list)[1]
        meta = corpus.articles.meta_of(article_list.current.id)
        assert (meta.title, meta.published, meta.published_written) == ("Bridge works start", "2025-03-06", "6 March 2025")
        assert meta.edited == {"title", "date"}
        await pilot.press("u")
        await pilot.pause()
        assert "Bridge repairs begin" in lines(article_list)[1]
        assert corpus.articles.meta_of(article_list.current.id).edited == frozenset()


@pytest.mark.parametrize("size", SIZES)
async def test_ctrl_e_on_the_article_corrects_its_header_and_refuses_after_a_change_elsewhere(config, corpus, size):
    app = ReaderApp(config, corpus)
    async with app.run_test(size=size) as pilot:
        await open_article(pilot)
        article_id = app.screen.article.id
        await pilot.press("ctrl+e")
        await pilot.pause()
        await pilot.press("tab", "tab", "ctrl+u", *"Valley Post", "tab", "end", "enter", *"region: east")
        await pilot.press("ctrl+s")
        await pilot.pause()
        header = str(app.screen.query_one("#article-title").render())
        assert header.startswith("Bridge repairs begin  Valley Post · 2025-03-05  section: transport · region: east")
        # another window corrects the title while this one's form is open: saving is refused
        await pilot.press("ctrl+e")
        await pilot.pause()
        other = Store.open(config.database)
        seen = other.articles.meta_of(article_id)
        other.articles.set_meta(article_id, corrected(seen, Correction("Bridge shut", "2025-03-05", "Valley Post",
                                                                       "section: transport\nregion: east")), seen)
        other.close()
        await pilot.press("ctrl+u", *"Bridge repairs", "ctrl+s")
        await pilot.pause()
        assert any(notice.startswith("Not saved: correcting the article's details.") for notice in notices(app))
        assert corpus.articles.meta_of(article_id).title == "Bridge shut"
        assert str(app.screen.query_one("#article-title").render()).startswith("Bridge shut  Valley Post")


@pytest.mark.parametrize("size", SIZES)
async def test_charts_count_tags_per_value_of_an_attribute(config, corpus, size):
    from reader.tui.screens.charts import ChartsScreen
    from reader.tui.widgets.charts import HeatTable

    for article_id, in corpus.db.execute("SELECT id FROM articles").fetchall():
        corpus.annotations.add(article_id, 0, 6, ["conflict"], "alice")
    app = ReaderApp(config, corpus)
    async with app.run_test(size=size) as pilot:
        await pilot.press("C")
        await pilot.pause()
        assert isinstance(app.screen, ChartsScreen)
        await pilot.press("b")
        await pilot.press(*"section", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(HeatTable)
        rows = [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]
        assert rows[0][0] == "transport" and rows[0][-1] == "2"
        assert rows[1][0] == "culture" and rows[1][-1] == "1"
        assert rows[-1][0] == "all section values" and rows[-1][-1] == "3"
        tabs = str(app.screen.query_one("#charts-tabs").render())
        assert " 1 Per section " in tabs
        assert str(app.screen.query_one("#charts-title").render()).startswith("Tags per section  passages tagged, per section")
