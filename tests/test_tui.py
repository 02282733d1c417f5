"""Pilot tests: the keys a user presses, and what lands in the database and on screen."""

from dataclasses import replace

import yaml

from reader.core.config import RESERVED_KEYS
from reader.core.entities import LABELS
from reader.services.export import export_document
from reader.core.segment import sentence_spans
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.article_list import ArticleListScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.widgets.article_list import ArticleList
from reader.tui.widgets.article_view import ArticleView

from .conftest import ARTICLE, open_article

SIZE = (110, 30)


async def test_list_shows_articles_newest_first_and_moves_with_j_k(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        article_list = app.screen.query_one(ArticleList)
        assert article_list.current.title == "Talks resume in Geneva"
        await pilot.press("j", "j")
        assert article_list.current.title == "Älteste Zeitung"
        await pilot.press("k")
        assert article_list.current.title == "Port strike spreads"
        await pilot.press("down", "up", "up")
        assert article_list.cursor == 0


async def test_select_sentence_and_tag_writes_the_database_and_the_export(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        await pilot.press("right_parenthesis", "right_parenthesis")  # headline -> dateline sentence -> "She said..."
        await pilot.press("s", "2")
        [annotation] = store.annotations.of_article(view_article_id(app))
        assert annotation.quote == "She said the draft was “close to done”."
        assert annotation.tags == ("cooperation",) and annotation.annotator == "alice"
        assert view.selection is None
        assert any(h.id == annotation.id for h in view.highlights)
        exported = yaml.safe_load(yaml.safe_dump(export_document(store)))
        [record] = exported["articles"]
        assert record["annotations"][0]["quote"] == annotation.quote
        assert record["annotations"][0]["tags"] == ["cooperation"]


def view_article_id(app) -> int:
    return app.screen.article.id


async def test_tag_key_without_selection_tags_the_sentence_under_the_cursor(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("j", "j", "w", "w", "1")
        [annotation] = store.annotations.of_article(view_article_id(app))
        sentences = sentence_spans(ARTICLE)
        assert (annotation.start, annotation.end) in sentences
        assert annotation.quote.startswith("GENEVA, March 3")


async def test_visual_selection_by_words_snaps_to_whole_words(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(ARTICLE.index("Ana Lima") + 1)  # inside "Ana"
        await pilot.press("v", "e", "e")  # to the end of "Ana", then of "Lima"
        assert view.selection is not None
        await pilot.press("1")
        [annotation] = store.annotations.of_article(view_article_id(app))
        assert annotation.quote == "Ana Lima"


async def test_character_motion_selects_exactly(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(ARTICLE.index("United") + 1)
        await pilot.press("v", "l", "l", "1")
        [annotation] = store.annotations.of_article(view_article_id(app))
        assert annotation.quote == "nit"


async def test_escape_clears_the_selection_and_movement_keys_move(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        await pilot.press("w")
        assert view.cursor == ARTICLE.index("resume")
        await pilot.press("b")
        assert view.cursor == 0
        await pilot.press("right_curly_bracket")
        assert view.cursor == ARTICLE.index("GENEVA")
        await pilot.press("left_curly_bracket")
        assert view.cursor == 0
        await pilot.press("l", "l", "h")
        assert view.cursor == 1
        await pilot.press("v", "right_parenthesis")
        assert view.selection is not None
        await pilot.press("escape")
        assert view.selection is None
        assert store.annotations.count() == 0


async def test_q_goes_back_then_quits_and_counts_refresh(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("1", "q")
        assert isinstance(app.screen, ArticleListScreen)
        assert app.screen.query_one(ArticleList).current.annotation_count == 1
        await pilot.press("q")
    assert app.return_code == 0


async def test_help_lists_every_key_and_the_tags(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = [row for _, section in app.screen.sections for row in section]
        descriptions = {description for _, description, _ in rows}
        assert {"Next word", "Next sentence", "Next paragraph", "Select the sentence under the cursor"} <= descriptions
        assert "Back to the article list" in descriptions
        assert ("1", "tag as conflict: Disagreement between actors.", "") in rows
        assert ("w", "Next word", "cursor.word_next") in rows
        await pilot.press("escape")
        assert isinstance(app.screen, ArticleScreen)


async def test_help_scrolls_by_page_and_to_its_end_at_80x24(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_article(pilot)
        await pilot.press("question_mark")
        body = app.screen.query_one("#help-body")
        assert body.max_scroll_y > 0, "the article's keys do not fit at 80x24"
        await pilot.press("G")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("g")
        await pilot.pause()
        assert body.scroll_y == 0
        await pilot.press("space")
        await pilot.pause()
        assert body.scroll_y > 1


async def test_ctrl_s_exports_to_the_configured_file_and_e_does_not(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("1", "e")
        await pilot.pause()
        assert not config.export_file.exists()  # e is the end of a word now
        await pilot.press("ctrl+s")
        await pilot.pause()
    exported = yaml.safe_load(config.export_file.read_text(encoding="utf-8"))
    assert len(exported["articles"][0]["annotations"]) == 1


async def test_hostile_text_renders_literally(tmp_path, config):
    from reader.core.ingest import Document
    from reader.store import Store

    hostile = "[bold]not bold[/] [link=x]y[/link] \x1b[31mred\x1b[0m " + "long" * 200 + "\nend"
    store = Store.open(tmp_path / "hostile.db")
    store.articles.add(Document(text=hostile, title="[b]t[/b]", source=None, url=None, path="h.txt", published=None, locator=""))
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        first_line = view.render_line(0).text
        assert "[bold]not bold[/] [link=x]y[/link]" in first_line
        assert "\x1b" not in "".join(view.render_line(y).text for y in range(5))
        assert all(view.render_line(y).cell_length == view.size.width for y in range(5))
    store.close()


def test_tag_keys_can_never_shadow_a_binding():
    from reader.tui.app import ReaderApp as App
    from reader.tui.screens.help import HelpScreen as Help

    from textual.keys import _character_to_key

    # A reserved character also reserves its key name ("/" is bound as "slash").
    allowed = RESERVED_KEYS | {_character_to_key(key) for key in RESERVED_KEYS if len(key) == 1}
    bound = set()
    for owner in (ArticleView, ArticleList, ArticleScreen, ArticleListScreen, App, Help):
        for binding in owner.BINDINGS:
            bound.update(key.strip() for key in binding.key.split(","))
    assert bound <= allowed, bound - allowed


async def test_same_passage_tagged_twice_gets_both_tags_on_one_annotation(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("right_parenthesis", "1", "1", "2")
        [annotation] = store.annotations.of_article(view_article_id(app))
        assert annotation.tags == ("conflict", "cooperation")


async def test_x_deletes_and_u_and_ctrl_r_undo_and_redo(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        await pilot.press("right_parenthesis", "1")
        [annotation] = store.annotations.of_article(view_article_id(app))
        await pilot.press("x")
        assert store.annotations.of_article(view_article_id(app)) == []
        assert view.highlights == []
        await pilot.press("u")
        # back as it was, but newer than its deletion (which an export may have carried off)
        [back] = store.annotations.of_article(view_article_id(app))
        assert replace(back, updated=annotation.updated) == annotation and back.updated >= annotation.updated
        assert [h.id for h in view.highlights] == [annotation.id]
        await pilot.press("u")
        assert store.annotations.count() == 0
        await pilot.press("ctrl+r", "ctrl+r")
        assert store.annotations.of_article(view_article_id(app)) == []
        await pilot.press("ctrl+r")  # nothing left to redo: no change, no crash
        await pilot.press("u")
        assert [replace(a, updated=annotation.updated) for a in store.annotations.of_article(view_article_id(app))] == [
            annotation]


async def test_tag_key_on_a_blank_line_tags_nothing(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(ARTICLE.index("\n\n") + 1)
        await pilot.press("1")
        assert store.annotations.count() == 0


async def test_tagging_text_with_markup_brackets_does_not_crash(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        view.move_cursor_to(ARTICLE.index("[bold]"))
        await pilot.press("v", "right_parenthesis", "1")
        await pilot.pause()
        [annotation] = store.annotations.of_article(view_article_id(app))
        assert "[bold]Not markup[/]" in annotation.quote


async def test_text_never_runs_under_the_scrollbar(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=(60, 12)) as pilot:
        view = await open_article(pilot)
        assert view.text_width + 2 <= view.size.width - view.styles.scrollbar_size_vertical
        for y in range(view.size.height):
            assert view.render_line(y).cell_length <= view.size.width


async def test_keymap_from_the_config_rebinds_keys_everywhere(store, config):
    from dataclasses import replace

    remapped = replace(config, keymap={"cursor.word_next": "Y", "list.down": "ctrl+n"})
    app = ReaderApp(remapped, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        assert app.screen.query_one(ArticleList).cursor == 1
        await pilot.press("k")
        view = await open_article(pilot)
        await pilot.press("Y")
        assert view.cursor == ARTICLE.index("resume")
        await pilot.press("question_mark")
        rows = [row for _, section in app.screen.sections for row in section]
        assert ("Y", "Next word", "cursor.word_next") in rows


def test_keymap_with_an_unknown_id_is_refused():
    from reader.core.keys import keymap_problem

    assert keymap_problem({"cursor.word_next": "Y"}) is None
    assert "cursor.flyaway" in keymap_problem({"cursor.flyaway": "Y"})
    assert "would do both" in keymap_problem({"annotation.note": "j"})  # j moves the cursor
    assert keymap_problem({"annotation.note": "Y", "cursor.word_next": "m"}) is None  # a swap is fine
    assert "would do both" in keymap_problem({"annotation.note": "M"})  # M: the note on the whole article


async def test_command_palette_offers_the_screen_actions_and_runs_them(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(pilot)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        assert {"Next word", "Tag as conflict", "Show only PERSON", "Theme", "Delete the annotation under the cursor (u brings it back)"} <= set(commands)
        await commands["Next sentence"].callback()
        assert view.cursor == ARTICLE.index("GENEVA")
        commands["Tag as conflict"].callback()
        assert store.annotations.of_article(app.screen.article.id)[0].tags == ("conflict",)
        commands["Show only PERSON"].callback()
        assert app.workspace.hidden_labels == set(LABELS) - {"PERSON"}
        await pilot.press("q")
        list_commands = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Sort by title", "Show unread articles", "Search titles, texts and notes"} <= list_commands
