import sqlite3
import pytest

from reader.core.config import TagSpec
from reader.core.ingest import Document
from reader.core.entities import Span
from reader.core.model import HIT_END, HIT_START, ListQuery, sha256_text
from reader.store import Store, StoreError, StoreWriteError
from reader.store.schema import migrations

TEXT = "GENEVA — Talks resumed on Tuesday. Ana Lima said the draft was “close”.\n\nA second paragraph."


def doc(text: str = TEXT, path: str = "a.txt", locator: str = "", title: str = "Talks resume") -> Document:
    return Document(text=text, title=title, source="Wirefeed", url=None, path=path, published="2025-09-14", locator=locator)


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "annotations.db")
    store.tags.sync([TagSpec("conflict", "1", "red", "Disagreement")])
    yield store
    store.close()


def test_schema_is_migrated_and_recorded(store):
    tables = set(store.db.table_names())
    assert {"articles", "annotations", "tags", "annotation_tags", "article_tags", "_sqlite_migrations"} <= tables
    names = [row["name"] for row in store.db["_sqlite_migrations"].rows]
    assert names[:8] == ["m001_initial_schema", "m002_search_and_reading_state", "m003_entity_cache", "m004_packed_entity_cache", "m005_entity_feedback", "m006_pending_annotations", "m007_orphans", "m008_annotator_index"]
    assert "m010_codebook_from_config" in names
    assert migrations.pending(store.db) == []
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_reopening_does_not_reapply_migrations(tmp_path):
    first = Store.open(tmp_path / "x.db")
    applied = [row["name"] for row in first.db["_sqlite_migrations"].rows]
    first.close()
    again = Store.open(tmp_path / "x.db")
    assert [row["name"] for row in again.db["_sqlite_migrations"].rows] == applied
    again.close()


def test_same_text_is_stored_once(store):
    first = store.articles.add(doc())
    assert first.outcome == "imported"
    assert store.articles.add(doc()).outcome == "unchanged"
    duplicate = store.articles.add(doc(path="copy.txt"))
    assert duplicate.outcome == "duplicate" and "a.txt" in duplicate.detail
    assert store.listing.count() == 1
    article = store.articles.get(first.article_id)
    assert article.sha256 == sha256_text(TEXT) == article.uid
    assert article.text == TEXT


def test_changed_text_replaces_an_article_and_moves_its_annotations(store):
    article_id = store.articles.add(doc()).article_id
    assert store.articles.add(doc(text=TEXT + " More.")).outcome == "updated"
    assert store.articles.get(article_id).text == TEXT + " More."
    start = TEXT.index("Ana Lima")
    kept = store.annotations.add(article_id, start, start + 8, ["conflict"], "alice", note="who?")
    sentence = "Talks resumed on Tuesday."
    gone = store.annotations.add(article_id, TEXT.index(sentence), TEXT.index(sentence) + len(sentence), ["conflict"], "bob")
    new_text = "Breaking: " + TEXT.replace(sentence, "Negotiations collapsed overnight.") + " More."
    result = store.articles.add(doc(text=new_text))
    assert result.outcome == "updated" and result.reanchored == {"moved": 1, "orphan": 1}
    assert store.articles.get(article_id).text == new_text
    [moved] = store.annotations.of_article(article_id)
    assert moved.id == kept.id and new_text[moved.start : moved.end] == "Ana Lima" == moved.quote
    assert (moved.note, moved.tags, moved.created) == ("who?", ("conflict",), kept.created)
    [orphan] = store.annotations.orphans(article_id)
    assert (orphan.id, orphan.quote, orphan.tags) == (gone.id, sentence, ("conflict",))
    _orphan, _orphaned, placed = store.annotations.reattach_orphan(gone.id, 10, 22)
    assert placed.quote == new_text[10:22] and store.annotations.orphans() == []
    assert {a.id for a in store.annotations.of_article(article_id)} == {kept.id, gone.id}


