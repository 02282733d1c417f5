"""Seeing the text (issue 15): every screen at 80x24 and at a wide size. Confirmations in the
status line, never toasts over the text; tags apart in 256 and 16 colours and without colour;
columns by priority, with an ellipsis where text is cut."""

from __future__ import annotations

import pytest
from rich.color import ColorSystem
from textual.widgets import Footer
from textual.widgets._footer import FooterKey
from textual.widgets._toast import Toast

from reader.core.config import parse_config
from reader.core.ingest import Document
from reader.store import Store
from reader.tui.app import ReaderApp
from reader.tui.screens.charts import ChartsScreen
from reader.tui.screens.tags import TagPassagesScreen, TagsScreen
from reader.tui.widgets.article_list import ArticleList
from reader.tui.widgets.article_view import ArticleView
from reader.tui.widgets.side_panel import SidePanel

from .conftest import ARTICLE, open_article

SIZES = [(80, 24), (200, 50)]
ids = ["80x24", "200x50"]


def screen_lines(app) -> list[str]:
    """What the terminal shows, line by line."""
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


def status_text(app) -> str:
    """The status line under the screen's main view (the article's, the codebook's)."""
    return str(app.screen.query_one("#status, #tags-note").render())


# ---- confirmations: the status line, not toasts over the text ------------------------------


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_tagging_says_so_in_the_status_line_and_no_toast_covers_the_text(store, config, size):
    app = ReaderApp(config, store)
    async with app.run_test(size=size, notifications=True) as pilot:
        await open_article(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert not list(app._notifications) and not list(app.screen.query(Toast))
        assert "Tagged" in status_text(app) and "conflict" in status_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert not list(app._notifications)
        assert "Undone" in status_text(app)
        await pilot.press("j")  # the next key: the confirmation has been seen
        assert "Undone" not in status_text(app)


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_export_is_confirmed_in_the_status_line(store, config, size, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = ReaderApp(config, store)
    async with app.run_test(size=size, notifications=True) as pilot:
        await open_article(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not list(app._notifications)
        assert "Exported" in status_text(app)


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_a_warning_toast_stays_above_the_text(store, config, size):
    app = ReaderApp(config, store)
    async with app.run_test(size=size, notifications=True) as pilot:
        view = await open_article(pilot)
        app.notify("Short warning.", severity="warning")
        for _ in range(50):  # the toast is mounted a few refreshes later
            await pilot.pause()
            toasts = list(app.screen.query(Toast))
            if toasts:
                break
        assert toasts
        for toast in toasts:
            assert toast.region.bottom <= view.region.y, (toast.region, view.region)


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_a_long_note_shows_whole_in_the_status_line(store, config, size):
    note = ("The minister frames the delay as a technical matter; two paragraphs later the "
            "spokesperson ties it to the budget vote, which the article never reconciles.")
    annotation = store.annotations.add(1, ARTICLE.index("She said"), ARTICLE.index("Critics") - 1, ["conflict"], "alice")
    store.annotations.set_note(annotation.id, note, seen=annotation)
    app = ReaderApp(config, store)
    async with app.run_test(size=size) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(ARTICLE.index("She said") + 3)
        await pilot.pause()
        shown = " ".join(status_text(app).split())
        assert note in shown


# ---- colours: apart in 256 and 16 colours, and without colour ---------------------------------

TWO_YELLOWS = """\
annotator: alice
load_samples: false
tags:
  - name: conflict
    key: "1"
    color: "#e06c75"
  - name: economic
    key: "3"
    color: "#e5c07b"
"""


@pytest.fixture
def issue_store(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(TWO_YELLOWS, encoding="utf-8")
    config = parse_config(TWO_YELLOWS, path)
    store = Store.open(config.database)
    store.tags.sync(config.tags)
    store.articles.add(Document(text=ARTICLE, title="Talks resume in Geneva", source="Wirefeed", url=None,
                                path="geneva.txt", published="2025-03-03", locator=""))
    first, second = ARTICLE.index("GENEVA"), ARTICLE.index("She said")
    store.annotations.add(1, first, second - 1, ["conflict"], "alice")  # two passages side by side
    store.annotations.add(1, second, ARTICLE.index("Critics") - 1, ["economic"], "alice")
    yield config, store
    store.close()


def _style_at(view: ArticleView, offset: int):
    """The style the view draws the character at `offset` in."""
    line = view.wrapped.line_of(offset)
    strip = view.render_line(line - int(view.scroll_offset.y))
    column = view.left_margin + 2 + offset - view.wrapped.starts[line]
    return strip.crop(column, column + 1)._segments[0].style


@pytest.mark.parametrize("system", [ColorSystem.EIGHT_BIT, ColorSystem.STANDARD], ids=["256", "16"])
async def test_two_tags_show_different_backgrounds_in_256_and_16_colours(issue_store, system):
    config, store = issue_store
    app = ReaderApp(config, store)
    app.console._color_system = system  # what tmux (TERM=screen-256color) or a 16-colour terminal gives
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(len(ARTICLE) - 1)
        await pilot.pause()
        conflict = _style_at(view, ARTICLE.index("Foreign"))
        economic = _style_at(view, ARTICLE.index("draft"))
        assert conflict.bgcolor.downgrade(system).number != economic.bgcolor.downgrade(system).number


async def test_passages_side_by_side_and_on_top_of_each_other_differ_without_colour(issue_store):
    config, store = issue_store
    store.annotations.add(1, ARTICLE.index("the draft"), ARTICLE.index(" was"), ["conflict"], "alice")  # inside the second
    app = ReaderApp(config, store)
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(len(ARTICLE) - 1)
        await pilot.pause()
        first = _style_at(view, ARTICLE.index("Foreign"))
        second = _style_at(view, ARTICLE.index("She said") + 1)
        both = _style_at(view, ARTICLE.index("draft"))
        assert not first.underline and second.underline  # where one ends and the next begins shows
        assert both.italic and both.underline  # passages on top of each other


# ---- cut-off text --------------------------------------------------------------------------


@pytest.fixture
def long_store(store):
    """An article with a long title and many tags, annotated by two people."""
    title = "Regional council approves long-delayed harbour bridge after a decade of disputes over cost and route"
    text = title + "\n\nThe council voted late on Monday. Engineers said work could begin in spring."
    store.articles.add(Document(text=text, title=title, source="Harbour Gazette Evening Edition", url=None,
                                path="bridge.txt", published="2025-04-01", locator=""))
    start = text.index("The council")
    tags = ["conflict", "cooperation", "economic", "human-interest", "responsibility"]
    store.annotations.add(4, start, start + 32, tags, "alice")
    store.annotations.add(4, start, start + 32, ["conflict"], "bob")
    return store


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_the_list_keeps_the_tags_column_and_cuts_with_an_ellipsis(long_store, config, size):
    app = ReaderApp(config, long_store)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        article_list = app.screen.query_one(ArticleList)
        header = article_list.render_line(0).text
        assert "Tags" in header and "Date" in header
        row = article_list.render_line(1).text  # the newest: the bridge
        width = article_list.scrollable_content_region.width
        assert len(row) == width
        assert "Regional council" in row and "conflict" in row
        assert row.rstrip().endswith("…")  # the tags, cut, say so inside the width
        if size[0] >= 100:
            assert "Source" in header and "Harbour Gazette" in row


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_the_footer_shows_only_whole_keys(store, config, size):
    app = ReaderApp(config, store)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for screen_keys in ([], ["enter"]):
            await pilot.press(*screen_keys)
            await pilot.pause()
            footer = app.screen.query_one(Footer)
            keys = [key for key in footer.query(FooterKey) if not key.has_class("-command-palette")]
            palette = footer.query_one(".-command-palette")
            assert keys
            for key in keys:
                assert key.region.right <= palette.region.x, (key.description, key.region, palette.region)
            bottom = screen_lines(app)[-1]
            assert all(key.description in bottom for key in keys)
        if size[0] == 80:
            assert "…" in bottom  # some keys left out, and it says so


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_the_passages_of_a_tag_keep_tags_and_annotator_beside_a_long_title(long_store, config, size):
    app = ReaderApp(config, long_store)
    async with app.run_test(size=size) as pilot:
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, TagsScreen)
        app.open_tag_passages("responsibility")
        await pilot.pause()
        assert isinstance(app.screen, TagPassagesScreen)
        lines = screen_lines(app)
        first = next(line for line in lines if "Regional council" in line)
        assert first.rstrip().endswith("· alice")  # whose, always
        assert "conflict, cooperation" in first and ("responsibility" in first or "…" in first)
        assert "…" in first or "disputes over cost and route" in first


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_the_codebook_shows_the_whole_description_of_the_tag_under_the_cursor(store, config, size):
    long = "Disagreement between actors, " * 6
    store.tags.set_look("conflict", description=long.strip())
    app = ReaderApp(config, store)
    async with app.run_test(size=size) as pilot:
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, TagsScreen)
        assert " ".join(long.split()) in " ".join(status_text(app).split())
        assert not any(len(line.rstrip()) > size[0] for line in screen_lines(app))
        assert any("…" in line and "Disagreement" in line for line in screen_lines(app))


async def test_the_codebook_reports_tags_that_look_the_same_in_256_colours(store, config):
    store.tags.set_look("conflict", color="#e5c07b")
    store.tags.set_look("cooperation", color="#d7af5f")
    app = ReaderApp(config, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("T")
        await pilot.pause()
        assert "conflict and cooperation look the same in 256 colours" in " ".join(status_text(app).split())


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_the_co_occurrence_chart_shows_whole_tag_names(long_store, config, size):
    app = ReaderApp(config, long_store)
    async with app.run_test(size=size) as pilot:
        app.open_charts()
        await pilot.pause()
        assert isinstance(app.screen, ChartsScreen)
        await pilot.press("4")
        await pilot.pause()
        await pilot.pause()
        lines = screen_lines(app)
        assert "4 Co-occurrence" in lines[0] or "4 Tag co-occurrence" in lines[0]
        assert any(line.lstrip().startswith("human-interest") for line in lines)
        assert any(line.lstrip().startswith("responsibility") for line in lines)
        assert not any("co…" in line or "hu…" in line for line in lines)


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_the_entity_view_gives_the_context_the_width(config, size):
    from tests.test_tui_entity import entity_screen, make_store

    store, _ids = make_store(config)
    app = ReaderApp(config, store)
    async with app.run_test(size=size) as pilot:
        screen = await entity_screen(pilot, "the United Nations", "ORG")
        main = screen.panes[0]
        assert main.size.width >= size[0] * 3 // 5  # the mentions take the room, the side panes what they need
        shown = [main.render_line(y).text for y in range(main.scrollable_content_region.height)]
        context = next(line for line in shown if "United Nations opened" in line)
        assert "The United Nations opened a summit" in context
        assert all(len(line) == main.scrollable_content_region.width for line in shown)
        assert any(line.rstrip().endswith("…") for line in shown)  # a cut context says so


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_the_side_panel_names_whose_identical_tags_are_whose(long_store, config, size):
    app = ReaderApp(config, long_store)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        view = await open_article(pilot)  # the newest: the bridge
        await pilot.press("i")
        await pilot.pause()
        panel = app.screen.query_one(SidePanel)
        prompts = [str(panel.get_option_at_index(index).prompt) for index in range(panel.option_count)]
        assert any(prompt.startswith("alice: ") for prompt in prompts)
        assert any(prompt.startswith("bob: ") and "conflict" in prompt for prompt in prompts)
        assert view is not None


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_side_by_side_says_the_whole_summary_and_titles_end_in_an_ellipsis(long_store, config, size):
    app = ReaderApp(config, long_store)
    async with app.run_test(size=size) as pilot:
        app.open_compare(4, "alice", "bob")
        await pilot.pause()
        lines = screen_lines(app)
        summary = " ".join(" ".join(lines[1:3]).split())
        assert "only alice: 1" in summary and "only bob: 1" in summary
        assert all(len(line.rstrip()) <= size[0] for line in lines)
        title = lines[0]
        assert "Regional council" in title
        if size[0] == 80:
            assert title.rstrip().endswith("…")
