"""The entity index: hand-built articles with known entities give exact counts, co-occurrences,
aliases, hidden entities, replaced rows, and an upgraded database indexed by the fill."""

import pytest
from sqlite_utils import Database

from reader.core.entities import Span
from reader.services.entity_fill import fill_cache
from reader.core.entities.naming import entity_key
from reader.store.entity_index import (
    articles_mentioning,
    co_occurring,
    entities_matching,
    entity_totals,
    find_entity,
    index_cached,
    index_size,
    mentions_of,
    mentions_per_month,
    tags_on_mentions,
    unindexed_articles,
)
from reader.core.entities.packed import SpanTable
from reader.core.ingest import Document
from reader.core.model import sha256_text
from reader.store import Store
from reader.store.schema import migrations

from .conftest import forget_entity

ENGINE = "test/1"

GENEVA = (
    "Talks in Geneva\n\n"
    "Ana Lima met the United Nations in Geneva on Monday. Lima said the talks were slow. "
    "The UN did not comment.\n\n"
    "Geneva police watched. Zoë Nakamura of the United Nations agreed with Lima."
)
GENEVA_SPANS = [
    ("Geneva", "GPE"), ("Ana Lima", "PERSON"), ("United Nations", "ORG"), ("Geneva", "GPE"), ("Monday", "DATE"),
    ("Lima", "PERSON"), ("UN", "ORG"), ("Geneva", "GPE"), ("Zoë Nakamura", "PERSON"), ("United Nations", "ORG"),
    ("Lima", "PERSON"),
]
NAIROBI = (
    "Nairobi summit\n\n"
    "The United Nations opened a summit in Nairobi. Zoë Nakamura spoke in Nairobi.\n\n"
    "Critics in Geneva were unimpressed."
)
NAIROBI_SPANS = [
    ("United Nations", "ORG"), ("Nairobi", "GPE"), ("Zoë Nakamura", "PERSON"), ("Nairobi", "GPE"), ("Geneva", "GPE"),
]
PETROV = "Two Petrovs\n\nEero Petrov and Zofia Petrov met. Petrov said no."
PETROV_SPANS = [("Eero Petrov", "PERSON"), ("Zofia Petrov", "PERSON"), ("Petrov", "PERSON")]


def spans_in(text, items, source="test"):
    """Spans for (surface, label) items, each found after the one before it."""
    spans, position = [], 0
    for surface, label in items:
        start = text.index(surface, position)
        spans.append(Span(start, start + len(surface), label, source))
        position = start + len(surface)
    return spans


def add(store, title, text, published, path=None):
    doc = Document(text=text, title=title, source="Wirefeed", url=None, path=path or f"{title}.txt", published=published, locator="")
    return store.articles.add(doc).article_id


@pytest.fixture
def corpus(tmp_path):
    store = Store.open(tmp_path / "index.db")
    ids = {
        "geneva": add(store, "Talks in Geneva", GENEVA, "2025-03-03"),
        "nairobi": add(store, "Nairobi summit", NAIROBI, "2025-04-10"),
        "petrov": add(store, "Two Petrovs", PETROV, None),
    }
    for name, text, items in (("geneva", GENEVA, GENEVA_SPANS), ("nairobi", NAIROBI, NAIROBI_SPANS), ("petrov", PETROV, PETROV_SPANS)):
        store.entities.cache(sha256_text(text), ENGINE, spans_in(text, items))
    yield store, ids
    store.close()


def entity(store, surface, label):
    found = find_entity(store, surface, label)
    assert found is not None, (surface, label)
    return found


def test_keys_fold_case_space_the_and_titles():
    assert entity_key("The  United\nNations") == "united nations"
    assert entity_key("the Netherlands", "GPE") == "netherlands"
    assert entity_key("Dr. Ana  Lima", "PERSON") == "ana lima"
    assert entity_key("Dr. Ana Lima", "ORG") == "dr. ana lima"  # honorifics only for people
    assert entity_key("Geneva’s") == "geneva"
    assert entity_key("The") == "the"
    assert entity_key("   ") == ""


def test_counts_articles_and_mentions_are_exact(corpus):
    store, ids = corpus
    un = entity(store, "United Nations", "ORG")
    assert (un.articles, un.mentions) == (2, 3)
    assert entity_totals(store, un) == (3, 2)
    geneva = entity(store, "geneva", "GPE")
    assert entity_totals(store, geneva) == (4, 2)
    assert find_entity(store, "the UN", "ORG").mentions == 1  # "UN" is its own entity: no config-free acronyms
    assert find_entity(store, "Geneva", "PERSON") is None
    # newest first, with how many times and where first
    pages = articles_mentioning(store, geneva)
    assert [(p.article_id, p.mentions, p.first, p.published) for p in pages] == [
        (ids["nairobi"], 1, NAIROBI.index("Geneva"), "2025-04-10"),
        (ids["geneva"], 3, GENEVA.index("Geneva"), "2025-03-03"),
    ]
    assert pages[0].title == "Nairobi summit" and pages[0].source == "Wirefeed"
    assert [p.article_id for p in articles_mentioning(store, geneva, offset=1, limit=1)] == [ids["geneva"]]


