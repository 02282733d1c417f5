"""The codebook screen (T in the list) and the passages of a tag: what a user does with the keys,
and what lands in the database and in config.yaml."""

import csv

from reader.core.codebook import CodebookEntry, tags_block, with_tags_block
from reader.core.config import load_config
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.tags import TagPassagesScreen, TagsScreen, codebook_rows, parse_date_range
from reader.tui.widgets.article_view import ArticleView
from reader.tui.widgets.paged_list import PagedList

SIZE = (110, 30)


def seed(store):
    """Passages in all three conftest articles (published 2025-03-03, 2025-02-01, 2025-01-15)."""
    store.annotations.add(1, 0, 22, ["conflict"], "alice")
    store.annotations.add(1, 24, 30, ["framing/economy"], "alice")
    store.annotations.add(2, 0, 19, ["conflict", "cooperation"], "bob")
    store.annotations.add(3, 0, 15, ["framing/security"], "alice")


async def open_tags(pilot) -> TagsScreen:
    await pilot.press("T")
    await pilot.pause()
    assert isinstance(pilot.app.screen, TagsScreen)
    return pilot.app.screen


async def select_tag(pilot, screen: TagsScreen, name: str) -> None:
    index = [tag.name for tag in screen.rows].index(name)
    screen.table.move_cursor(row=index)
    await pilot.pause()


def test_implied_parents_get_a_row_with_the_sum_of_their_nested_tags(store):
    seed(store)
    rows, implied = codebook_rows(store.tags.summary())
    assert [row.name for row in rows] == ["conflict", "cooperation", "framing", "framing/economy", "framing/security"]
    assert rows[2].passages == 2 and implied == {"framing"}


