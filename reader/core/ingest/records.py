"""Records of JSON, JSONL and CSV files: which field is the title, the text, the date, the
source, the url and the author (`FieldNames`, configurable in `import.fields`), and every other
field kept as the article's attributes; JSONL and CSV read as a stream, a record at a time.

Pure: no Textual, no SQL. Never raises for bad content: a bad record is a `(locator, reason)`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from reader.core.ingest.text import normalise_text, single_line

#: What each known field is called in the datasets reader meets, tried in this order (case
#: does not matter); `import.fields` in config.yaml puts its names before these.
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "heading", "head", "name"),
    "text": ("text", "body", "content", "article", "story", "maintext", "full_text", "fulltext"),
    "date": ("published", "date", "pubdate", "pub_date", "published_at", "publication_date", "date_publish",
             "datetime", "timestamp", "time"),
    "source": ("source", "outlet", "publisher", "site", "site_name", "sitename", "publication", "newspaper"),
    "url": ("url", "link", "href", "canonical_url", "canonical", "permalink"),
    "author": ("author", "authors", "byline", "by", "writer"),
}
ROLES = tuple(DEFAULT_FIELDS)

#: Longest attribute name kept (longer ones are cut); an attribute value is kept whole.
ATTRIBUTE_NAME_LIMIT = 80


@dataclass(frozen=True, slots=True)
class FieldNames:
    """The field names each known role is looked for under, first found first."""

    title: tuple[str, ...] = DEFAULT_FIELDS["title"]
    text: tuple[str, ...] = DEFAULT_FIELDS["text"]
    date: tuple[str, ...] = DEFAULT_FIELDS["date"]
    source: tuple[str, ...] = DEFAULT_FIELDS["source"]
    url: tuple[str, ...] = DEFAULT_FIELDS["url"]
    author: tuple[str, ...] = DEFAULT_FIELDS["author"]

    @classmethod
    def configured(cls, names: dict[str, tuple[str, ...]]) -> FieldNames:
        """The defaults with the configured names of each role tried first."""
        merged = {
            role: tuple(dict.fromkeys([*names.get(role, ()), *DEFAULT_FIELDS[role]])) for role in ROLES
        }
        return cls(**merged)


@dataclass(frozen=True, slots=True)
class Mapped:
    """One record's fields sorted into roles (the key of the field found for each, and its
    value) and attributes (every other field with a value, as strings)."""

    found: dict[str, tuple[str, object]]
    attributes: tuple[tuple[str, str], ...]


def map_fields(record: dict[str, object], names: FieldNames) -> Mapped:
    """Sort `record`'s fields: for each role the first of its names present with a value
    (empty strings and nulls count as absent); every other field with a value is an attribute."""
    by_lower: dict[str, str] = {}
    for key in record:
        by_lower.setdefault(key.strip().lower(), key)
    found: dict[str, tuple[str, object]] = {}
    used: set[str] = set()
    for role in ROLES:
        for name in getattr(names, role):
            key = by_lower.get(name.lower())
            if key is None or key in used or _empty(record[key]):
                continue
            found[role] = (key, record[key])
            used.add(key)
            break
    attributes: list[tuple[str, str]] = []
    seen: set[str] = set()
    for key, value in record.items():
        if key in used or _empty(value):
            continue
        name = single_line(key)[:ATTRIBUTE_NAME_LIMIT] or "(unnamed)"
        if name in seen:
            continue
        seen.add(name)
        text = attribute_value(value)
        if text:
            attributes.append((name, text))
    return Mapped(found, tuple(attributes))


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def attribute_value(value: object) -> str:
    """A field's value as an attribute's string: text as it is, a number as written, anything
    else (true, a list, an object) as JSON."""
    if isinstance(value, str):
        return normalise_text(value).strip()  # line breaks kept; escapes and control characters go
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # an int too long to print
            return ""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return ""


# --- streaming lines ----------------------------------------------------------------------

#: How much of the start of a JSONL or CSV file its encoding and delimiter are told from.
SNIFF_BYTES = 1024 * 1024


@dataclass
class Line:
    """One physical line of a file (its number from 1), or None for a line over the limit
    (`size` its length in bytes), which is never held in memory whole."""

    number: int
    data: bytes | None
    size: int


def iter_lines(handle: BinaryIO, max_bytes: int | None) -> Iterator[Line]:
    """The lines of `handle` with their line endings, one at a time: never more than
    `max_bytes` of one line in memory (a longer one is read through and given as data None)."""
    number = 0
    chunk = max_bytes + 1 if max_bytes is not None else -1
    while True:
        data = handle.readline(chunk)
        if not data:
            return
        number += 1
        if max_bytes is None or len(data) <= max_bytes:
            yield Line(number, data, len(data))
            continue
        size = len(data)
        while not data.endswith(b"\n"):
            data = handle.readline(SNIFF_BYTES)
            if not data:
                break
            size += len(data)
        yield Line(number, None, size)


# --- csv ----------------------------------------------------------------------------------

#: The delimiters sniffing chooses between.
CSV_DELIMITERS = ",;\t|"


def sniff_delimiter(header: str) -> str:
    """The delimiter of a CSV file whose first line is `header` (csv.Sniffer), "," when it
    cannot tell."""
    try:
        return csv.Sniffer().sniff(header, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        counts = {delimiter: header.count(delimiter) for delimiter in CSV_DELIMITERS}
        best = max(counts, key=lambda delimiter: counts[delimiter])
        return best if counts[best] else ","


def csv_header(names: list[str]) -> list[str]:
    """A CSV header's column names, stripped; an empty one named "column N", a repeated one
    "name (2)"."""
    header: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(names, start=1):
        name = single_line(raw) or f"column {index}"
        unique, count = name, 1
        while unique in seen:
            count += 1
            unique = f"{name} ({count})"
        seen.add(unique)
        header.append(unique)
    return header
