"""What every format module shares: the export item, the imported annotation, and the helpers that
build and write them.

Pure: plain data and text in, plain data and text out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from reader.core.anchoring import selector_for
from reader.core.entities import Span
from reader.core.model import Annotation, Article


#: One article to export: the article (with its text), its annotations, its confirmed entities.
ExportItem = tuple[Article, list[Annotation], list[Span]]


@dataclass(frozen=True, slots=True)
class ImportedAnnotation:
    """An annotation read from another format; what the format does not carry is `None`.

    `article` is the key the format names the article by: its uid where reader wrote it, else a
    URL (W3C) or a file name (brat). `start`/`end` are code-point offsets (`None` when the
    format gave only a quote)."""

    article: str
    start: int | None
    end: int | None
    quote: str
    prefix: str = ""
    suffix: str = ""
    tags: tuple[str, ...] = ()
    note: str | None = None
    annotator: str | None = None
    created: str | None = None
    updated: str | None = None
    id: str | None = None


def from_text(article: str, text: str | None, start: int, end: int, tags: Iterable[str],
              note: str | None = None, fallback_quote: str = "") -> ImportedAnnotation:
    """An imported annotation whose quote and context come from the article's text (the way the
    store computes them), or only `fallback_quote` when the text is unknown or too short."""
    if text is not None and 0 <= start <= end <= len(text):
        quote, prefix, suffix = selector_for(text, start, end)
    else:
        quote, prefix, suffix = fallback_quote, "", ""
    return ImportedAnnotation(article, start, end, quote, prefix, suffix, tuple(tags), note)


def group_by_range(article: str, text: str | None, labelled: Iterable[tuple[int, int, str]],
                   ) -> list[ImportedAnnotation]:
    """Annotations from `(start, end, tag)` triples: the tags of one range make one annotation
    (formats that write one record per tag carry no annotation identity), in order of range."""
    tags: dict[tuple[int, int], list[str]] = {}
    for start, end, tag in labelled:
        listed = tags.setdefault((start, end), [])
        if tag not in listed:
            listed.append(tag)
    return [
        from_text(article, text, start, end, sorted(names))
        for (start, end), names in sorted(tags.items(), key=lambda item: (item[0][0], -item[0][1]))
    ]


def to_json(value: object, indent: int | None = None) -> str:
    """JSON with non-ASCII text readable, except the characters `str.splitlines` breaks lines at
    (U+0085, U+2028, U+2029), which are escaped so no line-based reader splits a record."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return text.replace("\x85", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def article_key(article: Article) -> str:
    """How exports name an article: its uid (stable across databases holding the same text)."""
    return article.uid
