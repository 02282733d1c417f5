"""Pilot tests for searching, sorting, filtering, and the article screen's reading tools."""

from reader.core.model import ListQuery
from reader.tui.app import ReaderApp
from reader.tui.screens.note_editor import NoteEditor
from reader.tui.screens.pickers import ChecklistScreen, PickerScreen
from reader.tui.widgets.article_list import ArticleList
from reader.tui.widgets.side_panel import SidePanel

from .conftest import ARTICLE, open_article

SIZE = (110, 30)


def titles(app) -> list[str]:
    article_list = app.screen.query_one(ArticleList)
    return [article_list.row(index).title for index in range(article_list.count)]


async def test_slash_searches_and_shows_the_hit_in_context(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"dockers", "enter")
        assert titles(app) == ["Port strike spreads"]
        row = app.screen.query_one(ArticleList).row(0)
        assert "\x02Dockers\x03" in row.snippet
        second_line = app.screen.query_one(ArticleList).render_line(2).text
        assert "Dockers walked out" in second_line
        await pilot.press("c")
        assert len(titles(app)) == 3


async def test_opening_a_search_result_highlights_hits_and_n_moves_between_them(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"nations", "enter")
        view = await open_article(pilot)
        hits = view.search_hits
        assert [ARTICLE[s:e] for s, e in hits] == ["Nations", "Nations"]
        assert view.cursor == hits[0][0]
        await pilot.press("n")
        assert view.cursor == hits[1][0]
        await pilot.press("n")
        assert view.cursor == hits[0][0]  # wraps around
        await pilot.press("N")
        assert view.cursor == hits[1][0]


