"""The agreement screen: the numbers of the hand-computed case (see test_cli_agreement.py), the
disagreement list a key press from each passage, and the keys that change what is compared."""

from textual.widgets import DataTable

from reader.tui.app import ReaderApp
from reader.tui.screens.agreement import AgreementScreen, AgreementTable
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.compare import CompareScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.pickers import ChecklistScreen
from reader.tui.widgets.article_view import ArticleView
from reader.tui.widgets.paged_list import PagedList
from tests.test_cli_agreement import annotate

SIZE = (130, 34)


async def open_agreement(pilot, annotators=None) -> AgreementScreen:
    screen = AgreementScreen(pilot.app.workspace, annotators)
    pilot.app.push_screen(screen)
    await settle(pilot, screen)
    return screen


async def settle(pilot, screen: AgreementScreen) -> None:
    """Wait until the thread has computed everything and the screen shows it."""
    for _ in range(200):
        await pilot.pause(0.02)
        if not screen.computing:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            if not screen.computing:
                return
    raise AssertionError("the agreement was not computed in time")


def table_rows(screen: AgreementScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


def text_of(screen: AgreementScreen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def test_opens_with_the_numbers_per_tag_and_overall(store, config):
    annotate(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        assert "alice (A) vs bob (B)" in text_of(screen, "#agreement-title")
        assert "over 2 articles both annotated" in text_of(screen, "#agreement-status")
        assert table_rows(screen) == [
            # tag, A only, B only, both, P, R, F1 exact, F1 overlap, kappa 2126/3614, alpha 521/891
            ["conflict", "1", "1", "1", "0.500", "0.500", "0.500", "0.500", "0.588", "0.585"],
            ["cooperation", "1", "2", "0", "0.000", "0.000", "0.000", "0.667", "0.206", "0.211"],
            ["overall", "2", "3", "1", "0.250", "0.333", "0.286", "0.571", "0.425", "0.424"],
        ]
        assert screen.query_one(DataTable).cursor_row == 2  # on overall: the list holds every disagreement
        paged = screen.query_one(PagedList)
        assert paged.count == 3
        assert [(row.found.article, row.found.kind) for row in (paged.row(i) for i in range(3))] == [
            (2, "boundary"), (2, "only_b"), (3, "tag"),
        ]
        assert paged.row(2).a_quote == "Zoë" and paged.row(2).b_quote == "Zoë Nakamura"


async def test_enter_on_a_disagreement_opens_the_article_at_the_passage(store, config):
    annotate(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        await pilot.press("tab", "j", "enter")  # the list; the second disagreement: only bob, [41, 54)
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        assert app.screen.article.id == 2 and app.screen.at == 41
        assert app.screen.query_one(ArticleView).cursor == 41
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one(PagedList).cursor == 1


async def test_w_shows_the_disagreements_article_side_by_side(store, config):
    annotate(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        await open_agreement(pilot)
        await pilot.press("tab", "G", "w")  # the last disagreement: article 3
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        assert (app.screen.article.id, app.screen.left, app.screen.right) == (3, "alice", "bob")


async def test_the_table_row_chooses_the_tag_of_the_listed_disagreements(store, config):
    annotate(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        await pilot.press("k", "k")  # conflict: bob's "Talks failed." and the tag difference on "Zoë"
        await pilot.pause()
        assert screen.query_one(PagedList).count == 2
        assert "· conflict ·" in text_of(screen, "#agreement-list-title")
        await pilot.press("j")  # cooperation: the boundary and the tag difference
        await pilot.pause()
        assert [screen.query_one(PagedList).row(i).found.kind for i in range(2)] == ["boundary", "tag"]


async def test_a_changes_the_annotators_and_three_give_pairs_and_alpha(store, config):
    annotate(store, carol=True)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistScreen)
        await pilot.press("down", "down", "space", "enter")  # tick carol (alice, bob, carol: most annotations first)
        await settle(pilot, screen)
        assert screen.annotators == ["alice", "bob", "carol"]
        rows = table_rows(screen)
        assert [row[:2] for row in rows] == [
            ["alice / bob", "conflict"], ["alice / bob", "cooperation"], ["alice / bob", "overall"],
            ["alice / carol", "conflict"], ["alice / carol", "cooperation"], ["alice / carol", "overall"],
            ["bob / carol", "conflict"], ["bob / carol", "cooperation"], ["bob / carol", "overall"],
            ["all 3", "conflict"], ["all 3", "cooperation"], ["all 3", "overall"],
        ]
        assert [row[-1] for row in rows[-3:]] == ["0.675", "0.135", "0.528"]  # alpha over all three, by hand
        assert rows[0][-1] == ""  # pairs of three: no alpha of their own
        table = screen.query_one(DataTable)
        assert all(column.content_width >= 5 for column in table.ordered_columns[5:])  # wide enough for 0.588
        # A row of the pair alice / carol lists that pair's disagreements (computed on demand).
        await pilot.press("j", "j", "j")
        await settle(pilot, screen)
        assert "alice (A) and carol (B)" in text_of(screen, "#agreement-list-title")
        paged = screen.query_one(PagedList)
        assert paged.count == 1 and paged.row(0).found.kind == "only_a"


async def test_l_toggles_tokens_and_back_to_characters_from_the_cache(store, config):
    annotate(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        await pilot.press("l")
        await settle(pilot, screen)
        assert "over tokens" in text_of(screen, "#agreement-title")
        assert table_rows(screen)[0][8] == "0.512"  # conflict kappa over tokens, 44/86 by hand
        await pilot.press("l")
        await pilot.pause()
        assert not screen.computing  # unchanged data: the characters' report comes from the cache
        assert table_rows(screen)[0][8] == "0.588"


async def test_a_changed_passage_is_counted_when_coming_back(store, config):
    annotate(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        await pilot.press("tab", "enter")  # the boundary disagreement on article 2
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        store.annotations.add(2, 21, 40, ["cooperation"], "bob")  # bob now also marks alice's passage
        await pilot.press("q")
        await settle(pilot, screen)
        assert table_rows(screen)[1][1:4] == ["0", "2", "1"]  # cooperation: A only 0, B only 2, both 1


async def test_fewer_than_two_annotators_says_so(store, config):
    store.annotations.add(2, 0, 19, ["conflict"], "alice")
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        assert "only alice has annotated" in text_of(screen, "#agreement-status")
        assert screen.query_one(DataTable).row_count == 0
        await pilot.press("a")
        await pilot.pause()
        assert app.screen is screen  # nothing to choose from


async def test_help_lists_the_screens_keys_and_the_lists(store, config):
    annotate(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        sections = dict(app.help_sections())
        keys = {row[0] for row in sections["Agreement between annotators"]}
        assert {"w", "a", "l", "tab", "enter"} <= keys
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is not screen


async def test_every_binding_has_an_id_and_a_tooltip():
    for binding in [*AgreementScreen.BINDINGS, *AgreementTable.BINDINGS]:
        assert binding.id and binding.tooltip, binding


async def test_coming_back_counts_only_the_articles_that_changed(store, config, monkeypatch):
    """Opening an article writes its reading position: the database changed, so the report is
    made again, but from the sums kept in the database: no article is counted again. Tagging a
    passage changes one article, and only that one is counted."""
    from reader.services.agreement import AgreementJob

    counted: list[list[int]] = []
    count = AgreementJob._count

    def recording(self, articles):
        counted.append(list(articles))
        return count(self, articles)

    monkeypatch.setattr(AgreementJob, "_count", recording)
    annotate(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        before = table_rows(screen)
        assert counted == [[2, 3]]  # the two articles both annotated
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        await pilot.press("q")
        await settle(pilot, screen)
        assert table_rows(screen) == before
        assert counted == [[2, 3]]
        store.annotations.add(3, 0, 8, ["conflict"], "bob")  # "Älteste": only bob, so A only stays, B only grows
        await pilot.press("l", "l")  # tokens and back: computed again
        await settle(pilot, screen)
        assert counted[-1] == [3]
        after = table_rows(screen)
        conflict = next(row for row in after if row[0] == "conflict")
        was = next(row for row in before if row[0] == "conflict")
        assert int(conflict[2]) == int(was[2]) + 1 and conflict[1] == was[1]


async def test_a_failure_is_said_and_the_next_key_tries_again(store, config, monkeypatch):
    import sqlite3

    from reader.services.agreement import AgreementJob

    annotate(store)
    load = AgreementJob.load

    def locked(self, store):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(AgreementJob, "load", locked)
    app = ReaderApp(config, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        assert "could not be computed: database is locked" in text_of(screen, "#agreement-status")
        monkeypatch.setattr(AgreementJob, "load", load)
        await pilot.press("l")
        await settle(pilot, screen)
        assert "over 2 articles both annotated" in text_of(screen, "#agreement-status")
        assert table_rows(screen)[0][8] == "0.512"
