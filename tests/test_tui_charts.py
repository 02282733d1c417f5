"""The Charts screen: it opens with the numbers of reader/store/figures.py in its table, switches
views by key, picks entities, shows user text as plain text, and follows changes that another
connection makes."""

import pytest
from textual.widgets import Static

from reader.store import figures as insight
from reader.core.entities import Span
from reader.core.ingest import Document
from reader.core.model import sha256_text
from reader.store import Store
from reader.tui.app import ReaderApp
from reader.tui.messages import DatabaseChanged
from reader.tui.screens.charts import ChartsScreen
from reader.tui.screens.entity import EntityPicker
from reader.tui.screens.help import HelpScreen
from reader.tui.widgets.charts import HeatTable, bar, heat_level

SIZE = (110, 34)


def seed(store):
    """conftest's three Wirefeed articles (2025-03-03, 2025-02-01, 2025-01-15) and a fourth
    with a hostile source and no date."""
    doc = Document(text="Hostile\n\nAna Lima spoke.", title="Hostile", source="Bad\x1b[2J[bold]Source[/]", url=None,
                   path="hostile.txt", published=None, locator="")
    assert store.articles.add(doc).article_id == 4
    store.annotations.add(1, 0, 22, ["conflict"], "alice")
    store.annotations.add(1, 24, 30, ["conflict", "cooperation"], "bob")
    store.annotations.add(2, 0, 19, ["cooperation"], "alice")
    store.annotations.add(4, 0, 7, ["conflict"], "alice")