def test_an_orphan_can_be_deleted(store):
    article_id = store.articles.add(doc()).article_id
    gone = store.annotations.add(article_id, 0, 6, ["conflict"], "bob")
    store.articles.add(doc(text="Nothing alike at all here."))
    assert [o.id for o in store.annotations.orphans()] == [gone.id] and store.annotations.orphan_count() == 1
    store.annotations.delete_orphan(gone.id)
    assert store.annotations.orphans() == [] and store.annotations.of_article(article_id) == []


def test_annotation_is_saved_with_quote_context_and_tags(store):
    article_id = store.articles.add(doc()).article_id
    start = TEXT.index("Ana Lima")
    end = start + len("Ana Lima")
    saved = store.annotations.add(article_id, start, end, ["conflict", "new-tag", "conflict"], "alice", note="who?")
    [loaded] = store.annotations.of_article(article_id)
    assert loaded == saved
    assert loaded.quote == "Ana Lima"
    assert loaded.prefix == TEXT[start - 32 : start]
    assert loaded.suffix == TEXT[end : end + 32]
    assert loaded.tags == ("conflict", "new-tag")
    assert loaded.annotator == "alice" and loaded.note == "who?"
    assert "new-tag" in store.tags.names()
    row = store.listing.page(0, 10)[0]
    assert row.annotation_count == 1 and row.tags == ("conflict", "new-tag")


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (5, 5), (0, len(TEXT) + 1), (10, 4)])
def test_annotation_outside_the_text_is_refused(store, start, end):
    article_id = store.articles.add(doc()).article_id
    with pytest.raises(ValueError):
        store.annotations.add(article_id, start, end, ["conflict"], "alice")
    assert store.annotations.count() == 0


def test_failed_write_leaves_no_half_annotation(store, monkeypatch):
    article_id = store.articles.add(doc()).article_id

    def broken(name: str) -> int:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store.tags, "ensure", broken)
    with pytest.raises(StoreWriteError, match="the disk failed to write; not saved: “GENEVA” tagged conflict"):
        store.annotations.add(article_id, 0, 6, ["conflict"], "alice")
    assert store.annotations.count() == 0
    assert store.db["annotation_tags"].count == 0


def test_annotation_is_visible_to_another_connection_at_once(store, tmp_path):
    article_id = store.articles.add(doc()).article_id
    store.annotations.add(article_id, 0, 6, ["conflict"], "alice")
    other = sqlite3.connect(tmp_path / "annotations.db")
    assert other.execute("SELECT quote FROM annotations").fetchall() == [("GENEVA",)]
    other.close()


def test_list_is_windowed_and_sorted(store):
    for day in range(1, 6):
        story = Document(
            text=f"Story {day}.", title=f"Story {day}", source="S", url=None,
            path=f"{day}.txt", published=f"2025-01-0{day}", locator="",
        )
        store.articles.add(story)
    newest_first = [row.title for row in store.listing.page(0, 10)]
    assert newest_first == ["Story 5", "Story 4", "Story 3", "Story 2", "Story 1"]
    assert [row.title for row in store.listing.page(1, 2)] == ["Story 4", "Story 3"]
    assert [row.title for row in store.listing.page(0, 2, ListQuery(sort="title"))] == ["Story 1", "Story 2"]


def test_sync_tags_updates_colour_and_keeps_ids(store):
    before = store.db.execute("SELECT id FROM tags WHERE name = 'conflict'").fetchone()[0]
    store.tags.sync([TagSpec("conflict", "1", "#00ff00", "Changed")])
    row = store.db.execute("SELECT id, color, description FROM tags WHERE name = 'conflict'").fetchone()
    assert row == (before, "#00ff00", "Changed")


def test_unopenable_database_is_a_one_line_error(tmp_path):
    bad = tmp_path / "not-a-db.db"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError) as caught:
        Store.open(bad)
    assert str(bad) in str(caught.value) and "\n" not in str(caught.value)
    assert bad.read_bytes() == b"this is not sqlite at all" * 100


