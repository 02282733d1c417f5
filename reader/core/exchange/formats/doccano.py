"""doccano sequence labelling, as JSON Lines: one article a line.

    {"text": "...", "entities": [{"start_offset": 48, "end_offset": 103, "label": "reception"}],
     "article_id": "<uid>", "title": "...", "source": "...", "url": "...", "published": "..."}

One entity per (annotation, tag), in annotation order. `entities` with `start_offset` /
`end_offset` / `label` objects is the shape of doccano's newer exports; its older one is
`"label": [[start, end, "TAG"], ...]`. doccano's importer (data_import `SpanLabel.parse`) reads
either shape from the label column, which defaults to `label`: to import this file into a
Sequence Labeling project, choose JSONL and set "Column Label" to `entities`.

Every other top-level key becomes the example's metadata in doccano (its importer passes
unknown keys on as `meta`), so `article_id` (the uid), `title` and, when set, `source`, `url`
and `published` are plain top-level fields; a doccano export keeps them, so a file that went
through doccano still names its articles.

Overlaps: reader annotations nest and overlap, and a two-tag annotation gives two entities over
the same range. doccano keeps overlapping spans only in a project with "Allow overlapping
entity" ticked; otherwise its importer silently keeps, left to right, only spans that do not
overlap an earlier one.

Offsets are character offsets into `text`: Python code points, which doccano's (Python)
backend uses too. (Very old doccano front ends counted UTF-16 code units, so a character
outside the BMP such as an emoji shifted later spans by one there.)

Only tags are written; notes, annotators, times and annotation ids have no place in the format,
and entities are not written. An annotation without tags (a memo, a note alone) is skipped; `reader export` says how many.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from reader.core.exchange.formats.common import ExportItem, ImportedAnnotation, article_key, group_by_range, to_json


def export_doccano(items: Iterable[ExportItem], stream: IO[str]) -> int:
    """Write one JSON line per article; returns the number of entities (annotation-tag pairs)."""
    count = 0
    for article, marks, _entities in items:
        entities = [
            {"start_offset": annotation.start, "end_offset": annotation.end, "label": tag}
            for annotation in marks
            for tag in annotation.tags
        ]
        record: dict[str, Any] = {"text": article.text, "entities": entities, "article_id": article_key(article),
                                  "title": article.title}
        for key in ("source", "url", "published"):
            if getattr(article, key):
                record[key] = getattr(article, key)
        stream.write(to_json(record) + "\n")
        count += len(entities)
    return count


def import_doccano(stream: IO[str]) -> list[ImportedAnnotation]:
    """Annotations from doccano JSONL: `entities` objects or the older `label` triples.

    The entities of one range make one annotation with their labels as tags (so two reader
    annotations over the same range come back as one). The article key is `article_id`, else
    doccano's `id`, else `line <n>`. Quote, prefix and suffix come from the line's `text`; notes,
    annotators, times and ids are None."""
    imported: list[ImportedAnnotation] = []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        text = record.get("text")
        key = record.get("article_id") or (str(record["id"]) if "id" in record else f"line {number}")
        imported.extend(group_by_range(str(key), text, _spans(record)))
    return imported


def _spans(record: dict[str, Any]) -> Iterable[tuple[int, int, str]]:
    for entity in record.get("entities") or []:
        if isinstance(entity, dict):
            yield int(entity["start_offset"]), int(entity["end_offset"]), str(entity["label"])
    for triple in record.get("label") or []:
        if isinstance(triple, (list, tuple)) and len(triple) >= 3:
            yield int(triple[0]), int(triple[1]), str(triple[2])