async def settle(pilot):
    """Wait for the screen's counting thread and the repaint after it."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_charts(pilot, view: int = 1) -> ChartsScreen:
    screen = ChartsScreen(pilot.app.workspace, view=view)
    pilot.app.push_screen(screen)
    await settle(pilot)
    assert pilot.app.screen is screen
    return screen


def table_text(screen: ChartsScreen) -> list[list[str]]:
    table = screen.table
    return [[str(table.get_cell_at((row, column))) for column in range(len(table.columns))] for row in range(table.row_count)]


def status_text(screen: ChartsScreen) -> str:
    """The title line as plain text."""
    return str(screen.query_one("#charts-title", Static).render())


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def test_bars_and_heat():
    assert bar(0, 10, 20) == ""
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██"
    assert bar(1, 16, 2) == "▏"
    assert bar(1, 1000, 4) == "▏"  # anything above 0 shows
    assert heat_level(0, 9) is None
    assert heat_level(9, 9) == 7
    assert heat_level(1, 100) == 0


@pytest.mark.parametrize("now_ms", [60, 1e-9])
async def test_opens_with_tags_per_source(store, config, monkeypatch, now_ms):
    """Counted at once, or (a count slower than NOW_MS is interrupted) in the thread."""
    monkeypatch.setattr(ChartsScreen, "NOW_MS", now_ms)
    monkeypatch.setattr(ChartsScreen, "NOW_STEPS", 1)
    monkeypatch.setattr(ChartsScreen, "PREFETCH", False)
    threads = []
    counting = ChartsScreen._compute_in_thread
    monkeypatch.setattr(ChartsScreen, "_compute_in_thread", lambda self, *args: (threads.append(args), counting(self, *args))[1])
    seed(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_charts(pilot)
        assert len(threads) == (0 if now_ms > 1 else 1)
        assert table_text(screen) == [
            ["Wirefeed", "2", "2", "4"],
            ["Bad\ufffd[2J[bold]Source[/]", "1", "0", "1"],
            ["all sources", "3", "2", "5"],
        ]
        matrix = insight.tag_counts(store, "source")
        assert screen.table.matrix == matrix
        lines = screen_lines(app)
        assert any("Bad\ufffd[2J[bold]Source[/]" in line for line in lines)  # literal, not markup
        assert any("conflict, per source (passages)" in line for line in lines)
        assert "1 Tags per source" in lines[0]
        assert 1 in screen.painted_at


async def test_views_switch_by_key(store, config):
    seed(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_charts(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert table_text(screen) == [  # from the first month with a tagged passage
            ["2025-02", "0", "1", "1"],
            ["2025-03", "2", "1", "3"],
            ["undated", "1", "0", "1"],
            ["all months", "3", "2", "5"],
        ]
        await pilot.press("u")  # articles
        await settle(pilot)
        assert table_text(screen)[1] == ["2025-03", "1", "1", "2"]
        assert "articles tagged, per month" in status_text(screen)
        await pilot.press("4")
        await settle(pilot)
        assert table_text(screen) == [
            ["conflict", "3", "1", "1"],
            ["cooperation", "1", "2", "1"],
            ["(passages with the tag)", "3", "2", "4"],
        ]
        await pilot.press("u")  # the same article
        await settle(pilot)
        assert table_text(screen)[0] == ["conflict", "2", "1", "1"]  # articles 1 and 4; 1 has both
        await pilot.press("1")
        await settle(pilot)
        assert table_text(screen)[0] == ["Wirefeed", "1", "2", "3"]  # articles, as chosen in view 2
        await pilot.press("u")
        await settle(pilot)
        assert table_text(screen)[0] == ["Wirefeed", "2", "2", "4"]
        await pilot.press("l", "l", "j")  # to the totals column, second row
        await pilot.pause()
        assert screen.table.cursor_coordinate == (1, 3)
        assert screen.bars.items == [("Wirefeed", 4), ("Bad\ufffd[2J[bold]Source[/]", 1)]
        assert screen.bars.marked == 1
        await pilot.press("h")
        await pilot.pause()
        assert screen.bars.items[0] == ("Wirefeed", 2)  # cooperation
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is not screen


async def test_annotator_and_tag_filters(store, config):
    seed(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_charts(pilot)
        await pilot.press("a", *"bob", "enter")
        await settle(pilot)
        assert table_text(screen) == [["Wirefeed", "1", "1", "2"], ["all sources", "1", "1", "2"]]
        assert "annotator bob" in status_text(screen)
        await pilot.press("a", *"everyone", "enter")
        await settle(pilot)
        await pilot.press("t", *"cooperation", "enter")
        await settle(pilot)
        assert table_text(screen) == [["Wirefeed", "2", "2"], ["all sources", "2", "2"]]
        assert "tag cooperation" in status_text(screen)


async def test_counts_follow_a_change_from_another_connection(store, config, monkeypatch):
    seed(store)
    monkeypatch.setattr(ReaderApp, "WATCH_SECONDS", 0.05)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_charts(pilot)
        assert table_text(screen)[0] == ["Wirefeed", "2", "2", "4"]
        other = Store.open(config.database)  # another reader, or `reader import-annotations`
        try:
            other.annotations.add(3, 0, 6, ["cooperation"], "carol")
        finally:
            other.close()
        for _ in range(50):
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            if table_text(screen)[0] != ["Wirefeed", "2", "2", "4"]:
                break
        await pilot.pause()
        assert table_text(screen)[0] == ["Wirefeed", "2", "3", "5"]
        assert table_text(screen)[-1] == ["all sources", "3", "3", "6"]


async def test_a_commit_that_changes_no_tag_recounts_nothing(store, config):
    seed(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_charts(pilot)
        shown = screen.table.matrix
        other = Store.open(config.database)
        try:
            other.articles.mark_read(1)  # another connection commits, nothing the charts count changes
        finally:
            other.close()
        screen.post_message(DatabaseChanged())  # as the app does when another connection commits
        await settle(pilot)
        assert screen.table.matrix is shown


def index_entities(store):
    text = store.articles.get(1).text
    start = text.index("Ana Lima")
    un = text.index("United Nations")
    store.entities.cache(sha256_text(text), "test/1", [Span(start, start + 8, "PERSON", "t"), Span(un, un + 14, "ORG", "t")])
    hostile = store.articles.get(4).text
    start = hostile.index("Ana Lima")
    store.entities.cache(sha256_text(hostile), "test/1", [Span(start, start + 8, "PERSON", "t")])


async def test_entities_view_explains_an_empty_index(store, config):
    seed(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_charts(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert any("entity index is empty" in line for line in screen_lines(app))
        await pilot.press("e")
        await pilot.pause()
        assert app.screen is screen


async def test_entities_over_time(store, config):
    seed(store)
    index_entities(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_charts(pilot)
        await pilot.press("3")
        await settle(pilot)
        # by default the person, organisation and place in most articles
        assert [entity.name for entity in screen.state.entities] == ["Ana Lima", "United Nations"]
        assert table_text(screen) == [
            ["2025-03", "1", "1", "2"],
            ["undated", "1", "0", "1"],
            ["all months", "2", "1", "3"],
        ]
        await pilot.press("e", *"united", "enter")  # chosen already: taken off
        await settle(pilot)
        assert [entity.name for entity in screen.state.entities] == ["Ana Lima"]
        assert table_text(screen)[-1] == ["all months", "2", "2"]
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EntityPicker)
        await pilot.press(*"nations", "enter")
        await settle(pilot)
        assert [entity.name for entity in screen.state.entities] == ["Ana Lima", "United Nations"]
        await pilot.press("x")
        await settle(pilot)
        assert screen.state.entities == []
        assert any("No entities chosen" in line for line in screen_lines(app))


async def test_help_lists_the_charts_keys(store, config):
    seed(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await open_charts(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = dict((title, rows) for title, rows in app.screen.sections)
        ids = {binding_id for _keys, _description, binding_id in rows["Charts"]}
        assert {"charts.view_source", "charts.view_month", "charts.view_entities", "charts.view_cooccurrence",
                "charts.entity", "charts.table.down", "charts.back"} <= ids


def test_every_binding_has_an_id_and_a_tooltip():
    for owner in (ChartsScreen, HeatTable):
        for binding in owner.BINDINGS:
            assert binding.id and binding.tooltip, (owner.__name__, binding.key)


@pytest.mark.parametrize("rows", [5, 400])
def test_many_rows_fold_into_one(rows):
    from reader.store.figures import Matrix
    from reader.tui.widgets.charts import MAX_TABLE_ROWS, ShownTable

    matrix = Matrix("source", "tag", "passages", tuple(f"s{i}" for i in range(rows)), ("a",),
                    tuple((1,) for _ in range(rows)), (1,) * rows, (rows,), rows)
    shown = ShownTable.of(matrix)
    assert sum(counts[0] for counts in shown.counts) == rows
    assert len(shown.labels) == min(rows, MAX_TABLE_ROWS)
    if rows > MAX_TABLE_ROWS:
        assert shown.labels[-1] == f"({rows - MAX_TABLE_ROWS + 1:,} other sources)"