def test_mentions_come_with_context_newest_article_first(corpus):
    store, ids = corpus
    geneva = entity(store, "Geneva", "GPE")
    mentions = mentions_of(store, geneva)
    assert [(m.article_id, m.start) for m in mentions] == [
        (ids["nairobi"], NAIROBI.index("Geneva")),
        (ids["geneva"], GENEVA.index("Geneva")),
        (ids["geneva"], GENEVA.index("Geneva", 20)),
        (ids["geneva"], GENEVA.index("Geneva police")),
    ]
    second = mentions[2]
    assert second.surface == "Geneva" and second.current and second.via is None
    assert second.before == "Talks in Geneva Ana Lima met the United Nations in "  # the text's start: not cut
    assert second.after == " on Monday. Lima said the talks were slow. The UN did not…"  # cut at a whole word
    third = mentions[3]
    assert third.before == "…Lima said the talks were slow. The UN did not comment. "
    assert "\n" not in "".join(m.before + m.after for m in mentions)
    first_in_text = mentions_of(store, geneva, article_id=ids["geneva"], limit=1)
    assert first_in_text[0].before == "Talks in " and first_in_text[0].start == GENEVA.index("Geneva")
    assert [m.start for m in mentions_of(store, geneva, offset=1, limit=2)] == [m.start for m in mentions[1:3]]


def test_a_bare_surname_counts_as_the_one_full_name_in_its_article(corpus):
    store, ids = corpus
    lima = entity(store, "Ana Lima", "PERSON")
    assert (lima.name, lima.articles, lima.mentions) == ("Ana Lima", 1, 3)
    mentions = mentions_of(store, lima)
    assert [(m.surface, m.via) for m in mentions] == [("Ana Lima", None), ("Lima", "lima"), ("Lima", "lima")]
    # the bare surname's own entity holds nothing of it, so the picker does not offer it
    bare = find_entity(store, "Lima", "PERSON")
    assert bare is not None and bare.mentions == 0
    assert [e.name for e in entities_matching(store, "lima")] == ["Ana Lima"]
    # a mention's position finds the entity it counts as
    at = GENEVA.index("Lima said")
    assert find_entity(store, "Lima", "PERSON", article_id=ids["geneva"], start=at) == lima
    # two Petrovs in one article: the bare surname stays its own
    petrov = entity(store, "Petrov", "PERSON")
    assert petrov.mentions == 1
    assert entity(store, "Eero Petrov", "PERSON").mentions == 1


def test_co_occurrence_in_the_same_sentence_and_article(corpus):
    store, _ids = corpus
    un = entity(store, "United Nations", "ORG")
    found = co_occurring(store, un, limit=10)
    counts = {(t.entity.name, t.entity.label): (t.sentences, t.articles) for t in found.rows}
    # Geneva: sentence 2 of GENEVA (with the UN) and nothing in NAIROBI's UN sentence; in both articles
    assert counts[("Geneva", "GPE")] == (1, 2)
    # Ana Lima: one sentence (with "Lima" in the last one too: the alias counts as her)
    assert counts[("Ana Lima", "PERSON")] == (2, 1)
    assert counts[("Zoë Nakamura", "PERSON")] == (1, 2)
    assert counts[("Nairobi", "GPE")] == (1, 1)
    assert counts[("UN", "ORG")] == (0, 1)
    assert ("United Nations", "ORG") not in counts
    assert found.complete and (found.considered, found.total) == (2, 2)
    assert [t.entity.name for t in found.rows][:2] == ["Ana Lima", "Geneva"]  # sentences first, then articles
    by_article = co_occurring(store, un, order="article")
    assert [t.articles for t in by_article.rows] == sorted((t.articles for t in by_article.rows), reverse=True)
    people = co_occurring(store, un, labels=["PERSON", "GPE"])
    assert {t.entity.name for t in people.rows} == {"Ana Lima", "Geneva", "Zoë Nakamura", "Nairobi"}
    capped = co_occurring(store, un, articles=1)
    assert (capped.considered, capped.total, capped.complete) == (1, 2, False)
    assert {t.entity.name for t in capped.rows} == {"Nairobi", "Zoë Nakamura", "Geneva"}  # only the newest article


