"""doccano sequence labelling, as JSON Lines: one article a line.

    {"text": "...", "label": [[48, 103, "reception"]], "article_id": "<uid>", "title": "...",
     "source": "...", "url": "...", "published": "..."}

One `[start, end, "tag"]` per (annotation, tag), in annotation order, in the column `label`:
what doccano's Sequence Labeling import reads by default (its `SpanLabel.parse` takes a
`[start_offset, end_offset, label]` list or an object). In doccano: a Sequence Labeling project
(with "Allow overlapping entity" ticked, see below), Dataset > Actions > Import Dataset, file
format "JSONL", and its defaults: Encoding `utf_8`, Column Data `text`, Column Label `label`.

Every line has the same keys: doccano reads the lines into one table, so a key one line lacks
becomes NaN in that line, which its import then fails to store as the example's metadata
(doccano issue 2229: `CHECK constraint failed: JSON_VALID("meta")`). Every other top-level key
becomes the example's metadata (doccano passes unknown columns on as `meta`): `article_id` (the
uid), `title`, `source`, `url` and `published`, an empty string when the article has none; a
doccano export keeps them, so a file that went through doccano still names its articles.

Files written before (spans in `entities` as `start_offset` / `end_offset` / `label` objects,
keys left out when empty) import the same way.

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
        spans = [[annotation.start, annotation.end, tag] for annotation in marks for tag in annotation.tags]
        record: dict[str, Any] = {"text": article.text, "label": spans, "article_id": article_key(article),
                                  "title": article.title or ""}
        for key in ("source", "url", "published"):  # always, so every line has the same keys
            record[key] = getattr(article, key) or ""
        stream.write(to_json(record) + "\n")
        count += len(spans)
    return count


def import_doccano(stream: IO[str]) -> list[ImportedAnnotation]:
    """Annotations from doccano JSONL: spans in `label` (`[start, end, "tag"]` lists, or objects
    as in `entities`) or in `entities` (`start_offset` / `end_offset` / `label` objects).

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
    labels = record.get("label")
    for triple in labels if isinstance(labels, list) else []:
        if isinstance(triple, (list, tuple)) and len(triple) >= 3:
            yield int(triple[0]), int(triple[1]), str(triple[2])
        elif isinstance(triple, dict):
            yield int(triple["start_offset"]), int(triple["end_offset"]), str(triple["label"])
