"""A re-import of a file updates the article this database imported from it, never a colleague's
article that came through `import-annotations` with the same file path (their path names a file
on their machine), and in a database from before reader recorded this, the closest text."""

import sqlite3

from reader.services.export import write_export
from reader.services.import_yaml import import_annotations
from reader.core.ingest import Document
from reader.store import Store
from reader.store.schema import migrations

PATH = "/home/shared/corpus/harbour.txt"
MINE = "Harbour talks stall\n\nDock workers and port managers met on Monday.\n\nNo deal was reached by noon."
MINE_EDITED = MINE + "\n\nA second meeting is planned for Friday."  # the file, re-scraped
THEIRS = "Harbour talks stall\n\nAn earlier scrape of the page, with other words.\n\nManagers left early."


def document(text: str, path: str = PATH) -> Document:
    return Document(text=text, title="Harbour talks stall", source="Wirefeed", url=None, path=path,
                    published="2025-03-03", locator="")


def colleague_export(tmp_path, text: str = THEIRS):
    """Bob's export: his own import of a file at the same path, with one annotation of his."""
    tmp_path.mkdir(exist_ok=True)
    theirs = Store.open(tmp_path / "bob.db")
    article = theirs.articles.add(document(text)).article_id
    theirs.annotations.add(article, 0, 19, ["conflict"], "bob")
    write_export(theirs, tmp_path / "bob.yaml")
    theirs.close()
    return tmp_path / "bob.yaml"


def articles(store):
    return {row[0]: row[1] for row in store.db.execute("SELECT id, text FROM articles")}


def test_a_reimport_updates_my_article_not_the_colleagues_with_the_same_path(tmp_path):
    store = Store.open(tmp_path / "mine.db")
    mine = store.articles.add(document(MINE)).article_id
    note = store.annotations.add(mine, MINE.index("Dock"), MINE.index("Monday") + 6, ["cooperation"], "alice")
    import_annotations(store, colleague_export(tmp_path))
    (theirs,) = set(articles(store)) - {mine}
    assert theirs > mine  # the colleague's is the newer row: what the path alone would pick

    result = store.articles.add(document(MINE_EDITED))

    assert (result.outcome, result.article_id) == ("updated", mine)
    assert articles(store) == {mine: MINE_EDITED, theirs: THEIRS}
    moved = store.annotations.get(note.id)
    assert MINE_EDITED[moved.start : moved.end] == moved.quote == note.quote
    assert [a.annotator for a in store.annotations.of_article(theirs)] == ["bob"]
    store.close()


def test_a_first_import_of_a_path_a_colleagues_article_has_adds_an_article_of_its_own(tmp_path):
    store = Store.open(tmp_path / "mine.db")
    import_annotations(store, colleague_export(tmp_path))
    (theirs,) = articles(store)

    result = store.articles.add(document(MINE))

    assert result.outcome == "imported" and result.article_id != theirs
    assert articles(store) == {theirs: THEIRS, result.article_id: MINE}
    # and the next version of my file goes to my article
    assert store.articles.add(document(MINE_EDITED)).article_id == result.article_id
    assert articles(store)[theirs] == THEIRS
    store.close()

    # but a colleague's copy of the very text of my file is mine as soon as I import the file
    other = Store.open(tmp_path / "other.db")
    import_annotations(other, colleague_export(tmp_path / "again", MINE))
    (shared,) = articles(other)
    assert other.articles.add(document(MINE)).outcome == "unchanged"
    assert other.articles.add(document(MINE_EDITED)).article_id == shared
    other.close()


def test_my_file_now_holding_the_colleagues_text_is_reported_not_taken_for_unchanged(tmp_path):
    store = Store.open(tmp_path / "mine.db")
    mine = store.articles.add(document(MINE)).article_id
    import_annotations(store, colleague_export(tmp_path, THEIRS))

    result = store.articles.add(document(THEIRS))  # my file now reads as the colleague's copy

    assert result.outcome == "duplicate" and str(mine) in result.detail
    assert articles(store)[mine] == MINE
    store.close()


def test_in_a_database_from_before_arrivals_the_closest_text_takes_the_update(tmp_path):
    path = tmp_path / "old.db"
    from sqlite_utils import Database

    old = Database(path)
    migrations.apply(old, stop_before="m016_article_arrival")
    for uid, text in (("mine", MINE), ("theirs", THEIRS)):  # mine first: the colleague's has the higher id
        old["articles"].insert({"uid": uid, "sha256": uid, "title": "Harbour talks stall", "path": PATH,
                                "locator": "", "text": text, "chars": len(text), "imported": "2025-03-03"})
    old.close()
    store = Store.open(path)
    ids = {row[1]: row[0] for row in store.db.execute("SELECT id, uid FROM articles")}

    assert store.articles.add(document(MINE_EDITED)).article_id == ids["mine"]
    assert articles(store) == {ids["mine"]: MINE_EDITED, ids["theirs"]: THEIRS}
    store.close()
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)
