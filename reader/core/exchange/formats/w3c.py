"""W3C Web Annotation Data Model (https://www.w3.org/TR/annotation-model/), as JSON-LD.

The export is one `AnnotationCollection` document (model §5.1) whose `first` property embeds a
single `AnnotationPage` (§5.2) holding every annotation in `items`. The model requires a page
for the annotations of a collection (a collection does not list annotations itself), and one
embedded page keeps the file self-contained; `total` is written last so the export streams
(JSON key order carries no meaning). Each annotation:

* `id`: `urn:uuid:<id>` for reader's UUID ids, else `urn:reader:annotation:<id>` (percent-encoded);
* `created` / `modified`: `xsd:dateTime` in UTC with a `Z`, as §3.3.1 requires (reader's
  `+00:00` stamps are rewritten; the importer writes them back as `+00:00`);
* `creator`: an Agent, `{"type": "Person", "nickname": <annotator>}` (a bare string would be read
  as an IRI by JSON-LD, since the context types `creator` as `@id`);
* `body`: one `TextualBody` per tag with `purpose: tagging`, then, for a note, one `TextualBody`
  with `purpose: commenting` and `format: text/plain`;
* `target`: a SpecificResource whose `source` is the article's URL, else
  `urn:reader:article:<uid>`, with two `selector`s that select the same text (§4.2: a client may
  use either): a `TextPositionSelector` (`start`/`end`) and a `TextQuoteSelector`
  (`exact`, and `prefix`/`suffix` when not empty).

Offsets: the model counts `TextPositionSelector` positions in Unicode code points (§4.2.5: not
UTF-16 code units), which are reader's offsets. They count in reader's stored text, which is the
article as extracted, not necessarily the text of the live page at `source`; a tool anchoring
on that page should prefer the `TextQuoteSelector`.

Entities are not exported here: the format carries the user's annotations.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import IO, Any
from urllib.parse import quote, unquote

from reader.core.exchange.formats.common import ExportItem, ImportedAnnotation, to_json
from reader.core.model import Annotation, Article

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ANNOTATION_URN = "urn:reader:annotation:"
ARTICLE_URN = "urn:reader:article:"
UUID_URN = "urn:uuid:"


def export_w3c(items: Iterable[ExportItem], stream: IO[str], *, collection_id: str | None = None,
               label: str = "reader annotations") -> int:
    """Write every annotation of `items` as one AnnotationCollection; returns how many.

    `collection_id` is the collection's IRI (default: a new `urn:uuid:`); its page is
    `<collection_id>#page1`."""
    collection_id = collection_id or f"{UUID_URN}{uuid.uuid4()}"
    head = {"@context": CONTEXT, "id": collection_id, "type": "AnnotationCollection", "label": label}
    page = {"id": f"{collection_id}#page1", "type": "AnnotationPage", "startIndex": 0}
    stream.write("{\n")
    for key, value in head.items():
        stream.write(f"  {_dumps(key)}: {_dumps(value)},\n")
    stream.write('  "first": {\n')
    for key, value in page.items():
        stream.write(f"    {_dumps(key)}: {_dumps(value)},\n")
    stream.write('    "items": [')
    count = 0
    for article, marks, _entities in items:
        for annotation in marks:
            record = to_json(annotation_record(article, annotation), indent=2)
            stream.write(",\n" if count else "\n")
            # Structural line breaks only: inside strings, JSON escapes every line break.
            stream.write("\n".join("      " + line for line in record.split("\n")))
            count += 1
    stream.write("\n    ]\n" if count else "]\n")
    stream.write("  },\n")
    stream.write(f'  "total": {count}\n')
    stream.write("}\n")
    return count


def annotation_record(article: Article, annotation: Annotation) -> dict[str, Any]:
    """One annotation as a W3C `Annotation` (without `@context`: it sits inside a collection)."""
    body: list[dict[str, str]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in annotation.tags
    ]
    if annotation.note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": annotation.note,
                     "format": "text/plain"})
    quote_selector: dict[str, Any] = {"type": "TextQuoteSelector", "exact": annotation.quote}
    if annotation.prefix:
        quote_selector["prefix"] = annotation.prefix
    if annotation.suffix:
        quote_selector["suffix"] = annotation.suffix
    return {
        "id": annotation_iri(annotation.id),
        "type": "Annotation",
        "created": to_xsd(annotation.created),
        "modified": to_xsd(annotation.updated),
        "creator": {"type": "Person", "nickname": annotation.annotator},
        "body": body,
        "target": {
            "source": article.url or f"{ARTICLE_URN}{quote(article.uid, safe='')}",
            "selector": [
                {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
                quote_selector,
            ],
        },
    }


def annotation_iri(annotation_id: str) -> str:
    """`urn:uuid:` for a canonical UUID (what the store makes), else a reader URN."""
    try:
        if str(uuid.UUID(annotation_id)) == annotation_id:
            return f"{UUID_URN}{annotation_id}"
    except ValueError:
        pass
    return f"{ANNOTATION_URN}{quote(annotation_id, safe='')}"


def to_xsd(stamp: str) -> str:
    """An ISO 8601 stamp as `xsd:dateTime` in UTC with `Z`; a stamp without an offset is taken as
    UTC, and one that does not parse (or has no UTC form in years 1-9999) passes unchanged."""
    try:
        moment = datetime.fromisoformat(stamp)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    except (ValueError, OverflowError):  # no date, or one whose UTC time is outside years 1-9999
        return stamp


def from_xsd(stamp: str) -> str:
    """The reverse of `to_xsd`: reader's `+00:00` form."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00") if stamp.endswith("Z") else stamp)
        if moment.tzinfo is None:
            return moment.isoformat()
        return moment.astimezone(timezone.utc).isoformat()
    except (ValueError, OverflowError):  # no date, or one whose UTC time is outside years 1-9999
        return stamp