def test_tags_on_passages_that_overlap_a_mention(corpus):
    store, ids = corpus
    text = GENEVA
    sentence = text.index("Lima said")
    store.annotations.add(ids["geneva"], sentence, text.index("slow.") + 5, ["conflict"], "alice")
    store.annotations.add(ids["geneva"], text.index("Ana Lima"), text.index("Monday."), ["cooperation", "conflict"], "bob")
    store.annotations.add(ids["geneva"], text.index("The UN"), text.index("comment.") + 8, ["quote"], "alice")
    lima = entity(store, "Ana Lima", "PERSON")
    assert tags_on_mentions(store, lima) == [("conflict", 2), ("cooperation", 1)]
    assert tags_on_mentions(store, lima, annotator="alice") == [("conflict", 1)]
    assert tags_on_mentions(store, entity(store, "UN", "ORG")) == [("quote", 1)]
    assert tags_on_mentions(store, entity(store, "Nairobi", "GPE")) == []


def test_prefix_search_ranks_by_articles_and_ignores_accents(corpus):
    store, _ids = corpus
    assert [e.name for e in entities_matching(store, "zoe")] == ["Zoë Nakamura"]
    assert [e.name for e in entities_matching(store, "NAK")] == ["Zoë Nakamura"]
    assert [e.name for e in entities_matching(store, "un")] == ["United Nations", "UN"]  # 2 articles before 1
    assert [e.name for e in entities_matching(store, "ana li")] == ["Ana Lima"]
    assert entities_matching(store, "ana x") == []
    assert [e.name for e in entities_matching(store, "", label="GPE")] == ["Geneva", "Nairobi"]
    assert len(entities_matching(store, "", limit=3)) == 3
    assert entities_matching(store, "%") == entities_matching(store, "")  # no words: no filter, no LIKE syntax


def test_mentions_per_month(corpus):
    store, _ids = corpus
    geneva, lima, petrov = entity(store, "Geneva", "GPE"), entity(store, "Ana Lima", "PERSON"), entity(store, "Petrov", "PERSON")
    series = mentions_per_month(store, [geneva, lima, petrov])
    assert series[geneva.id] == [("2025-03", 3, 1), ("2025-04", 1, 1)]
    assert series[lima.id] == [("2025-03", 3, 1)]
    assert series[petrov.id] == [(None, 1, 1)]  # an undated article


def test_rejected_entities_are_left_out_of_every_result(corpus):
    store, _ids = corpus
    geneva = entity(store, "Geneva", "GPE")
    un = entity(store, "United Nations", "ORG")
    store.entities.reject("Geneva", "GPE", "alice")
    assert "Geneva" not in [e.name for e in entities_matching(store, "")]
    assert entities_matching(store, "gen") == []
    assert "Geneva" not in [t.entity.name for t in co_occurring(store, un).rows]
    assert entity_totals(store, geneva) == (0, 0)
    assert mentions_of(store, geneva) == [] and articles_mentioning(store, geneva) == []
    assert mentions_per_month(store, [geneva]) == {geneva.id: []}
    forget_entity(store, "Geneva")
    assert entity_totals(store, geneva) == (4, 2)


def test_a_hidden_bare_surname_takes_its_alias_mentions_with_it(corpus):
    store, _ids = corpus
    lima = entity(store, "Ana Lima", "PERSON")
    # the user says "Lima" is a place: as a PERSON it is hidden, and so are the mentions written "Lima"
    store.entities.accept("Lima", "GPE", "alice")
    assert entity_totals(store, lima) == (1, 1)
    assert [m.surface for m in mentions_of(store, lima)] == ["Ana Lima"]
    un = entity(store, "United Nations", "ORG")
    counts = {t.entity.name: (t.sentences, t.articles) for t in co_occurring(store, un).rows}
    assert counts["Ana Lima"] == (1, 1)


def test_re_caching_an_article_replaces_its_rows(corpus):
    store, ids = corpus
    sha = sha256_text(GENEVA)
    before = index_size(store)
    store.entities.cache(sha, ENGINE, spans_in(GENEVA, [("Geneva", "GPE"), ("Ana Lima", "PERSON")]))
    geneva = entity(store, "Geneva", "GPE")
    assert (geneva.articles, geneva.mentions) == (2, 2)
    un = entity(store, "United Nations", "ORG")
    assert (un.articles, un.mentions) == (1, 1)
    assert entity_totals(store, un) == (1, 1)
    assert index_size(store)["entity_mentions"] == before["entity_mentions"] - 9
    assert entity(store, "Ana Lima", "PERSON").mentions == 1
    store.entities.cache(sha, ENGINE, [])
    assert entity(store, "Ana Lima", "PERSON").articles == 0
    assert entities_matching(store, "ana") == []
    assert store.db.execute("SELECT count(*) FROM entity_mentions WHERE article_id = ?", [ids["geneva"]]).fetchone()[0] == 0


