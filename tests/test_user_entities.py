"""The user's word on entities: accepted, corrected, added and rejected, stored and applied everywhere."""

from reader.core.entities import Span
from reader.core.entities.packed import SpanTable
from reader.core.entities.user import UserEntities
from reader.store import Store
from reader.tui.app import ReaderApp
from tests.conftest import open_article

from .conftest import forget_entity

TEXT = "Mr. Okafor met Daily Meridian staff in Lima. Okafor left; Daily Meridian stayed."


def found():
    return SpanTable.from_spans([
        Span(4, 10, "PERSON", "heuristic", 0.85),
        Span(15, 29, "PERSON", "heuristic", 0.5),  # "Daily Meridian", wrongly a person
        Span(39, 43, "GPE", "builtin", 0.9),
        Span(45, 51, "PERSON", "heuristic", 0.7),
    ])


def surfaces(table):
    return [(TEXT[s.start : s.end], s.label, s.source) for s in table]


def test_an_accepted_surface_is_its_label_everywhere_and_beats_what_was_found():
    applied = UserEntities([("Daily Meridian", "ORG", "accept")]).apply(TEXT, found())
    assert surfaces(applied) == [
        ("Okafor", "PERSON", "heuristic"),
        ("Daily Meridian", "ORG", "user"),
        ("Lima", "GPE", "builtin"),
        ("Okafor", "PERSON", "heuristic"),
        ("Daily Meridian", "ORG", "user"),  # a mention the recogniser missed
    ]


def test_a_rejected_surface_and_label_is_dropped_and_others_stay():
    applied = UserEntities([("Lima", "GPE", "reject"), ("Okafor", "ORG", "reject")]).apply(TEXT, found())
    assert ("Lima", "GPE", "builtin") not in surfaces(applied)
    assert surfaces(applied).count(("Okafor", "PERSON", "heuristic")) == 2


def test_no_feedback_changes_nothing():
    table = found()
    assert UserEntities([]).apply(TEXT, table) is table


def test_the_store_keeps_one_verdict_per_surface_and_label(tmp_path):
    store = Store.open(tmp_path / "a.db")
    store.entities.accept("Daily Meridian", "PERSON", "alice")
    store.entities.accept("Daily Meridian", "ORG", "alice")  # a correction replaces the first
    store.entities.reject("Lima", "GPE", "alice")
    assert store.entities.feedback() == [("Daily Meridian", "ORG", "accept"), ("Lima", "GPE", "reject")]
    store.entities.accept("Lima", "GPE", "bob")  # accepting takes the rejection back
    assert ("Lima", "GPE", "reject") not in store.entities.feedback()
    forget_entity(store, "Lima")
    assert store.entities.feedback() == [("Daily Meridian", "ORG", "accept")]
    store.close()
    assert Store.open(tmp_path / "a.db").entities.feedback() == [("Daily Meridian", "ORG", "accept")]


async def test_keys_reject_relabel_and_add_entities_in_every_article(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_article(pilot)
        text = view.text
        geneva = text.index("Geneva")  # the headline's "Geneva": GPE
        view.move_cursor_to(geneva)
        assert view.entity_at(geneva).label == "GPE"
        await pilot.press("X")  # reject
        await pilot.pause()
        assert view.entity_at(geneva) is None
        assert ("Geneva", "GPE", "reject") in store.entities.feedback()
        # a missed entity, added from a selection: "Palais des Nations" as FAC
        start = text.index("Palais")
        view.move_cursor_to(start)
        await pilot.press("v", "e", "e", "e")  # to the end of "Nations", its full stop left out
        await pilot.press("A")
        await pilot.pause()
        await pilot.press(*"FAC", "enter")
        await pilot.pause()
        assert ("Palais des Nations", "FAC", "accept") in store.entities.feedback()
        entity = view.entity_at(start)
        assert (text[entity.start : entity.end], entity.label, entity.source) == ("Palais des Nations", "FAC", "user")
        # confirm the entity under the cursor
        lima = text.index("Ana Lima")
        view.move_cursor_to(lima)
        await pilot.press("a")
        await pilot.pause()
        assert ("Ana Lima", "PERSON", "accept") in store.entities.feedback()
        await pilot.press("q")
        await pilot.pause()
    # on the next launch, in another article that mentions it, the added entity is there
    store.articles.add(
        __import__("tests.conftest", fromlist=["make_article"]).make_article(
            "Palais note", "Palais note\n\nGuards closed the Palais des Nations gates.", "2025-04-01", "palais.txt"
        )
    )
    app = ReaderApp(config, store)
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_article(pilot)
        assert view.text.startswith("Palais note")
        start = view.text.index("Palais des Nations")
        assert view.entity_at(start).label == "FAC"
