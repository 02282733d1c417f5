"""Agreement sums kept in the database: after any change, a comparison from the kept sums gives
exactly the numbers of one computed from nothing, and only changed articles are counted again."""

from __future__ import annotations

import random
import sqlite3

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reader.store import agreement as cache
from reader.core.agreement import agreement_table, krippendorff_alpha, span_agreement, units_from_annotations
from reader.services.agreement import AgreementJob
from reader.store import Store
from tests.conftest import make_article

TAGS = ["conflict", "cooperation", "framing/economy"]
WORDS = "Talks resume in Geneva as delegates from Ana Lima's office arrive; the port strike spreads".split()


def corpus(seed: int, articles: int = 6) -> Store:
    rng = random.Random(seed)
    store = Store.memory()
    for index in range(articles):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 25)))
        store.articles.add(make_article(f"Article {index}", text, f"2025-0{1 + index % 9}-01", f"a{index}.txt"))
    return store


def random_annotation(rng: random.Random, store: Store, annotator: str) -> None:
    article = rng.randint(1, store.listing.count())
    length = store.articles.lengths([article])[article]
    start = rng.randrange(length)
    end = rng.randint(start + 1, min(length, start + 30))
    added = store.annotations.add(article, start, end, rng.sample(TAGS, rng.choice([1, 1, 1, 2])), annotator)
    if rng.random() < 0.15:  # an imported annotation may have no tag
        with store.writing():
            store.db.execute("DELETE FROM annotation_tags WHERE annotation_id = ?", [added.id])


def random_change(rng: random.Random, store: Store, annotators: list[str]) -> str:
    """One change of the kinds the triggers must notice (or, for renames, need not)."""
    kind = rng.choice(["add", "add", "delete", "tag", "untag", "move", "rename", "merge", "text", "note"])
    annotations = [a for name in annotators for a in store.annotations.of_annotators([name])]
    if kind == "add" or not annotations:
        random_annotation(rng, store, rng.choice(annotators))
        return "add"
    chosen = rng.choice(annotations)
    if kind == "delete":
        store.annotations.delete(chosen.id)
    elif kind == "tag":
        store.annotations.tag(chosen.id, rng.choice(TAGS))
    elif kind == "untag" and len(chosen.tags) > 1:
        store.annotations.untag(chosen.id, rng.choice(chosen.tags))
    elif kind == "move":  # what re-anchoring does when a text changes
        with store.writing():
            store.db.execute('UPDATE annotations SET start = 0, "end" = ? WHERE id = ?', [chosen.end, chosen.id])
    elif kind == "rename":
        names = store.tags.names()
        if names:
            old = rng.choice(names)
            store.tags.rename(old, f"{old}-{rng.randrange(10**6)}")
    elif kind == "merge":
        names = store.tags.names()
        if len(names) >= 2:
            source, target = rng.sample(names, 2)
            store.tags.merge(source, target)
    elif kind == "text":  # a longer text: every passage still fits, the character count changes
        article = chosen.article_id
        text = store.articles.get(article).text + " Later: more words here."
        with store.writing():
            store.db.execute("UPDATE articles SET text = ?, chars = ? WHERE id = ?", [text, len(text), article])
    elif kind == "note":
        store.annotations.set_note(chosen.id, "a note changes nothing agreement reads")
    return kind


def forget(store: Store) -> None:
    with store.writing():
        for table in ("agreement_scopes", "agreement_articles", "agreement_counts", "agreement_alpha"):
            store.db.execute(f"DELETE FROM {table}")


def report(store: Store, annotators: list[str], level: str, tags=None):
    job = AgreementJob(annotators, tags, level)
    return job, job.compute(store)


def numbers(found) -> tuple:
    """Everything a report says, for comparing two."""
    return (found.tags, found.articles, found.alpha,
            tuple((p.a, p.b, p.articles, p.left_out_a, p.left_out_b, p.rows) for p in found.pairs))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), three=st.booleans(), level=st.sampled_from(["char", "token"]),
       rounds=st.integers(1, 4))
