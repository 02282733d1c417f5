"""Snapshot tests: what each screen looks like with realistic, messy articles.

Update after an intended visual change with `pytest tests/test_snapshots.py --snapshot-update`.
"""

import pytest

from reader.tui.app import ReaderApp

from .conftest import ARTICLE

SIZE = (100, 28)


@pytest.fixture
def app(store, config, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # paths on screen are shown relative to the working directory
    app = ReaderApp(config, store)
    # Toasts vanish on a timer, which would make a snapshot depend on the machine's speed.
    monkeypatch.setattr(app, "notify", lambda *args, **kwargs: None)
    return app


def test_article_list_screen(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, press=["j"])


def test_article_screen_with_entities_annotation_and_selection(snap_compare, app, store):
    article_id = store.listing.page(0, 1)[0].id
    start = ARTICLE.index("She said")
    store.annotations.add(article_id, start, ARTICLE.index("Critics") - 1, ["conflict"], "alice")
    store.annotations.add(article_id, ARTICLE.index("the draft"), ARTICLE.index(" was"), ["cooperation"], "alice")

    async def select_a_sentence(pilot):
        await pilot.press("enter")
        await pilot.pause()
        pilot.app.screen.query_one("ArticleView").move_cursor_to(ARTICLE.index("[Photo]"))
        await pilot.press("s")

    assert snap_compare(app, terminal_size=SIZE, run_before=select_a_sentence)


def test_help_screen(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, press=["enter", "question_mark"])


def test_search_results_with_hits_in_context(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, press=["slash", *"nations", "enter"])


def test_overlapping_annotations_and_side_panel(snap_compare, app, store):
    article_id = store.listing.page(0, 1)[0].id
    outer_start = ARTICLE.index("Foreign Minister")
    store.annotations.add(article_id, outer_start, ARTICLE.index("on Tuesday"), ["conflict"], "alice")
    store.annotations.add(article_id, ARTICLE.index("Ana Lima"), ARTICLE.index(" met"), ["cooperation"], "alice")

    async def open_with_panel(pilot):
        await pilot.press("enter")
        await pilot.pause()
        pilot.app.screen.query_one("ArticleView").move_cursor_to(ARTICLE.index("Lima"))
        await pilot.press("i")

    assert snap_compare(app, terminal_size=(120, 28), run_before=open_with_panel)


def test_tag_picker_screen(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, press=["enter", "right_parenthesis", "t", *"co"])


def test_note_editor_screen(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, press=["enter", "right_parenthesis", "1", "m", *"Check the quote."])


def test_entity_types_screen(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, press=["enter", "E", "j", "space"])
