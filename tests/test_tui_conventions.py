"""Keys and conventions a vim or newsboat user expects: e ends a word and word moves leave
punctuation out, pickers move with ctrl+n/ctrl+p while j and k type, q asks only when quitting
would stop work, the article's URL, the clipboard, $EDITOR for notes, J/K through the list, and a
theme chosen in the palette kept for the next start."""

import json
import threading
from contextlib import nullcontext
from dataclasses import replace

from textual.command import CommandPalette
from textual.widgets import Input, OptionList, TextArea

from reader.core.config import RESERVED_KEYS
from reader.core.ingest import Document
from reader.core.segment import Segments
from reader.tui.app import ReaderApp, url_problem
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.entity import EntityPicker
from reader.tui.screens.note_editor import NoteEditor
from reader.tui.screens.pickers import PickerScreen
from reader.tui.widgets.article_list import ArticleList

from .conftest import ARTICLE, open_article

SIZES = [(80, 24), (130, 40)]


def quote_of(text: str, span) -> str:
    return text[span[0] : span[1]]


# ---- e, w, b: words without their punctuation ---------------------------------------------------


def test_word_selection_leaves_trailing_punctuation_and_the_word_after_w_out():
    text = "Shares of Hexal. The company said so."
    segments = Segments(text)
    start = text.index("Hexal")
    after_w = text.index("The")  # where w lands from "Hexal"
    assert quote_of(text, segments.word_selection(start, after_w, exclusive=True)) == "Hexal"
    assert quote_of(text, segments.word_selection(start, text.index("company"), exclusive=True)) == "Hexal. The"
    assert quote_of(text, segments.word_selection(start, start + 4, exclusive=False)) == "Hexal"  # v e
    assert quote_of(text, segments.word_selection(after_w, start, exclusive=False)) == "Hexal. The"  # v b
    assert segments.next_end(segments.bare_words, start) == start + 4
    assert segments.next_end(segments.bare_words, start + 4) == text.index("The") + 2  # at an end: the next word's


async def test_e_moves_to_the_end_of_the_word_and_w_skips_punctuation(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZES[0]) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(ARTICLE.index("Tuesday"))
        await pilot.press("e")
        assert view.cursor == ARTICLE.index("Tuesday") + len("Tuesday") - 1
        await pilot.press("e")
        assert view.cursor == ARTICLE.index("She said") + 2
        view.move_cursor_to(ARTICLE.index("Tuesday"))
        await pilot.press("w")
        assert view.cursor == ARTICLE.index("She said")  # not on the full stop


async def test_v_w_on_a_word_before_a_full_stop_tags_the_word_alone(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZES[1]) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(ARTICLE.index("Tuesday"))
        await pilot.press("v", "w")
        assert quote_of(ARTICLE, view.selection) == "Tuesday"  # what is shown is what is tagged
        await pilot.press("1")
        [annotation] = store.annotations.of_article(app.screen.article.id)
        assert annotation.quote == "Tuesday"


def test_the_new_keys_are_reserved_from_tags_and_e_exports_nowhere():
    assert {"e", "y", "B", "J", "K", "ctrl+s"} <= RESERVED_KEYS
    from reader.core.keys import CONTEXTS

    exports = [action for context in CONTEXTS.values() for action in context.actions if "xport" in action.description]
    assert exports and all(action.keys == "ctrl+s" for action in exports)


# ---- pickers: j and k type, ctrl+n / ctrl+p move ------------------------------------------------


async def test_picker_j_k_type_into_the_filter_and_ctrl_n_ctrl_p_move(store, config):
    for name in ("jackal", "junk", "kiosk", "trade"):
        store.tags.ensure(name)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZES[0]) as pilot:
        await pilot.press("f")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        assert "ctrl+n" in str(picker.query_one(".picker-keys").render())
        await pilot.press("j", "k")
        assert picker.query_one(Input).value == "jk"
        assert picker._values[:2] == ["junk", "jackal"] or set(picker._values) <= {"junk", "jackal", "kiosk"}
        options = picker.query_one(OptionList)
        first = options.highlighted
        await pilot.press("ctrl+n")
        assert options.highlighted == first + 1
        await pilot.press("ctrl+p")
        assert options.highlighted == first
        assert not CommandPalette.is_open(app)  # ctrl+p moved; the palette stayed shut
        await pilot.press("ctrl+n", "enter")
        await pilot.pause()
        assert app.screen.query_state.tag == picker._values[first + 1]


async def test_ctrl_p_still_opens_the_palette_outside_pickers(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZES[0]) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert CommandPalette.is_open(app)