# a note given to an untagged annotation makes it a memo (no coding): the kept sums must hear of it
@example(seed=3913, three=True, level="char", rounds=3)
def test_kept_sums_give_the_numbers_computed_from_nothing(seed, three, level, rounds):
    rng = random.Random(seed)
    store = corpus(seed)
    annotators = ["alice", "bob", "carol"][: 3 if three else 2]
    for _ in range(rng.randint(4, 30)):
        random_annotation(rng, store, rng.choice(annotators))
    try:
        for _round in range(rounds):
            report(store, annotators, level)  # keeps the sums
            for _ in range(rng.randint(1, 4)):
                random_change(rng, store, annotators)
            if any(not list(store.annotations.of_annotators([name])) for name in annotators):
                continue
            job, kept = report(store, annotators, level)
            pages_equal_the_whole_list(store, job, kept, rng)
            forget(store)
            _job, fresh = report(store, annotators, level)
            assert numbers(kept) == numbers(fresh)
    finally:
        store.close()


def pages_equal_the_whole_list(store: Store, job: AgreementJob, found, rng: random.Random) -> None:
    """Every pair's disagreement list, read a page at a time from the kept counts, is the list
    computed from all its passages, overall and for each tag."""
    for index, pair in enumerate(found.pairs):
        whole = job.disagreements(index)
        for tag in [None, *found.tags]:
            expected = [d for d in whole if tag is None or any(u is not None and u.tag == tag for u in (d.a, d.b))]
            assert pair.listing.count(tag) == len(expected)
            size = rng.randint(1, 5)
            paged = [d for offset in range(0, len(expected) + size, size) for d in pair.listing.page(store, tag, offset, size)]
            assert paged == expected


def test_disagreements_are_the_same_whichever_annotator_is_a():
    rng = random.Random(5)
    store = corpus(5, articles=8)
    for _ in range(70):
        random_annotation(rng, store, rng.choice(["alice", "bob"]))
    forward = AgreementJob(["alice", "bob"])
    forward.compute(store)
    backward = AgreementJob(["bob", "alice"])
    backward.compute(store)
    flip = {"only_a": "only_b", "only_b": "only_a"}
    mirrored = [(d.article, d.start, d.end, flip.get(d.kind, d.kind), d.b, d.a) for d in backward.disagreements(0)]
    assert sorted(mirrored, key=repr) == sorted(
        [(d.article, d.start, d.end, d.kind, d.a, d.b) for d in forward.disagreements(0)], key=repr)
    pages_equal_the_whole_list(store, backward, backward.report, rng)


def test_the_first_numbers_equal_the_core_functions_over_the_same_articles():
    """The per-article sums add up to what the whole-list functions give (span F1 exact and
    overlap, the 2x2 tables, alpha over three), on the articles each pair both annotated."""
    rng = random.Random(7)
    store = corpus(7, articles=10)
    names = ["alice", "bob", "carol"]
    for _ in range(80):
        random_annotation(rng, store, rng.choice(names))
    job, found = report(store, names, "char")
    units = {name: units_from_annotations(store.annotations.of_annotators([name])) for name in names}
    lengths = store.articles.lengths(range(1, 11))
    for (a, b), pair, population in zip(job.pair_names, found.pairs, job.populations):
        a_units = [u for u in units[a] if u.article in population]
        b_units = [u for u in units[b] if u.article in population]
        sizes = {article: lengths[article] for article in population}
        for row in pair.rows:
            exact = span_agreement(a_units, b_units, "exact", tag=row.tag)
            overlap = span_agreement(a_units, b_units, "overlap", tag=row.tag)
            assert row.exact == (exact.overall if row.tag is None else exact.by_tag[row.tag])
            assert row.overlap == (overlap.overall if row.tag is None else overlap.by_tag[row.tag])
            assert row.table == agreement_table(a_units, b_units, sizes, tag=row.tag)
    everyone = job.everyone
    coded = {name: [u for u in units[name] if u.article in everyone] for name in names}
    sizes = {article: lengths[article] for article in everyone}
    assert found.alpha[None] == pytest.approx(krippendorff_alpha(coded, sizes))
    for tag in found.tags:
        assert found.alpha[tag] == pytest.approx(krippendorff_alpha(coded, sizes, tag=tag))


