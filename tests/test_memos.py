"""A note alone is an annotation too: a memo (a note on a passage, no tag) and a note on the whole
article. Stored, refused without their note, undone, shown on the article screen (m and M), and
carried by every export format that has a place for them; the others say what they left out."""

import io

import pytest
import yaml
from click.testing import CliRunner

from reader.cli import main
from reader.core.exchange.formats import w3c
from reader.services.export import export_document, write_to
from reader.services.history import History
from reader.services.import_foreign import import_foreign
from reader.services.import_yaml import import_annotations
from reader.store import StaleWriteError, Store
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.note_editor import NoteEditor
from reader.tui.widgets.side_panel import SidePanel

from .conftest import make_article, open_article, user_rows

QUOTE = "Dockers walked out."  # in conftest's second article, "Port strike spreads"


def test_a_memo_is_an_annotation_with_a_note_and_no_tag(store):
    start = store.articles.get(2).text.index(QUOTE)
    memo = store.annotations.add(2, start, start + len(QUOTE), [], "alice", note="Who called it?")
    assert (memo.tags, memo.note, memo.quote) == ((), "Who called it?", QUOTE)
    assert store.annotations.of_article(2) == [memo]
    with pytest.raises(ValueError, match="a tag or a note"):
        store.annotations.add(2, start, start + 5, [], "alice", note="  ")
    with pytest.raises(ValueError, match="a tag or a note"):
        store.annotations.set_note(memo.id, None, seen=memo)
    # a noted passage's last tag can go: it stays, as a memo; an un-noted one's cannot
    tagged = store.annotations.add(1, 0, 22, ["conflict"], "alice", note="headline")
    assert store.annotations.untag(tagged.id, "conflict").tags == ()
    bare = store.annotations.add(3, 0, 15, ["conflict"], "alice")
    with pytest.raises(ValueError, match="delete it instead"):
        store.annotations.untag(bare.id, "conflict")


def test_a_memo_is_no_coding_for_agreement(store):
    from reader.store.agreement import tagged_spans

    store.annotations.add(2, 0, 19, [], "alice", note="memo")
    store.annotations.add(2, 0, 19, ["conflict"], "bob")
    assert [row[4] for row in tagged_spans(store.db, ["alice", "bob"])] == ["bob"]


def test_the_note_on_a_whole_article_is_one_per_annotator_written_against_what_was_seen(store):
    history = History(store)
    before = user_rows(store)
    history.set_article_note(1, "alice", "Background piece; compare with the port story.", None)
    seen = store.article_notes.get(1, "alice")
    assert seen is not None and seen.note.startswith("Background")
    with pytest.raises(StaleWriteError, match="note changed"):
        store.article_notes.set(1, "alice", "overwritten", seen=None)  # made against a screen that showed none
    history.set_article_note(1, "bob", "Bob's own", None)
    assert [note.annotator for note in store.article_notes.of_article(1)] == ["alice", "bob"]
    history.undo()
    history.undo()
    assert user_rows(store) == before
    history.redo()
    assert store.article_notes.get(1, "alice") == seen


def memo_store(store):
    start = store.articles.get(2).text.index(QUOTE)
    store.annotations.add(2, start, start + len(QUOTE), [], "alice", note="Who called the strike?")
    store.annotations.add(2, 0, 19, ["conflict"], "alice", note="tagged, with a note")
    store.article_notes.set(2, "alice", "A short wire; check the union's side.", seen=None)
    return store


def test_yaml_carries_memos_and_article_notes_and_round_trips_byte_for_byte(store, tmp_path):
    memo_store(store)
    first = io.StringIO()
    write_to(store, first)
    data = yaml.safe_load(first.getvalue())
    article = next(article for article in data["articles"] if article["title"] == "Port strike spreads")
    assert article["notes"][0]["note"] == "A short wire; check the union's side."
    assert [note["tags"] for note in article["annotations"] if note["quote"] == QUOTE] == [[]]
    path = tmp_path / "export.yaml"
    path.write_text(first.getvalue(), encoding="utf-8")
    theirs = Store.open(tmp_path / "theirs.db")
    summary = import_annotations(theirs, path)
    assert summary.annotations_added == 2 and summary.article_notes_added == 1
    again = io.StringIO()
    write_to(theirs, again)
    assert again.getvalue().split("\n", 2)[2] == first.getvalue().split("\n", 2)[2]  # all but `exported`
    assert import_annotations(theirs, path).article_notes_added == 0  # once is enough


def test_a_yaml_annotation_with_neither_tag_nor_note_is_refused_naming_the_file(store, tmp_path):
    memo_store(store)
    document = export_document(store)
    document["articles"][0]["annotations"][0]["note"] = None
    document["articles"][0]["annotations"][0]["tags"] = []
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    from reader.core.yamlsafe import YamlError

    with pytest.raises(YamlError) as error:
        import_annotations(Store.open(tmp_path / "other.db"), path)
    assert str(error.value).startswith(str(path)) and "at least one tag, or a note" in str(error.value)


