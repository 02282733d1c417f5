"""Removing articles (issue 16): `reader remove` by id, search, source and path, with a preview and
a confirmation; annotations kept as orphans (put back when the article returns) or deleted with
tombstones; everything derived from the articles (search, entities, tag summaries, agreement) kept
consistent."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from reader.cli import main
from reader.core.ingest import Document
from reader.core.model import ListQuery
from reader.services.export import write_yaml
from reader.services.import_yaml import import_annotations
from reader.store import Store

FERRY = "Ferry crews return\n\nFerry crews returned to work on Tuesday. The harbour board agreed a new rota."
BRIDGE = "Bridge reopens\n\nThe old bridge reopened after repairs. Cyclists crossed it first."
MARKET = "Market hall sold\n\nThe council sold the market hall to a housing trust. Traders asked for more time."


def doc(text: str, path: str, source: str = "Wirefeed") -> Document:
    return Document(text=text, title=text.split("\n")[0], source=source, url=None, path=path,
                    published="2026-02-03", locator="")


def span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


@pytest.fixture
def three(tmp_path):
    store = Store.open(tmp_path / "remove.db")
    ids = [store.articles.add(doc(FERRY, "/news/port/ferry.txt")).article_id,
           store.articles.add(doc(BRIDGE, "/news/town/bridge.txt", "Citydesk")).article_id,
           store.articles.add(doc(MARKET, "/news/town/market.txt", "Citydesk")).article_id]
    yield store, ids
    store.close()


def count(store: Store, sql: str, params=()) -> int:
    return store.db.execute(sql, list(params)).fetchone()[0]


def test_articles_are_chosen_by_id_search_source_and_path(three):
    store, (ferry, bridge, market) = three
    choose = store.removal.chosen
    assert choose(keys=[str(bridge)]) == [bridge]
    assert choose(query=ListQuery(search="harbour")) == [ferry]
    assert choose(query=ListQuery(source="Citydesk")) == [bridge, market]
    assert choose(path_prefixes=["/news/town"]) == [bridge, market]
    assert choose(path_prefixes=["/news/town/"]) == [bridge, market]
    assert choose(path_prefixes=["/news/port/ferry.txt"]) == [ferry]
    assert choose(path_prefixes=["/news/to"]) == []  # a folder, not a string prefix
    assert choose(query=ListQuery(source="Citydesk"), path_prefixes=["/news/town/market.txt"]) == [market]
    with pytest.raises(KeyError):
        choose(keys=["424242"])


def test_removal_keeps_annotations_as_orphans_and_every_derived_table_follows(three):
    store, (ferry, bridge, market) = three
    first = store.annotations.add(ferry, *span(FERRY, "Ferry crews returned to work on Tuesday."), ["conflict"], "alice",
                                  note="strike over")
    store.annotations.add(ferry, *span(FERRY, "The harbour board agreed a new rota."), ["cooperation"], "bob")
    store.articles.tag(ferry, "conflict", "alice")
    store.article_notes.set(ferry, "alice", "follow up", seen=None)
    store.articles.mark_read(ferry)
    preview = store.removal.preview([ferry])
    assert (preview.articles, preview.annotations, preview.article_tags, preview.article_notes) == (1, 2, 1, 1)
    done = store.removal.remove([ferry])
    assert (done.articles, done.annotations, done.deleted) == (1, 2, False)
    assert store.removal.chosen(query=ListQuery(search="harbour")) == []  # the search index
    assert store.removal.chosen(query=ListQuery(search="strike")) == []  # notes' index too
    assert store.removal.chosen(query=ListQuery(search="follow")) == []
    for table in ("annotations", "annotation_tags", "article_tags", "article_notes", "reading",
                  "article_attributes", "entity_indexed", "entity_mentions"):
        assert count(store, f"SELECT count(*) FROM {table} WHERE article_id = ?", [ferry]) == 0, table
    assert count(store, "SELECT count(*) FROM articles") == 2
    # kept as orphans, remembered with their article, never as deletions
    orphans = store.annotations.orphans()
    assert sorted(o.quote for o in orphans) == ["Ferry crews returned to work on Tuesday.",
                                                "The harbour board agreed a new rota."]
    assert {o.article_id for o in orphans} == {0}
    assert store.removal.orphan_titles()[first.id] == "(removed) Ferry crews return"
    assert store.annotations.tombstones() == []
    assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_an_article_imported_again_takes_its_annotations_back(three):
    store, (ferry, _bridge, _market) = three
    kept = store.annotations.add(ferry, *span(FERRY, "The harbour board agreed a new rota."), ["cooperation"], "alice",
                                 note="deal")
    store.removal.remove([ferry])
    result = store.articles.add(doc(FERRY, "/news/port/ferry.txt"))
    assert result.outcome == "imported" and result.reanchored == {"placed": 1}
    [back] = store.annotations.of_article(result.article_id)
    assert (back.id, back.quote, back.tags, back.note) == (kept.id, kept.quote, ("cooperation",), "deal")
    assert store.annotations.orphans() == []
    assert store.removal.chosen(query=ListQuery(search="deal")) == [result.article_id]


def test_a_changed_text_coming_back_re_anchors_and_what_cannot_be_placed_stays_an_orphan(three):
    store, (ferry, _bridge, _market) = three
    moved = store.annotations.add(ferry, *span(FERRY, "The harbour board agreed a new rota."), ["cooperation"], "alice")
    lost = store.annotations.add(ferry, *span(FERRY, "Ferry crews returned to work on Tuesday."), ["conflict"], "alice")
    store.removal.remove([ferry])
    changed = FERRY.replace("Ferry crews returned to work on Tuesday.", "Talks continue.").replace("Ferry crews return", "Ferry talks")
    store.articles.add(doc(changed, "/news/port/other.txt"))
    result_id = store.removal.chosen(path_prefixes=["/news/port/other.txt"])[0]
    # a different text is not the same article: the orphans wait for their own
    assert [a.id for a in store.annotations.of_article(result_id)] == []
    assert {o.id for o in store.annotations.orphans()} == {moved.id, lost.id}


def test_deleting_annotations_leaves_tombstones_that_travel(three, tmp_path):
    store, (ferry, _bridge, _market) = three
    gone = store.annotations.add(ferry, *span(FERRY, "The harbour board agreed a new rota."), ["cooperation"], "bob")
    colleague = Store.open(tmp_path / "colleague.db")
    stream = io.StringIO()
    write_yaml(store, stream)
    (tmp_path / "before.yaml").write_text(stream.getvalue(), encoding="utf-8")
    import_annotations(colleague, tmp_path / "before.yaml")
    assert [a.id for a in colleague.annotations.of_annotators(["bob"])] == [gone.id]
    done = store.removal.remove([ferry], delete_annotations=True)
    assert (done.annotations, done.deleted) == (1, True)
    assert store.annotations.orphans() == []
    assert [(row[0], row[1]) for row in store.annotations.tombstones()] == [(gone.id, "bob")]
    stream = io.StringIO()
    write_yaml(store, stream)
    assert [entry["id"] for entry in yaml.safe_load(stream.getvalue())["deleted"]] == [gone.id]
    (tmp_path / "after.yaml").write_text(stream.getvalue(), encoding="utf-8")
    import_annotations(colleague, tmp_path / "after.yaml")
    assert list(colleague.annotations.of_annotators(["bob"])) == []
    colleague.close()


def test_orphans_of_removed_articles_survive_a_tag_rename_and_a_whole_export(three):
    store, (ferry, bridge, _market) = three
    store.annotations.add(ferry, *span(FERRY, "The harbour board agreed a new rota."), ["cooperation"], "alice")
    store.annotations.add(bridge, *span(BRIDGE, "Cyclists crossed it first."), ["cooperation"], "alice")
    store.removal.remove([ferry])
    store.tags.rename("cooperation", "agreement")
    [orphan] = store.annotations.orphans()
    assert orphan.tags == ("agreement",)
    assert store.removal.orphan_titles()[orphan.id] == "(removed) Ferry crews return"
    stream = io.StringIO()
    write_yaml(store, stream)  # an orphan without its article does not break the export
    assert "Bridge reopens" in stream.getvalue() and "Ferry" not in stream.getvalue()
    back = store.articles.add(doc(FERRY, "/news/port/ferry.txt"))
    assert [a.tags for a in store.annotations.of_article(back.article_id)] == [("agreement",)]
    assert store.annotations.orphans() == []


# ---- the command -------------------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.delenv("READER_CONFIG", raising=False)
    monkeypatch.delenv("READER_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text("annotator: alice\nload_samples: false\n", encoding="utf-8")
    folder = tmp_path / "town"
    folder.mkdir()
    (folder / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    (folder / "market.txt").write_text(MARKET, encoding="utf-8")
    (tmp_path / "ferry.txt").write_text(FERRY, encoding="utf-8")
    assert run("import", "town", "ferry.txt").exit_code == 0
    return tmp_path


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def titles(workspace: Path) -> list[str]:
    conn = sqlite3.connect(workspace / "annotations.db")
    try:
        return [row[0] for row in conn.execute("SELECT title FROM articles ORDER BY title")]
    finally:
        conn.close()


def test_remove_shows_what_it_would_remove_and_asks(workspace):
    refused = run("remove", "--search", "bridge", stdin="n\n")
    assert "Would remove 1 article (no annotations)" in refused.output
    assert "Bridge reopens" in refused.output
    assert refused.exit_code == 1 and "Error: nothing removed" in refused.output
    assert titles(workspace) == ["Bridge reopens", "Ferry crews return", "Market hall sold"]
    agreed = run("remove", "--search", "bridge", stdin="y\n")
    assert agreed.exit_code == 0
    assert agreed.output.strip().splitlines()[-1] == "Removed 1 article."
    assert titles(workspace) == ["Ferry crews return", "Market hall sold"]


def test_remove_by_path_of_a_folder_dry_run_and_json(workspace):
    dry = run("remove", "--path", "town", "--dry-run")
    assert dry.exit_code == 0 and dry.output.startswith("Would remove 2 articles")
    assert len(titles(workspace)) == 3
    done = run("remove", "--path", str(workspace / "town"), "--yes", "--json")
    facts = json.loads(done.stdout)
    assert (facts["articles"], facts["removed"], facts["dry_run"]) == (2, 2, False)
    assert sorted(facts["titles"]) == ["Bridge reopens", "Market hall sold"]
    assert titles(workspace) == ["Ferry crews return"]


def test_remove_by_id_and_source_and_the_errors(workspace):
    assert run("remove").exit_code == 2
    missing = run("remove", "999", "--yes")
    assert missing.exit_code == 2 and "no article with the id '999'" in missing.output
    nothing = run("remove", "--source", "Nobody", "--yes")
    assert nothing.exit_code == 0 and nothing.output.strip() == "No article matches: nothing removed."
    assert run("remove", "1", "--yes").exit_code == 0
    assert len(titles(workspace)) == 2


def test_deleting_annotations_needs_the_word(workspace):
    store = Store.open(workspace / "annotations.db")
    [ferry] = store.removal.chosen(query=ListQuery(search="harbour"))
    store.annotations.add(ferry, *span(FERRY, "The harbour board agreed a new rota."), ["cooperation"], "alice")
    store.close()
    half = run("remove", "--search", "harbour", "--delete-annotations", stdin="y\nyes\n")
    assert half.exit_code == 1 and "needs the word delete" in half.output
    assert "with 1 annotation deleted for good" in half.output
    kept = run("remove", "--search", "harbour", stdin="y\n")
    assert "1 annotation kept as orphans" in kept.output
    exported = run("export", "-o", "out.yaml")
    assert "note: 1 orphan of removed articles is not exported" in exported.output
    store = Store.open(workspace / "annotations.db")
    assert len(store.annotations.orphans()) == 1 and store.annotations.tombstones() == []
    store.close()
    # the same file imported again puts the annotation back, and says so
    again = run("import", "ferry.txt")
    assert "annotations of removed articles imported again: 1 put back, 0 orphans" in again.output
    store = Store.open(workspace / "annotations.db")
    assert store.annotations.orphans() == [] and store.annotations.count() == 1
    [ferry] = store.removal.chosen(query=ListQuery(search="harbour"))
    store.close()
    deleted = run("remove", str(ferry), "--delete-annotations", stdin="y\ndelete\n")
    assert deleted.exit_code == 0 and "deleted 1 annotation" in deleted.output
    store = Store.open(workspace / "annotations.db")
    assert store.annotations.count() == 0 and store.annotations.orphans() == []
    assert len(store.annotations.tombstones()) == 1
    store.close()


def test_titles_from_outside_are_guarded(workspace):
    store = Store.open(workspace / "annotations.db")  # a title as another database may hold it, unfiltered
    store.articles.add_exported(uid="evil-1", sha256="e" * 64, title="Evil \x1b]0;owned\x07 title", text="Body text.",
                                source=None, url=None, path="evil.txt", locator="", published=None)
    store.close()
    result = run("remove", "--path", str(workspace / "evil.txt"), "--dry-run")
    assert result.exit_code == 0 and "Would remove 1 article" in result.output and "Evil" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output


def test_the_entity_index_and_the_tag_summaries_forget_a_removed_article(three):
    from reader.core.entities import Span
    from reader.core.model import sha256_text
    from reader.store import entity_index

    store, (ferry, bridge, _market) = three
    for article_id, text in ((ferry, FERRY), (bridge, BRIDGE)):
        with store.writing("indexing"):
            store.entities.cache(sha256_text(text), "test/1", [Span(0, 5, "ORG", "test")])
            entity_index.index_article(store.db, article_id, sha256_text(text), "test/1", text, "2026-02-03",
                                       [Span(0, 5, "ORG", "test")])
    store.annotations.add(ferry, *span(FERRY, "The harbour board agreed a new rota."), ["cooperation"], "alice")
    store.annotations.add(bridge, *span(BRIDGE, "Cyclists crossed it first."), ["cooperation"], "alice")
    store.removal.remove([ferry])
    assert count(store, "SELECT count(*) FROM entity_cache WHERE sha256 = ?", [sha256_text(FERRY)]) == 0
    assert count(store, "SELECT count(*) FROM entity_cache WHERE sha256 = ?", [sha256_text(BRIDGE)]) == 1
    assert store.db.execute("SELECT sum(articles), sum(mentions) FROM entities").fetchone() == (1, 1)
    assert store.db.execute("SELECT sum(articles), sum(mentions) FROM entity_months").fetchone() == (1, 1)
    assert store.db.execute(
        "SELECT article_id, article_source, article_month FROM annotation_tags"
    ).fetchall() == [(bridge, "Citydesk", "2026-02")]


def test_a_database_made_before_m023_keeps_its_orphans_and_their_tombstone_trigger(tmp_path):
    import json as json_module

    from sqlite_utils import Database

    from reader.store.schema import migrations

    path = tmp_path / "old.db"
    db = Database(path)
    db.execute("PRAGMA foreign_keys = ON")
    migrations.apply(db, stop_before="m023_orphans_of_removed_articles")
    article_id = db["articles"].insert({
        "uid": "u1", "sha256": "s1", "title": "Ferry crews return", "text": FERRY, "chars": len(FERRY),
        "imported": "2026-01-01T00:00:00+00:00", "path": "ferry.txt", "locator": "",
    }).last_pk
    record = {"id": "orphan-1", "article_id": article_id, "start": 0, "end": 5, "quote": "Ferry", "prefix": "",
              "suffix": " crews", "note": None, "annotator": "alice", "created": "2026-01-02T00:00:00+00:00",
              "updated": "2026-01-02T00:00:00+00:00", "tags": ["conflict"]}
    db["orphans"].insert({"id": "orphan-1", "article_id": article_id, "record": json_module.dumps(record),
                          "orphaned": "2026-01-03T00:00:00+00:00"})
    db["tombstones"].insert({"id": "orphan-2", "annotator": "alice", "deleted": "2026-01-04T00:00:00+00:00"})
    db.close()
    store = Store.open(path)
    try:
        assert [(o.id, o.article_id, o.tags) for o in store.annotations.orphans()] == [("orphan-1", article_id, ("conflict",))]
        store.annotations.insert_orphan(replace_id(store.annotations.orphans()[0], "orphan-2"), "2026-01-05T00:00:00+00:00")
        assert store.annotations.tombstones() == []  # an orphan written with a deleted id lifts its deletion
        store.removal.remove([article_id])
        assert {o.id for o in store.annotations.orphans()} == {"orphan-1", "orphan-2"}
    finally:
        store.close()


def replace_id(annotation, new_id):
    from dataclasses import replace

    return replace(annotation, id=new_id)


def test_a_removal_confirmed_before_another_window_annotated_is_refused(three, tmp_path):
    from reader.store.errors import StaleWriteError

    store, (ferry, _bridge, _market) = three
    seen = store.removal.preview([ferry])
    other = Store.open(tmp_path / "remove.db")  # another window, annotating meanwhile
    other.annotations.add(ferry, *span(FERRY, "The harbour board agreed a new rota."), ["cooperation"], "bob")
    other.close()
    with pytest.raises(StaleWriteError, match="changed since they were shown"):
        store.removal.remove([ferry], delete_annotations=True, seen=seen)
    assert store.listing.count() == 3 and store.annotations.count() == 1
    done = store.removal.remove([ferry], delete_annotations=True, seen=store.removal.preview([ferry]))
    assert done.annotations == 1


def test_an_assigned_and_corrected_article_is_removed_with_its_assignment_and_corrections(three):
    """What the coding study and the corrections keep about an article goes with it (and a new
    article that takes the freed id inherits none of it)."""
    from dataclasses import replace

    store, (ferry, _bridge, market) = three
    store.assignments.replace({market: (("alice", "bob"), True)}, [])
    seen = store.articles.meta_of(market)
    store.articles.set_meta(market, replace(seen, title="Market hall sold to trust", edited=frozenset({"title"})), seen)
    assert store.articles.edited_fields(market) == {"title"}
    done = store.removal.remove([market])
    assert done.articles == 1
    for table in ("assignments", "article_edits"):
        assert count(store, f"SELECT count(*) FROM {table} WHERE article_id = ?", [market]) == 0, table
    assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
    again = store.articles.add(doc(MARKET.replace("sold", "leased"), "/news/town/market2.txt")).article_id
    assert store.articles.edited_fields(again) == frozenset()
    assert not store.assignments.current([again]).get(again)