def test_sync_tags_writes_nothing_when_nothing_changed(store):
    changes = store.db.conn.total_changes
    store.tags.sync([TagSpec("conflict", "1", "red", "Disagreement")])
    assert store.db.conn.total_changes == changes
    store.tags.sync([TagSpec("conflict", "1", "red", "Disagreement"), TagSpec("new", "2", "blue", "")])
    assert store.db.conn.total_changes == changes + 2  # the tag, and the record of what config.yaml said
    assert store.tags.names() == ["conflict", "new"]


def test_original_text_of_a_changed_article_can_be_imported_again(store):
    first = store.articles.add(doc()).article_id
    assert store.articles.add(doc(text=TEXT + " Edited.")).outcome == "updated"
    again = store.articles.add(doc(path="copy-of-original.txt"))
    assert again.outcome == "imported" and again.article_id != first
    uids = {store.articles.get(first).uid, store.articles.get(again.article_id).uid}
    assert len(uids) == 2


def corpus(store):
    stories = [
        ("Port strike spreads", "Dockers in Rotterdam walked out over automation.", "Harbour Ledger", "2025-02-01"),
        ("Müller wins runoff", "José Müller-Ortíz won the Wrocław runoff narrowly.", "Daily Meridian", "2025-03-01"),
        ("Drought in the delta", "Salt water crept inland; farmers in the delta lost rice.", "Wirefeed", "2025-01-01"),
    ]
    ids = {}
    for title, text, source, published in stories:
        ids[title] = store.articles.add(
            Document(text=text, title=title, source=source, url=None, path=title, published=published, locator="")
        ).article_id
    return ids


def titles(store, query, offset=0, limit=10):
    return [row.title for row in store.listing.page(offset, limit, query)]


def test_full_text_search_finds_words_with_hits_in_context(store):
    corpus(store)
    query = ListQuery(search="automation")
    assert titles(store, query) == ["Port strike spreads"] and store.listing.count(query) == 1
    [row] = store.listing.page(0, 10, query)
    assert f"{HIT_START}automation{HIT_END}" in row.snippet
    # diacritics and case are ignored; FTS syntax in the query is taken literally
    assert titles(store, ListQuery(search="muller")) == ["Müller wins runoff"]
    assert titles(store, ListQuery(search='ortiz AND "')) == ["Müller wins runoff"]  # stray syntax is harmless
    assert titles(store, ListQuery(search='"')) == [] and store.listing.count(ListQuery(search='"')) == 0
    assert titles(store, ListQuery(search="automation OR runoff")) == ["Müller wins runoff", "Port strike spreads"]
    assert titles(store, ListQuery(search="walked -automation")) == []
    assert titles(store, ListQuery(search="ORTIZ")) == ["Müller wins runoff"]


def test_search_covers_annotation_notes(store):
    ids = corpus(store)
    store.annotations.add(ids["Drought in the delta"], 0, 10, ["conflict"], "alice", note="compare with Mekong coverage")
    [row] = store.listing.page(0, 10, ListQuery(search="mekong"))
    assert row.title == "Drought in the delta" and row.snippet.startswith("note: ")


def test_a_kept_search_set_follows_new_notes_and_other_connections(store, tmp_path):
    ids = corpus(store)
    query = ListQuery(search="mekong")
    assert store.listing.count(query) == 0 and titles(store, query) == []
    store.annotations.add(ids["Drought in the delta"], 0, 10, ["conflict"], "alice", note="Mekong too")
    assert store.listing.count(query) == 1
    other = Store.open(tmp_path / "annotations.db")
    other.articles.add(doc(text="The Mekong ferry resumed.", path="elsewhere"))
    other.close()
    assert store.listing.count(query) == 2 and len(titles(store, query)) == 2


