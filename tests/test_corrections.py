"""Correcting an article's title, date, source and attributes: checked against what the user saw,
undone and redone by the history, kept when the article's file is imported again; and attributes
as a filter and as columns of the list."""

from __future__ import annotations

import json

import pytest

from reader.core.corrections import Correction, corrected, form_of
from reader.core.ingest import Document
from reader.core.model import ArticleMeta, ListQuery
from reader.services.corpus import import_files
from reader.services.history import History
from reader.store import StaleWriteError, Store

from .conftest import write_file

RECORDS = [
    {"title": "Ferry fares rise", "body": "The island ferry will cost more from May. Islanders object.",
     "pubdate": "2025-03-02", "outlet": "Harbour Gazette", "section": "transport", "desk": "north"},
    {"title": "Library opens late", "body": "The town library now opens until nine on Thursdays.",
     "pubdate": "2025-03-04", "outlet": "Harbour Gazette", "section": "culture", "desk": "south"},
    {"title": "Bridge repairs", "body": "Repairs to the old bridge start next week, the council said.",
     "pubdate": "2025-03-05", "outlet": "Valley Post", "section": "transport", "desk": "south"},
]


def write_records(path, records) -> None:
    write_file(path, "".join(json.dumps({"text": r["body"], "date": r["pubdate"], "source": r["outlet"],
                                          **{k: v for k, v in r.items() if k not in ("body", "pubdate", "outlet")}})
                             + "\n" for r in records))


@pytest.fixture
def imported(tmp_path):
    store = Store.open(tmp_path / "db.db")
    dump = tmp_path / "wire.jsonl"
    write_records(dump, RECORDS)
    import_files(store, [dump])
    ids = {title: article_id for article_id, title in store.db.execute("SELECT id, title FROM articles")}
    yield store, dump, ids
    store.close()


def test_a_correction_changes_what_it_says_and_marks_those_fields_edited():
    seen = ArticleMeta("Ferry fares rise", "2025-03-02", "2025-03-02", "Harbour Gazette",
                       (("section", "transport"), ("note: odd", "two\nlines")))
    form = form_of(seen)
    assert form.attributes == "section: transport\nnote: odd: two lines"
    same = corrected(seen, form)
    assert same == seen  # a form sent back as it was changes nothing (the two-line value kept)
    after = corrected(seen, Correction("Ferry fares to rise", "3 March 2025", "Harbour Gazette",
                                       "section: ferries\nnote: odd: two lines\nregion: islands"))
    assert (after.title, after.published, after.published_written) == ("Ferry fares to rise", "2025-03-03", "3 March 2025")
    assert after.attributes == (("section", "ferries"), ("note: odd", "two\nlines"), ("region", "islands"))
    assert after.edited == {"title", "date", "attribute:section", "attribute:region"}
    cleared = corrected(seen, Correction("Ferry fares rise", "", "", ""))
    assert (cleared.published, cleared.source, cleared.attributes) == (None, None, ())
    assert cleared.edited == {"date", "source", "attribute:section", "attribute:note: odd"}


@pytest.mark.parametrize("form, problem", [
    (Correction("  ", "", "", ""), "title: an article has a title"),
    (Correction("T", "next tuesday-ish", "", ""), "date: 'next tuesday-ish' is not a date reader reads"),
    (Correction("T", "", "", "section transport"), "attributes, line 1: expected name: value"),
    (Correction("T", "", "", "a: 1\n\na: 2"), "attributes, line 3: 'a' is given twice"),
    (Correction("T", "", "", "title: x"), "attributes, line 1: 'title' is an article's own field"),
    (Correction("T", "", "", "desk:  "), "attributes, line 1: 'desk' has no value"),
])
def test_a_correction_that_cannot_be_stored_says_why_in_one_line(form, problem):
    with pytest.raises(ValueError) as error:
        corrected(ArticleMeta("T", None, None, None), form)
    assert str(error.value).startswith(problem) and "\n" not in str(error.value)


