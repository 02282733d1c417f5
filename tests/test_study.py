"""A coding study (issue 17): blind coding (a coder sees only their own work, on every screen and
in every command, until the lead opens the study), `reader assign` (overlap share, seeded or in
order, idempotent, started articles keep their coder), done marks per coder, progress."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from reader.cli import main
from reader.core.assignment import AssignmentError, overlap_size, parse_coders, parse_share, settle, split
from reader.core.config import parse_config
from reader.core.model import ListQuery, PassageQuery
from reader.services.export import export_document
from reader.services.history import History
from reader.store import StaleWriteError, Store
from reader.store import figures as insight
from reader.store.schema import migrations
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.widgets.article_list import ArticleList
from reader.tui.widgets.article_view import ArticleView
from tests.conftest import ARTICLE, CONFIG, open_article

#: A word only bob's notes hold: it must never reach alice's screen. (The codebook is the study's,
#: shared: tag names show to all, but not who used them where, nor how often.)
SECRET = "Zebrafish"
BOBS = "cooperation"  # the tag only bob has used
BLIND = CONFIG.replace("load_samples: false\n", "load_samples: false\nstudy:\n  blind: true\n  lead: lead\n")


def bob_and_alice(store) -> None:
    """alice and bob code the Geneva article (1) and the port article (2) on their own."""
    lima = ARTICLE.index("Ana Lima")
    store.annotations.add(1, lima, lima + 8, ["conflict"], "alice")
    said = ARTICLE.index("She said")
    store.annotations.add(1, said, said + 8, [BOBS], "bob", note=f"{SECRET} angle")
    store.annotations.add(2, 0, 4, ["cooperation"], "bob")
    store.articles.tag(3, BOBS, "bob")
    store.article_notes.set(2, "bob", f"{SECRET} follow-up", seen=None)


def as_viewer(store, name: str, blind: bool = True) -> None:
    store.study.configure(name, blind=blind, lead="lead")


# ---- assignment: the split itself ------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    articles=st.lists(st.integers(1, 10_000), unique=True, max_size=80),
    coders=st.lists(st.sampled_from(["alice", "bob", "carol", "dan"]), min_size=1, max_size=4, unique=True),
    share=st.sampled_from([0.0, 0.1, 0.25, 0.5, 1.0]),
    seed=st.integers(0, 2**32),
    in_order=st.booleans(),
)
def test_a_split_assigns_every_article_with_an_exact_overlap(articles, coders, share, seed, in_order):
    plan = split(articles, coders, share, seed=seed, in_order=in_order)
    assert set(plan) == set(articles)  # every selected article, nothing else
    shared = [article for article, (_coders, overlap) in plan.items() if overlap]
    assert len(shared) == overlap_size(len(articles), share) == int(len(articles) * share + 0.5)
    for article, (names, overlap) in plan.items():
        assert (set(names) == set(coders)) if overlap else len(names) == 1
    sizes = [sum(1 for names, overlap in plan.values() if not overlap and names == (coder,)) for coder in coders]
    assert max(sizes, default=0) - min(sizes, default=0) <= 1  # the rest dealt out evenly
    assert split(articles, coders, share, seed=seed, in_order=in_order) == plan  # the same seed, the same plan
    if in_order:  # the overlap is the first articles, then each coder one contiguous block
        assert shared == articles[: len(shared)] or sorted(shared) == sorted(articles[: len(shared)])
        for coder in coders:
            places = [index for index, article in enumerate(articles) if plan[article] == ((coder,), False)]
            assert places == list(range(places[0], places[0] + len(places))) if places else True


def test_another_seed_gives_another_sample_and_settle_keeps_a_started_coder():
    articles = list(range(1, 41))
    first = split(articles, ["alice", "bob"], 0.1, seed=1)
    assert split(articles, ["alice", "bob"], 0.1, seed=2) != first
    single = next(article for article, (names, overlap) in first.items() if names == ("alice",))
    moved = {article: (("bob",), False) if article == single else plan for article, plan in first.items()}
    settled, kept = settle(moved, {single: {"alice"}}, [(single, "alice")])
    assert settled[single] == (("alice",), False) and kept == ((single, "alice"),)


@pytest.mark.parametrize("written, problem", [("ten", "expected a share"), ("150%", "between 0% and 100%"), ("2", "between")])
def test_a_bad_overlap_is_one_line_naming_the_option(written, problem):
    with pytest.raises(AssignmentError, match=f"--overlap: .*{problem}"):
        parse_share(written)


def test_coders_are_named_once_each():
    assert parse_share("10%") == pytest.approx(0.1) and parse_share("0.25") == 0.25
    assert parse_coders(" alice, bob ,carol") == ("alice", "bob", "carol")
    with pytest.raises(AssignmentError, match="alice named twice"):
        parse_coders("alice,bob,alice")


# ---- assignment: kept in the database -----------------------------------------------------------


def test_assigning_again_changes_nothing_and_a_started_article_keeps_its_coder(store):
    ids = store.listing.ids(ListQuery())
    plan = split(ids, ["alice", "bob"], 0.0, in_order=True)
    first = store.assignments.replace(*settle(plan, store.assignments.current(ids), store.assignments.started(ids)))
    assert len(first.added) == 3 and not first.removed
    again = store.assignments.replace(*settle(plan, store.assignments.current(ids), store.assignments.started(ids)))
    assert not again.changed and again.unchanged == 3
    started = next(article for article, (names, _o) in plan.items() if names == ("alice",))
    store.annotations.add(started, 0, 4, ["conflict"], "alice")
    swapped = split(ids, ["bob", "alice"], 0.0, in_order=True)  # would give alice's article to bob
    assert swapped[started] == (("bob",), False)
    change = store.assignments.replace(*settle(swapped, store.assignments.current(ids), store.assignments.started(ids)))
    assert store.assignments.current([started]) == {started: {"alice"}}
    assert change.kept_started == ((started, "alice"),)


def test_done_is_per_coder_undoable_and_refused_against_an_older_view(store):
    store.assignments.replace({1: (("alice", "bob"), True), 2: (("alice",), False)}, [])
    history = History(store)
    history.mark_done(1, "alice", True, None)
    assert store.assignments.progress("alice") == (1, 2) and store.assignments.progress("bob") == (0, 1)
    history.undo()
    assert store.assignments.progress("alice") == (0, 2)
    history.redo()
    assert store.assignments.is_done(1, "alice")
    with pytest.raises(StaleWriteError, match="done mark changed"):
        history.mark_done(1, "alice", True, None)  # shown as not done, but done meanwhile
    store.study.configure("alice")
    assert {row.id: row.done for row in store.listing.page(0, 10, ListQuery(queue="mine"))} == {1: True, 2: False}
    assert [row.id for row in store.listing.page(0, 10, ListQuery(queue="todo"))] == [2]
    assert [row.id for row in store.listing.page(0, 10, ListQuery())][0] == 2  # my queue (not done) first


def test_reading_state_is_per_annotator_and_kept_for_the_configured_one(tmp_path):
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m024_coding_study")  # a database from before m024
    db.execute("INSERT INTO articles (id, uid, sha256, title, text, chars, imported) VALUES (1, 'u', 's', 'T', 'x', 1, 'now')")
    db.execute("INSERT INTO reading (article_id, position, read_at) VALUES (1, 7, '2025-01-01')")
    db.conn.commit()
    db.close()
    store = Store.open(path)
    try:
        store.study.configure("alice")
        assert store.articles.position(1) == 7 and store.listing.count(ListQuery(read="read")) == 1
        store.study.configure("bob")
        assert store.articles.position(1) == 0 and store.listing.count(ListQuery(read="read")) == 0
        store.articles.save_position(1, 3)
        store.study.configure("alice")
        assert store.articles.position(1) == 7
    finally:
        store.close()


# ---- blind coding: every read path ----------------------------------------------------------------


def test_a_blind_coder_never_sees_anothers_work_in_any_read(store):
    bob_and_alice(store)
    as_viewer(store, "alice")
    secret = BOBS
    rows = {row.id: row for row in store.listing.page(0, 10, ListQuery())}
    assert rows[1].annotation_count == 1 and rows[1].tags == ("conflict",)
    assert rows[2].annotation_count == 0 and rows[2].tags == () and rows[3].tags == ()
    assert store.listing.count(ListQuery(tag=secret)) == 0
    assert store.listing.count(ListQuery(search=SECRET)) == 0  # bob's notes are not searched
    assert store.listing.count(ListQuery(annotator="bob")) == 1  # asking for bob gives alice's own
    assert [a.annotator for a in store.annotations.shown_of_article(1)] == ["alice"]
    assert store.articles.get(3).tags == () and store.article_notes.of_article(2) == []
    assert store.passages.count(PassageQuery(secret)) == 0
    assert store.passages.count(PassageQuery(secret, annotator="bob")) == 0
    assert insight.tag_counts(store, "source").total == 1
    assert insight.tag_co_occurrence(store).total == 1
    assert insight.corpus_totals(store).annotations == 1
    assert {tag.name: tag.passages for tag in store.tags.summary()}[secret] == 0
    assert [row.annotator for row in store.assignments.by_annotator()] == ["alice"]
    assert store.study.refusal("Agreement") is not None
    assert SECRET not in json.dumps(export_document(store)["articles"])


def test_the_lead_sees_everyone_and_opening_the_study_lifts_it_for_all(store):
    bob_and_alice(store)
    as_viewer(store, "lead")
    assert store.listing.count(ListQuery(tag=BOBS)) == 3 and store.study.refusal("Agreement") is None
    as_viewer(store, "alice")
    assert store.listing.count(ListQuery(tag=BOBS)) == 0
    store.study.set_blind(False, "lead")  # kept in the database: every coder's reader sees it
    assert store.listing.count(ListQuery(tag=BOBS)) == 3
    assert [a.annotator for a in store.annotations.shown_of_article(1)] == ["alice", "bob"]
    store.study.set_blind(True, "lead")
    assert store.listing.count(ListQuery(tag=BOBS)) == 0


# ---- blind coding: the screens ----------------------------------------------------------------------


def screen_text(app) -> str:
    return app.export_screenshot()


@pytest.mark.parametrize("size", [(80, 24), (140, 36)])
async def test_blind_screens_show_a_coder_only_their_own_work(store, tmp_path, size):
    bob_and_alice(store)
    config = parse_config(BLIND, tmp_path / "config.yaml")
    app = ReaderApp(config, store)
    async with app.run_test(size=size) as pilot:
        seen = [screen_text(app)]
        assert app.screen.query_one(ArticleList).current is not None
        view = await open_article(pilot)
        assert {h.id for h in view.highlights} == {a.id for a in store.annotations.of_article(1) if a.annotator == "alice"}
        seen.append(screen_text(app))
        await pilot.press("q", "T")  # the codebook's counts
        await pilot.pause()
        seen.append(screen_text(app))
        await pilot.press("q", "C")
        await pilot.pause(0.5)
        for view_key in "1245":
            await pilot.press(view_key)
            await pilot.pause(0.3)
            seen.append(screen_text(app))
        await pilot.press("q", "A")  # agreement: refused, saying why
        await pilot.pause()
        assert not isinstance(app.screen, ArticleScreen)
        assert any("study lead" in str(n.message) for n in app._notifications)
        await pilot.press("slash", *SECRET, "enter")
        await pilot.pause()
        assert app.screen.query_one(ArticleList).count == 0
    leaks = [index for index, text in enumerate(seen) if SECRET in text]
    assert leaks == []


async def test_d_marks_done_for_me_u_undoes_it_and_the_header_counts_it(store, tmp_path):
    store.assignments.replace({1: (("alice", "bob"), True), 2: (("alice",), False), 3: (("bob",), False)}, [])
    config = parse_config(BLIND, tmp_path / "config.yaml")
    app = ReaderApp(config, store)
    async with app.run_test(size=(80, 24)) as pilot:
        title = lambda: str(app.screen.query_one("#list-title").render())  # noqa: E731
        listed = app.screen.query_one(ArticleList)
        assert "alice: 0/2 done" in title()
        assert {listed.current.id} <= {1, 2}  # my queue first
        await pilot.press("D")
        await pilot.pause()
        assert "alice: 1/2 done" in title() and store.assignments.progress("bob") == (0, 2)
        await pilot.press("u")
        await pilot.pause()
        assert "alice: 0/2 done" in title()
        await pilot.press("m", "m")  # my queue, not done
        await pilot.pause()
        assert listed.count == 2
        await pilot.press("D")
        await pilot.pause()
        assert listed.count == 1 and "my queue, not done" in title()


# ---- the command line ---------------------------------------------------------------------------------


@pytest.fixture
def study_files(tmp_path, store):
    bob_and_alice(store)
    store.close()
    for name in ("alice", "bob", "lead"):
        (tmp_path / f"{name}.yaml").write_text(BLIND.replace("annotator: alice", f"annotator: {name}"), encoding="utf-8")
    return tmp_path


def run(folder, who: str, *arguments: str):
    return CliRunner().invoke(main, ["--config", str(folder / f"{who}.yaml"), *arguments])


def test_the_command_line_keeps_a_blind_coder_to_their_own_work(study_files):
    result = run(study_files, "alice", "stats", "--by", "annotator", "--json")
    assert result.exit_code == 0, result.output
    assert [row["annotator"] for row in json.loads(result.output)["annotator"]] == ["alice"]
    stats = run(study_files, "alice", "stats", "--by", "source", "--json")
    assert stats.exit_code == 0 and json.loads(stats.output)["source"]["column_totals"][BOBS] == 0
    exported = run(study_files, "alice", "export")
    assert exported.exit_code == 0 and SECRET not in exported.output
    refused = run(study_files, "alice", "agreement")
    assert refused.exit_code == 1 and "study lead (lead)" in refused.output and len(refused.output.strip().splitlines()) == 1
    assert run(study_files, "alice", "study", "open").exit_code == 1  # only the lead lifts it
    lead = json.loads(run(study_files, "lead", "stats", "--by", "source", "--json").output)
    assert lead["source"]["column_totals"][BOBS] == 2
    assert run(study_files, "lead", "study", "open").exit_code == 0
    opened = json.loads(run(study_files, "alice", "stats", "--by", "source", "--json").output)
    assert opened["source"]["column_totals"][BOBS] == 2
    assert "open (everyone" in run(study_files, "alice", "study", "status").output


def test_reader_assign_splits_says_what_changed_and_is_idempotent(study_files):
    first = run(study_files, "lead", "assign", "--coders", "alice,bob", "--overlap", "34%", "--seed", "7", "--json")
    assert first.exit_code == 0, first.output
    said = json.loads(first.output)
    assert said["articles"] == 3 and said["overlap"] == 1 and said["added"] == 4
    again = run(study_files, "lead", "assign", "--coders", "alice,bob", "--overlap", "34%", "--seed", "7")
    assert again.exit_code == 0 and "Nothing changed" in again.output
    progress = run(study_files, "lead", "stats", "--by", "annotator", "--json")
    rows = {row["annotator"]: row for row in json.loads(progress.output)["annotator"]}
    assert rows["alice"]["assigned"] + rows["bob"]["assigned"] == 4 and rows["bob"]["tags"][BOBS] == 2
    bad = run(study_files, "lead", "assign", "--coders", "alice,bob", "--overlap", "ten", "--seed", "1")
    assert bad.exit_code == 2 and "--overlap" in bad.output
    no_seed = run(study_files, "lead", "assign", "--coders", "alice")
    assert no_seed.exit_code == 2 and "--seed" in no_seed.output
