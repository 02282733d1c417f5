"""The home format, `reader-annotations/3`: everything a user made, as YAML: the codebook, the
entity feedback, every annotated article with its text, annotations, article tags, notes on the
whole article and orphans,
and the annotations kept aside for articles the database lacks.

Records to YAML-ready data, and the fast writing of an annotation; nothing here reads a
database (reader.services.export streams from the store).
"""

from __future__ import annotations

from typing import Any

from reader.core.exchange.yaml_emit import mapping, scalar
from reader.core.model import (
    Annotation, ArticleInfo, ArticleNote, ArticleTag, GoldDecision, MovingArticle, PendingAnnotation,
)

FORMAT = "reader-annotations/3"
#: Formats `reader import-annotations` reads: version 1 had no article texts; version 2 no
#: codebook, entity feedback, orphans, pending annotations, nor who tagged an article when.
#: A version 3 file may end with `deleted:`, the deletions that travel (tombstones: id,
#: annotator, deleted), written only when there are some; readers before it ignore it. Likewise
#: `gold:`, the gold layer's decisions (annotation, curator, decided, choice, sources).
READABLE_FORMATS = ("reader-annotations/1", "reader-annotations/2", FORMAT)


def article_record(
    article: ArticleInfo, annotations: list[Annotation], text: str | None = None,
    tags: list[ArticleTag] | None = None, orphans: list[tuple[Annotation, str | None]] | None = None,
    notes: list[ArticleNote] | None = None,
) -> dict[str, Any]:
    """One article as the export writes it (`tags`: its article tags with who and when; without
    them, the names alone, as version 2 wrote them; `notes`: the notes on the whole article,
    written only when there are some, so a file without any reads in every format-3 reader)."""
    record: dict[str, Any] = {
        "id": article.uid,
        "title": article.title,
        "source": article.source,
    }
    if article.path:
        record["path"] = article.path
    if article.locator:
        record["locator"] = article.locator
    if article.url:
        record["url"] = article.url
    record["published"] = article.published
    attributes = getattr(article, "attributes", ())
    if attributes:  # an imported record's other fields (written only when there are some)
        record["attributes"] = [{"name": name, "value": value} for name, value in attributes]
    record["sha256"] = article.sha256
    record["tags"] = [article_tag_record(tag) for tag in tags] if tags is not None else list(article.tags)
    if notes:
        record["notes"] = [article_note_record(note) for note in notes]
    if text is not None:
        record["text"] = text
    record["annotations"] = [annotation_record(annotation) for annotation in annotations]
    if orphans:
        record["orphans"] = [orphan_record(orphan, orphaned) for orphan, orphaned in orphans]
    return record


def article_tag_record(tag: ArticleTag) -> dict[str, Any]:
    return {"name": tag.name, "annotator": tag.annotator, "created": tag.created}


def article_note_record(note: ArticleNote) -> dict[str, Any]:
    return {"annotator": note.annotator, "note": note.note, "created": note.created, "updated": note.updated}


def annotation_record(annotation: Annotation) -> dict[str, Any]:
    return {
        "id": annotation.id,
        "start": annotation.start,
        "end": annotation.end,
        "quote": annotation.quote,
        "prefix": annotation.prefix,
        "suffix": annotation.suffix,
        "tags": list(annotation.tags),
        "note": annotation.note,
        "annotator": annotation.annotator,
        "created": annotation.created,
        "updated": annotation.updated,
    }


def orphan_record(annotation: Annotation, orphaned: str | None) -> dict[str, Any]:
    """An orphan: when it lost its place, then the annotation as it was (offsets and quote in
    the text it was made on, not the article's text now)."""
    return {"orphaned": orphaned, **annotation_record(annotation)}


def codebook_record(name: str, key: str | None, color: str | None, description: str | None) -> dict[str, Any]:
    return {"name": name, "key": key, "color": color, "description": description}


def verdict_record(surface: str, label: str, verdict: str, annotator: str | None, created: str | None) -> dict[str, Any]:
    return {"surface": surface, "label": label, "verdict": verdict, "annotator": annotator, "created": created}


def tombstone_record(annotation_id: str, annotator: str, deleted: str) -> dict[str, Any]:
    """A deletion that travels: the id of an annotation (or orphan, or memo) its owner deleted, and when."""
    return {"id": annotation_id, "annotator": annotator, "deleted": deleted}


def gold_record(decision: GoldDecision) -> dict[str, Any]:
    """Where a gold annotation comes from: who adjudicated it, when, how, from which annotations."""
    return {"annotation": decision.annotation_id, "curator": decision.curator, "decided": decision.decided,
            "choice": decision.choice, "sources": list(decision.sources)}


def pending_record(pending: PendingAnnotation) -> dict[str, Any]:
    return {
        "article": pending.article_uid,
        "sha256": pending.article_sha256,
        "title": pending.article_title,
        "annotation_id": pending.annotation_id,
        "source_file": pending.source_file,
        "kept": pending.created,
        "record": pending.record,
    }


def moving_record(moving: MovingArticle) -> dict[str, Any]:
    return article_record(moving.article, moving.annotations, moving.article.text, moving.tags, moving.orphans,
                          moving.notes)


def listing_yaml(key: str, records: list[dict[str, Any]]) -> str:
    """A top-level list of mappings."""
    return mapping([(key, [pairs(record) for record in records])], 0)


def pairs(record: dict[str, Any]) -> list[tuple[str, Any]]:
    """`record` as `yaml_emit.mapping` takes it: (key, value) pairs, lists of mappings as lists
    of pairs."""
    return [
        (key, [pairs(item) if isinstance(item, dict) else item for item in value] if isinstance(value, list) else value)
        for key, value in record.items()
    ]


def annotation_yaml(note: Annotation) -> str:
    """`mapping(annotation_record(note).items(), 4, "  - ")`, written out for speed: an export
    of 100,000 annotations spends most of its time here."""
    tags = "".join(f"    - {scalar(tag, 4, block=False)}" for tag in note.tags) if note.tags else None
    return (
        f"  - id: {scalar(note.id, 4)}"
        f"    start: {note.start}\n"
        f"    end: {note.end}\n"
        f"    quote: {scalar(note.quote, 4)}"
        f"    prefix: {scalar(note.prefix, 4)}"
        f"    suffix: {scalar(note.suffix, 4)}"
        + (f"    tags:\n{tags}" if tags else "    tags: []\n")
        + f"    note: {scalar(note.note, 4)}"
        f"    annotator: {scalar(note.annotator, 4)}"
        f"    created: {scalar(note.created, 4)}"
        f"    updated: {scalar(note.updated, 4)}"
    )