def test_a_changed_text_keeps_its_old_rows_marked_until_it_is_cached_again(corpus):
    store, ids = corpus
    changed = NAIROBI.replace("Critics in Geneva were unimpressed.", "Observers in Geneva, far away, were unimpressed.")
    assert add(store, "Nairobi summit", changed, "2025-04-10", path="Nairobi summit.txt") == ids["nairobi"]
    geneva = entity(store, "Geneva", "GPE")
    stale = [m for m in mentions_of(store, geneva) if m.article_id == ids["nairobi"]]
    assert len(stale) == 1 and not stale[0].current
    assert ids["nairobi"] not in unindexed_articles(store, ENGINE)  # its new text is not cached yet
    store.entities.cache(sha256_text(changed), ENGINE, spans_in(changed, [("Geneva", "GPE")]))
    fresh = [m for m in mentions_of(store, geneva) if m.article_id == ids["nairobi"]]
    assert [(m.start, m.current, m.before.split()[-1]) for m in fresh] == [(changed.index("Geneva"), True, "in")]
    assert entity(store, "Nairobi", "GPE").articles == 0


def test_a_text_no_article_has_is_cached_but_not_indexed(tmp_path):
    store = Store.open(tmp_path / "a.db")
    store.entities.cache("0" * 64, ENGINE, [Span(0, 4, "GPE", "test")])
    assert index_size(store) == {"entities": 0, "entity_words": 0, "entity_mentions": 0, "entity_indexed": 0}


def test_overlapping_or_out_of_range_spans_do_not_break_caching(tmp_path):
    store = Store.open(tmp_path / "a.db")
    text = "Ana Lima met Omar in Geneva."
    add(store, "t", text, "2025-01-01")
    spans = [Span(0, 8, "PERSON", "x"), Span(4, 8, "GPE", "x"), Span(21, 27, "GPE", "x"), Span(40, 45, "ORG", "x")]
    store.entities.cache(sha256_text(text), ENGINE, spans)
    assert sorted(row[0] for row in store.db.execute("SELECT key FROM entities")) == ["ana lima", "geneva"]


def test_bad_input_gets_clear_errors(corpus):
    store, _ids = corpus
    geneva = entity(store, "Geneva", "GPE")
    with pytest.raises(ValueError, match="limit must be between 1 and"):
        mentions_of(store, geneva, limit=0)
    with pytest.raises(ValueError, match="offset must be 0 or more"):
        articles_mentioning(store, geneva, offset=-1)
    with pytest.raises(TypeError, match="whole numbers"):
        articles_mentioning(store, geneva, offset="3")
    with pytest.raises(ValueError, match="unknown entity label 'CITY'"):
        entities_matching(store, "gen", label="CITY")
    with pytest.raises(ValueError, match="unknown entity label"):
        find_entity(store, "Geneva", "gpe")
    with pytest.raises(ValueError, match="order must be"):
        co_occurring(store, geneva, order="time")
    with pytest.raises(ValueError, match="articles must be"):
        co_occurring(store, geneva, articles=0)
    with pytest.raises(ValueError, match="unknown entity label 'PLACE'"):
        co_occurring(store, geneva, labels=["GPE", "PLACE"])
    with pytest.raises(ValueError, match="at most 50"):
        mentions_per_month(store, [geneva] * 51)


class NeverCalled:
    name, version = "never", "1"

    def recognise(self, text):
        raise AssertionError("the fill must not recognise a text that is cached")


def test_an_existing_database_gets_the_index_from_the_background_fill(tmp_path):
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m009_entity_index")
    assert "entity_mentions" not in db.table_names()
    for number, (text, items, published) in enumerate(
        [(GENEVA, GENEVA_SPANS, "2025-03-03"), (NAIROBI, NAIROBI_SPANS, "2025-04-10")]
    ):
        sha = sha256_text(text)
        db["articles"].insert({
            "uid": sha, "sha256": sha, "title": f"t{number}", "text": text, "chars": len(text),
            "imported": "2025-01-01T00:00:00+00:00", "published": published, "path": f"{number}.txt", "locator": "",
        })
        db["entity_cache"].insert({"sha256": sha, "engine": ENGINE, "spans": SpanTable.from_spans(spans_in(text, items)).to_bytes(), "created": "x"})
    db.close()
    store = Store.open(path)  # the migration makes the tables and indexes nothing
    assert index_size(store)["entity_mentions"] == 0
    assert len(unindexed_articles(store, ENGINE)) == 2
    assert fill_cache(store, NeverCalled(), ENGINE) == 0  # nothing to recognise; the index is filled
    assert unindexed_articles(store, ENGINE) == []
    un = entity(store, "United Nations", "ORG")
    assert (un.articles, un.mentions) == (2, 3)
    assert entity_totals(store, entity(store, "Ana Lima", "PERSON")) == (3, 1)
    assert index_cached(store, ENGINE) == 0  # once only
    # another engine's cache is indexed in its place once the fill runs for it
    sha = sha256_text(NAIROBI)
    store.db.execute("INSERT INTO entity_cache (sha256, engine, spans, created) VALUES (?, 'other/2', ?, 'x')",
                     [sha, SpanTable.from_spans(spans_in(NAIROBI, [("Nairobi", "GPE")])).to_bytes()])
    store.db.conn.commit()
    assert index_cached(store, "other/2") == 1
    assert entity(store, "United Nations", "ORG").articles == 1
    store.close()


