"""The entity screen: counts, mentions in context, articles, entities found with it, tags; opening
an article at a mention; the entity picker; keys and help."""

from reader.store.entity_index import find_entity
from reader.core.model import sha256_text
from reader.store import Store
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.entity import EntityPicker, EntityScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.widgets.paged_list import PagedList
from tests.test_entity_index import ENGINE, GENEVA, GENEVA_SPANS, NAIROBI, NAIROBI_SPANS, add, spans_in

HOSTILE = "Ana Lima said [bold]not this[/bold] \x1b[31mred\x1b[0m [Photo]."


def make_store(config):
    store = Store.open(config.database)
    store.tags.sync(config.tags)
    ids = {
        "geneva": add(store, "Talks in Geneva", GENEVA, "2025-03-03"),
        "nairobi": add(store, "Nairobi [live]", NAIROBI, "2025-04-10"),
    }
    store.entities.cache(sha256_text(GENEVA), ENGINE, spans_in(GENEVA, GENEVA_SPANS))
    store.entities.cache(sha256_text(NAIROBI), ENGINE, spans_in(NAIROBI, NAIROBI_SPANS))
    store.annotations.add(ids["geneva"], GENEVA.index("Ana Lima"), GENEVA.index("Monday.") + 7, ["conflict"], "alice")
    return store, ids


def lines(rows: PagedList) -> list[str]:
    """What the list shows, line by line."""
    return [rows.render_line(y).text.rstrip() for y in range(rows.scrollable_content_region.height)]


async def loaded(pilot, screen: EntityScreen) -> EntityScreen:
    """`screen` once its side panes are filled (in a thread)."""
    for _ in range(200):
        await pilot.pause(0.01)
        if screen.tags is not None and screen.together is not None:
            break
    assert screen.together is not None and screen.tags is not None
    return screen


async def entity_screen(pilot, surface, label) -> EntityScreen:
    screen = pilot.app.open_entity(surface, label)
    await pilot.pause()
    assert isinstance(pilot.app.screen, EntityScreen) and pilot.app.screen is screen
    return await loaded(pilot, screen)


async def test_the_screen_shows_counts_mentions_found_with_and_tags(config):
    store, ids = make_store(config)
    app = ReaderApp(config, store)
    async with app.run_test(size=(140, 30)) as pilot:
        screen = await entity_screen(pilot, "the United Nations", "ORG")
        header = str(screen.query_one("#entity-header").render())
        assert "United Nations" in header and "ORG" in header and "3 mentions in 2 articles" in header
        main, together, tags = screen.panes
        assert main.has_focus and main.count == 3
        shown = lines(main)
        assert shown[0].startswith(" 2025-04-10  Nairobi [live]")  # newest first; brackets shown as they are
        assert "…summit The United Nations opened a summit" in shown[0]  # context cut at whole words
        assert "2025-03-03" in shown[1] and "met the United Nations in Geneva on Monday." in shown[1]
        # found with it: sentences, then articles
        names = [row.entity.name for row in screen.together.rows]
        assert names[:2] == ["Ana Lima", "Geneva"]
        assert "Ana Lima" in lines(together)[0] and lines(together)[0].split()[-2:] == ["2", "1"]
        assert screen.tags == [("conflict", 1)]
        assert "conflict" in lines(tags)[0] and "1 passage" in lines(tags)[0]
        # a: the articles, with their mention counts
        await pilot.press("a")
        assert main.count == 2
        assert "×1" in lines(main)[0] and "Nairobi [live]" in lines(main)[0]
        assert "×2" in lines(main)[1] and "Talks in Geneva" in lines(main)[1]
        # tab moves through the panes; enter on an entity found with it opens its screen
        await pilot.press("tab")
        assert together.has_focus
        await pilot.press("j", "enter")
        await pilot.pause()
        assert isinstance(app.screen, EntityScreen) and app.screen.entity.name == "Geneva"
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("tab", "tab")
        assert main.has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, EntityScreen)
    store.close()


async def test_enter_on_a_mention_opens_the_article_there(config):
    store, ids = make_store(config)
    app = ReaderApp(config, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await entity_screen(pilot, "Geneva", "GPE")
        await pilot.press("j", "j", "enter")  # the third mention: the second in the Geneva article
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen) and app.screen.article.id == ids["geneva"]
        assert app.screen.view.cursor == GENEVA.index("Geneva", 20)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, EntityScreen)
        await pilot.press("a", "enter")  # the newest article, at its first mention
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen) and app.screen.article.id == ids["nairobi"]
        assert app.screen.view.cursor == NAIROBI.index("Geneva")
    store.close()


