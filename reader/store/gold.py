"""The gold layer's provenance: which annotations a curator adjudicated into gold, who, when, how
and from which coders' annotations (table `gold_decisions`, migration m025).

Every adoption carries the coders' annotations as the curator saw them and is refused
(StaleWriteError) when one changed since; it never changes a coder's annotation.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence

from reader.core.anchoring import selector_for
from reader.core.model import Annotation, GoldChoice, GoldDecision, GoldVersion, now_utc
from reader.store.common import ANNOTATION_COLUMNS, Repository, quoted
from reader.store.errors import GONE, StaleWriteError


def source_changed(annotator: str) -> str:
    """Why an adoption was refused: a coder's annotation is not as the curator saw it."""
    return f"{annotator}'s annotation changed since it was shown (edited, retagged or deleted meanwhile)"


class Gold(Repository):
    """Gold annotations' decisions: written with the annotation they describe, in one transaction."""

    def adopt(
        self, versions: Sequence[GoldVersion], seen: Iterable[Annotation], gold: str, curator: str,
        choice: GoldChoice, *, seen_sha256: str | None = None,
    ) -> list[tuple[Annotation, GoldDecision]]:
        """Write each version as a new annotation of `gold` with its decision, if every source in
        `seen` (the coders' annotations as the curator saw them) is still so; else nothing is
        written and StaleWriteError names the coder whose annotation changed."""
        seen = list(seen)
        action = f"adopting {quoted(seen[0].quote) if seen else 'a passage'} into {gold}"
        written: list[tuple[Annotation, GoldDecision]] = []
        with self.store.writing(action):
            current = {}
            ids = [source.id for source in seen]
            for first in range(0, len(ids), 500):
                chunk = ids[first:first + 500]
                current.update((found.id, found) for found in self.store.annotations.select(
                    f"WHERE n.id IN ({', '.join('?' * len(chunk))})", chunk))
            for source in seen:
                found = current.get(source.id)
                if found is None:
                    reason = (source_changed(source.annotator) if self.store.annotations.state(source.id) is not None
                              else f"{source.annotator}'s annotation: {GONE}")
                    raise StaleWriteError(self.path, reason, action)
                if found != source:
                    raise StaleWriteError(self.path, source_changed(source.annotator), action)
            stamp = now_utc()
            texts: dict[int, tuple[str, str]] = {}
            rows, tag_rows = [], []
            for version in versions:
                if version.article_id not in texts:
                    texts[version.article_id] = self.store.articles.text_and_hash(version.article_id, action)
                text, sha256 = texts[version.article_id]
                if seen_sha256 is not None and sha256 != seen_sha256:
                    raise StaleWriteError(self.path, "the article's text changed since it was shown", action)
                if not 0 <= version.start < version.end <= len(text) or not version.tags:
                    raise ValueError(f"a gold passage needs a tag and a span inside the article, got [{version.start}, {version.end})")
                quote, prefix, suffix = selector_for(text, version.start, version.end)
                annotation = Annotation(str(uuid.uuid4()), version.article_id, version.start, version.end, quote, prefix,
                                        suffix, None, gold, stamp, stamp, tuple(sorted(set(version.tags))))
                rows.append([getattr(annotation, name) for name in ANNOTATION_COLUMNS])
                tag_rows += [(annotation.id, self.store.tags.ensure(tag)) for tag in annotation.tags]
                written.append((annotation, GoldDecision(annotation.id, curator, stamp, choice, version.sources)))
            self.store.annotations.insert_many(rows, tag_rows)
            self._record_many([decision for _annotation, decision in written])
        return written

    def _record_many(self, decisions: Iterable[GoldDecision]) -> None:
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO gold_decisions (annotation_id, curator, decided, choice, sources) VALUES (?, ?, ?, ?, ?)",
            [(d.annotation_id, d.curator, d.decided, d.choice, json.dumps(list(d.sources))) for d in decisions],
        )

    def record(self, decision: GoldDecision) -> None:
        """Keep (or replace) a gold annotation's decision."""
        with self.store.writing("the gold decision"):
            self._record_many([decision])

    def forget(self, annotation_id: str) -> None:
        with self.store.writing("the gold decision"):
            self.db.execute("DELETE FROM gold_decisions WHERE annotation_id = ?", [annotation_id])

    def decisions(self, annotation_ids: Iterable[str] | None = None) -> dict[str, GoldDecision]:
        """Decisions by annotation id (all, or those of `annotation_ids`)."""
        if annotation_ids is None:
            rows = self.db.execute("SELECT annotation_id, curator, decided, choice, sources FROM gold_decisions").fetchall()
        else:
            ids = list(annotation_ids)
            rows = []
            for first in range(0, len(ids), 500):
                chunk = ids[first:first + 500]
                rows += self.db.execute(
                    "SELECT annotation_id, curator, decided, choice, sources FROM gold_decisions "
                    f"WHERE annotation_id IN ({', '.join('?' * len(chunk))})", chunk).fetchall()
        return {row[0]: GoldDecision(row[0], row[1], row[2], row[3], tuple(json.loads(row[4]))) for row in rows}

    def of_article(self, article_id: int, gold: str) -> list[Annotation]:
        """The article's gold annotations."""
        return list(self.store.annotations.select("WHERE n.article_id = ? AND n.annotator = ?", [article_id, gold]))
