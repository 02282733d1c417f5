"""Prodigy / spaCy-style JSON Lines: one task per article, usable as span or NER training data.

    {"text": "...", "spans": [{"start": 0, "end": 10, "label": "PERSON", "text": "Zoë Martín",
     "source": "reader-entity"}, ...], "meta": {"article_id": "<uid>", "title": "..."},
     "answer": "accept"}

`include` picks the spans: `"entities"` (the user-confirmed entities, labelled PERSON, ORG, ...),
`"tags"` (one span per annotation tag, labelled with the tag) or `"both"`. Spans are sorted by
start, longer first; each carries its `text` and a `source`, `reader-entity` or `reader-tag`,
which is how the importer tells them apart. `meta` holds `article_id` (the uid), `title` and,
when set, `source`, `url` and `published`: Prodigy shows it beside the task. `answer` is
`accept`: these are reviewed annotations (`prodigy db-in` would otherwise set it).

Overlaps: annotations nest and overlap, and a two-tag annotation gives two spans over one range.
That is fine for span categorisation (Prodigy's `spans.manual`, spaCy's `spancat`), which
allows overlapping spans; NER (`ner.manual`, `doc.ents`, the `ner` component) does not, and
spaCy refuses overlapping entities. For NER training data export `include="entities"`, which
the recogniser keeps free of overlaps. Spans are also not aligned to tokens: spaCy's
`Doc.char_span` returns None for one that does not start and end on token boundaries (use its
`alignment_mode` to snap).

Offsets are character offsets into `text`, Python code points, as Prodigy and spaCy count.
Notes, annotators, times and annotation ids are not carried.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any, Literal

from reader.core.exchange.formats.common import ExportItem, ImportedAnnotation, article_key, group_by_range, to_json

Include = Literal["entities", "tags", "both"]
ENTITY_SOURCE = "reader-entity"
TAG_SOURCE = "reader-tag"


def export_prodigy(items: Iterable[ExportItem], stream: IO[str], *, include: Include = "both") -> int:
    """Write one task per article; returns the number of spans written."""
    if include not in ("entities", "tags", "both"):
        raise ValueError(f"include must be 'entities', 'tags' or 'both', not {include!r}")
    count = 0
    for article, marks, entities in items:
        text = article.text
        spans: list[dict[str, Any]] = []
        if include in ("entities", "both"):
            spans += [
                {"start": span.start, "end": span.end, "label": span.label, "text": text[span.start : span.end],
                 "source": ENTITY_SOURCE}
                for span in entities
            ]
        if include in ("tags", "both"):
            spans += [
                {"start": annotation.start, "end": annotation.end, "label": tag,
                 "text": text[annotation.start : annotation.end], "source": TAG_SOURCE}
                for annotation in marks
                for tag in annotation.tags
            ]
        spans.sort(key=lambda span: (span["start"], -span["end"]))
        meta: dict[str, Any] = {"article_id": article_key(article), "title": article.title}
        for key in ("source", "url", "published"):
            if getattr(article, key):
                meta[key] = getattr(article, key)
        task = {"text": text, "spans": spans, "meta": meta, "answer": "accept"}
        stream.write(to_json(task) + "\n")
        count += len(spans)
    return count


def import_prodigy(stream: IO[str]) -> list[ImportedAnnotation]:
    """Annotations from Prodigy JSONL: every span except those marked `reader-entity` (entities
    are not annotations), so a span file made elsewhere comes in with its labels as tags.

    The spans of one range make one annotation. Tasks answered `reject` or `ignore` are skipped.
    The article key is `meta.article_id`, else `meta.url`, else `line <n>`; quote, prefix and
    suffix come from the task's `text`."""
    imported: list[ImportedAnnotation] = []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        task = json.loads(line)
        if task.get("answer", "accept") != "accept":
            continue
        meta = task.get("meta") or {}
        key = meta.get("article_id") or meta.get("url") or f"line {number}"
        spans = [
            (int(span["start"]), int(span["end"]), str(span["label"]))
            for span in task.get("spans") or []
            if isinstance(span, dict) and span.get("source") != ENTITY_SOURCE
            and {"start", "end", "label"} <= span.keys()
        ]
        imported.extend(group_by_range(str(key), task.get("text"), spans))
    return imported