def test_a_correction_is_undone_and_redone_and_refused_against_an_older_view(imported, tmp_path):
    store, _dump, ids = imported
    article = ids["Ferry fares rise"]
    history = History(store)
    seen = store.articles.meta_of(article)
    fixed = corrected(seen, Correction("Ferry fares to rise", "2025-03-01", "Gazette", "section: ferries"))
    change = history.correct_article(article, fixed, seen)
    assert change is not None and store.articles.meta_of(article) == fixed
    assert store.articles.get(article).title == "Ferry fares to rise"
    history.undo()
    assert store.articles.meta_of(article) == seen
    history.redo()
    assert store.articles.meta_of(article) == fixed
    # another window corrected it meanwhile: a correction made against the older view is refused
    other = Store.open(tmp_path / "db.db")
    other.articles.set_meta(article, corrected(fixed, Correction("Fares up", "2025-03-01", "Gazette", "")), fixed)
    other.close()
    with pytest.raises(StaleWriteError, match="title, date, source or attributes changed since"):
        history.correct_article(article, corrected(fixed, Correction("Ferry", "", "", "")), fixed)
    assert store.articles.meta_of(article).title == "Fares up"
    with pytest.raises(StaleWriteError):  # and the undo of the earlier correction would write over it
        history.undo()
    assert store.articles.meta_of(article).title == "Fares up"


def test_a_reimport_keeps_what_the_user_corrected_and_takes_the_rest_from_the_file(imported):
    store, dump, ids = imported
    article = ids["Ferry fares rise"]
    seen = store.articles.meta_of(article)
    fixed = corrected(seen, Correction("Ferry fares to rise in May", "2025-03-01", "Harbour Gazette",
                                       "section: ferries"))  # desk removed
    History(store).correct_article(article, fixed, seen)
    changed = [dict(record) for record in RECORDS]
    changed[0].update(body=RECORDS[0]["body"] + " The operator blames fuel.", title="FERRY FARES RISE",
                      pubdate="2025-03-09", outlet="Gazette Online", section="news", desk="east", region="isles")
    changed[1].update(title="Library opens later", body=RECORDS[1]["body"] + " Staff agreed.")
    write_records(dump, changed)

    summary = import_files(store, [dump])

    assert summary.updated == 2
    after = store.articles.get(article)
    assert "The operator blames fuel." in after.text
    assert (after.title, after.published) == ("Ferry fares to rise in May", "2025-03-01")
    assert after.source == "Gazette Online"  # not corrected: the file's
    assert dict(after.attributes) == {"section": "ferries", "region": "isles"}  # desk stays removed
    assert store.articles.get(ids["Library opens late"]).title == "Library opens later"  # never corrected


def test_the_source_a_user_did_not_correct_follows_the_file(imported):
    store, dump, ids = imported
    article = ids["Ferry fares rise"]
    seen = store.articles.meta_of(article)
    History(store).correct_article(article, corrected(seen, Correction("Ferry fares climb", "2025-03-02",
                                                                       "Harbour Gazette", "")), seen)
    changed = [dict(record) for record in RECORDS]
    changed[0].update(body=RECORDS[0]["body"] + " More later.", outlet="Gazette Online")
    write_records(dump, changed)
    import_files(store, [dump])
    after = store.articles.get(article)
    assert (after.title, after.source, after.attributes) == ("Ferry fares climb", "Gazette Online", ())


def test_the_list_filters_by_attributes_and_shows_them_as_columns(imported):
    store, _dump, ids = imported
    transport = ListQuery(where=(("section", "transport"),))
    assert store.listing.count(transport) == 2
    rows = store.listing.page(0, 10, transport, attributes=("desk", "missing"))
    assert [(row.title, row.attributes) for row in rows] == [
        ("Bridge repairs", ("south", None)), ("Ferry fares rise", ("north", None))]
    both = ListQuery(where=(("section", "transport"), ("desk", "south")))
    assert [row.title for row in store.listing.page(0, 10, both)] == ["Bridge repairs"]
    assert both.describe() == "section transport · desk south"
    assert store.articles.attribute_names() == [("desk", 3), ("section", 3)]
    assert store.articles.attribute_values("section") == [("transport", 2), ("culture", 1)]


# ---- attributes on the command line and in the figures ---------------------------------------


