"""Undo and redo for annotation changes: every change goes through here and into the store at once.

It keeps only this session's changes in memory; the database is always the truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reader.core.store import Annotation, Store

ChangeKind = Literal["add", "delete", "tag", "untag"]


@dataclass(frozen=True, slots=True)
class Change:
    """One user action: `annotation` is its state after an add/tag/untag, before a delete."""

    kind: ChangeKind
    annotation: Annotation
    tag: str | None = None

    def describe(self) -> str:
        return {
            "add": "tagged passage",
            "delete": "deleted annotation",
            "tag": f"added tag {self.tag}",
            "untag": f"removed tag {self.tag}",
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

    def add(self, article_id: int, start: int, end: int, tags: list[str], annotator: str) -> Change:
        annotation = self.store.add_annotation(article_id, start, end, tags, annotator)
        return self._record(Change("add", annotation))

    def delete(self, annotation_id: str) -> Change:
        return self._record(Change("delete", self.store.delete_annotation(annotation_id)))

    def add_tag(self, annotation_id: str, tag: str) -> Change:
        return self._record(Change("tag", self.store.add_tag(annotation_id, tag), tag))

    def remove_tag(self, annotation_id: str, tag: str) -> Change:
        return self._record(Change("untag", self.store.remove_tag(annotation_id, tag), tag))

    def undo(self) -> Change | None:
        """Reverse the latest change; returns it, or None when there is nothing to undo."""
        if not self._done:
            return None
        change = self._done.pop()
        self._apply(change, forward=False)
        self._undone.append(change)
        return change

    def redo(self) -> Change | None:
        """Apply again the latest undone change."""
        if not self._undone:
            return None
        change = self._undone.pop()
        self._apply(change, forward=True)
        self._done.append(change)
        return change

    def _apply(self, change: Change, forward: bool) -> None:
        annotation = change.annotation
        kind = change.kind
        if kind in ("tag", "untag") and change.tag is not None:
            if (kind == "tag") == forward:
                self.store.add_tag(annotation.id, change.tag)
            else:
                self.store.remove_tag(annotation.id, change.tag)
        elif (kind == "add") == forward:
            self.store.insert_annotation(annotation)
        else:
            self.store.delete_annotation(annotation.id)
