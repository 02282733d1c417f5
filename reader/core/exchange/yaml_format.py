"""The home format, `reader-annotations/2`: every annotated article, its text and its annotations, as YAML.

It only reads from the store; exporting never changes the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from reader.core.exchange.yaml_emit import mapping, scalar
from reader.core.exchange.formats import EXPORTERS, FOLDER_FORMATS, ExportItem
from reader.core.safefile import replacing
from reader.core.store import Annotation, ArticleInfo, ExportFilter, Store, now_utc

FORMAT = "reader-annotations/2"
#: Formats `reader import-annotations` reads: version 1 had no article texts.
READABLE_FORMATS = ("reader-annotations/1", FORMAT)


def article_record(article: ArticleInfo, annotations: list[Annotation], text: str | None = None) -> dict[str, Any]:
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
    record["tags"] = list(article.tags)
    if text is not None:
        record["text"] = text
    record["annotations"] = [annotation_record(annotation) for annotation in annotations]
    return record


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


def export_document(store: Store, exported: str | None = None, only: ExportFilter | None = None) -> dict[str, Any]:
    """The whole export as plain data (what `write_yaml` writes, for tests and small exports)."""
    return {
        "format": FORMAT,
        "exported": exported or now_utc(),
        "articles": [
            article_record(article, notes, article.text)
            for article, notes in store.iter_annotated_articles(with_text=True, only=only)
        ],
    }


def write_yaml(store: Store, stream: IO[str], exported: str | None = None, only: ExportFilter | None = None) -> int:
    """Write the export to `stream` one article at a time, so memory stays flat; any YAML
    reader reads it back as `export_document(store)`. Returns the number of annotations."""
    stream.write(mapping([("format", FORMAT), ("exported", exported or now_utc())], 0))
    count = 0
    empty = True
    for article, notes in store.iter_annotated_articles(with_text=True, only=only):
        if empty:
            stream.write("articles:\n")
            empty = False
        record = article_record(article, notes, article.text)
        del record["annotations"]
        parts = [mapping(list(record.items()), 2, "- ")]
        if notes:
            parts.append("  annotations:\n")
            parts.extend(_annotation_yaml(note) for note in notes)
        else:
            parts.append("  annotations: []\n")
        stream.write("".join(parts))
        count += len(notes)
    if empty:
        stream.write("articles: []\n")
    return count


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

    user = UserEntities(store.entity_feedback())
    for article, notes in store.iter_annotated_articles(with_text=True, only=only):
        yield article, notes, user.find(article.text)
