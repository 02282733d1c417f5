"""W3C Web Annotation Data Model (https://www.w3.org/TR/annotation-model/), as JSON-LD.

The export is one `AnnotationCollection` document (model §5.1) whose `first` property embeds a
single `AnnotationPage` (§5.2) holding every annotation in `items`. The model requires a page
for the annotations of a collection (a collection does not list annotations itself), and one
embedded page keeps the file self-contained; `total` is written last so the export streams
(JSON key order carries no meaning). Each annotation:

* `id`: `urn:uuid:<id>` for reader's UUID ids, else `urn:reader:annotation:<id>` (percent-encoded);
* `created` / `modified`: `xsd:dateTime` in UTC with a `Z`, as §3.3.1 requires (reader's
  `+00:00` stamps are rewritten; the importer writes them back as `+00:00`);
* `motivation`: one (§3.3.5; the test suite's SHOULD is a single value): `tagging` when the
  annotation has tags, else `commenting` (a memo: a note alone), else `highlighting`;
* `creator`: an Agent, `{"type": "Person", "name": <annotator>, "nickname": <annotator>}` (a bare
  string would be read as an IRI by JSON-LD, since the context types `creator` as `@id`; reader
  knows annotators by name only, so there is no `id`);
* `body`: one `TextualBody` per tag with `purpose: tagging`, then, for a note, one `TextualBody`
  with `purpose: commenting`; each with `format: text/plain`. No `language`: reader does not
  know which language a tag or a note is written in;
* `target`: a SpecificResource whose `source` is the article's URL written as a URI (RFC 3986:
  a non-ASCII letter or a space is percent-encoded as UTF-8, `?x=ä` -> `?x=%C3%A4`; what was
  already a valid URI is unchanged), else `urn:reader:article:<uid>`, with two `selector`s that
  select the same text (§4.2: a client may use either): a `TextPositionSelector` (`start`/`end`)
  and a `TextQuoteSelector` (`exact`, `prefix` and `suffix`, empty at the ends of the text).

The collection names its page as `first` and `last`, the page its collection as `partOf` (§5).
Files written before these (no motivation, creator by nickname only, no empty prefix or suffix,
URLs as written) import the same way: the importer reads both, and matches an article by the
URL as written or in its percent-decoded form.

Offsets: the model counts `TextPositionSelector` positions in Unicode code points (§4.2.5: not
UTF-16 code units), which are reader's offsets. They count in reader's stored text, which is the
article as extracted, not necessarily the text of the live page at `source`; a tool anchoring
on that page should prefer the `TextQuoteSelector`.

Entities are not exported here: the format carries the user's annotations.
"""

from __future__ import annotations

import json
import re
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
    page_id = f"{collection_id}#page1"
    head = {"@context": CONTEXT, "id": collection_id, "type": "AnnotationCollection", "label": label,
            "last": page_id}
    page = {"id": page_id, "type": "AnnotationPage", "partOf": collection_id, "startIndex": 0}
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
        {"type": "TextualBody", "purpose": "tagging", "value": tag, "format": "text/plain"} for tag in annotation.tags
    ]
    if annotation.note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": annotation.note,
                     "format": "text/plain"})
    quote_selector: dict[str, Any] = {"type": "TextQuoteSelector", "exact": annotation.quote,
                                      "prefix": annotation.prefix, "suffix": annotation.suffix}
    motivation = "tagging" if annotation.tags else "commenting" if annotation.note else "highlighting"
    return {
        "id": annotation_iri(annotation.id),
        "type": "Annotation",
        "motivation": motivation,
        "created": to_xsd(annotation.created),
        "modified": to_xsd(annotation.updated),
        "creator": {"type": "Person", "name": annotation.annotator, "nickname": annotation.annotator},
        "body": body,
        "target": {
            "source": iri_to_uri(article.url) if article.url else f"{ARTICLE_URN}{quote(article.uid, safe='')}",
            "selector": [
                {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
                quote_selector,
            ],
        },
    }


#: What RFC 3986 allows in a URI as it is: unreserved and reserved characters, and `%` (which
#: starts an escape; a `%` that starts none is encoded first).
_URI_SAFE = "-._~:/?#[]@!$&'()*+,;=%"
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_LONE_PERCENT_ESCAPE = re.compile(r"%25(?![0-9A-Fa-f]{2})")


def iri_to_uri(iri: str) -> str:
    """A URL as a valid URI (RFC 3987 §3.1): every character a URI cannot hold (a non-ASCII
    letter, a space, `"<>\\^`{|}`, a control character) percent-encoded as UTF-8, and a `%`
    that starts no escape written `%25`; a valid URI comes back unchanged."""
    return quote(_LONE_PERCENT.sub("%25", iri), safe=_URI_SAFE)


def uri_to_iri(uri: str) -> str:
    """The reverse of `iri_to_uri` for what it encodes: escapes of characters a URI cannot hold
    are decoded (`%C3%A4` -> `ä`, `%20` -> space); escapes of characters a URI can hold
    (`%2F`, `%3F`) stay, so the address means the same; `%25` is decoded only where the `%`
    starts no escape (`100%25` -> `100%`)."""

    def decoded(match: re.Match[str]) -> str:
        try:
            text = bytes.fromhex(match.group().replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:
            return match.group()
        return "".join(ch if quote(ch, safe=_URI_SAFE) != ch else quote(ch, safe="") for ch in text)

    return _LONE_PERCENT_ESCAPE.sub("%", _ESCAPES.sub(decoded, uri))


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