def test_indexing_stops_between_batches_when_asked(tmp_path, monkeypatch):
    import reader.store.entity_index as index

    monkeypatch.setattr(index, "INDEX_BATCH", 2)
    store = Store.open(tmp_path / "a.db")
    for number in range(5):
        text = f"Story {number}\n\nDelegates met in Geneva."
        add(store, f"s{number}", text, "2025-01-01")
        store.db.execute("INSERT INTO entity_cache (sha256, engine, spans, created) VALUES (?, ?, ?, 'x')",
                         [sha256_text(text), ENGINE, SpanTable.from_spans(spans_in(text, [("Geneva", "GPE")])).to_bytes()])
    store.db.conn.commit()
    batches = []
    assert index_cached(store, ENGINE, should_stop=lambda: len(batches) >= 2, progress=batches.append) == 4
    assert len(unindexed_articles(store, ENGINE)) == 1
    assert entity(store, "Geneva", "GPE").articles == 4


def test_an_entity_named_first_from_a_dateline_takes_the_usual_spelling(tmp_path):
    store = Store.open(tmp_path / "a.db")
    first = "KYIV, May 2 (Wirefeed) — NATO met."
    second = "Talks in Kyiv ended. NATO left."
    add(store, "one", first, "2025-05-02")
    add(store, "two", second, "2025-05-03")
    store.entities.cache(sha256_text(first), ENGINE, spans_in(first, [("KYIV", "GPE"), ("NATO", "ORG")]))
    assert entity(store, "Kyiv", "GPE").name == "KYIV"
    store.entities.cache(sha256_text(second), ENGINE, spans_in(second, [("Kyiv", "GPE"), ("NATO", "ORG")]))
    assert entity(store, "kyiv", "GPE").name == "Kyiv"
    assert entity(store, "nato", "ORG").name == "NATO"  # an acronym is all capitals everywhere


@pytest.mark.parametrize("walk", [True, False])
def test_both_ways_to_page_newest_first_give_the_same_pages(tmp_path, monkeypatch, walk):
    """A frequent entity's early pages are found by walking the articles newest first, the
    others by sorting its rows: either way the same rows in the same order."""
    import reader.store.entity_index as index

    monkeypatch.setattr(index, "_walk_newest_first", lambda store, depth, frequency: walk)
    store = Store.open(tmp_path / "a.db")
    expected_articles, expected_mentions = [], []
    for number in range(30):
        times = number % 3 + 1
        text = f"Report {number}\n\n" + " ".join(f"Delegates met in Geneva, round {round}." for round in range(times))
        text += " Lima spoke." if number % 4 == 0 else ""
        published = None if number % 7 == 0 else f"2025-{number % 12 + 1:02d}-{number % 5 + 10}"
        article_id = add(store, f"r{number}", text, published)
        spans = spans_in(text, [("Geneva", "GPE")] * times + ([("Lima", "PERSON")] if number % 4 == 0 else []))
        store.entities.cache(sha256_text(text), ENGINE, spans)
        starts = [span.start for span in spans if span.label == "GPE"]
        expected_articles.append((published or "", article_id, times, starts[0]))
        expected_mentions += [(published or "", article_id, -start) for start in starts]
    expected_articles.sort(key=lambda row: (row[0], row[1]), reverse=True)
    expected_mentions.sort(reverse=True)
    geneva = entity(store, "Geneva", "GPE")
    got = [(a.published or "", a.article_id, a.mentions, a.first) for offset in range(0, 30, 7)
           for a in articles_mentioning(store, geneva, offset, 7)]
    assert got == expected_articles
    got = [(m.published or "", m.article_id, -m.start) for offset in range(0, 60, 11) for m in mentions_of(store, geneva, offset, 11)]
    assert got == expected_mentions
    store.entities.reject("Geneva", "GPE", "alice")
    assert articles_mentioning(store, geneva) == [] and mentions_of(store, geneva) == []