def test_only_changed_articles_are_counted_again(monkeypatch):
    store = corpus(3, articles=8)
    rng = random.Random(3)
    for article in range(1, 9):
        for name in ("alice", "bob"):
            store.annotations.add(article, 0, 3, [rng.choice(TAGS)], name)
    counted: list[list[int]] = []
    count = AgreementJob._count
    monkeypatch.setattr(AgreementJob, "_count", lambda self, articles: (counted.append(list(articles)), count(self, articles))[1])
    report(store, ["alice", "bob"], "char")
    assert counted == [list(range(1, 9))]
    report(store, ["bob", "alice"], "char")  # the other order reads the same sums
    assert counted == [list(range(1, 9))]
    annotation = next(store.annotations.of_annotators(["bob"]))
    store.annotations.set_note(annotation.id, "notes are not compared")
    store.tags.rename("conflict", "clash")  # names are looked up, sums are kept by tag id
    report(store, ["alice", "bob"], "char")
    assert len(counted) == 1
    store.annotations.add(5, 4, 9, ["cooperation"], "alice")
    store.annotations.delete(annotation.id)  # bob's only passage there: the article leaves the pair's
    _job, found = report(store, ["alice", "bob"], "char")
    assert counted[-1] == [5]
    assert found.pairs[0].articles == 7 and found.pairs[0].left_out_a == 1


def test_a_change_while_counting_is_not_kept_as_counted(tmp_path):
    """Sums read before a change and saved after it are left out, so the next comparison counts
    the article again (another process may write between the reading and the saving)."""
    path = tmp_path / "annotations.db"
    store = Store.open(path)
    for index in range(3):
        store.articles.add(make_article(f"A{index}", f"Port strike {index} spreads as talks fail", "2025-01-01", f"{index}.txt"))
    for name in ("alice", "bob"):
        store.annotations.add(1, 0, 4, ["conflict"], name)
        store.annotations.add(2, 0, 4, ["conflict"], name)
    job = AgreementJob(["alice", "bob"])
    job.load(store)
    stages = job.stages()
    last = next(report for report in stages if report.complete)  # counted, not yet saved
    other = Store.open(path)
    other.annotations.add(2, 5, 11, ["conflict"], "bob")  # another process, before the save
    other.close()
    for _ in stages:  # saves
        pass
    assert last.complete
    kept = {row[0] for row in store.db.execute("SELECT article_id FROM agreement_articles")}
    assert kept == {1}
    _job, again = report(store, ["alice", "bob"], "char")
    assert again.pairs[0].rows[-1].exact.candidate == 3
    store.close()


def test_a_read_only_database_gives_the_numbers_without_keeping_them(tmp_path):
    path = tmp_path / "annotations.db"
    store = Store.open(path)
    store.articles.add(make_article("A", "Port strike spreads as talks fail", "2025-01-01", "a.txt"))
    for name in ("alice", "bob"):
        store.annotations.add(1, 0, 4, ["conflict"], name)
    store.close()
    reader = Store.open(path, read_only=True)
    _job, found = report(reader, ["alice", "bob"], "char")
    assert found.pairs[0].rows[-1].exact.matched == 1
    assert reader.db.execute("SELECT count(*) FROM agreement_articles").fetchone()[0] == 0
    reader.close()


def test_the_triggers_number_every_change_of_an_article():
    store = corpus(1, articles=3)
    seq = lambda: dict(store.db.execute("SELECT article_id, seq FROM article_changes").fetchall())  # noqa: E731
    first = store.annotations.add(1, 0, 3, ["conflict"], "alice")
    before = seq()
    assert set(before) == {1}
    store.annotations.tag(first.id, "cooperation")
    assert seq()[1] > before[1]
    before = seq()
    store.tags.merge("cooperation", "conflict")
    assert seq()[1] > before[1]
    before = seq()
    store.annotations.set_note(first.id, "no change")
    assert seq() == before
    before = seq()
    store.annotations.delete(first.id)
    assert seq()[1] > before[1]
    numbers_before = max(seq().values())
    with store.writing():
        store.db.execute("UPDATE articles SET chars = chars + 1 WHERE id = 2")
    assert seq()[2] == numbers_before + 1


def test_old_scopes_are_dropped(monkeypatch):
    monkeypatch.setattr(cache, "KEPT_SCOPES", 2)
    store = corpus(2, articles=2)
    for name in ("alice", "bob", "carol", "dan"):
        store.annotations.add(1, 0, 3, ["conflict"], name)
    for pair in (["alice", "bob"], ["alice", "carol"], ["alice", "dan"]):
        report(store, pair, "char")
    keys = {row[0] for row in store.db.execute("SELECT key FROM agreement_scopes")}
    assert keys == {cache.scope_key("pair", "char", ["alice", "carol"]), cache.scope_key("pair", "char", ["alice", "dan"])}
    assert store.db.execute("SELECT count(DISTINCT scope) FROM agreement_counts").fetchone()[0] == 2


