"""A write made against an older view is refused, never stored shifted; undo and redo re-anchor or
refuse; every undo gives back everything its action changed (keys, orphans, verdicts included).

"Another program" is a second connection to the same database file, as another reader or a
`reader import` would be.
"""

import pytest

from reader.core.config import TagSpec
from reader.services.history import History
from reader.core.ingest import Document
from reader.core.model import sha256_text
from reader.store import StaleWriteError, Store

from .conftest import user_rows

TEXT = "Port talks\n\nDockers walked out on Monday. The union blamed the operator. Talks resume Friday."
EDITED = "Port talks\n\nUPDATE: a new paragraph arrived first.\n\n" + TEXT.removeprefix("Port talks\n\n")


def article(text: str) -> Document:
    return Document(text=text, title="Port talks", source="Wirefeed", url=None, path="port.txt", published="2025-01-01",
                    locator="")


@pytest.fixture
def two(tmp_path):
    """This window's store with one article, and another program's connection to the same file."""
    mine = Store.open(tmp_path / "annotations.db")
    mine.tags.sync([TagSpec("conflict", "1", "red", ""), TagSpec("quote", "2", "blue", "")])
    article_id = mine.articles.add(article(TEXT)).article_id
    other = Store.open(tmp_path / "annotations.db")
    yield mine, other, article_id
    other.close()
    mine.close()


def span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


# ---- a write against an older text or passage is refused ------------------------------------


def test_a_passage_taken_from_a_text_another_program_replaced_is_refused_and_nothing_written(two):
    mine, other, article_id = two
    seen = sha256_text(TEXT)
    start, end = span(TEXT, "The union blamed the operator.")
    other.articles.add(article(EDITED))  # re-imported with a paragraph before the passage
    before = user_rows(mine)
    with pytest.raises(StaleWriteError) as caught:
        mine.annotations.add(article_id, start, end, ["conflict"], "alice", seen_sha256=seen)
    assert "text changed since it was shown" in caught.value.reason and "\n" not in str(caught.value)
    assert user_rows(mine) == before
    # against the text now stored, the same words are stored right
    start, end = span(EDITED, "The union blamed the operator.")
    stored = mine.annotations.add(article_id, start, end, ["conflict"], "alice", seen_sha256=sha256_text(EDITED))
    assert stored.quote == "The union blamed the operator." == EDITED[stored.start : stored.end]


def test_tag_untag_note_and_delete_refuse_a_passage_changed_or_orphaned_since_it_was_seen(two):
    mine, other, article_id = two
    start, end = span(TEXT, "Dockers walked out on Monday.")
    seen = mine.annotations.add(article_id, start, end, ["conflict"], "alice")
    other.annotations.set_note(seen.id, "changed in the other window")
    for write in (
        lambda: mine.annotations.tag(seen.id, "quote", seen=seen),
        lambda: mine.annotations.untag(seen.id, "conflict", seen=seen),
        lambda: mine.annotations.set_note(seen.id, "mine", seen=seen),
        lambda: mine.annotations.delete(seen.id, seen=seen),
    ):
        with pytest.raises(StaleWriteError, match="changed since it was shown"):
            write()
    assert mine.annotations.get(seen.id).note == "changed in the other window"
    # orphaned by a re-import in the other program: x is refused (no KeyError), the note is kept
    now = mine.annotations.get(seen.id)
    other.articles.add(article("Port talks\n\nNothing about the dockers is left in this version of the story."))
    with pytest.raises(StaleWriteError, match="lost its place"):
        mine.annotations.delete(now.id, seen=now)
    noted = mine.annotations.set_note(now.id, "typed while it was orphaned", seen=now)
    [orphan] = mine.annotations.orphans(article_id)
    assert orphan.id == now.id and orphan.note == noted.note == "typed while it was orphaned"


# ---- undo and redo re-anchor or refuse ------------------------------------------------------


def test_undo_of_a_delete_after_a_re_import_puts_the_passage_on_the_new_text(two):
    mine, other, article_id = two
    history = History(mine)
    start, end = span(TEXT, "The union blamed the operator.")
    added = history.add(article_id, start, end, ["conflict"], "alice", sha256_text(TEXT)).after
    history.delete(added.id)
    other.articles.add(article(EDITED))
    replayed = history.undo()
    assert replayed.where == "placed"
    [back] = mine.annotations.of_article(article_id)
    assert back.id == added.id and back.quote == EDITED[back.start : back.end] == "The union blamed the operator."
    assert (back.start, back.end) == span(EDITED, "The union blamed the operator.")