# ---- mentions per entity and month, kept (migration m013) ---------------------------------------

import random  # noqa: E402

from reader.store import entity_index  # noqa: E402

#: Surfaces a random article mentions: full names and bare surnames (aliases), one surname that
#: is also a place, an organisation and a date.
VOCABULARY = [("Ana Lima", "PERSON"), ("Lima", "PERSON"), ("Lima", "GPE"), ("Eero Petrov", "PERSON"),
              ("Zofia Petrov", "PERSON"), ("Petrov", "PERSON"), ("Geneva", "GPE"), ("United Nations", "ORG"),
              ("Monday", "DATE")]
#: Dates as the index keeps them: undated, odd, and two in one month.
INDEX_DATES = [None, "", "2025", "2025-03-03", "2025-03-28", "2025-04-10", "March 2025", "2025-13-01", "1999-01-01T00:00"]


def random_text(rng):
    """A text and its spans: sentences of random surfaces."""
    parts, spans, position = [], [], 0
    for _ in range(rng.randint(1, 12)):
        surface, label = rng.choice(VOCABULARY)
        words = f"{surface} spoke. " if rng.random() < 0.4 else f"{surface} and "
        spans.append(Span(position, position + len(surface), label, "test"))
        parts.append(words)
        position += len(words)
    return "".join(parts), spans


def recount(store):
    """entity_months as it should be: the index's mentions grouped from scratch."""
    return sorted(store.db.execute(
        """SELECT coalesce(substr(i.published, 1, 7), '(undated)'), m.entity_id, count(*), count(DISTINCT m.article_id)
           FROM entity_mentions m JOIN entity_indexed i ON i.article_id = m.article_id GROUP BY 1, 2"""
    ).fetchall())


def kept(store):
    return sorted(store.db.execute("SELECT month, entity_id, mentions, articles FROM entity_months").fetchall())


def check_months(store):
    assert kept(store) == recount(store)
    assert sorted(store.db.execute("SELECT article_id, month FROM entity_months_counted").fetchall()) == sorted(
        store.db.execute("SELECT article_id, coalesce(substr(published, 1, 7), '(undated)') FROM entity_indexed").fetchall()
    )
    everyone = [entity_index.get_entity(store, row[0]) for row in store.db.execute("SELECT id FROM entities ORDER BY id")]
    for first in range(0, len(everyone), 50):
        chosen = everyone[first : first + 50]
        assert mentions_per_month(store, chosen) == mentions_per_month(store, chosen, from_rows=True)


def random_change(store, other, rng, ids):
    """Index, re-index or un-index an article the way reader does, or change the index the way
    another program (an older reader, a script) might, through `other`: another connection."""
    choice = rng.randrange(12)
    article_id = rng.choice(ids)
    text = store.db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()[0]
    if choice < 3:  # reader indexes the article again with other spans (or none)
        _, spans = random_text(rng)
        spans = [span for span in spans if span.end <= len(text)] if choice else []
        with store.writing():
            entity_index.index_article(store.db, article_id, sha256_text(text), ENGINE, text, rng.choice(INDEX_DATES), spans)
    elif choice == 3:  # the date of an indexed article changes
        with other.writing():
            other.db.execute("UPDATE entity_indexed SET published = ? WHERE article_id = ?", [rng.choice(INDEX_DATES), article_id])
    elif choice == 4:  # an older reader re-indexes: mentions deleted and written while the article is counted
        with other.writing():
            other.db.execute("DELETE FROM entity_mentions WHERE article_id = ?", [article_id])
            rows = other.db.execute("SELECT id FROM entities").fetchall()
            for sentence in range(rng.randint(0, 4)):
                other.db.execute(
                    'INSERT INTO entity_mentions (article_id, sentence, start, "end", entity_id, via) VALUES (?, ?, ?, ?, ?, ?)',
                    [article_id, sentence, sentence * 10, sentence * 10 + 4, rng.choice(rows)[0],
                     rng.choice(rows)[0] if rng.random() < 0.3 else None],
                )
            other.db.execute(
                "INSERT OR REPLACE INTO entity_indexed (article_id, sha256, engine, published, indexed) VALUES (?, 'x', ?, ?, 'now')",
                [article_id, ENGINE, rng.choice(INDEX_DATES)],
            )
    elif choice == 5:  # one mention deleted
        with other.writing():
            other.db.execute(
                "DELETE FROM entity_mentions WHERE (article_id, sentence, start) IN "
                "(SELECT article_id, sentence, start FROM entity_mentions WHERE article_id = ? LIMIT 1)",
                [article_id],
            )
    elif choice == 6:  # a mention's entity (or article) changes
        with other.writing():
            other.db.execute(
                """UPDATE entity_mentions SET entity_id = (SELECT id FROM entities ORDER BY random() LIMIT 1),
                       article_id = CASE WHEN ? THEN ? ELSE article_id END
                   WHERE (article_id, sentence, start) IN (SELECT article_id, sentence, start FROM entity_mentions
                                                           WHERE article_id = ? LIMIT 1)""",
                [rng.random() < 0.3, rng.choice(ids) * 1000 + rng.randrange(1000), article_id],
            )
    elif choice == 7:  # an article taken out of the index (its row first, or its mentions first)
        statements = ["DELETE FROM entity_indexed WHERE article_id = ?", "DELETE FROM entity_mentions WHERE article_id = ?"]
        with other.writing():
            for statement in statements if rng.random() < 0.5 else statements[::-1]:
                other.db.execute(statement, [article_id])
    elif choice == 8:  # the index row of an article moved to another (unindexed or indexed) article
        with other.writing():
            other.db.execute("UPDATE OR REPLACE entity_indexed SET article_id = ? WHERE article_id = ?", [rng.choice(ids), article_id])
            # and the mentions left without their row (reader never leaves such)
            other.db.execute("DELETE FROM entity_mentions WHERE article_id = ? AND article_id NOT IN "
                             "(SELECT article_id FROM entity_indexed)", [article_id])
    elif choice == 9:  # what the user says hides entities (a bare surname hides its alias mentions)
        surface, label = rng.choice(VOCABULARY)
        rng.choice([store.entities.reject, store.entities.accept])(surface, rng.choice(["PERSON", "GPE", label]), "alice")
    elif choice == 10:
        forget_entity(store, rng.choice(VOCABULARY)[0])
    else:  # reader caches a text: indexed as the fill does
        _, spans = random_text(rng)
        store.entities.cache(sha256_text(text), ENGINE, [span for span in spans if span.end <= len(text)])