async def test_slash_in_an_article_searches_it(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        await pilot.press("slash", *"nations", "enter")
        assert [ARTICLE[s:e] for s, e in view.search_hits] == ["Nations", "Nations"]
        assert view.cursor == ARTICLE.index("Nations")


async def test_sort_and_read_filters(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        assert titles(app) == ["Talks resume in Geneva", "Port strike spreads", "Älteste Zeitung"]
        await pilot.press("o")  # by title
        assert titles(app) == ["Älteste Zeitung", "Port strike spreads", "Talks resume in Geneva"] or titles(
            app
        ) == ["Port strike spreads", "Talks resume in Geneva", "Älteste Zeitung"]
        await pilot.press("o", "o", "o")  # back to date
        assert titles(app)[0] == "Talks resume in Geneva"
        await open_article(pilot, 1)
        await pilot.press("q")
        await pilot.press("r")  # unread only
        assert titles(app) == ["Talks resume in Geneva", "Älteste Zeitung"]
        await pilot.press("r")  # read only
        assert titles(app) == ["Port strike spreads"]
        assert app.screen.query_one(ArticleList).row(0).read


async def test_tag_filter_uses_the_picker(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot, 2)
        await pilot.press("j", "j", "1", "q")
        await pilot.press("f")
        assert isinstance(app.screen, PickerScreen)
        await pilot.press(*"confl", "enter")
        assert titles(app) == ["Älteste Zeitung"]


async def test_reading_position_is_restored(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        await pilot.press("right_curly_bracket", "right_curly_bracket")
        position = view.cursor
        assert position > 0
        await pilot.press("q")
        view = await open_article(pilot)
        assert view.cursor == position


async def test_t_picks_any_tag_and_creates_new_ones(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("right_parenthesis", "t")
        assert isinstance(app.screen, PickerScreen)
        await pilot.press(*"framing", "enter")
        await pilot.pause()
        [annotation] = store.annotations.of_article(app.screen.article.id)
        assert annotation.tags == ("framing",)
        await pilot.press("t", *"coop", "enter")
        await pilot.pause()
        [annotation] = store.annotations.of_article(app.screen.article.id)
        assert annotation.tags == ("cooperation", "framing")


async def test_capital_t_tags_the_whole_article_and_again_removes_it(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        article_id = app.screen.article.id
        await pilot.press("T", *"conflict", "enter")
        await pilot.pause()
        assert store.articles.get(article_id).tags == ("conflict",)
        await pilot.press("u")
        assert store.articles.get(article_id).tags == ()
        await pilot.press("ctrl+r")
        await pilot.press("T", *"conflict", "enter")
        await pilot.pause()
        assert store.articles.get(article_id).tags == ()
        assert store.listing.count(ListQuery(tag="conflict")) == 0


async def test_m_edits_a_note_and_u_undoes_it(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("m")  # on an untagged sentence: a memo; left empty, nothing is saved
        assert isinstance(app.screen, NoteEditor)
        await pilot.press("escape")
        await pilot.pause()
        assert store.annotations.of_article(app.screen.article.id) == []
        await pilot.press("right_parenthesis", "1", "m")
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"check [this]", "escape")
        await pilot.pause()
        [annotation] = store.annotations.of_article(app.screen.article.id)
        assert annotation.note == "check [this]"
        assert store.listing.count(ListQuery(search="check")) == 1
        await pilot.press("u")
        [annotation] = store.annotations.of_article(app.screen.article.id)
        assert annotation.note is None


async def test_overlapping_annotations_are_all_listed_under_the_cursor(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        await pilot.press("right_parenthesis", "s", "1")
        view.move_cursor_to(ARTICLE.index("Ana"))
        await pilot.press("v", "e", "e", "2")
        view.move_cursor_to(ARTICLE.index("Lima"))
        assert sorted(h.label for h in view.highlights_at(view.cursor)) == ["conflict", "cooperation"]
        status = str(app.screen.query_one("#status").render())
        assert "conflict" in status and "cooperation" in status
        await pilot.press("x")  # deletes the innermost
        assert [a.tags for a in store.annotations.of_article(app.screen.article.id)] == [("conflict",)]


async def test_brackets_jump_between_annotations(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        first = ARTICLE.index("She said")
        second = ARTICLE.index("[Photo]")
        for start in (first, second):
            view.move_cursor_to(start)
            await pilot.press("s", "1")
        view.move_cursor_to(0)
        await pilot.press("right_square_bracket")
        assert view.cursor == first
        await pilot.press("right_square_bracket")
        assert view.cursor == second
        await pilot.press("left_square_bracket")
        assert view.cursor == first


async def test_p_selects_the_paragraph_and_shift_arrows_extend(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(ARTICLE.index("Delegates"))
        await pilot.press("p")
        paragraph = (ARTICLE.index("[Photo]"), ARTICLE.index("[/]") + 3)
        assert view.selection == paragraph
        await pilot.press("escape")
        view.move_cursor_to(ARTICLE.index("Ana"))
        await pilot.press("shift+right", "shift+right")
        assert view.selection == (ARTICLE.index("Ana"), ARTICLE.index("Ana") + 3)
        await pilot.press("1")
        assert store.annotations.of_article(app.screen.article.id)[0].quote == "Ana"


async def test_mouse_drag_selects(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        line = view.wrapped.line_of(ARTICLE.index("GENEVA"))
        x0 = view.left_margin + 2
        await pilot.mouse_down(view, offset=(x0, line))
        await pilot.hover(view, offset=(x0 + 5, line))
        await pilot.mouse_up(view, offset=(x0 + 5, line))
        assert view.selection == (ARTICLE.index("GENEVA"), ARTICLE.index("GENEVA") + 6)


async def test_side_panel_lists_annotations_and_entities_and_jumps(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(ARTICLE.index("[Photo]"))
        await pilot.press("s", "1", "g", "i")
        panel = app.screen.query_one(SidePanel)
        assert panel.display and panel.has_focus
        assert panel.option_count > 3
        await pilot.press("enter")
        assert view.cursor == ARTICLE.index("[Photo]") and view.has_focus


async def test_entity_types_can_be_hidden(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(ARTICLE.index("Tuesday"))
        assert view.entity_at(view.cursor).label == "DATE"
        await pilot.press("E")
        assert isinstance(app.screen, ChecklistScreen)
        await pilot.press("j", "j", "j", "j", "j", "j", "space", "enter")  # DATE is the 7th type
        await pilot.pause()
        assert "DATE" in app.workspace.hidden_labels
        assert view.entity_at(view.cursor) is None


async def test_side_panel_copes_with_items_starting_at_the_same_place(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        start = ARTICLE.index("Foreign Minister")
        view.move_cursor_to(start)
        await pilot.press("s", "1")
        view.move_cursor_to(start)
        await pilot.press("v", "w", "2")  # a second passage starting at the same word
        await pilot.press("i")
        panel = app.screen.query_one(SidePanel)
        assert panel.display and panel.option_count >= 4


async def test_a_search_of_stray_syntax_finds_nothing_and_does_not_crash(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", '"', "enter")
        assert titles(app) == []
        await pilot.press("slash", *"talks OR dockers", "enter")
        assert titles(app) == ["Talks resume in Geneva", "Port strike spreads"]


async def test_a_search_result_opens_at_its_first_hit_even_after_reading_elsewhere(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("G", "q", "slash", *"nations", "enter")
        view = await open_article(pilot)
        assert view.cursor == ARTICLE.index("Nations")
        await pilot.press("escape")  # nothing selected: clears the hits
        assert view.search_hits == []


async def test_t_on_a_ticked_tag_takes_it_off_the_passage(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("right_parenthesis", "1", "2")
        await pilot.press("t", *"conflict", "enter")
        await pilot.pause()
        [annotation] = store.annotations.of_article(app.screen.article.id)
        assert annotation.tags == ("cooperation",)
        await pilot.press("t", *"cooperation", "enter")  # its only tag: kept (x deletes)
        await pilot.pause()
        assert store.annotations.of_article(app.screen.article.id)[0].tags == ("cooperation",)
        await pilot.press("u")
        assert store.annotations.of_article(app.screen.article.id)[0].tags == ("conflict", "cooperation")


async def test_capital_u_marks_an_article_unread_again(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("q")
        article_list = app.screen.query_one(ArticleList)
        assert article_list.current.read
        await pilot.press("U")
        assert not article_list.current.read


async def test_a_long_document_opens_at_once_and_gets_its_entities_from_the_worker(tmp_path, config):
    from reader.core.ingest import Document
    from reader.store import Store
    from reader.tui.screens.article_entities import BACKGROUND_RECOGNITION_CHARS

    paragraph = "Foreign Minister Ana Lima met officials of the United Nations in Geneva on Tuesday. "
    text = "\n\n".join([paragraph * 8] * (BACKGROUND_RECOGNITION_CHARS // (len(paragraph) * 8) + 2))
    store = Store.open(tmp_path / "long.db")
    store.articles.add(Document(text=text, title="Long", source=None, url=None, path="l.txt", published=None, locator=""))
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        assert view.wrapped.starts  # the text is laid out before any entity is known
        for _ in range(100):
            if view.entities:
                break
            await pilot.pause(0.1)
        assert any(text[s.start : s.end] == "Geneva" and s.label == "GPE" for s in view.entities)
    store.close()


async def test_entities_are_cached_and_not_recognised_again(store, config):
    from reader.core.entities import build_recogniser

    class CountingRecogniser:
        name, version = "counting", "1"

        def __init__(self):
            self.inner = build_recogniser({})
            self.calls = 0

        def recognise(self, text):
            self.calls += 1
            return self.inner.recognise(text)

    recogniser = CountingRecogniser()
    app = ReaderApp(config, store, recogniser=recogniser)
    async with app.run_test(size=SIZE) as pilot:
        first = list((await open_article(pilot)).entities)
        await pilot.press("q")
        second = list((await open_article(pilot)).entities)
    assert recogniser.calls == 1
    assert first == second and any(span.label == "GPE" for span in second)