async def test_entity_picker_placeholder_and_keys_fit_at_80x24(store, config):
    for size in SIZES:
        app = ReaderApp(config, store)
        async with app.run_test(size=size) as pilot:
            await pilot.press("E")
            await pilot.pause()
            picker = app.screen
            assert isinstance(picker, EntityPicker)
            field = picker.query_one(Input)
            assert len(field.placeholder) <= field.content_size.width - 1
            keys = picker.query_one(".picker-keys")
            box = picker.query_one(".picker-box")
            assert keys.region.bottom <= box.content_region.bottom  # not cut off under the list


# ---- q: at once when idle, a question when work would stop ---------------------------------------


def record_exits(app):
    exits = []
    original = app.exit

    def exit(*args, **kwargs):
        exits.append(True)
        return original(*args, **kwargs)

    app.exit = exit
    return exits


async def test_q_quits_at_once_when_nothing_runs(store, config):
    app = ReaderApp(config, store)
    exits = record_exits(app)
    async with app.run_test(size=SIZES[0]) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert exits == [True]


async def test_q_asks_while_entities_are_still_being_found(store, config):
    app = ReaderApp(config, store)
    exits = record_exits(app)
    release = threading.Event()
    async with app.run_test(size=SIZES[0]) as pilot:
        app.run_worker(release.wait, thread=True, group="entity-cache", exit_on_error=False)
        try:
            await pilot.pause()
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen) and not exits
            assert "entities" in str(app.screen.query_one("#confirm-question").render())
            await pilot.press("q")  # the second accidental q answers no
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmScreen) and not exits
            await pilot.press("q", "y")
            await pilot.pause()
            assert exits == [True]
        finally:
            release.set()


# ---- the article's URL, the clipboard ---------------------------------------------------------


def add_with_url(store, url):
    text = "Mill reopens\n\nThe old mill in Tarn reopened on Monday. Workers cheered."
    store.articles.add(Document(text=text, title="Mill reopens", source="Wirefeed", url=url, path="mill.txt",
                                published="2026-01-01", locator=""))


def test_only_plain_http_addresses_are_opened():
    assert url_problem("https://example.org/a?b=1") is None
    assert url_problem("http://example.org") is None
    for bad in (None, "", "javascript:alert(1)", "file:///etc/passwd", "https://", "https://ex ample.org",
                "https://example.org/\x1b]52;c;AA\x07", "https://example.org/\u202e", "//example.org"):
        assert url_problem(bad) is not None, bad


async def test_b_opens_the_article_url_and_refuses_anything_else(store, config):
    add_with_url(store, "https://example.org/mill")
    app = ReaderApp(config, store)
    opened = []
    app.open_url = lambda url, new_tab=True: opened.append(url)
    async with app.run_test(size=SIZES[0]) as pilot:
        await open_article(pilot)  # the newest: the mill
        await pilot.press("B")
        assert opened == ["https://example.org/mill"]
        await pilot.press("q", "j", "B")  # Geneva has no URL: nothing opened
        assert opened == ["https://example.org/mill"]


async def test_b_refuses_a_hostile_url(store, config):
    add_with_url(store, "javascript:alert(1)")
    app = ReaderApp(config, store)
    opened = []
    app.open_url = lambda url, new_tab=True: opened.append(url)
    async with app.run_test(size=SIZES[0]) as pilot:
        await open_article(pilot)
        await pilot.press("B")
        await pilot.pause()
        assert opened == []
        assert any("not an http or https address" in str(n.message) for n in app._notifications)


async def test_y_copies_the_sentence_the_selection_or_the_passage(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZES[1]) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(ARTICLE.index("draft"))
        await pilot.press("y")
        assert app.clipboard == "She said the draft was “close to done”."
        view.move_cursor_to(ARTICLE.index("Ana"))
        await pilot.press("v", "e", "e", "y")
        assert app.clipboard == "Ana Lima"
        await pilot.press("escape")
        view.move_cursor_to(ARTICLE.index("Critics"))
        await pilot.press("v", "e", "2", "escape", "y")  # the tagged word: the passage under the cursor
        assert app.clipboard == "Critics"


# ---- a note in $EDITOR -------------------------------------------------------------------------


WRITE_NOTE = "sh -c 'printf \"%s\\n\" \"A long note, written in an editor.\" > \"$1\"' editor"


async def open_note_editor(pilot, app):
    view = await open_article(pilot)
    view.move_cursor_to(ARTICLE.index("Critics"))
    await pilot.press("1", "m")
    await pilot.pause()
    assert isinstance(app.screen, NoteEditor)