def test_undo_of_a_delete_whose_words_are_gone_keeps_it_as_an_orphan(two):
    mine, other, article_id = two
    history = History(mine)
    start, end = span(TEXT, "The union blamed the operator.")
    added = history.add(article_id, start, end, ["conflict"], "alice").after
    history.delete(added.id)
    other.articles.add(article("Port talks\n\nA wholly different report replaced the story overnight."))
    assert history.undo().where == "orphan"
    assert mine.annotations.of_article(article_id) == [] and [o.id for o in mine.annotations.orphans()] == [added.id]
    history.redo()  # the delete again: the orphan goes
    assert mine.annotations.orphans() == []


def test_an_undo_against_a_passage_changed_elsewhere_is_refused_and_dropped(two):
    mine, other, article_id = two
    history = History(mine)
    start, end = span(TEXT, "Dockers walked out on Monday.")
    first = history.add(article_id, start, end, ["conflict"], "alice").after
    history.set_note(first.id, "mine")
    other.annotations.set_note(first.id, "the other window's")
    with pytest.raises(StaleWriteError):
        history.undo()  # would overwrite a note this window never showed
    assert mine.annotations.get(first.id).note == "the other window's"
    with pytest.raises(StaleWriteError):
        history.undo()  # the add before it: deleting would lose the other window's note
    assert history.undo() is None  # both dropped, each with its reason
    assert mine.annotations.get(first.id).note == "the other window's"


def test_undo_after_do_gives_back_the_same_rows_for_every_kind_of_change(two):
    mine, _other, article_id = two
    history = History(mine)
    start, end = span(TEXT, "Dockers walked out on Monday.")
    placed = mine.annotations.add(article_id, start, end, ["conflict"], "alice")
    mine.articles.add(article("Port talks\n\nThe union blamed the operator. Talks resume Friday."))  # orphans it
    mine.articles.tag(article_id, "quote", "bob", "2025-01-02T00:00:00+00:00")
    mine.tags.set_look("quote", key="8")
    steps = [
        lambda: history.add(article_id, 13, 43, ["conflict"], "alice"),
        lambda: history.untag_article(article_id, "quote"),
        lambda: history.tag_article(article_id, "conflict", "alice"),
        lambda: history.merge_tags("quote", "conflict"),
        lambda: history.rename_tag("conflict", "dispute"),
        lambda: history.set_tag_look("dispute", key="9", color="green"),
        lambda: history.accept_entity("Port", "ORG", "alice"),
        lambda: history.reject_entity("Port", "ORG", "alice"),
        lambda: history.reattach(placed.id, 13, 43),
        lambda: history.delete_orphan(placed.id) if mine.annotations.state(placed.id)[0] == "orphan" else None,
    ]
    for step in steps:
        before = user_rows(mine)
        if step() is None:
            continue
        after = user_rows(mine)
        assert after != before
        history.undo()
        assert user_rows(mine) == before, step
        history.redo()
        assert user_rows(mine) == after, step


def test_undo_takes_back_a_tag_its_change_created_and_redo_makes_it_again(two):
    mine, _other, article_id = two
    history = History(mine)
    added = history.add(article_id, 13, 42, ["fresh"], "alice").after
    assert "fresh" in mine.tags.names()
    history.undo()
    assert "fresh" not in mine.tags.names()
    history.redo()
    assert mine.annotations.get(added.id).tags == ("fresh",)
    history.tag_article(article_id, "fresh", "alice")
    history.undo()
    assert "fresh" in mine.tags.names()  # still used by the passage: kept


def test_merge_then_undo_gives_each_tag_its_own_key_back(two):
    mine, _other, _article_id = two
    history = History(mine)
    history.merge_tags("quote", "conflict")
    assert mine.tags.codebook().tag_for_key("1") == "conflict" and mine.tags.codebook().tag_for_key("2") is None
    history.undo()
    assert mine.tags.codebook().tag_for_key("2") == "quote" and mine.tags.codebook().tag_for_key("1") == "conflict"


def test_a_codebook_change_against_a_tag_renamed_elsewhere_is_refused_not_a_crash(two):
    mine, other, _article_id = two
    other.tags.rename("quote", "citation")
    with pytest.raises(StaleWriteError, match="no tag quote"):
        History(mine).merge_tags("quote", "conflict")
    with pytest.raises(StaleWriteError, match="no tag quote"):
        mine.tags.rename("quote", "saying")
    assert sorted(mine.tags.names()) == ["citation", "conflict"]


def test_keys_follow_config_yaml_only_where_it_changed(two):
    mine, _other, _article_id = two
    mine.tags.set_look("conflict", key="7")  # the Tags screen gave conflict another key
    mine.tags.sync([TagSpec("conflict", "1", "red", ""), TagSpec("quote", "2", "blue", "")])  # config unchanged
    assert mine.tags.codebook().key_of("conflict") == "7"
    mine.tags.sync([TagSpec("conflict", "1", "red", ""), TagSpec("quote", "7", "blue", "")])  # config gives 7 to quote
    codebook = mine.tags.codebook()
    assert codebook.key_of("quote") == "7" and codebook.key_of("conflict") is None