def import_w3c(stream: IO[str]) -> list[ImportedAnnotation]:
    """Annotations from W3C JSON-LD: a collection (its embedded pages, following embedded `next`
    pages), a page, a single annotation, or a JSON array of annotations.

    Tags are the `tagging` bodies; the note is the `commenting` body (several are joined by a
    blank line). A body without `purpose` takes the annotation's `motivation`, and a textual
    body with neither counts as a comment. Only a target's first `source` and its position and
    quote selectors are read; an annotation without a position selector gets `start`/`end` None."""
    document = json.load(stream)
    return [imported for record in _annotations(document) if (imported := read_annotation(record))]


def _annotations(document: Any) -> Iterable[dict[str, Any]]:
    if isinstance(document, list):
        for item in document:
            yield from _annotations(item)
        return
    if not isinstance(document, dict):
        return
    kinds = _as_list(document.get("type"))
    if "Annotation" in kinds:
        yield document
    elif "AnnotationCollection" in kinds:
        page = document.get("first")
        seen = 0
        while isinstance(page, dict) and seen < 100_000:
            yield from _annotations(page.get("items", []))
            page = page.get("next")
            seen += 1
    elif "AnnotationPage" in kinds:
        yield from _annotations(document.get("items", []))


def read_annotation(record: dict[str, Any]) -> ImportedAnnotation | None:
    """One W3C annotation as an `ImportedAnnotation` (None when it has no usable target)."""
    target = next(iter(_as_list(record.get("target"))), None)
    if isinstance(target, str):
        source, selectors = target, []
    elif isinstance(target, dict):
        source = target.get("source") or target.get("id") or ""
        selectors = [selector for selector in _as_list(target.get("selector")) if isinstance(selector, dict)]
    else:
        return None
    start = end = None
    exact, prefix, suffix = "", "", ""
    for selector in selectors:
        kind = selector.get("type")
        if kind == "TextPositionSelector" and start is None and "start" in selector and "end" in selector:
            start, end = int(selector["start"]), int(selector["end"])
        elif kind == "TextQuoteSelector" and not exact:
            exact = selector.get("exact", "")
            prefix, suffix = selector.get("prefix", ""), selector.get("suffix", "")
    motivation = next(iter(_as_list(record.get("motivation"))), None)
    tags: list[str] = []
    notes: list[str] = []
    for body in _as_list(record.get("body")):
        if not isinstance(body, dict) or "value" not in body:
            continue
        purpose = next(iter(_as_list(body.get("purpose"))), None) or motivation or "commenting"
        if purpose == "tagging":
            tags.append(str(body["value"]))
        elif purpose == "commenting":
            notes.append(str(body["value"]))
    creator = next(iter(_as_list(record.get("creator"))), None)
    if isinstance(creator, dict):
        annotator = creator.get("nickname") or creator.get("name") or creator.get("id")
    else:
        annotator = creator
    return ImportedAnnotation(
        article=_article_key(str(source)),
        start=start,
        end=end,
        quote=exact,
        prefix=prefix,
        suffix=suffix,
        tags=tuple(tags),
        note="\n\n".join(notes) if notes else None,
        annotator=annotator,
        created=from_xsd(record["created"]) if "created" in record else None,
        updated=from_xsd(record["modified"]) if "modified" in record else None,
        id=_annotation_id(record.get("id")),
    )


def _article_key(source: str) -> str:
    if source.startswith(ARTICLE_URN):
        return unquote(source[len(ARTICLE_URN):])
    return source


def _annotation_id(iri: Any) -> str | None:
    if not isinstance(iri, str):
        return None
    if iri.startswith(UUID_URN):
        return iri[len(UUID_URN):]
    if iri.startswith(ANNOTATION_URN):
        return unquote(iri[len(ANNOTATION_URN):])
    return iri


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _dumps(value: Any) -> str:
    return to_json(value)