@pytest.mark.parametrize("seed_number", range(6))
def test_kept_months_stay_exact_whoever_writes_the_index(tmp_path, seed_number):
    rng = random.Random(seed_number)
    store = Store.open(tmp_path / "months.db")
    other = Store.open(tmp_path / "months.db")  # another process, as far as SQLite can tell
    try:
        ids = []
        for number in range(12):
            text, spans = random_text(rng)
            ids.append(add(store, f"a{number}", text, rng.choice(INDEX_DATES)))
            store.entities.cache(sha256_text(text), ENGINE, spans)
        check_months(store)
        for step in range(80):
            random_change(store, other, rng, ids)
            if step % 5 == 4:
                check_months(store)
        check_months(store)
        assert store.db.execute("SELECT count(*) FROM entity_months WHERE mentions <= 0 OR articles <= 0").fetchone()[0] == 0
    finally:
        other.close()
        store.close()


def test_hidden_surnames_are_subtracted_from_the_kept_months(corpus):
    store, _ids = corpus
    lima = entity(store, "Ana Lima", "PERSON")
    assert mentions_per_month(store, [lima]) == {lima.id: [("2025-03", 3, 1)]}
    store.entities.accept("Lima", "GPE", "alice")  # "Lima" as a PERSON is hidden, with the two mentions written so
    assert mentions_per_month(store, [lima]) == {lima.id: [("2025-03", 1, 1)]}
    assert mentions_per_month(store, [lima], from_rows=True) == mentions_per_month(store, [lima])
    store.entities.reject("Ana Lima", "PERSON", "alice")
    assert mentions_per_month(store, [lima]) == {lima.id: []}


