"""Undo and redo for every change a user makes: each goes through here and into the store at once.

It keeps only this session's changes in memory; the database is always the truth. An undo or
redo checks that what it reverses is still as the change left it (another program may have
re-imported the article or edited the passage): it re-anchors a passage whose text moved, and
otherwise refuses, naming the change, rather than write over what it did not see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from reader.core.codebook import TagLook
from reader.core.model import (
    Annotation, ArticleMeta, ArticleNote, FeedbackChange, GoldChoice, GoldDecision, GoldVersion, TagMerge, now_utc,
)
from reader.store import StaleWriteError, Store

ChangeKind = Literal[
    "add", "delete", "tag", "untag", "note", "article_tag", "article_untag", "article_note",
    "rename_tag", "merge_tags", "tag_look", "reattach", "delete_orphan", "entity", "article_meta", "done", "gold",
]
#: Changes to the codebook or to entity feedback rather than to one article (`article_id` 0).
CODEBOOK_KINDS = frozenset({"rename_tag", "merge_tags", "tag_look"})


@dataclass(frozen=True, slots=True)
class Change:
    """One user action, with everything it changed.

    An annotation change holds the annotation's state `before` and `after` it (None: it did not
    exist); article tags hold `tag` and the tagging's `tagged` (annotator, time); a codebook
    change its renames, merge or looks; a verdict on an entity what it removed and added.
    """

    kind: ChangeKind
    article_id: int
    before: Annotation | None = None
    after: Annotation | None = None
    tag: str | None = None
    #: An article tag's (annotator, created), as it was added or before it was removed.
    tagged: tuple[str, str] | None = None
    #: A tag rename: every (old, new) name it changed, nested tags included.
    renames: tuple[tuple[str, str], ...] = ()
    #: A tag merge: what it moved.
    merge: TagMerge | None = None
    #: A tag's look (colour, description, key) before and after a `tag_look` change.
    look_before: TagLook | None = None
    look_after: TagLook | None = None
    #: A verdict on an entity ("entity"): the verdicts it removed and added.
    feedback: FeedbackChange | None = None
    #: A re-attached orphan: when it had been orphaned (its `before` is the orphan).
    orphaned: str | None = None
    #: A note on the whole article ("article_note"): whose, and the note before and after (None: none).
    note_annotator: str | None = None
    note_before: ArticleNote | None = None
    note_after: ArticleNote | None = None
    #: A correction of the article's title, date, source or attributes ("article_meta"): before and after.
    meta_before: ArticleMeta | None = None
    meta_after: ArticleMeta | None = None
    #: Tags the change created on the fly (a new name typed in the picker): undo takes them
    #: back out of the codebook if nothing else uses them by then.
    created_tags: tuple[str, ...] = ()
    #: An article marked done or not done for a coder ("done"): whose mark, and when it was
    #: done before and after (None: not done).
    done_by: str | None = None
    done_before: str | None = None
    done_after: str | None = None
    #: Passages adjudicated into the gold layer ("gold"): each gold annotation with its decision.
    golds: tuple[tuple[Annotation, GoldDecision], ...] = ()

    @property
    def annotation(self) -> Annotation | None:
        """The annotation the change is about, as it is after it (or was, for a delete)."""
        return self.after or self.before

    def describe(self) -> str:
        return {
            "add": "tagged passage" if self.after is None or self.after.tags else "added a memo",
            "delete": "deleted annotation",
            "tag": f"added tag {self.tag}",
            "untag": f"removed tag {self.tag}",
            "note": "changed note",
            "article_tag": f"tagged article {self.tag}",
            "article_untag": f"removed article tag {self.tag}",
            "article_note": "changed the article's note",
            "rename_tag": f"renamed tag {self.renames[0][0]} to {self.renames[0][1]}" if self.renames else "renamed tag",
            "merge_tags": f"merged tag {self.merge.source} into {self.merge.target}" if self.merge else "merged tags",
            "tag_look": f"changed tag {self.tag}",
            "reattach": "put an orphan back",
            "delete_orphan": "deleted an orphan",
            "entity": "changed what an entity is",
            "article_meta": "corrected the article's details",
            "done": "marked the article done" if self.done_after else "marked the article not done",
            "gold": self._describe_gold(),
        }[self.kind]

    def _describe_gold(self) -> str:
        if not self.golds:
            return "adopted nothing into gold"
        count = len(self.golds)
        choice = self.golds[0][1].choice
        how = {"a": "A's version", "b": "B's version", "both": "both versions", "edit": "an edited version",
               "agreed": f"{count:,} agreed passage{'' if count == 1 else 's'}"}[choice]
        return f"adopted {how} into {self.golds[0][0].annotator}"


@dataclass(frozen=True, slots=True)
class Replayed:
    """An undo or redo done: the change, and where its annotation is now (None: nowhere, or
    not an annotation change); "orphan" when it could not be placed on the current text."""

    change: Change
    where: Literal["placed", "orphan"] | None = None
    annotation: Annotation | None = None


#: Where an undo (False) or redo (True) puts the annotation of a change about orphans.
_PUT: dict[str, dict[bool, Literal["same", "placed", "orphan"]]] = {
    "reattach": {True: "placed", False: "orphan"},
    "delete_orphan": {True: "same", False: "orphan"},
}


class History:
    """Every change of the session with unlimited undo and redo."""

    def __init__(self, store: Store):
        self.store = store
        self._done: list[Change] = []
        self._undone: list[Change] = []

    def _absent(self, names: Iterable[str]) -> set[str]:
        """Those of `names` the codebook has no tag for (yet): what a change using them creates."""
        return {name for name in names if self.store.tags.id_of(name) is None}

    def _record(self, change: Change, absent: set[str] = frozenset()) -> Change:
        """Keep `change` to undo, noting which of the `absent` tag names it created."""
        created = tuple(sorted(name for name in absent if self.store.tags.id_of(name) is not None))
        if created:
            change = replace(change, created_tags=created)
        self._done.append(change)
        self._undone.clear()
        return change

    # ---- annotations ---------------------------------------------------------------------

    def add(
        self, article_id: int, start: int, end: int, tags: list[str], annotator: str, seen_sha256: str | None = None
    ) -> Change:
        """A new passage on the text whose hash is `seen_sha256` (see Annotations.add in reader.store)."""
        absent = self._absent(tags)
        added = self.store.annotations.add(article_id, start, end, tags, annotator, seen_sha256=seen_sha256)
        return self._record(Change("add", article_id, after=added), absent)

    def add_memo(
        self, article_id: int, start: int, end: int, note: str, annotator: str, seen_sha256: str | None = None
    ) -> Change:
        """A note alone on a passage (no tag): an annotation like any other, undone the same way."""
        added = self.store.annotations.add(article_id, start, end, [], annotator, note=note, seen_sha256=seen_sha256)
        return self._record(Change("add", article_id, after=added))

    def _current(self, annotation_id: str, seen: Annotation | None) -> Annotation:
        """What the change starts from: what the user saw, else the annotation as stored (the
        store then refuses if it changes before the write)."""
        return seen if seen is not None else self.store.annotations.get(annotation_id)

    def delete(self, annotation_id: str, seen: Annotation | None = None) -> Change:
        before = self.store.annotations.delete(annotation_id, seen=self._current(annotation_id, seen))
        return self._record(Change("delete", before.article_id, before=before))

    def add_tag(self, annotation_id: str, tag: str, seen: Annotation | None = None) -> Change:
        before = self._current(annotation_id, seen)
        absent = self._absent([tag])
        after = self.store.annotations.tag(annotation_id, tag, seen=before)
        return self._record(Change("tag", after.article_id, before=before, after=after, tag=tag), absent)

    def remove_tag(self, annotation_id: str, tag: str, seen: Annotation | None = None) -> Change:
        before = self._current(annotation_id, seen)
        after = self.store.annotations.untag(annotation_id, tag, seen=before)
        return self._record(Change("untag", after.article_id, before=before, after=after, tag=tag))

    def set_note(self, annotation_id: str, note: str | None, seen: Annotation | None = None) -> Change:
        """Replace the note; an annotation orphaned meanwhile keeps it (see Annotations.set_note in reader.store)."""
        before = self._current(annotation_id, seen)
        after = self.store.annotations.set_note(annotation_id, note, seen=before)
        return self._record(Change("note", after.article_id, before=before, after=after))

    def reattach(self, orphan_id: str, start: int, end: int, seen_sha256: str | None = None) -> Change:
        state = self.store.annotations.state(orphan_id)
        absent = self._absent(state[1].tags if state else ())
        orphan, orphaned, placed = self.store.annotations.reattach_orphan(orphan_id, start, end, seen_sha256=seen_sha256)
        return self._record(Change("reattach", placed.article_id, before=orphan, after=placed, orphaned=orphaned), absent)

    def delete_orphan(self, orphan_id: str) -> Change:
        """Delete an orphan for good (undo keeps it again, as it was)."""
        state = self.store.annotations.state(orphan_id)
        if state is None or state[0] != "orphan":
            raise StaleWriteError(self.store.path, "the orphan is not there any more (put back or deleted meanwhile)",
                                  "deleting the orphan")
        orphaned = self.store.annotations.orphaned_at(orphan_id)
        self.store.annotations.restore(state[1], None, "deleting the orphan")
        return self._record(Change("delete_orphan", state[1].article_id, before=state[1], orphaned=orphaned))

    def adopt_gold(
        self, versions: list[GoldVersion], seen: list[Annotation], gold: str, curator: str, choice: GoldChoice,
        seen_sha256: str | None = None,
    ) -> Change:
        """Versions of a passage written into the gold layer on the curator's decision, if the
        coders' annotations are still as `seen` (see Gold.adopt in reader.store): the one way
        a curator writes annotations that are not their own (`gold`'s)."""
        absent = self._absent(tag for version in versions for tag in version.tags)
        written = self.store.gold.adopt(versions, seen, gold, curator, choice, seen_sha256=seen_sha256)
        first = written[0][0] if written else None
        return self._record(Change("gold", first.article_id if first and len({a.article_id for a, _ in written}) == 1 else 0,
                                   after=first, golds=tuple(written)), absent)

    # ---- articles ---------------------------------------------------------------------------

    def tag_article(self, article_id: int, tag: str, annotator: str) -> Change | None:
        """Tag a whole article; None (and nothing recorded) when it already had the tag."""
        created = now_utc()
        absent = self._absent([tag])
        if not self.store.articles.tag(article_id, tag, annotator, created):
            return None
        return self._record(Change("article_tag", article_id, tag=tag, tagged=(annotator, created)), absent)

    def untag_article(self, article_id: int, tag: str) -> Change | None:
        tagged = self.store.articles.untag(article_id, tag)
        if tagged is None:
            return None
        return self._record(Change("article_untag", article_id, tag=tag, tagged=tagged))

    def set_article_note(self, article_id: int, annotator: str, note: str | None, seen: ArticleNote | None) -> Change:
        """`annotator`'s note on the whole article made `note` (None or blank: removed), if it
        is still `seen` (what the user's screen showed; None: no note)."""
        after = self.store.article_notes.set(article_id, annotator, note, seen=seen)
        return self._record(Change("article_note", article_id, note_annotator=annotator, note_before=seen,
                                   note_after=after))

    def correct_article(self, article_id: int, meta: ArticleMeta, seen: ArticleMeta) -> Change | None:
        """The article's title, date, source and attributes made `meta`, if they are still `seen`
        (what the user's screen showed); None (nothing recorded) when `meta` changes nothing."""
        if meta == seen:
            return None
        self.store.articles.set_meta(article_id, meta, seen, "correcting the article's details")
        return self._record(Change("article_meta", article_id, meta_before=seen, meta_after=meta))

    def mark_done(self, article_id: int, annotator: str, done: bool, seen: str | None) -> Change:
        """Mark the article done (or not) for `annotator`, if its mark is still `seen` (the done
        time the user's screen showed; None: not done)."""
        after = now_utc() if done else None
        self.store.assignments.set_done(article_id, annotator, after, seen=seen)
        return self._record(Change("done", article_id, done_by=annotator, done_before=seen, done_after=after))

    # ---- the codebook and entities -------------------------------------------------------

    def rename_tag(self, old: str, new: str) -> Change | None:
        renames = self.store.tags.rename(old, new)
        return self._record(Change("rename_tag", 0, tag=new, renames=tuple(renames))) if renames else None

    def merge_tags(self, source: str, target: str) -> Change:
        return self._record(Change("merge_tags", 0, tag=target, merge=self.store.tags.merge(source, target)))

    def set_tag_look(
        self, name: str, color: str | None = ..., description: str | None = ..., key: str | None = ...,  # type: ignore[assignment]
        seen: TagLook | None = None,
    ) -> Change:
        """Change a tag's colour, description and/or key (the ones given)."""
        before = self.store.tags.set_look(name, color=color, description=description, key=key, seen=seen)
        after = TagLook(
            before.color if color is ... else color,
            before.description if description is ... else description,
            before.key if key is ... else (key or None),
        )
        return self._record(Change("tag_look", 0, tag=name, look_before=before, look_after=after))

    def accept_entity(self, surface: str, label: str, annotator: str) -> Change:
        return self._record(Change("entity", 0, feedback=self.store.entities.accept(surface, label, annotator)))

    def reject_entity(self, surface: str, label: str, annotator: str) -> Change:
        return self._record(Change("entity", 0, feedback=self.store.entities.reject(surface, label, annotator)))

    # ---- undo and redo -------------------------------------------------------------------

    def undo(self) -> Replayed | None:
        """Reverse the latest change; None when there is nothing to undo. A change the database
        refuses for now (read-only, full) stays to undo again; one that can no longer be undone
        because what it changed was changed elsewhere is dropped, and StaleWriteError says so."""
        return self._replay(self._done, self._undone, forward=False)

    def redo(self) -> Replayed | None:
        """Apply again the latest undone change (same rules as `undo`)."""
        return self._replay(self._undone, self._done, forward=True)

    def _replay(self, source: list[Change], target: list[Change], forward: bool) -> Replayed | None:
        if not source:
            return None
        change = source[-1]
        try:
            replayed = self._apply(change, forward)
        except StaleWriteError:
            source.pop()  # it can never apply again: go on with the changes before it
            raise
        target.append(source.pop())
        if not forward:
            self.store.tags.drop_unused(change.created_tags)
        return replayed

    def _apply(self, change: Change, forward: bool) -> Replayed:
        kind, tag, store = change.kind, change.tag, self.store
        action = ("redoing: " if forward else "undoing: ") + change.describe()
        if kind in CODEBOOK_KINDS:
            try:
                self._apply_codebook(change, forward)
            except ValueError as error:  # a name taken or gone meanwhile: the codebook moved on
                raise StaleWriteError(store.path, str(error), action) from None
        elif kind == "gold":
            with store.writing(action):
                for annotation, decision in change.golds:
                    if forward:
                        store.annotations.restore(None, annotation, action, "placed")
                        store.gold.record(decision)
                    else:
                        store.annotations.restore(annotation, None, action)
                        store.gold.forget(annotation.id)
        elif kind == "entity" and change.feedback is not None:
            store.entities.restore_feedback(change.feedback, forward)
        elif kind == "article_note" and change.note_annotator is not None:
            expect, want = (change.note_before, change.note_after) if forward else (change.note_after, change.note_before)
            store.article_notes.restore(expect, want, change.article_id, change.note_annotator, action)
        elif kind == "article_meta" and change.meta_before is not None and change.meta_after is not None:
            expect, want = (change.meta_before, change.meta_after) if forward else (change.meta_after, change.meta_before)
            store.articles.set_meta(change.article_id, want, expect, action)
        elif kind == "done" and change.done_by is not None:
            expect_done, want_done = ((change.done_before, change.done_after) if forward
                                      else (change.done_after, change.done_before))
            store.assignments.set_done(change.article_id, change.done_by, want_done, seen=expect_done)
        elif kind in ("article_tag", "article_untag") and tag is not None and change.tagged is not None:
            if (kind == "article_tag") == forward:
                store.articles.tag(change.article_id, tag, *change.tagged)
            else:
                store.articles.untag(change.article_id, tag)
        else:
            expect, want = (change.before, change.after) if forward else (change.after, change.before)
            where = _PUT[kind][forward] if kind in _PUT else "same"
            state = store.annotations.restore(expect, want, action, where, orphaned=change.orphaned)
            if state is not None:
                return Replayed(change, state[0], state[1])
            return Replayed(change)
        return Replayed(change)

    def _apply_codebook(self, change: Change, forward: bool) -> None:
        store = self.store
        if change.kind == "rename_tag":
            old, new = change.renames[0]
            store.tags.rename(old, new) if forward else store.tags.rename(new, old)
        elif change.kind == "merge_tags" and change.merge is not None:
            merge = change.merge
            store.tags.merge(merge.source, merge.target) if forward else store.tags.unmerge(merge)
        elif change.kind == "tag_look" and change.tag is not None:
            seen, look = (change.look_before, change.look_after) if forward else (change.look_after, change.look_before)
            assert look is not None
            store.tags.set_look(change.tag, color=look.color, description=look.description, key=look.key, seen=seen)

