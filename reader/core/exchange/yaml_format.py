"""The home format, `reader-annotations/3`: everything a user made, as YAML: the codebook, the
entity feedback, every annotated article with its text, annotations, article tags and orphans,
and the annotations kept aside for articles the database lacks.

It only reads from the store; exporting never changes the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from reader.core.exchange.yaml_emit import mapping, scalar
from reader.core.exchange.formats import EXPORTERS, FOLDER_FORMATS, ExportItem
from reader.core.safefile import replacing
from reader.core.model import (
    Annotation,
    ArticleInfo,
    ArticleTag,
    ExportFilter,
    MovingArticle,
    PendingAnnotation,
    now_utc,
)
from reader.store import Store

FORMAT = "reader-annotations/3"
#: Formats `reader import-annotations` reads: version 1 had no article texts; version 2 no
#: codebook, entity feedback, orphans, pending annotations, nor who tagged an article when.
READABLE_FORMATS = ("reader-annotations/1", "reader-annotations/2", FORMAT)


def article_record(
    article: ArticleInfo, annotations: list[Annotation], text: str | None = None,
    tags: list[ArticleTag] | None = None, orphans: list[tuple[Annotation, str | None]] | None = None,
) -> dict[str, Any]:
    """One article as the export writes it (`tags`: its article tags with who and when; without
    them, the names alone, as version 2 wrote them)."""
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
    record["sha256"] = article.sha256
    record["tags"] = [article_tag_record(tag) for tag in tags] if tags is not None else list(article.tags)
    if text is not None:
        record["text"] = text
    record["annotations"] = [annotation_record(annotation) for annotation in annotations]
    if orphans:
        record["orphans"] = [orphan_record(orphan, orphaned) for orphan, orphaned in orphans]
    return record


def article_tag_record(tag: ArticleTag) -> dict[str, Any]:
    return {"name": tag.name, "annotator": tag.annotator, "created": tag.created}


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


def _whole(only: ExportFilter | None) -> bool:
    return only is None or only == ExportFilter()


def _codebook(store: Store, only: ExportFilter | None) -> list[dict[str, Any]]:
    """Every tag for a whole export; the tags it uses for a filtered one."""
    names = None if _whole(only) else store.tags.names_exported(only)
    return [codebook_record(*entry) for entry in store.tags.entries(names)]


def _verdicts(store: Store, only: ExportFilter | None) -> list[dict[str, Any]]:
    return [verdict_record(*row) for row in store.entities.verdicts()] if _whole(only) else []


def _pending(store: Store, only: ExportFilter | None) -> list[dict[str, Any]]:
    return [pending_record(row) for row in store.annotations.pending()] if _whole(only) else []


def export_document(store: Store, exported: str | None = None, only: ExportFilter | None = None) -> dict[str, Any]:
    """The whole export as plain data (what `write_yaml` writes, for tests and small exports)."""
    return {
        "format": FORMAT,
        "exported": exported or now_utc(),
        "codebook": _codebook(store, only),
        "entities": _verdicts(store, only),
        "articles": [_moving_record(moving) for moving in store.exchange.articles_to_move(only)],
        "pending": _pending(store, only),
    }


def _moving_record(moving: MovingArticle) -> dict[str, Any]:
    return article_record(moving.article, moving.annotations, moving.article.text, moving.tags, moving.orphans)


def write_yaml(store: Store, stream: IO[str], exported: str | None = None, only: ExportFilter | None = None) -> int:
    """Write the export to `stream` one article at a time, so memory stays flat; any YAML
    reader reads it back as `export_document(store)`. A whole export (no filter) holds
    everything: the codebook (tags used or not), the entity feedback, orphans and pending
    annotations; a filtered one the codebook entries of its tags. Returns the number of
    annotations."""
    stream.write(mapping([("format", FORMAT), ("exported", exported or now_utc())], 0))
    stream.write(_listing("codebook", _codebook(store, only)))
    stream.write(_listing("entities", _verdicts(store, only)))
    count = 0
    empty = True
    for moving in store.exchange.articles_to_move(only):
        if empty:
            stream.write("articles:\n")
            empty = False
        notes, orphans = moving.annotations, moving.orphans
        record = _moving_record(moving)
        del record["annotations"]
        record.pop("orphans", None)
        parts = [mapping(_pairs(record), 2, "- ")]
        if notes:
            parts.append("  annotations:\n")
            parts.extend(_annotation_yaml(note) for note in notes)
        else:
            parts.append("  annotations: []\n")
        if orphans:
            parts.append(mapping([("orphans", [_pairs(orphan_record(*orphan)) for orphan in orphans])], 2))
        stream.write("".join(parts))
        count += len(notes)
    if empty:
        stream.write("articles: []\n")
    stream.write(_listing("pending", _pending(store, only)))
    return count


def _listing(key: str, records: list[dict[str, Any]]) -> str:
    """A top-level list of mappings."""
    return mapping([(key, [_pairs(record) for record in records])], 0)


def _pairs(record: dict[str, Any]) -> list[tuple[str, Any]]:
    """`record` as `yaml_emit.mapping` takes it: (key, value) pairs, lists of mappings as lists
    of pairs."""
    return [
        (key, [_pairs(item) if isinstance(item, dict) else item for item in value] if isinstance(value, list) else value)
        for key, value in record.items()
    ]


def _annotation_yaml(note: Annotation) -> str:
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


def write_export(store: Store, path: Path, only: ExportFilter | None = None, fmt: str = "yaml") -> int:
    """Write the export to `path` atomically (never a half-written file; brat writes a folder
    of files); returns the number of annotations (or records, for the other formats)."""
    if fmt in FOLDER_FORMATS:
        return EXPORTERS[fmt](export_items(store, only), path)
    with replacing(path) as stream:
        return write_to(store, stream, only, fmt)


def write_to(store: Store, stream: IO[str], only: ExportFilter | None = None, fmt: str = "yaml") -> int:
    """The export in format `fmt` (yaml, or one of `EXPORTERS` but brat) written to `stream`."""
    if fmt == "yaml":
        return write_yaml(store, stream, only=only)
    return EXPORTERS[fmt](export_items(store, only), stream)


def export_items(store: Store, only: ExportFilter | None = None) -> Iterator[ExportItem]:
    """What the other formats' exporters read: each article with its text, its annotations,
    and the entities the user accepted in it."""
    from reader.core.entities.user import UserEntities

    user = UserEntities(store.entities.feedback())
    for article, notes in store.exchange.annotated_articles(with_text=True, only=only):
        yield article, notes, user.find(article.text)
