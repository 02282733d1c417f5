"""The adjudication screen at 80x24 and wide: walking the disagreements and adopting A's, B's,
both, an edit; accepting the agreed passages after a question; undo; a coder's change meanwhile."""

from __future__ import annotations

import pytest

from reader.tui.app import ReaderApp
from reader.tui.screens.adjudicate import AdjudicateScreen
from reader.tui.screens.agreement import AgreementScreen
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.widgets.article_view import ArticleView
from tests.test_cli_agreement import annotate
from tests.test_tui_agreement import open_agreement, table_rows
from tests.test_tui_agreement import settle as settle_agreement

SIZES = [(80, 24), (140, 40)]


def gold_rows(store) -> list[tuple]:
    return [(a.article_id, a.start, a.end, a.tags) for a in store.annotations.of_annotators(["gold"])]


def said(screen) -> str:
    return str(screen.query_one("#adjudicate-said").render())


def status(screen) -> str:
    return str(screen.query_one("#adjudicate-status").render())


async def settle(pilot) -> None:
    """Wait until the disagreements are read (in their thread) and shown."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_adjudicate(pilot) -> AdjudicateScreen:
    pilot.app.open_adjudicate("alice", "bob")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AdjudicateScreen) and not pilot.app.screen.loading
    return pilot.app.screen


@pytest.mark.parametrize("size", SIZES)
async def test_walking_the_list_adopts_b_a_and_both_and_undo_takes_each_back(store, config, size):
    annotate(store)  # disagreements: 2 boundary [21,40)/[21,28), 2 only bob [41,54), 3 other tag [17,20)/[17,29)
    app = ReaderApp(config, store)
    async with app.run_test(size=size) as pilot:
        screen = await open_adjudicate(pilot)
        assert "3 passages where they disagree · 0 in gold" in status(screen)
        await pilot.press("b")  # the boundary: bob's shorter span
        assert gold_rows(store) == [(2, 21, 28, ("cooperation",))]
        assert "Adopted" in said(screen) and screen.passages.cursor == 1  # on to the next passage
        await pilot.press("a")  # only bob there: A has nothing, nothing written
        assert "A has nothing here" in said(screen) and len(gold_rows(store)) == 1
        await pilot.press("b", "plus")  # bob's passage; then both versions of the last one
        assert gold_rows(store) == [(2, 21, 28, ("cooperation",)), (2, 41, 54, ("conflict",)),
                                    (3, 17, 20, ("conflict",)), (3, 17, 29, ("cooperation",))]
        assert "3 in gold" in status(screen)
        await pilot.press("u")
        await pilot.pause()
        assert gold_rows(store) == [(2, 21, 28, ("cooperation",)), (2, 41, 54, ("conflict",))]
        assert "2 in gold" in status(screen)
        await pilot.press("u", "u")
        await pilot.pause()
        assert gold_rows(store) == [] and store.gold.decisions() == {}
        # the coders' own annotations never changed
        assert len(list(store.annotations.of_annotators(["alice", "bob"]))) == 8


async def test_a_coder_changing_the_passage_meanwhile_is_refused_and_said(store, config):
    annotate(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_adjudicate(pilot)
        bob = next(a for a in store.annotations.of_annotators(["bob"]) if (a.start, a.end) == (21, 28))
        store.annotations.tag(bob.id, "conflict")  # another program, before the screen noticed
        await pilot.press("b")
        assert "bob's annotation changed since it was shown" in said(screen) and "Not adopted" in said(screen)
        assert gold_rows(store) == []


async def test_accept_agreed_asks_first_then_adopts_every_agreement_once(store, config):
    annotate(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_adjudicate(pilot)
        await pilot.press("A")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert gold_rows(store) == []
        await pilot.press("A")
        await pilot.press("y")
        await pilot.pause()
        assert gold_rows(store) == [(2, 0, 19, ("conflict",))]
        assert "1 agreed passage into gold" in said(screen)
        [decision] = store.gold.decisions().values()
        assert decision.choice == "agreed" and decision.curator == "alice"
        await pilot.press("A")
        assert not isinstance(app.screen, ConfirmScreen) and "No agreed passage left" in said(screen)
        await pilot.press("u")
        await pilot.pause()
        assert gold_rows(store) == []


@pytest.mark.parametrize("size", SIZES)
async def test_edit_opens_the_article_acting_for_gold_and_a_selection_and_tag_key_write_gold(store, config, size):
    annotate(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=size) as pilot:
        screen = await open_adjudicate(pilot)
        await pilot.press("j", "j", "e")  # the other-tag passage: alice "Zoë" conflict, bob "Zoë Nakamura" cooperation
        await pilot.pause()
        article = app.screen
        assert isinstance(article, ArticleScreen) and article.curating is not None and article.me == "gold"
        assert "Curating gold" in str(article.query_one("#article-title").render())
        view = article.query_one(ArticleView)
        assert view.cursor == 17
        await pilot.press("v", *["l"] * 11, "1")  # select "Zoë Nakamura", tag it conflict: gold's version
        await pilot.pause()
        assert gold_rows(store) == [(3, 17, 29, ("conflict",))]
        [(annotation_id, decision)] = store.gold.decisions().items()
        assert decision.choice == "edit" and decision.curator == "alice" and len(decision.sources) == 2
        # the coders' annotations on the passage stay theirs: x deletes gold's version only
        await pilot.press("escape", "x")
        await pilot.pause()
        assert gold_rows(store) == []
        await pilot.press("x")
        await pilot.pause()
        assert "That is bob's annotation: x deletes only yours." in str(article.query_one("#status").render())
        assert len(list(store.annotations.of_annotators(["alice", "bob"]))) == 8
        await pilot.press("u")  # gold's version back
        await pilot.pause()
        assert gold_rows(store) == [(3, 17, 29, ("conflict",))]
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is screen and "1 in gold" in status(screen)
        await pilot.press("u")
        await pilot.pause()
        assert gold_rows(store) == []


async def test_the_article_opened_normally_never_writes_gold(store, config):
    """Keys change only one's own annotations: the gold exception exists only when curating."""
    annotate(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_article(3, at=17)
        await pilot.pause()
        assert app.screen.curating is None and app.screen.me == "alice"
        await pilot.press("v", "l", "l", "1")
        await pilot.pause()
        assert gold_rows(store) == []
        assert [a.annotator for a in store.annotations.of_article(3) if (a.start, a.end) == (17, 20)].count("alice") == 1


async def test_the_agreement_screen_adjudicates_its_pair_and_shows_each_against_gold(store, config):
    annotate(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=(130, 34)) as pilot:
        agreement = await open_agreement(pilot)
        await pilot.press("v")
        assert any("Nobody has annotated as gold yet" in str(n.message) for n in app._notifications)
        await pilot.press("d")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AdjudicateScreen) and (screen.a, screen.b) == ("alice", "bob")
        await pilot.press("b", "b", "b", "q")
        await pilot.pause()
        assert app.screen is agreement
        await settle_agreement(pilot, agreement)
        await pilot.press("v")
        await settle_agreement(pilot, agreement)
        assert "alice, bob each against gold" in str(agreement.query_one("#agreement-title").render())
        assert "each against gold (P: the annotator's precision, R: recall)" in str(
            agreement.query_one("#agreement-status").render())
        rows = table_rows(agreement)
        bob_overall = next(row for row in rows if row[0] == "gold / bob" and row[1] == "overall")
        # gold: bob's three disagreeing passages; bob's [0,19) conflict is not in gold:
        # 4 bob spans, 3 gold spans, 3 matched -> P 3/4, R 1, F1 6/7
        assert bob_overall[5:8] == ["0.750", "1.000", "0.857"]
