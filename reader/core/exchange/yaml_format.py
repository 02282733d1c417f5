"""The home format, `reader-annotations/1`: every annotated article with its annotations, as YAML.

It only reads from the store; exporting never changes the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import yaml

from reader.core.store import Annotation, ArticleInfo, Store, now_utc

FORMAT = "reader-annotations/1"
SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def article_record(article: ArticleInfo, annotations: list[Annotation]) -> dict[str, Any]:
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


def export_document(store: Store, exported: str | None = None) -> dict[str, Any]:
    """The whole export as plain data (for tests and small exports; `write_yaml` streams)."""
    return {
        "format": FORMAT,
        "exported": exported or now_utc(),
        "articles": [article_record(article, notes) for article, notes in store.iter_annotated_articles()],
    }


def dump(document: Any, stream: IO[str] | None = None) -> str | None:
    """YAML text for export data; readable non-ASCII, no anchors, key order kept."""
    return yaml.dump(
        document,
        stream,
        Dumper=SafeDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )


def write_yaml(store: Store, stream: IO[str], exported: str | None = None) -> int:
    """Write the export to `stream` one article at a time, so memory stays flat; the text is
    the same as `dump(export_document(store))`. Returns the number of annotations written."""
    dump({"format": FORMAT, "exported": exported or now_utc()}, stream)
    count = 0
    empty = True
    for article, notes in store.iter_annotated_articles():
        if empty:
            stream.write("articles:\n")
            empty = False
        # A one-item list dumps exactly as that item does inside the `articles:` sequence.
        dump([article_record(article, notes)], stream)
        count += len(notes)
    if empty:
        stream.write("articles: []\n")
    return count


def write_export(store: Store, path: Path) -> int:
    """Write the export to `path` atomically (never a half-written file); returns the annotation count."""
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="\n") as stream:
        count = write_yaml(store, stream)
    partial.replace(path)
    return count
