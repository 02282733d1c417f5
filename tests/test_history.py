from dataclasses import replace

import pytest

from reader.core.config import TagSpec
from reader.services.history import History
from reader.core.ingest import Document
from reader.store import Store

TEXT = "Ana Lima met the minister. They disagreed on Tuesday."


@pytest.fixture
def setup():
    store = Store.memory()
    store.tags.sync([TagSpec("conflict", "1", "red", ""), TagSpec("quote", "2", "blue", "")])
    article_id = store.articles.add(
        Document(text=TEXT, title="t", source=None, url=None, path="a.txt", published=None, locator="")
    ).article_id
    return store, History(store), article_id


def state(store, article_id):
    return [(a.id, a.start, a.end, a.tags, a.note, a.created) for a in store.annotations.of_article(article_id)]


def test_undo_and_redo_an_add(setup):
    store, history, article_id = setup
    added = history.add(article_id, 0, 8, ["conflict"], "alice").annotation
    history.undo()
    assert state(store, article_id) == []
    history.redo()
    [again] = store.annotations.of_article(article_id)
    # same id and creation: redo is the same annotation, not a copy; newer than its undo (a deletion that travels)
    assert replace(again, updated=added.updated) == added and again.updated > added.updated


def test_undo_a_delete_restores_tags_note_and_timestamps(setup):
    store, history, article_id = setup
    store.annotations.add(article_id, 0, 8, ["conflict", "quote"], "alice", note="check")
    before = state(store, article_id)
    history.delete(before[0][0])
    assert state(store, article_id) == [] and store.db["annotation_tags"].count == 0
    history.undo()
    assert state(store, article_id) == before
    history.redo()
    assert state(store, article_id) == []


def test_tag_changes_undo_in_order_and_a_new_change_clears_redo(setup):
    store, history, article_id = setup
    annotation = history.add(article_id, 0, 8, ["conflict"], "alice").annotation
    history.add_tag(annotation.id, "quote")
    assert store.annotations.get(annotation.id).tags == ("conflict", "quote")
    history.remove_tag(annotation.id, "conflict")
    assert store.annotations.get(annotation.id).tags == ("quote",)
    assert history.undo().change.kind == "untag"
    assert store.annotations.get(annotation.id).tags == ("conflict", "quote")
    assert history.undo().change.kind == "tag"
    assert store.annotations.get(annotation.id).tags == ("conflict",)
    history.add(article_id, 9, 12, ["quote"], "alice")
    assert history.redo() is None
    assert history.undo().change.kind == "add" and history.undo().change.kind == "add"
    assert history.undo() is None
    assert state(store, article_id) == []


def test_the_last_tag_cannot_be_removed(setup):
    store, history, article_id = setup
    annotation = history.add(article_id, 0, 8, ["conflict"], "alice").annotation
    with pytest.raises(ValueError):
        history.remove_tag(annotation.id, "conflict")
    assert store.annotations.get(annotation.id).tags == ("conflict",)


def test_note_changes_undo_to_the_previous_note(setup):
    store, history, article_id = setup
    annotation = history.add(article_id, 0, 8, ["conflict"], "alice").annotation
    history.set_note(annotation.id, "first")
    history.set_note(annotation.id, "second\nline")
    assert store.annotations.get(annotation.id).note == "second\nline"
    history.undo()
    assert store.annotations.get(annotation.id).note == "first"
    history.undo()
    assert store.annotations.get(annotation.id).note is None
    history.redo()
    assert store.annotations.get(annotation.id).note == "first"


def test_article_tags_undo_and_redo_with_their_annotator(setup):
    store, history, article_id = setup
    assert history.tag_article(article_id, "conflict", "alice").kind == "article_tag"
    assert history.tag_article(article_id, "conflict", "alice") is None  # already there: nothing recorded
    assert store.articles.get(article_id).tags == ("conflict",)
    history.undo()
    assert store.articles.get(article_id).tags == ()
    history.redo()
    row = store.db.execute("SELECT annotator FROM article_tags").fetchone()
    assert row == ("alice",)
    history.untag_article(article_id, "conflict")
    assert store.articles.get(article_id).tags == ()
    history.undo()
    assert store.articles.get(article_id).tags == ("conflict",)
