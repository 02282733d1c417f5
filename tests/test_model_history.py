"""A model-based test of everything a user and other programs do to one database, in random order.

A screen (this window) tags, notes, writes memos (a note with no tag) and notes on whole articles,
corrects articles' titles, dates, sources and attributes, deletes, undoes and redoes against the
texts, notes and details it last showed;
another program re-imports the articles with edits (keeping what the user corrected); the codebook is renamed and merged; the whole
database is exported to YAML and imported into an empty one. After every step: each placed
annotation's quote is its article's text at its offsets, every change undone gives back the same
rows and redone the same again, every export imports whole, and nothing raises but the documented
refusals (StaleWriteError, and ValueError for a name that is taken).

Run longer with READER_MODEL_EXAMPLES=2000 (about the numbers in RELIABILITY.md).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from reader.core.config import TagSpec
from reader.core.corrections import Correction, corrected
from reader.services.export import write_export
from reader.services.import_yaml import import_annotations
from reader.services import adjudication
from reader.services.adjudication import AdjudicationError, Sides
from reader.services.history import History
from reader.core.ingest import Document
from reader.core.model import Annotation, ArticleMeta, ArticleNote, is_later
from reader.store import StaleWriteError, Store

from .conftest import user_rows

SENTENCES = [
    "Dockers walked out on Monday.",
    "The union blamed the operator for the delay.",
    "Talks resume on Friday in the port office.",
    "A spokesperson declined to comment.",
    "Ships queued for three days outside the harbour.",
    "The minister called for calm.",
]
EDITS = ["prepend", "drop", "reword", "append", "revert"]
TAGS = ["conflict", "cooperation", "framing/economy", "quote"]


def body(sentences: list[str]) -> str:
    return "Port dispute\n\n" + " ".join(sentences)


def document(number: int, text: str, revision: int = 0) -> Document:
    """Article `number` as its file says it (`revision`: how often the file was re-scraped)."""
    return Document(text=text, title=f"Port dispute {number}" + (f" (rev. {revision})" if revision else ""),
                    source="Wirefeed", url=None, path=f"port-{number}.txt",
                    published="2025-01-0" + str(number + 1), locator="",
                    attributes=(("desk", f"desk {revision}"), ("section", "ports")))

#: Corrections the screen makes: (title, date as written, source, attribute lines).
CORRECTIONS = [
    ("Dock strike", "2025-01-05", "Wirefeed", "desk: desk 0\nsection: ports"),
    ("Port dispute", "4 February 2025", "Harbour Gazette", "section: labour"),
    ("Port dispute", "", "", "desk: harbour\nsection: ports\nregion: north"),
]


class ReaderModel(RuleBasedStateMachine):
    """One window (`mine`, its `history`, the texts and annotations it shows) and another program."""

    @initialize()
    def open_database(self) -> None:
        self.folder = tempfile.TemporaryDirectory()
        path = Path(self.folder.name) / "annotations.db"
        self.mine = Store.open(path)
        self.mine.tags.sync([TagSpec("conflict", "1", "red", ""), TagSpec("cooperation", "2", "blue", "")])
        self.other = Store.open(path)
        self.history = History(self.mine)
        self.sentences = {number: list(SENTENCES) for number in range(2)}
        self.revisions = {number: 0 for number in range(2)}
        #: What the user corrected of each article, and to what: a re-import keeps it.
        self.corrected: dict[int, ArticleMeta] = {}
        self.ids = {number: self.mine.articles.add(document(number, body(SENTENCES))).article_id for number in range(2)}
        self.refused = 0
        self.shown: dict[int, tuple[str, str, list[Annotation]]] = {}
        self.shown_notes: dict[int, ArticleNote | None] = {}
        self.shown_meta: dict[int, ArticleMeta] = {}
        self.shown_done: dict[int, str | None] = {}
        for number in self.ids:
            self.refresh(number)

    def teardown(self) -> None:
        if hasattr(self, "colleague"):
            self.colleague.close()
        if hasattr(self, "mine"):
            self.other.close()
            self.mine.close()
            self.folder.cleanup()

    # ---- the screen ---------------------------------------------------------------------------

    @rule(number=st.sampled_from([0, 1]))
    def refresh(self, number: int) -> None:
        """The screen shows the article as it is now (its watcher noticed, or a refusal reloaded it)."""
        article = self.mine.articles.get(self.ids[number])
        self.shown[number] = (article.text, article.sha256, self.mine.annotations.of_article(article.id))
        self.shown_notes[number] = self.mine.article_notes.get(article.id, "alice")
        self.shown_meta[number] = self.mine.articles.meta_of(article.id)
        self.shown_done[number] = self.mine.assignments.done_at(article.id, "alice")

    def act(self, do) -> None:
        """Do a change as a key would; check that undo gives back the rows from before it and redo
        the rows after it. A refusal (made against an older view) changes nothing."""
        before = user_rows(self.mine)
        try:
            change = do()
        except StaleWriteError:
            self.refused += 1
            event("refused as stale")
            assert user_rows(self.mine) == before
            return
        if change is None:
            return
        event(f"done and undone: {change.kind}")
        after = user_rows(self.mine)
        self.history.undo()
        assert user_rows(self.mine) == before, change.kind
        self.history.redo()
        assert user_rows(self.mine) == after, change.kind

    @rule(number=st.sampled_from([0, 1]), which=st.integers(0, 5), tag=st.sampled_from(TAGS))
    def tag_sentence(self, number: int, which: int, tag: str) -> None:
        found = self._sentence(number, which)
        if found is not None:
            article_id, start, end, sha256 = found
            self.act(lambda: self.history.add(article_id, start, end, [tag], "alice", sha256))

    def _sentence(self, number: int, which: int) -> tuple[int, int, int, str] | None:
        """(article id, start, end, text hash) of sentence `which` as article `number` shows it, if it does."""
        text, sha256, _annotations = self.shown[number]
        sentence = SENTENCES[which]
        if sentence not in text:
            return None
        start = text.index(sentence)
        return self.ids[number], start, start + len(sentence), sha256

    def _seen(self, number: int, pick: int) -> Annotation | None:
        annotations = self.shown[number][2]
        return annotations[pick % len(annotations)] if annotations else None

    @rule(number=st.sampled_from([0, 1]), pick=st.integers(0, 20), note=st.sampled_from(["check", "", "source?"]))
    def note(self, number: int, pick: int, note: str) -> None:
        seen = self._seen(number, pick)
        if seen is not None and (note or None) != seen.note:
            if not note and not seen.tags:  # a memo's note is all it is: the screen deletes it instead
                self.act(lambda: self.history.delete(seen.id, seen=seen))
            else:
                self.act(lambda: self.history.set_note(seen.id, note or None, seen=seen))

    @rule(number=st.sampled_from([0, 1]), which=st.integers(0, 5), note=st.sampled_from(["why here?", "compare 2"]))
    def memo(self, number: int, which: int, note: str) -> None:
        """A note alone on a sentence (no tag), as m on an untagged sentence writes it."""
        found = self._sentence(number, which)
        if found is not None:
            article_id, start, end, sha256 = found
            self.act(lambda: self.history.add_memo(article_id, start, end, note, "alice", sha256))

    @rule(number=st.sampled_from([0, 1]), note=st.sampled_from(["", "the whole story", "follow up"]))
    def article_note(self, number: int, note: str) -> None:
        """M: the note on the whole article, written over the one the screen showed."""
        seen = self.shown_notes[number]
        if (note or None) != (seen.note if seen else None):
            self.act(lambda: self.history.set_article_note(self.ids[number], "alice", note or None, seen))

    @rule(number=st.sampled_from([0, 1]), which=st.sampled_from(CORRECTIONS))
    def correct_details(self, number: int, which: tuple[str, str, str, str]) -> None:
        """ctrl+e: the title, date, source and attributes corrected over what the screen showed."""
        seen = self.shown_meta[number]
        self.act(lambda: self.history.correct_article(self.ids[number], corrected(seen, Correction(*which)), seen))

    @rule(number=st.sampled_from([0, 1]))
    def toggle_done(self, number: int) -> None:
        """D in the list: the article done for me, or not done, against the mark the list showed."""
        seen = self.shown_done[number]
        self.act(lambda: self.history.mark_done(self.ids[number], "alice", seen is None, seen))

    @rule(number=st.sampled_from([0, 1]), pick=st.integers(0, 20), tag=st.sampled_from(TAGS))
    def toggle_tag(self, number: int, pick: int, tag: str) -> None:
        seen = self._seen(number, pick)
        if seen is None:
            return
        if tag not in seen.tags:
            self.act(lambda: self.history.add_tag(seen.id, tag, seen=seen))
        elif len(seen.tags) > 1 or seen.note:  # a noted passage's last tag leaves a memo
            self.act(lambda: self.history.remove_tag(seen.id, tag, seen=seen))

    @rule(number=st.sampled_from([0, 1]), pick=st.integers(0, 20))
    def delete(self, number: int, pick: int) -> None:
        seen = self._seen(number, pick)
        if seen is not None:
            self.act(lambda: self.history.delete(seen.id, seen=seen))

    @rule(number=st.sampled_from([0, 1]), which=st.integers(0, 5), tag=st.sampled_from(TAGS[:2]))
    def bob_codes_elsewhere(self, number: int, which: int, tag: str) -> None:
        """A second coder tags a sentence in another program (the screen sees it after a refresh)."""
        text = self.mine.articles.get(self.ids[number]).text
        sentence = SENTENCES[which]
        if sentence in text:
            start = text.index(sentence)
            self.other.annotations.add(self.ids[number], start, start + len(sentence), [tag], "bob")

    @rule(number=st.sampled_from([0, 1]), pick=st.integers(0, 20), choice=st.sampled_from(["a", "b", "both"]))
    def adjudicate(self, number: int, pick: int, choice: str) -> None:
        """The curator adopts a version of a disagreement between alice and bob into gold, against
        the annotations the screen showed (refused if either changed since)."""
        shown = [a for a in self.shown[number][2] if a.annotator in ("alice", "bob") and a.tags]
        units = adjudication.units_from_annotations(shown)
        found = adjudication.disagreements([u for u in units if u.annotator == "alice"],
                                           [u for u in units if u.annotator == "bob"])
        if not found:
            return
        chosen = found[pick % len(found)]

        def seen_as(unit):
            return next((a for a in shown if unit is not None and a.annotator == unit.annotator
                         and (a.start, a.end) == (unit.start, unit.end) and unit.tag in a.tags), None)

        sides = Sides(chosen, seen_as(chosen.a), seen_as(chosen.b))
        try:
            self.act(lambda: adjudication.adopt(self.history, sides, choice, "gold", "carol"))
        except AdjudicationError:
            event("adjudication: nothing to adopt")

    @rule(source=st.sampled_from(TAGS), into=st.sampled_from(TAGS + ["dispute", "frames/economy"]), merge=st.booleans())
    def codebook(self, source: str, into: str, merge: bool) -> None:
        target = into
        names = self.mine.tags.names()
        if source not in names or source == target:
            return
        if merge and target not in names:
            return
        try:
            self.act(lambda: self.history.merge_tags(source, target) if merge else self.history.rename_tag(source, target))
        except ValueError:  # a name taken, or nested in itself: refused before anything is written
            self.refused += 1

    @rule(redo=st.booleans())
    def undo_or_redo(self, redo: bool) -> None:
        """An undo or redo deeper in the history, after whatever happened since: it re-anchors,
        keeps an orphan, or refuses."""
        try:
            replayed = self.history.redo() if redo else self.history.undo()
            if replayed is not None:
                event(f"{'redo' if redo else 'undo'} later: {replayed.where or 'done'}")
        except StaleWriteError:
            event(f"{'redo' if redo else 'undo'} later: refused")
            self.refused += 1

    # ---- another program ----------------------------------------------------------------------

    @rule(number=st.sampled_from([0, 1]), edit=st.sampled_from(EDITS), which=st.integers(0, 5))
    def reimport_elsewhere(self, number: int, edit: str, which: int) -> None:
        sentences = self.sentences[number]
        if edit == "prepend":
            sentences.insert(0, f"UPDATE {len(sentences)}: the story was revised.")
        elif edit == "drop" and len(sentences) > 2:
            sentences.pop(which % len(sentences))
        elif edit == "reword":
            index = which % len(sentences)
            sentences[index] = sentences[index].replace(" the ", " a ", 1)
        elif edit == "append":
            sentences.append("More follows.")
        else:
            sentences[:] = list(SENTENCES)
        self.revisions[number] += 1
        before = self.other.articles.meta_of(self.ids[number])
        result = self.other.articles.add(document(number, body(sentences), self.revisions[number]))
        after = self.other.articles.meta_of(self.ids[number])
        # what the user corrected stays; the rest is the file's (both articles start with one
        # text, so the second file's first import is a duplicate of the first's article)
        if result.outcome == "updated" and result.article_id == self.ids[number]:
            fresh = document(number, body(sentences), self.revisions[number])
            assert after.edited == before.edited
            assert after.title == (before.title if "title" in before.edited else fresh.title)
            assert after.published == (before.published if "date" in before.edited else fresh.published)
            assert after.source == (before.source if "source" in before.edited else fresh.source)
            for name, value in dict(fresh.attributes).items():
                expected = dict(before.attributes).get(name) if f"attribute:{name}" in before.edited else value
                assert dict(after.attributes).get(name) == expected

    @rule(number=st.sampled_from([0, 1]))
    def done_elsewhere(self, number: int) -> None:
        """alice's other window marks the article done (or not): this one's view of it is stale."""
        article_id = self.ids[number]
        current = self.other.assignments.done_at(article_id, "alice")
        self.other.assignments.set_done(article_id, "alice", None if current else "2025-06-01T00:00:00+00:00", seen=current)

    # ---- moving the database ------------------------------------------------------------------

    @rule()
    def export_to_a_colleague(self) -> None:
        """A colleague imports each export into the one database they keep: what alice deleted
        since an earlier export goes there too, and what she has is there."""
        folder = Path(self.folder.name)
        if not hasattr(self, "colleague"):
            self.colleague = Store.open(folder / "colleague.db")
        export = folder / "to-colleague.yaml"
        write_export(self.mine, export)
        import_annotations(self.colleague, export)
        there = self.colleague.db.execute("SELECT id FROM annotations UNION SELECT id FROM orphans").fetchall()
        here = self.mine.db.execute("SELECT id FROM annotations UNION SELECT id FROM orphans").fetchall()
        deleted = {row[0] for row in self.mine.db.execute("SELECT id FROM tombstones")} - {row[0] for row in here}
        assert {row[0] for row in here} <= {row[0] for row in there}
        # a deleted id is there only in a version newer than its deletion (times are whole
        # seconds: an undo and a delete in one second cannot be told apart by time)
        for annotation_id in deleted & {row[0] for row in there}:
            state = self.colleague.annotations.state(annotation_id)
            [stamp] = self.mine.db.execute("SELECT deleted FROM tombstones WHERE id = ?", [annotation_id]).fetchone()
            assert state is not None and is_later(state[1].updated, stamp), "a deletion did not travel"

    @rule()
    def export_and_import_elsewhere(self) -> None:
        folder = Path(self.folder.name)
        export = folder / "export.yaml"
        write_export(self.mine, export)
        empty = Store.open(folder / f"elsewhere-{os.urandom(4).hex()}.db")
        try:
            import_annotations(empty, export)
            moved = {(a.id, a.quote, a.start, a.end, a.tags, a.note) for a in empty.annotations.of_annotators(empty.annotations.annotators())}
            here = {(a.id, a.quote, a.start, a.end, a.tags, a.note) for a in self.mine.annotations.of_annotators(self.mine.annotations.annotators())}
            assert moved == here
            notes = "SELECT annotator, note, created, updated FROM article_notes ORDER BY 1, 2, 3"
            assert empty.db.execute(notes).fetchall() == self.mine.db.execute(notes).fetchall()
        finally:
            empty.close()

    # ---- after every step ----------------------------------------------------------------------

    @invariant()
    def every_quote_is_its_text(self) -> None:
        if not hasattr(self, "mine"):
            return
        STEPS[0] += 1
        for article_id in self.ids.values():
            text = self.mine.articles.get(article_id).text
            for annotation in self.mine.annotations.of_article(article_id):
                assert 0 <= annotation.start < annotation.end <= len(text)
                assert text[annotation.start : annotation.end] == annotation.quote


#: Steps checked in this run (printed at exit when READER_MODEL_EXAMPLES is set, for the notes).
STEPS = [0]
if os.environ.get("READER_MODEL_EXAMPLES"):
    import atexit

    atexit.register(lambda: print(f"\nreader model: {STEPS[0]} steps checked"))

ReaderModel.TestCase.settings = settings(
    max_examples=int(os.environ.get("READER_MODEL_EXAMPLES", "40")),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestReaderModel = ReaderModel.TestCase
