"""A user's correction of an article's title, date, source and attributes, checked and made one value.

Pure: it reads the values a form gave and what the screen showed; it never writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.core.ingest.dates import iso_date
from reader.core.ingest.text import single_line
from reader.core.model import ArticleMeta, attribute_name_problem


@dataclass(frozen=True, slots=True)
class Correction:
    """What a form says: a title, a date as written, a source, attribute lines (`name: value`)."""

    title: str
    date: str
    source: str
    attributes: str


def attribute_lines(attributes: tuple[tuple[str, str], ...]) -> str:
    """Attributes as a form shows them: one `name: value` a line (a value's line breaks as spaces)."""
    return "\n".join(f"{name}: {single_line(value)}" for name, value in attributes)


def form_of(meta: ArticleMeta) -> Correction:
    """The values a form starts from: the article as it is (its date as written, else as ISO)."""
    return Correction(meta.title, meta.published_written or meta.published or "", meta.source or "",
                      attribute_lines(meta.attributes))


def parse_attributes(text: str, seen: tuple[tuple[str, str], ...] = ()) -> tuple[tuple[str, str], ...]:
    """`name: value` lines as (name, value) pairs in their order; blank lines skipped; ValueError
    naming the line that is not one. A name the article had (`seen`) is read whole even when it
    holds a colon, and a value that reads as it was shown keeps what it was (its line breaks)."""
    known = dict(seen)
    shown = {name: single_line(value) for name, value in seen}
    found: dict[str, str] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        name = next((name for name in sorted(known, key=len, reverse=True)
                     if line.strip().startswith(name + ":")), None)
        if name is not None:
            value = line.strip()[len(name) + 1:]
        else:
            name, colon, value = line.partition(":")
            name = single_line(name)
            if not colon:
                raise ValueError(f"attributes, line {number}: expected name: value, got {single_line(line)!r}")
        problem = attribute_name_problem(name)
        if problem:
            raise ValueError(f"attributes, line {number}: {problem}")
        if name in found:
            raise ValueError(f"attributes, line {number}: {name!r} is given twice")
        value = single_line(value)
        if not value:
            raise ValueError(f"attributes, line {number}: {name!r} has no value (delete the line to remove it)")
        found[name] = known[name] if shown.get(name) == value else value
    return tuple(found.items())


def corrected(seen: ArticleMeta, form: Correction, day_first: bool = True) -> ArticleMeta:
    """The article's metadata after the correction `form` of `seen`, its changed fields marked
    edited (those edited before stay so); ValueError with a one-line reason when a value is
    not usable (an empty title, a date reader cannot read, a malformed attribute line)."""
    title = single_line(form.title)
    if not title:
        raise ValueError("title: an article has a title (it must not be empty)")
    written = single_line(form.date)
    if written == (seen.published_written or seen.published or ""):
        published, published_written = seen.published, seen.published_written
    elif not written:
        published, published_written = None, None
    else:
        published = iso_date(written, day_first)
        if published is None:
            raise ValueError(f"date: {written!r} is not a date reader reads (such as 2025-03-02, 2 March 2025, March 2025)")
        published_written = written
    after = ArticleMeta(title, published, published_written, single_line(form.source) or None,
                        parse_attributes(form.attributes, seen.attributes))
    changed = after.changed_fields(seen)
    return ArticleMeta(after.title, after.published, after.published_written, after.source, after.attributes,
                       edited=seen.edited | changed)