def test_a_database_that_refuses_the_write_still_gets_its_numbers(tmp_path):
    path = tmp_path / "annotations.db"
    store = Store.open(path)
    store.articles.add(make_article("A", "Port strike spreads as talks fail", "2025-01-01", "a.txt"))
    for name in ("alice", "bob"):
        store.annotations.add(1, 0, 4, ["conflict"], name)
    other = sqlite3.connect(path, timeout=0)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock past the busy timeout
    store.db.execute("PRAGMA busy_timeout = 50")
    _job, found = report(store, ["alice", "bob"], "char")
    other.rollback()
    other.close()
    assert found.pairs[0].rows[-1].exact.matched == 1
    assert store.db.execute("SELECT count(*) FROM agreement_articles").fetchone()[0] == 0
    store.close()


def test_left_out_passages_are_counted_the_same_both_ways(monkeypatch):
    rng = random.Random(11)
    store = corpus(11, articles=12)
    for _ in range(60):
        random_annotation(rng, store, rng.choice(["alice", "bob", "carol"]))
    _job, looked_up = report(store, ["alice", "bob", "carol"], "char")
    monkeypatch.setattr(cache, "LOOKUP_LIMIT", 0)
    _job, checked = report(store, ["alice", "bob", "carol"], "char")
    left = [(pair.left_out_a, pair.left_out_b) for pair in looked_up.pairs]
    assert left == [(pair.left_out_a, pair.left_out_b) for pair in checked.pairs]
    assert any(a or b for a, b in left)


def test_per_article_counts_add_up_to_the_whole_list_measures_when_most_passages_agree():
    """Most groups hold the same passages on both sides (the usual case, counted by a shortcut)."""
    from reader.core.agreement import Unit, pair_counts

    rng = random.Random(9)
    a_units, b_units, sizes = [], [], {}
    for article in range(40):
        sizes[article] = 200
        for _ in range(rng.randint(1, 6)):
            start = rng.randrange(190)
            unit = Unit(article, start, start + rng.randint(1, 10), rng.choice(TAGS), "alice")
            a_units.append(unit)
            roll = rng.random()
            if roll < 0.7:
                b_units.append(Unit(article, unit.start, unit.end, unit.tag, "bob"))
            elif roll < 0.85:
                b_units.append(Unit(article, unit.start, min(200, unit.end + 3), unit.tag, "bob"))
    counted = pair_counts(a_units, b_units)
    for tag in [*TAGS, None]:
        mine = [c for (article, name), c in counted.items() if tag is None or name == tag]
        exact = span_agreement(a_units, b_units, "exact", tag=tag)
        overlap = span_agreement(a_units, b_units, "overlap", tag=tag)
        scores = exact.overall if tag is None else exact.by_tag[tag]
        assert (sum(c.a_spans for c in mine), sum(c.b_spans for c in mine), sum(c.exact for c in mine)) == (
            scores.reference, scores.candidate, scores.matched)
        assert sum(c.overlap for c in mine) == (overlap.overall if tag is None else overlap.by_tag[tag]).matched
        if tag is not None:
            table = agreement_table(a_units, b_units, sizes, tag=tag)
            assert (sum(c.both for c in mine), sum(c.only_a for c in mine), sum(c.only_b for c in mine)) == (
                table.both, table.only_a, table.only_b)
    same = sum(1 for c in counted.values() if c.a_spans == c.b_spans == c.exact)
    assert same > len(counted) / 3  # the shortcut was taken


def test_an_article_with_no_kept_sums_and_no_change_is_found_and_counted(monkeypatch):
    """Usually only changed articles are looked up; when the kept rows do not add up to the
    population (a comparison saved while an article joined it), every kept row is read."""
    store = corpus(4, articles=6)
    for article in range(1, 7):
        for name in ("alice", "bob"):
            store.annotations.add(article, 0, 3 + article, ["conflict"], name)
    _job, first = report(store, ["alice", "bob"], "char")
    with store.writing():
        store.db.execute("DELETE FROM agreement_articles WHERE article_id = 4")
        store.db.execute("DELETE FROM agreement_counts WHERE article_id = 4")
    counted: list[list[int]] = []
    count = AgreementJob._count
    monkeypatch.setattr(AgreementJob, "_count", lambda self, articles: (counted.append(list(articles)), count(self, articles))[1])
    _job, again = report(store, ["alice", "bob"], "char")
    assert counted == [[4]]
    assert numbers(again) == numbers(first)