def test_filters_by_tag_source_and_read_state_combine(store):
    ids = corpus(store)
    store.annotations.add(ids["Port strike spreads"], 0, 7, ["conflict"], "alice")
    assert titles(store, ListQuery(tag="conflict")) == ["Port strike spreads"]
    assert titles(store, ListQuery(source="Wirefeed")) == ["Drought in the delta"]
    store.articles.mark_read(ids["Müller wins runoff"])
    assert titles(store, ListQuery(read="read")) == ["Müller wins runoff"]
    assert titles(store, ListQuery(read="unread")) == ["Port strike spreads", "Drought in the delta"]
    assert titles(store, ListQuery(read="unread", source="Wirefeed")) == ["Drought in the delta"]
    store.articles.mark_read(ids["Müller wins runoff"], read=False)
    assert store.listing.count(ListQuery(read="read")) == 0
    assert [row.read for row in store.listing.page(0, 10)] == [False, False, False]


def test_sorting(store):
    ids = corpus(store)
    store.annotations.add(ids["Drought in the delta"], 0, 4, ["conflict"], "alice")
    assert titles(store, ListQuery(sort="title")) == ["Drought in the delta", "Müller wins runoff", "Port strike spreads"]
    assert titles(store, ListQuery(sort="source")) == ["Müller wins runoff", "Port strike spreads", "Drought in the delta"]
    assert titles(store, ListQuery(sort="annotations"))[0] == "Drought in the delta"
    assert titles(store, ListQuery(sort="published")) == ["Müller wins runoff", "Port strike spreads", "Drought in the delta"]


def test_reading_position_is_remembered(store):
    ids = corpus(store)
    article_id = ids["Port strike spreads"]
    assert store.articles.position(article_id) == 0
    store.articles.save_position(article_id, 17)
    store.articles.mark_read(article_id)
    assert store.articles.position(article_id) == 17
    assert store.listing.page(0, 10, ListQuery(read="read"))[0].read


def test_search_index_follows_text_updates(store):
    article_id = store.articles.add(doc(text="Original words here.")).article_id
    store.articles.add(doc(text="Completely different vocabulary."))
    assert store.listing.count(ListQuery(search="original")) == 0
    assert store.listing.count(ListQuery(search="vocabulary")) == 1
    assert store.articles.get(article_id).text == "Completely different vocabulary."


def test_a_version_1_database_upgrades_with_its_articles_searchable(tmp_path):
    from sqlite_utils import Database

    from reader.store.schema import migrations

    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m002_search_and_reading_state")
    old["articles"].insert(
        {"uid": "u", "sha256": "s", "title": "Old story", "text": "Harbour cranes idle.", "chars": 20, "imported": "x"}
    )
    old.close()
    upgraded = Store.open(path)
    assert upgraded.listing.count(ListQuery(search="cranes")) == 1
    upgraded.close()


def test_entity_cache_round_trips_per_text_and_engine(store):
    spans = [Span(30, 38, "PERSON", "heuristic", 0.5), Span(0, 6, "GPE", "builtin", 0.9)]
    assert store.entities.cached("abc", "simple/1/x") is None
    store.entities.cache("abc", "simple/1/x", spans)
    assert list(store.entities.cached("abc", "simple/1/x")) == sorted(spans, key=lambda span: span.start)
    assert store.entities.cached("abc", "simple/2/x") is None


def test_an_unreadable_cache_row_is_a_miss_not_an_error(store):
    store.db.execute(
        "INSERT INTO entity_cache (sha256, engine, spans, created) VALUES ('abc', 'e', ?, 'x')", [b"[[0,6]]"]
    )
    assert store.entities.cached("abc", "e") is None


def test_a_json_entity_cache_is_dropped_on_upgrade(tmp_path):
    from sqlite_utils import Database

    from reader.store.schema import migrations

    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m004_packed_entity_cache")
    old["entity_cache"].insert({"sha256": "abc", "engine": "e", "spans": '[[0,6,"GPE","builtin",0.9]]', "created": "x"})
    old.close()
    upgraded = Store.open(path)
    assert upgraded.entities.cached("abc", "e") is None
    upgraded.entities.cache("abc", "e", [Span(0, 6, "GPE", "builtin", 0.9)])
    assert len(upgraded.entities.cached("abc", "e")) == 1
    upgraded.close()