async def test_ctrl_o_in_the_note_writes_it_in_editor_and_saves_it(store, config, monkeypatch):
    monkeypatch.setenv("EDITOR", WRITE_NOTE)
    monkeypatch.delenv("VISUAL", raising=False)
    app = ReaderApp(config, store)
    monkeypatch.setattr(app, "suspend", nullcontext)  # no terminal to hand over under test
    async with app.run_test(size=SIZES[0]) as pilot:
        await open_note_editor(pilot, app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        [annotation] = store.annotations.of_article(app.screen.article.id)
        assert annotation.note == "A long note, written in an editor."


async def test_a_note_from_editor_is_refused_on_an_annotation_changed_meanwhile_and_kept(store, config, monkeypatch):
    monkeypatch.setenv("EDITOR", WRITE_NOTE)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setattr(ReaderApp, "WATCH_SECONDS", 3600)
    app = ReaderApp(config, store)
    monkeypatch.setattr(app, "suspend", nullcontext)
    async with app.run_test(size=SIZES[0]) as pilot:
        await open_note_editor(pilot, app)
        [annotation] = store.annotations.of_article(app.screen_stack[-2].article.id)
        store.annotations.set_note(annotation.id, "a colleague's word")  # another program, meanwhile
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert store.annotations.state(annotation.id)[1].note == "a colleague's word"
        assert isinstance(app.screen, NoteEditor)  # back, holding what the editor wrote
        assert app.screen.query_one(TextArea).text == "A long note, written in an editor."


async def test_ctrl_o_says_why_when_there_is_no_editor_or_no_terminal(store, config, monkeypatch):
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZES[0]) as pilot:
        await open_note_editor(pilot, app)
        await pilot.press(*"typed", "ctrl+o")
        await pilot.pause()
        assert any("$VISUAL or $EDITOR" in str(n.message) for n in app._notifications)
        monkeypatch.setenv("EDITOR", WRITE_NOTE)
        await pilot.press("ctrl+o")  # a headless app cannot hand its terminal over
        await pilot.pause()
        assert any("cannot hand the terminal" in str(n.message) for n in app._notifications)
        assert isinstance(app.screen, NoteEditor) and app.screen.query_one(TextArea).text == "typed"


# ---- J and K ---------------------------------------------------------------------------------


async def test_j_and_k_go_through_the_list_without_leaving_the_article_screen(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZES[0]) as pilot:
        titles = [row.title for row in app.screen.query_one(ArticleList)._rows.fetch(0, 3)]
        await open_article(pilot)
        await pilot.press("J")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen) and app.screen.article.title == titles[1]
        assert len(app.screen_stack) == 3  # the default screen, the list, one article
        await pilot.press("J", "J")  # past the last: stays
        await pilot.pause()
        assert app.screen.article.title == titles[2]
        await pilot.press("K")
        await pilot.pause()
        assert app.screen.article.title == titles[1]
        await pilot.press("q")
        await pilot.pause()
        assert app.screen.query_one(ArticleList).current.title == titles[1]


async def test_j_under_the_unread_filter_goes_to_the_next_unread(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZES[0]) as pilot:
        titles = [row.title for row in app.screen.query_one(ArticleList)._rows.fetch(0, 3)]
        await pilot.press("r")  # unread only
        await open_article(pilot)  # marked read: it leaves the filtered list
        await pilot.press("J")
        await pilot.pause()
        assert app.screen.article.title == titles[1]
        await pilot.press("J")
        await pilot.pause()
        assert app.screen.article.title == titles[2]


# ---- the theme --------------------------------------------------------------------------------


async def choose_theme(app, pilot, theme):
    commands = {command.title: command for command in app.get_system_commands(app.screen)}
    commands[f"Theme: {theme}"].callback()
    await pilot.pause()


async def test_a_theme_chosen_in_the_palette_is_the_theme_of_the_next_start(store, config, tmp_path):
    state = tmp_path / "state" / "state.json"
    app = ReaderApp(config, store, state_path=state)
    async with app.run_test(size=SIZES[0]) as pilot:
        assert app.theme == config.theme
        await choose_theme(app, pilot, "nord")
    again = ReaderApp(config, store, state_path=state)
    async with again.run_test(size=SIZES[0]):
        assert again.theme == "nord"
    # config.yaml naming another theme since wins over the remembered one
    edited = replace(config, theme="gruvbox")
    third = ReaderApp(edited, store, state_path=state)
    async with third.run_test(size=SIZES[0]):
        assert third.theme == "gruvbox"


async def test_a_remembered_theme_that_cannot_be_used_is_ignored_in_one_line(store, config, tmp_path):
    state = tmp_path / "state.json"
    for content in ("{not json", json.dumps({"theme": "no-such-theme\x1b[31m", "config_theme": config.theme}), "[]"):
        state.write_text(content, encoding="utf-8")
        app = ReaderApp(config, store, state_path=state)
        async with app.run_test(size=SIZES[0]):
            assert app.theme == config.theme
            [warning] = [n for n in app._notifications if n.title == "Theme not remembered"]
            assert str(state) in warning.message and "\n" not in warning.message and "\x1b" not in warning.message