async def test_a_bare_surname_opens_the_person_it_stands_for(config):
    store, ids = make_store(config)
    app = ReaderApp(config, store)
    async with app.run_test(size=(120, 30)) as pilot:
        at = GENEVA.index("Lima said")
        screen = app.open_entity("Lima", "PERSON", article_id=ids["geneva"], start=at)
        await pilot.pause()
        assert screen is not None and screen.entity.name == "Ana Lima"
        assert "3 mentions in 1 article" in str(screen.query_one("#entity-header").render())
        await pilot.press("q")
        await pilot.pause()
        assert app.open_entity("Nobody Atall", "PERSON") is None
        await pilot.pause()
        assert any("not in the entity index yet" in n.message for n in app._notifications)
    store.close()


async def test_a_rejected_entity_is_not_found_with_others(config):
    store, _ids = make_store(config)
    store.entities.reject("Geneva", "GPE", "alice")
    app = ReaderApp(config, store)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await entity_screen(pilot, "United Nations", "ORG")
        assert "Geneva" not in [row.entity.name for row in screen.together.rows]
        await pilot.press("q")
        geneva = find_entity(store, "Geneva", "GPE")
        app.push_screen(EntityScreen(app.workspace, geneva))
        await pilot.pause()
        header = str(app.screen.query_one("#entity-header").render())
        assert "0 mentions in 0 articles" in header and "rejected" in header
        assert app.screen.panes[0].count == 0
    store.close()


async def test_hostile_text_is_shown_as_text(config):
    store = Store.open(config.database)
    article_id = add(store, "[red]Title[/red] \x1b]0;owned\x07", HOSTILE, "2025-05-05")
    start = HOSTILE.index("Ana Lima")
    from reader.core.entities import Span

    store.entities.cache(sha256_text(HOSTILE), ENGINE, [Span(start, start + 8, "PERSON", "test")])
    app = ReaderApp(config, store)
    async with app.run_test(size=(160, 30)) as pilot:
        screen = await entity_screen(pilot, "Ana Lima", "PERSON")
        [line] = [text for text in lines(screen.panes[0]) if text]
        assert "[bold]not this[/bold]" in line and "[Photo]" in line
        assert "\x1b" not in line and "\x07" not in line
        await pilot.press("a")
        [line] = [text for text in lines(screen.panes[0]) if text]
        assert "[red]Title[/red]" in line and "\x1b" not in line
        assert article_id
    store.close()


async def test_the_picker_finds_an_entity_by_the_start_of_its_words(config):
    store, _ids = make_store(config)
    app = ReaderApp(config, store)
    async with app.run_test(size=(120, 30)) as pilot:
        app.pick_entity()
        await pilot.pause()
        assert isinstance(app.screen, EntityPicker)
        assert app.screen.found[0].name == "Geneva"  # most articles first (Geneva and the UN: 2 each)
        await pilot.press(*"zoe")
        await pilot.pause()
        assert [e.name for e in app.screen.found] == ["Zoë Nakamura"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EntityScreen) and app.screen.entity.name == "Zoë Nakamura"
        await pilot.press("q")
        app.pick_entity(label="ORG")
        await pilot.pause()
        assert {e.label for e in app.screen.found} == {"ORG"}
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, (EntityPicker, EntityScreen))
    store.close()


async def test_help_lists_the_screen_keys_by_their_descriptions(config):
    store, _ids = make_store(config)
    app = ReaderApp(config, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await entity_screen(pilot, "Geneva", "GPE")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {binding_id: description for _title, section in app.screen.sections for _keys, description, binding_id in section}
        assert rows["entity.toggle_list"] == "List the articles that mention it, or every mention in context"
        assert rows["entity.next_pane"].startswith("Move to the next pane")
        assert rows["rows.open"] == "Open the row under the cursor"
    store.close()


def test_every_binding_has_an_id_and_a_tooltip():
    for owner in (EntityScreen, EntityPicker):
        for binding in owner.BINDINGS:
            assert binding.id and binding.tooltip, (owner.__name__, binding.key)


async def test_enter_on_an_entity_in_an_article_and_E_in_the_list_open_its_screen(store, config):
    from .conftest import ARTICLE, open_article

    app = ReaderApp(config, store)
    async with app.run_test(size=(110, 30)) as pilot:
        view = await open_article(pilot)  # its entities are found, cached and indexed as it opens
        view.move_cursor_to(ARTICLE.index("United Nations") + 3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EntityScreen)
        assert (app.screen.entity.name, app.screen.entity.label) == ("United Nations", "ORG")
        await pilot.press("q", "q")  # back to the article, back to the list
        await pilot.pause()
        await pilot.press("E", *"ana li")
        await pilot.pause()
        assert isinstance(app.screen, EntityPicker)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EntityScreen) and app.screen.entity.name == "Ana Lima"
