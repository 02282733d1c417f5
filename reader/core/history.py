"""Undo and redo for annotation changes: every change goes through here and into the store at once.

It keeps only this session's changes in memory; the database is always the truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reader.core.store import Annotation, Store, TagMerge

ChangeKind = Literal[
    "add", "delete", "tag", "untag", "note", "article_tag", "article_untag",
    "rename_tag", "merge_tags", "tag_look",
]
#: Changes to the codebook rather than to one article (their `article_id` is 0).
CODEBOOK_KINDS = frozenset({"rename_tag", "merge_tags", "tag_look"})


@dataclass(frozen=True, slots=True)
class Change:
    """One user action.

    `annotation` is its state after an add, tag, untag or note change, and before a delete;
    `before` is the note a note change replaced. Article tags carry `article_id` and `tag`.
    """

    kind: ChangeKind
    article_id: int
    annotation: Annotation | None = None
    tag: str | None = None
    before: str | None = None
    annotator: str = ""
    #: A tag rename: every (old, new) name it changed, nested tags included.
    renames: tuple[tuple[str, str], ...] = ()
    #: A tag merge: what it moved.
    merge: TagMerge | None = None
    #: A tag's (colour, description) before and after a `tag_look` change.
    look_before: tuple[str | None, str | None] = (None, None)
    look_after: tuple[str | None, str | None] = (None, None)

    def describe(self) -> str:
        return {
            "add": "tagged passage",
            "delete": "deleted annotation",
            "tag": f"added tag {self.tag}",
            "untag": f"removed tag {self.tag}",
            "note": "changed note",
            "article_tag": f"tagged article {self.tag}",
            "article_untag": f"removed article tag {self.tag}",
            "rename_tag": f"renamed tag {self.renames[0][0]} to {self.renames[0][1]}" if self.renames else "renamed tag",
            "merge_tags": f"merged tag {self.merge.source} into {self.merge.target}" if self.merge else "merged tags",
            "tag_look": f"changed tag {self.tag}",
        }[self.kind]


class History:
    """Annotation edits with unlimited undo and redo for the session."""

    def __init__(self, store: Store):
        self.store = store
        self._done: list[Change] = []
        self._undone: list[Change] = []

    def _record(self, change: Change) -> Change:
        self._done.append(change)
        self._undone.clear()
        return change

    def _annotation_change(self, kind: ChangeKind, annotation: Annotation, **extra: str | None) -> Change:
        return self._record(Change(kind, annotation.article_id, annotation, **extra))

    def add(self, article_id: int, start: int, end: int, tags: list[str], annotator: str) -> Change:
        return self._annotation_change("add", self.store.add_annotation(article_id, start, end, tags, annotator))

    def delete(self, annotation_id: str) -> Change:
        return self._annotation_change("delete", self.store.delete_annotation(annotation_id))

    def add_tag(self, annotation_id: str, tag: str) -> Change:
        return self._annotation_change("tag", self.store.add_tag(annotation_id, tag), tag=tag)

    def remove_tag(self, annotation_id: str, tag: str) -> Change:
        return self._annotation_change("untag", self.store.remove_tag(annotation_id, tag), tag=tag)

    def set_note(self, annotation_id: str, note: str | None) -> Change:
        before = self.store.get_annotation(annotation_id).note
        return self._annotation_change("note", self.store.set_note(annotation_id, note), before=before)

    def tag_article(self, article_id: int, tag: str, annotator: str) -> Change | None:
        """Tag a whole article; None (and nothing recorded) when it already had the tag."""
        if not self.store.add_article_tag(article_id, tag, annotator):
            return None
        return self._record(Change("article_tag", article_id, tag=tag, annotator=annotator))

    def untag_article(self, article_id: int, tag: str) -> Change | None:
        if not self.store.remove_article_tag(article_id, tag):
            return None
        return self._record(Change("article_untag", article_id, tag=tag))

    # ---- the codebook ------------------------------------------------------------------

    def rename_tag(self, old: str, new: str) -> Change | None:
        renames = self.store.rename_tag(old, new)
        return self._record(Change("rename_tag", 0, tag=new, renames=tuple(renames))) if renames else None

    def merge_tags(self, source: str, target: str) -> Change:
        return self._record(Change("merge_tags", 0, tag=target, merge=self.store.merge_tags(source, target)))

    def set_tag_look(self, name: str, color: str | None, description: str | None) -> Change:
        before = self.store.set_tag_look(name, color=color, description=description)
        return self._record(Change("tag_look", 0, tag=name, look_before=before, look_after=(color, description)))

    def undo(self) -> Change | None:
        """Reverse the latest change; returns it, or None when there is nothing to undo."""
        if not self._done:
            return None
        change = self._done[-1]
        self._apply(change, forward=False)  # a refused write leaves it to undo again
        self._undone.append(self._done.pop())
        return change

    def redo(self) -> Change | None:
        """Apply again the latest undone change."""
        if not self._undone:
            return None
        change = self._undone[-1]
        self._apply(change, forward=True)
        self._done.append(self._undone.pop())
        return change

    def _apply(self, change: Change, forward: bool) -> None:
        kind, tag = change.kind, change.tag
        if kind in CODEBOOK_KINDS:
            self._apply_codebook(change, forward)
            return
        if kind in ("article_tag", "article_untag") and tag is not None:
            if (kind == "article_tag") == forward:
                self.store.add_article_tag(change.article_id, tag, change.annotator)
            else:
                self.store.remove_article_tag(change.article_id, tag)
            return
        annotation = change.annotation
        assert annotation is not None
        if kind == "note":
            self.store.set_note(annotation.id, annotation.note if forward else change.before)
        elif kind in ("tag", "untag") and tag is not None:
            if (kind == "tag") == forward:
                self.store.add_tag(annotation.id, tag)
            else:
                self.store.remove_tag(annotation.id, tag)
        elif (kind == "add") == forward:
            self.store.insert_annotation(annotation)
        else:
            self.store.delete_annotation(annotation.id)

    def _apply_codebook(self, change: Change, forward: bool) -> None:
        if change.kind == "rename_tag":
            old, new = change.renames[0]
            self.store.rename_tag(old, new) if forward else self.store.rename_tag(new, old)
        elif change.kind == "merge_tags" and change.merge is not None:
            merge = change.merge
            self.store.merge_tags(merge.source, merge.target) if forward else self.store.unmerge_tags(merge)
        elif change.kind == "tag_look" and change.tag is not None:
            color, description = change.look_after if forward else change.look_before
            self.store.set_tag_look(change.tag, color=color, description=description)
