"""The codebook in the database: counts, nesting, rename, merge and look changes, each undoable,
and config.yaml applied only where it changed."""

import pytest

from reader.core.config import TagSpec
from reader.services.history import History
from reader.core.model import tag_name_problem
from reader.store import StaleWriteError


def annotations_by_tag(store) -> dict[str, list[tuple[int, int]]]:
    found: dict[str, list[tuple[int, int]]] = {}
    for article_id in (1, 2, 3):
        for annotation in store.annotations.of_article(article_id):
            for tag in annotation.tags:
                found.setdefault(tag, []).append((annotation.article_id, annotation.start))
    return {tag: sorted(spans) for tag, spans in sorted(found.items())}


@pytest.fixture
def coded(store):
    store.annotations.add(1, 0, 5, ["conflict"], "alice")
    store.annotations.add(1, 6, 12, ["conflict", "cooperation"], "alice")
    store.annotations.add(2, 0, 4, ["cooperation"], "bob")
    store.annotations.add(2, 5, 10, ["framing/economy"], "bob")
    store.articles.tag(3, "conflict", "alice")
    store.articles.tag(2, "cooperation", "bob")
    store.articles.tag(2, "conflict", "bob")
    return store


def test_summary_counts_passages_and_articles_per_tag(coded):
    summary = {info.name: (info.passages, info.articles) for info in coded.tags.summary()}
    assert summary == {"conflict": (2, 3), "cooperation": (2, 2), "framing/economy": (1, 1)}
    [nested] = [info for info in coded.tags.summary() if info.name == "framing/economy"]
    assert (nested.parent, nested.depth) == ("framing", 1)


def test_rename_carries_nested_tags_and_undoes(coded):
    coded.tags.ensure("framing")
    history = History(coded)
    before = annotations_by_tag(coded)
    change = history.rename_tag("framing", "frames")
    assert change.renames == (("framing", "frames"), ("framing/economy", "frames/economy"))
    after = annotations_by_tag(coded)
    assert after["frames/economy"] == before["framing/economy"] and "framing/economy" not in after
    history.undo()
    assert annotations_by_tag(coded) == before
    history.redo()
    assert "frames/economy" in annotations_by_tag(coded)


def test_rename_refuses_a_taken_name_a_bad_name_and_nesting_in_itself(coded):
    with pytest.raises(ValueError, match="exists already: merge"):
        coded.tags.rename("conflict", "cooperation")
    with pytest.raises(ValueError, match="each part"):
        coded.tags.rename("conflict", "a//b")
    with pytest.raises(ValueError, match="nested in itself"):
        coded.tags.rename("conflict", "conflict/sub")
    with pytest.raises(StaleWriteError, match="there is no tag nothing"):
        coded.tags.rename("nothing", "else")
    assert tag_name_problem(" x") and tag_name_problem("a\x1bb") and tag_name_problem("framing/ x")
    assert tag_name_problem("framing/cooperation") is None


def test_merge_moves_every_passage_and_article_tag_and_undo_restores_exactly(coded):
    history = History(coded)
    before = annotations_by_tag(coded)
    article_tags_before = {i: coded.articles.tags_of(i) for i in (1, 2, 3)}
    looks_before = {info.name: (info.color, info.description) for info in coded.tags.summary()}
    change = history.merge_tags("cooperation", "conflict")
    assert change.merge.moved and change.merge.shared  # one only cooperation, one with both
    after = annotations_by_tag(coded)
    assert "cooperation" not in after
    assert after["conflict"] == sorted(set(before["conflict"]) | set(before["cooperation"]))
    assert {i: coded.articles.tags_of(i) for i in (1, 2, 3)} == {1: (), 2: ("conflict",), 3: ("conflict",)}
    assert "cooperation" not in coded.tags.names()
    history.undo()
    assert annotations_by_tag(coded) == before
    assert {i: coded.articles.tags_of(i) for i in (1, 2, 3)} == article_tags_before
    assert {info.name: (info.color, info.description) for info in coded.tags.summary()} == looks_before
    history.redo()
    assert "cooperation" not in annotations_by_tag(coded)


def test_look_changes_undo(coded):
    history = History(coded)
    history.set_tag_look("conflict", "#123456", "Disputes of any kind.")
    [info] = [info for info in coded.tags.summary() if info.name == "conflict"]
    assert (info.color, info.description) == ("#123456", "Disputes of any kind.")
    history.undo()
    [info] = [info for info in coded.tags.summary() if info.name == "conflict"]
    assert (info.color, info.description) == ("#e06c75", "Disagreement between actors.")


def test_config_is_applied_only_where_it_changed_and_a_renamed_tag_is_not_recreated(coded, config):
    coded.tags.set_look("conflict", color="#000000")
    coded.tags.rename("cooperation", "alliance")
    coded.tags.sync(config.tags)  # the same config.yaml, read again at the next launch
    looks = {info.name: info.color for info in coded.tags.summary()}
    assert looks["conflict"] == "#000000" and "cooperation" not in looks and "alliance" in looks
    edited = [TagSpec("conflict", "1", "#ffffff", "Edited in config.yaml."), TagSpec("new", "3", "red", "")]
    coded.tags.sync(edited)
    looks = {info.name: (info.color, info.description) for info in coded.tags.summary()}
    assert looks["conflict"] == ("#ffffff", "Edited in config.yaml.") and looks["new"] == ("red", "")
    coded.tags.set_look("conflict", color="#000000")
    coded.tags.sync(edited, force=True)  # "load the codebook from config.yaml"
    assert {info.name: info.color for info in coded.tags.summary()}["conflict"] == "#ffffff"


def test_a_tag_name_the_codebook_refuses_is_never_stored_by_any_path(coded):
    """What the database holds exports and imports back: the API keeps to the same name rule."""
    for name in ("a//b", "/lead", "trail/", " spaced", "framing/ x"):
        with pytest.raises(ValueError, match="not a tag name"):
            coded.annotations.add(1, 0, 5, [name], "alice")
        with pytest.raises(ValueError, match="not a tag name"):
            coded.articles.tag(1, name, "alice")
        assert name not in coded.tags.names()