async def test_rename_in_the_codebook_moves_passages_and_the_key_follows(store, config):
    seed(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tags(pilot)
        await select_tag(pilot, screen, "conflict")
        await pilot.press("r", *["backspace"] * len("conflict"), *"dispute", "enter")
        await pilot.pause()
        assert "dispute" in store.tags.names() and "conflict" not in store.tags.names()
        assert store.annotations.of_article(2)[0].tags == ("cooperation", "dispute")
        assert "E writes this codebook there" in str(screen.query_one("#tags-note").render())
        await pilot.press("q")  # back to the list; tag key 1 now tags "dispute"
        await pilot.pause()
        await pilot.press("j", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        view = app.screen.query_one(ArticleView)
        view.move_cursor_to(21)
        await pilot.press("1")
        await pilot.pause()
    assert "conflict" not in store.tags.names()
    assert sum("dispute" in a.tags for a in store.annotations.of_article(2)) == 2


async def test_merge_moves_every_passage_and_u_undoes_it(store, config):
    seed(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tags(pilot)
        await select_tag(pilot, screen, "cooperation")
        await pilot.press("M", *"conflict", "enter")
        await pilot.pause()
        assert "cooperation" not in store.tags.names()
        assert store.annotations.of_article(2)[0].tags == ("conflict",)
        await pilot.press("u")
        await pilot.pause()
        assert store.annotations.of_article(2)[0].tags == ("conflict", "cooperation")
        assert [row.name for row in screen.rows if row.name == "cooperation"] == ["cooperation"]


async def test_colour_and_description_change_and_write_to_config_keeps_the_rest_of_the_file(store, config):
    seed(store)
    original = config.path.read_text(encoding="utf-8")
    config.path.write_text("# my settings\n" + original + "\n# the end\ntheme: nord\n", encoding="utf-8")
    app = ReaderApp(load_config(config.path), store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tags(pilot)
        await select_tag(pilot, screen, "cooperation")
        await pilot.press("c", *"#123456", "enter")
        await pilot.pause()
        await pilot.press("d", *" Signed deals.", "enter")
        await pilot.pause()
        await select_tag(pilot, screen, "conflict")
        await pilot.press("r", *"/hard", "enter")  # conflict/hard: not nested in itself
        await pilot.pause()
        assert "cannot be nested in itself" in str(app.screen.query_one("#prompt-problem").render())
        await pilot.press("ctrl+a", *"disputes/", "enter")  # conflict -> disputes/conflict/hard
        await pilot.pause()
        await pilot.press("E")
        await pilot.pause()
    written = config.path.read_text(encoding="utf-8")
    assert written.startswith("# my settings\n") and written.endswith("# the end\ntheme: nord\n")
    fresh = load_config(config.path)
    looks = {tag.name: (tag.key, tag.color, tag.description) for tag in fresh.tags}
    assert looks["cooperation"] == ("2", "#123456", "Actors working together. Signed deals.")
    assert looks["disputes/conflict/hard"][0] == "1"  # the key followed the rename
    assert "conflict" not in looks and fresh.theme == "nord"


async def test_K_changes_a_tags_key_in_config_and_the_new_key_tags_at_once(store, config):
    seed(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tags(pilot)
        await select_tag(pilot, screen, "cooperation")
        await pilot.press("K", "backspace", "j", "enter")  # j moves down: reader's own
        await pilot.pause()
        assert "taken by reader's own keys" in str(app.screen.query_one("#prompt-problem").render())
        await pilot.press("backspace", "1", "enter")  # conflict's
        await pilot.pause()
        assert "is the key of conflict" in str(app.screen.query_one("#prompt-problem").render())
        await pilot.press("backspace", "7", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert screen.table.get_row_at(screen.table.cursor_row)[0].plain == "7"
        assert {tag.name: tag.key for tag in load_config(config.path).tags}["cooperation"] == "7"
        await pilot.press("q", "j", "enter")  # the second article, "Port strike spreads"
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        view.move_cursor_to(21)
        await pilot.press("7")
        await pilot.pause()
    assert any(a.tags == ("cooperation",) and a.start <= 21 < a.end for a in store.annotations.of_article(2))


def test_tags_block_replaces_only_the_tags_and_keeps_comments_before_the_next_key():
    text = "a: 1\n# Tags:\ntags:\n  - name: x\n    key: '1'\n\n# keys\nkeymap: {}\n"
    block = tags_block([CodebookEntry("why", "2", "red", "Why: \"quoted\"")])
    assert with_tags_block(text, block) == (
        "a: 1\n# Tags:\ntags:\n  - name: why\n    key: \"2\"\n    color: red\n    description: \"Why: \\\"quoted\\\"\"\n"
        "\n# keys\nkeymap: {}\n"
    )
    assert with_tags_block("a: 1\n", block).startswith("a: 1\n\ntags:\n  - name: why\n")


async def test_passages_of_a_tag_newest_first_filter_by_dates_open_and_export(store, config):
    seed(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tags(pilot)
        await select_tag(pilot, screen, "framing")  # the implied parent: both nested tags
        await pilot.press("enter")
        await pilot.pause()
        passages = app.screen
        assert isinstance(passages, TagPassagesScreen)
        rows = passages.query_one(PagedList)
        assert rows.count == 2
        assert [rows.row(i).published for i in range(2)] == ["2025-03-03", "2025-01-15"]
        await pilot.press("D", *"2025-01..2025-01", "enter")
        await pilot.pause()
        assert rows.count == 1 and rows.row(0).annotation.tags == ("framing/security",)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("c", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        assert app.screen.query_one(ArticleView).cursor == 24  # at the passage, not where reading left off
    exported = config.export_file.with_name(f"{config.export_file.stem}-framing.csv")
    with exported.open(encoding="utf-8-sig") as stream:
        [row] = list(csv.DictReader(stream))
    assert row["tags"] == "framing/security" and row["published"] == "2025-01-15"


def test_date_ranges():
    assert parse_date_range("2025-01..2025-06") == ("2025-01", "2025-06")
    assert parse_date_range("..2025") == (None, "2025")
    assert parse_date_range("2025-03-04") == ("2025-03-04", "2025-03-04")
    assert parse_date_range("march") is None


async def test_E_keeps_the_files_order_of_tags_and_puts_new_tags_at_the_end(store, config):
    """The key legend reads as the user wrote config.yaml: E does not sort the tags by name."""
    text = (
        "annotator: alice\nload_samples: false\n# my tags, my order\ntags:\n"
        "  - name: zeal\n    key: \"5\"\n  - name: cooperation\n    key: \"2\"\n"
        "  - name: anger\n    key: \"4\"\n  - name: conflict\n    key: \"1\"\n\ntheme: nord\n"
    )
    config.path.write_text(text, encoding="utf-8")
    fresh = load_config(config.path)
    store.tags.sync(fresh.tags)
    seed(store)  # adds framing/economy and framing/security, which the file does not list
    app = ReaderApp(fresh, store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tags(pilot)
        await pilot.press("E")
        await pilot.pause()
    written = config.path.read_text(encoding="utf-8")
    assert [tag.name for tag in load_config(config.path).tags] == [
        "zeal", "cooperation", "anger", "conflict", "framing/economy", "framing/security"]
    assert "# my tags, my order\ntags:\n  - name: zeal\n" in written and written.endswith("theme: nord\n")