def test_a_database_made_before_m013_gets_its_months_and_keys(tmp_path):
    """Migration m013 back-fills entity_months and each tagging's month and source from what an
    older reader wrote; the figures then read them and agree with the rows."""
    from reader.store import figures as insight

    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m013_insight_summaries")
    assert "entity_months" not in db.table_names()
    old = Store(db, path)
    ids = {}
    for key, title, text, published in (("geneva", "Talks in Geneva", GENEVA, "2025-03-03"),
                                        ("nairobi", "Nairobi summit", NAIROBI, "2025-04-10"),
                                        ("petrov", "Two Petrovs", PETROV, None)):
        sha = sha256_text(text)  # the article row as that reader wrote it (later columns absent)
        ids[key] = db["articles"].insert({
            "uid": sha, "sha256": sha, "title": title, "text": text, "chars": len(text), "source": "Wirefeed",
            "imported": "2025-01-01T00:00:00+00:00", "published": published, "path": f"{title}.txt", "locator": "",
        }).last_pk
    old.annotations.add(ids["geneva"], 0, 15, ["conflict", "quote"], "alice")
    old.annotations.add(ids["petrov"], 0, 11, ["conflict"], "bob")
    old.articles.tag(ids["nairobi"], "quote", "bob")
    for text, items in ((GENEVA, GENEVA_SPANS), (NAIROBI, NAIROBI_SPANS), (PETROV, PETROV_SPANS)):
        old.entities.cache(sha256_text(text), ENGINE, spans_in(text, items))
    db.close()
    store = Store.open(path)
    try:
        assert migrations.pending(store.db) == []
        check_months(store)
        geneva = entity(store, "Geneva", "GPE")
        assert mentions_per_month(store, [geneva]) == {geneva.id: [("2025-03", 3, 1), ("2025-04", 1, 1)]}
        keys = store.db.execute("SELECT article_month, article_source FROM annotation_tags ORDER BY article_id, tag_id").fetchall()
        assert keys == [("2025-03", "Wirefeed"), ("2025-03", "Wirefeed"), (None, "Wirefeed")]
        assert insight._has_tagging_keys(store)
        matrix = insight.tag_counts(store, "month", "articles")
        assert (matrix.rows, matrix.total) == (("2025-03", "2025-04", None), 4)
        # and the triggers keep them from now on
        store.entities.cache(sha256_text(NAIROBI), ENGINE, [])
        check_months(store)
    finally:
        store.close()


def test_a_bulk_change_with_the_triggers_suspended_is_counted_again(corpus):
    store, _ids = corpus
    with pytest.raises(RuntimeError):
        with entity_index.month_counts_suspended(store.db):
            pass
    with store.writing():
        with entity_index.month_counts_suspended(store.db):
            assert store.db.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'entity_months_%' AND type = 'trigger'").fetchone()[0] == 0
            store.db.execute("UPDATE entity_indexed SET published = '2031-07-0' || article_id")
    assert store.db.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'entity_months_%' AND type = 'trigger'").fetchone()[0] == 6
    check_months(store)
    geneva = entity(store, "Geneva", "GPE")
    assert mentions_per_month(store, [geneva]) == {geneva.id: [("2031-07", 4, 2)]}


# --- one identity per actor (issue 19) ---------------------------------------------------------

ENVOYS = (
    "Envoys meet\n\n"
    "The U.S. envoy met officials of the National Grain Board (NGB) in Accra. America and the "
    "United States of America are one country; the NGB said the US would help."
)
ENVOYS_SPANS = [
    ("U.S.", "GPE"), ("National Grain Board", "ORG"), ("NGB", "ORG"), ("Accra", "GPE"), ("America", "GPE"),
    ("United States of America", "GPE"), ("NGB", "ORG"), ("US", "GPE"),
]
LATER = "Later\n\nThe USA and Britain signed. The NGB was not there. The UK abstained."
LATER_SPANS = [("USA", "GPE"), ("Britain", "GPE"), ("NGB", "ORG"), ("UK", "GPE")]


@pytest.fixture
def envoys(tmp_path):
    store = Store.open(tmp_path / "ids.db")
    for title, text, items, day in (("Envoys meet", ENVOYS, ENVOYS_SPANS, "2025-03-03"), ("Later", LATER, LATER_SPANS, "2025-03-04")):
        add(store, title, text, day)
        store.entities.cache(sha256_text(text), ENGINE, spans_in(text, items))
    yield store
    store.close()


def test_a_country_written_several_ways_is_one_entity_across_the_corpus(envoys):
    store = envoys
    us = entity(store, "U.S.", "GPE")
    assert us == entity(store, "United States", "GPE") == entity(store, "America", "GPE")
    assert (us.name, us.articles, us.mentions) == ("United States", 2, 5)
    assert sorted(m.surface for m in mentions_of(store, us)) == ["America", "U.S.", "US", "USA", "United States of America"]
    uk = entity(store, "Britain", "GPE")
    assert (uk.name, uk.mentions) == ("United Kingdom", 2)
    # the picker offers the identity for any of its names, never an empty alias
    assert [e.name for e in entities_matching(store, "usa")] == ["United States"]
    assert [e.name for e in entities_matching(store, "ngb")] == ["National Grain Board", "NGB"]


def test_an_acronym_defined_in_brackets_is_its_name_in_that_article(envoys):
    store = envoys
    board = entity(store, "National Grain Board", "ORG")
    assert (board.articles, board.mentions) == (1, 3)
    assert [(m.surface, m.via) for m in mentions_of(store, board)] == [
        ("National Grain Board", None), ("NGB", "ngb"), ("NGB", "ngb")]
    # where it is not defined, the acronym stays its own entity
    assert entity(store, "NGB", "ORG").mentions == 1
