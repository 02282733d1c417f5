"""Text arriving in an annotation file, made safe once, where it enters: names, titles and notes
cleaned of what could drive a terminal, article texts normalised as `reader import` does.

It never changes what a user could have typed in reader, and never moves an offset silently:
`normalised_with_offsets` says where every kept character of a text went.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from reader.core import ingest

#: Line breaks (what `str.splitlines` breaks at) and tabs: a space in a one-line field.
_BREAKS = re.compile("[\t\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
#: C0 (tab and newline aside), DEL and C1 controls, and lone surrogates (from JSON escapes).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
#: Bidi embeddings, overrides and isolates, and the marks (LRM, RLM, ALM) that reorder a line.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def one_line(value: str) -> str:
    """A name, title, source, annotator, time...: line breaks and tabs become spaces, other
    control characters and bidi controls go. Idempotent; plain text passes unchanged."""
    if value.isprintable():  # (no control, line break or format character: the usual case)
        return value
    return _BIDI.sub("", _CONTROLS.sub("", _BREAKS.sub(" ", value)))


def one_line_or_none(value: str | None) -> str | None:
    return None if value is None else one_line(value)


def lines_kept(value: str) -> str:
    """A note, a description, a quote kept apart from its text: line breaks stay (CRLF and CR
    become LF), tabs stay, other control characters go. Idempotent."""
    if value.isprintable():
        return value
    return _CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def lines_kept_or_none(value: str | None) -> str | None:
    return None if value is None else lines_kept(value)


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """An article text as `reader import` stores it (`ingest.normalise_text`), with where each
    of its characters was in the text as the file gave it."""

    text: str
    #: `origins[i]`: the index in the given text of the stored text's character `i`; None when
    #: the text needed no change (every offset stays).
    origins: list[int] | None

    @property
    def changed(self) -> bool:
        return self.origins is not None

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """`[start, end)` of the given text as offsets into the stored one: the same characters,
        less those normalisation removed; None when none of them is left."""
        if self.origins is None:
            return start, end
        new_start, new_end = bisect_left(self.origins, start), bisect_left(self.origins, end)
        return (new_start, new_end) if new_start < new_end else None


def normalised_with_offsets(raw: str) -> NormalisedText | None:
    """`raw` normalised exactly as `reader import` normalises a file's text, and where each kept
    character came from. None when the two cannot be told apart reliably (the import's
    normalisation changed in a way this does not follow): callers then refuse to place offsets."""
    expected = ingest.normalise_text(raw)
    if expected == raw:
        return NormalisedText(raw, None)
    # the same steps as ingest.normalise_text, each a deletion (or CR -> LF, in place), with the
    # original index of every character kept
    text = raw
    origins = list(range(len(raw)))

    def delete(pattern: re.Pattern[str]) -> None:
        nonlocal text, origins
        kept_text: list[str] = []
        kept_origins: list[int] = []
        position = 0
        for match in pattern.finditer(text):
            kept_text.append(text[position : match.start()])
            kept_origins.extend(origins[position : match.start()])
            position = match.end()
        kept_text.append(text[position:])
        kept_origins.extend(origins[position:])
        text, origins = "".join(kept_text), kept_origins

    delete(re.compile(r"\r(?=\n)"))
    text = text.replace("\r", "\n")
    if "\x1b" in text:
        delete(ingest._CSI)
        delete(ingest._OSC)
    delete(ingest._CONTROLS)
    blank = ingest._LEADING_BLANK_LINES.match(text)
    if blank:
        text, origins = text[blank.end() :], origins[blank.end() :]
    boms = len(text) - len(text.lstrip("\ufeff"))
    text, origins = text[boms:], origins[boms:]
    kept = len(text.rstrip())
    text, origins = text[:kept], origins[:kept]
    if text != expected:
        return None
    return NormalisedText(text, origins)