def test_w3c_carries_a_memo_there_and_back(store, tmp_path):
    memo_store(store)
    out = io.StringIO()
    write_to(store, out, fmt="w3c")
    records = w3c.import_w3c(io.StringIO(out.getvalue()))
    memo = next(record for record in records if record.quote == QUOTE)
    assert memo.tags == () and memo.note == "Who called the strike?"
    path = tmp_path / "w3c.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    other = Store.open(tmp_path / "other.db")
    for number, title in ((1, "Talks resume in Geneva"), (2, "Port strike spreads")):
        other.articles.add(make_article(title, store.articles.get(number).text, "2025-01-01", f"{number}.txt"))
    import_foreign(other, path, "w3c", "alice")
    assert any(a.tags == () and a.note == "Who called the strike?" for a in other.annotations.of_article(2))


@pytest.mark.parametrize("fmt", ["doccano", "prodigy", "brat", "csv"])
def test_reader_export_says_what_a_format_leaves_out(store, tmp_path, monkeypatch, fmt):
    memo_store(store)
    store.close()
    monkeypatch.delenv("READER_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["export", "--format", fmt, "--output", str(tmp_path / f"out-{fmt}")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    memo_line = "1 memo (notes with no tag) not exported"
    assert (memo_line in result.output) == (fmt != "csv")
    assert "1 note on whole articles not exported: only yaml and qdpx carry them" in result.output
    if fmt == "csv":
        assert "Who called the strike?" in (tmp_path / "out-csv").read_text(encoding="utf-8")


def panel_text(app) -> str:
    panel = app.screen.query_one(SidePanel)
    return "\n".join(str(panel.get_option_at_index(index).prompt) for index in range(panel.option_count))


@pytest.mark.parametrize("size", [(80, 24), (140, 40)])
async def test_m_on_an_untagged_sentence_writes_a_memo_and_M_a_note_on_the_article(store, config, size):
    app = ReaderApp(config, store)
    async with app.run_test(size=size) as pilot:
        view = await open_article(pilot, 1)  # "Port strike spreads"
        view.move_cursor_to(view.text.index(QUOTE) + 3)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"Who called it?", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        [memo] = store.annotations.of_article(2)
        assert (memo.tags, memo.note, memo.quote) == ((), "Who called it?", QUOTE)
        assert [h.label for h in view.highlights_at(view.cursor)] == ["✎ memo"]
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"Wire copy only.", "ctrl+s")
        await pilot.pause()
        assert store.article_notes.get(2, "alice").note == "Wire copy only."
        await pilot.press("i")
        await pilot.pause()
        shown = panel_text(app)
        assert "Wire copy only." in shown and "Who called it?" in shown
        # emptying the memo's note deletes it; u brings it back
        await pilot.press("escape", "m")
        await pilot.pause()
        await pilot.press(*["backspace"] * 20, "escape")
        await pilot.pause()
        assert store.annotations.of_article(2) == []
        await pilot.press("u")
        await pilot.pause()
        assert [a.note for a in store.annotations.of_article(2)] == ["Who called it?"]


async def test_t_takes_the_last_tag_off_a_noted_passage_leaving_a_memo(store, config):
    store.annotations.add(2, 0, 19, ["conflict"], "alice", note="keep this thought")
    app = ReaderApp(config, store)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_article(pilot, 1)
        view.move_cursor_to(3)
        await pilot.press("t", *"conflict", "enter")
        await pilot.pause()
    [memo] = store.annotations.of_article(2)
    assert memo.tags == () and memo.note == "keep this thought"


async def test_a_note_on_the_article_written_meanwhile_elsewhere_is_not_overwritten(store, config):
    """M shows no note; another window writes one; saving is refused and the editor comes back
    holding what was typed, over the note now saved."""
    app = ReaderApp(config, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_article(pilot, 1)
        await pilot.press("M")
        await pilot.pause()
        other = Store.open(config.database)
        try:
            other.article_notes.set(2, "alice", "Written in the other window.", seen=None)
        finally:
            other.close()
        await pilot.press(*"Mine.", "ctrl+s")
        await pilot.pause()
        assert store.article_notes.get(2, "alice").note == "Written in the other window."
        assert isinstance(app.screen, NoteEditor) and app.screen.editor.text == "Mine."
        await pilot.press("ctrl+s")  # now over the note it has seen
        await pilot.pause()
    assert store.article_notes.get(2, "alice").note == "Mine."


async def test_a_memo_on_a_text_changed_meanwhile_is_refused_and_the_typed_note_shown(store, config):
    app = ReaderApp(config, store)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_article(pilot, 1)
        view.move_cursor_to(view.text.index(QUOTE) + 3)
        await pilot.press("m")
        await pilot.pause()
        other = Store.open(config.database)  # another program re-imports the article, edited
        try:
            other.articles.add(make_article("Port strike spreads", "Port strike spreads\n\nUPDATE. Dockers walked out. "
                                            "Talks failed.", "2025-02-01", "port.txt"))
        finally:
            other.close()
        await pilot.press(*"Who called it?", "escape")
        await pilot.pause()
        assert store.annotations.of_article(2) == []
        shown = " ".join(str(n.message) for n in app._notifications)
        assert "Not saved" in shown and "Who called it?" in shown