@pytest.fixture
def annotated(tmp_path, monkeypatch):
    monkeypatch.delenv("READER_CONFIG", raising=False)
    monkeypatch.delenv("READER_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    write_file(tmp_path / "config.yaml", "annotator: alice\nload_samples: false\n")
    store = Store.open(tmp_path / "annotations.db")
    dump = tmp_path / "wire.jsonl"
    write_records(dump, RECORDS)
    import_files(store, [dump])
    for article_id, title in store.db.execute("SELECT id, title FROM articles").fetchall():
        store.annotations.add(article_id, 0, 6, ["conflict" if "Ferry" in title else "cooperation"], "alice")
    store.annotations.add(1, 7, 12, ["cooperation"], "alice")
    store.close()
    return tmp_path


def cli(*args: str):
    from click.testing import CliRunner

    from reader.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_figures_count_tags_per_attribute_value_and_only_where_it_holds(annotated):
    from reader.store import figures

    store = Store.open(annotated / "annotations.db", read_only=True)
    try:
        per_section = figures.tag_counts(store, "attribute", attribute="section")
        assert (per_section.rows, per_section.columns) == (("transport", "culture"), ("conflict", "cooperation"))
        assert per_section.counts == ((1, 2), (0, 1))
        assert per_section.row_label(None) == "(no section)"
        by_article = figures.tag_counts(store, "attribute", "articles", attribute="desk")
        assert dict(zip(by_article.rows, by_article.row_totals)) == {"south": 2, "north": 2}
        south = figures.tag_counts(store, "source", where=(("desk", "south"),))
        assert (south.rows, south.counts) == (("Harbour Gazette", "Valley Post"), ((0, 1), (0, 1)))
        # with no filter, the fast paths give what the general one does
        assert figures.tag_counts(store, "month") == figures.tag_counts(store, "month", where=())
    finally:
        store.close()


def test_stats_and_export_take_where_and_stats_counts_by_attribute(annotated):
    table = cli("stats", "--by", "attribute", "--attribute", "section", "--format", "csv")
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines() == [
        "section,conflict,cooperation,sum", "transport,1,2,3", "culture,0,1,1", "all section values,1,3,4"]
    narrowed = cli("stats", "--where", "section=transport", "--where", "desk=north", "--by", "source", "--format", "json")
    assert json.loads(narrowed.stdout)["source"]["table"] == [
        {"source": "Harbour Gazette", "counts": {"conflict": 1, "cooperation": 1}, "sum": 2}]
    exported = cli("export", "--format", "csv", "--where", "section=culture")
    assert exported.exit_code == 0, exported.output
    assert [line.split(",")[1] for line in exported.stdout.splitlines()[1:]] == ["Library opens late"]
    for args, problem in [
        (("stats", "--where", "section"), "expected name=value"),
        (("export", "--where", "title=x"), "'title' is an article's own field"),
        (("stats", "--by", "attribute"), "--by attribute goes with --attribute NAME"),
        (("stats", "--by", "attribute", "--attribute", "nothing"), "no article has an attribute called nothing"),
        (("stats", "--by", "cooccurrence", "--where", "desk=north"), "--where goes with the tables per source"),
    ]:
        refused = cli(*args)
        assert refused.exit_code == 2 and problem in refused.output, (args, refused.output)


def test_the_list_sorts_by_an_attribute_and_o_offers_it_only_with_one(imported):
    store, _dump, ids = imported
    store.db.execute("DELETE FROM article_attributes WHERE article_id = ? AND name = 'desk'", [ids["Library opens late"]])
    store.db.conn.commit()
    by_desk = ListQuery(sort="attribute", sort_attribute="desk")
    assert [row.title for row in store.listing.page(0, 10, by_desk)] == [
        "Ferry fares rise", "Bridge repairs", "Library opens late"]  # north, south, then none
    assert store.listing.order(ListQuery(sort="attribute")) == "published"
    # pages of it, across the articles with the attribute and those without, and filtered
    assert [row.title for row in store.listing.page(1, 2, by_desk)] == ["Bridge repairs", "Library opens late"]
    assert [row.title for row in store.listing.page(2, 5, by_desk)] == ["Library opens late"]
    transport = ListQuery(sort="attribute", sort_attribute="desk", where=(("section", "transport"),))
    assert [row.title for row in store.listing.page(0, 5, transport)] == ["Ferry fares rise", "Bridge repairs"]
    culture = ListQuery(sort="attribute", sort_attribute="desk", where=(("section", "culture"),))
    assert [row.title for row in store.listing.page(0, 5, culture)] == ["Library opens late"]
    assert ListQuery(sort="annotations").next_sort() == "published"
    assert ListQuery(sort="annotations", sort_attribute="desk").next_sort() == "attribute"
    assert ListQuery(sort="attribute", sort_attribute="desk").next_sort() == "published"
