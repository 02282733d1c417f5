"""Words, sentences and paragraphs of an article as `[start, end)` spans, for cursor movement.

Pure functions over the stored text; it never changes the text or its offsets.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from functools import cached_property

# A sentence ends at . ! ? or … (possibly repeated), then optional closing quotes/brackets,
# then whitespace; a line break always ends one (headlines, datelines and list items have no
# full stop).
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|\n")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_BARE_WORD = r"\w+(?:[’'\-.]\w+)*"
_WORD = re.compile(_BARE_WORD + r"|[^\w\s]+")
_BARE_WORD_RE = re.compile(_BARE_WORD)

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st gen col lt sgt capt cmdr adm gov sen rep rev hon pres
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thurs fri sat sun
    no nos vol pp fig approx est inc ltd co corp dept univ ave blvd rd mt ft vs etc al e.g i.e
    u.s u.k u.n e.u a.m p.m""".split()
)


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    if match.group() == "\n":
        return True
    if not match.group().startswith("."):
        return True
    word_start = match.start()
    while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start : match.start()].lower()
    if word in _ABBREVIATIONS:
        return False
    if len(word) == 1 and word.isalpha():  # an initial: "J. Smith"
        return False
    rest = text[match.end() : match.end() + 3].lstrip()
    return not rest or not rest[0].islower()


def trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """`[start, end)` without whitespace at either end; None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _pieces(text: str, cuts: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The non-blank pieces of `text` around each `(cut_start, cut_end)`, trimmed of whitespace."""
    spans: list[tuple[int, int]] = []
    start = 0
    for cut_start, cut_end in cuts:
        span = trimmed(text, start, cut_start)
        if span:
            spans.append(span)
        start = cut_end
    span = trimmed(text, start, len(text))
    if span:
        spans.append(span)
    return spans


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences in text order, without surrounding whitespace."""
    ends = (match for match in _SENTENCE_END.finditer(text) if _ends_sentence(text, match))
    return _pieces(text, ((match.end(), match.end()) for match in ends))


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Paragraphs (separated by blank lines) in text order, without surrounding whitespace."""
    return _pieces(text, (match.span() for match in _PARAGRAPH_BREAK.finditer(text)))


def word_spans(text: str) -> list[tuple[int, int]]:
    """Words and runs of punctuation, in text order."""
    return [match.span() for match in _WORD.finditer(text)]


def bare_word_spans(text: str) -> list[tuple[int, int]]:
    """Words only, in text order: no run of punctuation is one ("Hexal." holds the word "Hexal")."""
    return [match.span() for match in _BARE_WORD_RE.finditer(text)]


class Segments:
    """The words, sentences and paragraphs of one text, each found on first use (a long
    document opens without paying for them), with lookups by offset."""

    def __init__(self, text: str):
        self.text = text

    @classmethod
    def of(cls, text: str) -> Segments:
        return cls(text)

    @cached_property
    def words(self) -> list[tuple[int, int]]:
        return word_spans(self.text)

    @cached_property
    def bare_words(self) -> list[tuple[int, int]]:
        """The words the w, b and e moves stop at: words without punctuation."""
        return bare_word_spans(self.text)

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        return sentence_spans(self.text)

    @cached_property
    def paragraphs(self) -> list[tuple[int, int]]:
        return paragraph_spans(self.text)

    @staticmethod
    def containing(spans: list[tuple[int, int]], offset: int) -> tuple[int, int] | None:
        """The span that holds `offset`, else the next one after it, else the last one."""
        if not spans:
            return None
        index = bisect.bisect_right(spans, (offset, float("inf"))) - 1
        if index >= 0 and spans[index][0] <= offset < spans[index][1]:
            return spans[index]
        return spans[index + 1] if index + 1 < len(spans) else spans[-1]

    def sentence_at(self, offset: int) -> tuple[int, int] | None:
        """The sentence that holds `offset`, or the one just before it when the cursor is in the
        spaces after it on the same line; None on a blank line or before the first sentence."""
        index = bisect.bisect_right(self.sentences, (offset, float("inf"))) - 1
        if index < 0:
            return None
        start, end = self.sentences[index]
        if offset < end or "\n" not in self.text[end:offset]:
            return start, end
        return None

    @staticmethod
    def next_start(spans: list[tuple[int, int]], offset: int) -> int | None:
        """The start of the first span that starts after `offset`."""
        index = bisect.bisect_right(spans, (offset, float("inf")))
        return spans[index][0] if index < len(spans) else None

    @staticmethod
    def previous_start(spans: list[tuple[int, int]], offset: int) -> int | None:
        """The start of the last span that starts before `offset`."""
        index = bisect.bisect_left(spans, (offset, -1)) - 1
        return spans[index][0] if index >= 0 else None

    @staticmethod
    def next_end(spans: list[tuple[int, int]], offset: int) -> int | None:
        """The last offset of the first span whose last offset is after `offset` (vim's `e`:
        the end of this word, or of the next one when `offset` is already at an end)."""
        index = bisect.bisect_right(spans, offset + 1, key=lambda span: span[1])
        return spans[index][1] - 1 if index < len(spans) else None

    def word_selection(self, anchor: int, cursor: int, exclusive: bool) -> tuple[int, int] | None:
        """What a selection moved by words (w, b, e) holds: the whole words between `anchor`
        and `cursor`, without punctuation or spaces at either end ("v w" on "Hexal. The" is
        "Hexal"). With `exclusive` (the last move was w forward), a cursor at the start of a
        word leaves that word out, as vim's `yw` does. None when no word is in it."""
        start, last = sorted((anchor, cursor))
        end = last + 1
        words = self.bare_words
        if exclusive and cursor > anchor and any(span[0] == cursor for span in self._around(words, cursor)):
            end = cursor
        first = self._around(words, start)
        if first and first[0][0] <= start < first[0][1]:
            start = first[0][0]
        tail = self._around(words, end - 1)
        if tail and tail[0][0] <= end - 1 < tail[0][1]:
            end = tail[0][1]
        inside = words[bisect.bisect_left(words, (start, -1)) : bisect.bisect_right(words, end, key=lambda span: span[1])]
        if not inside:
            return None
        return inside[0][0], inside[-1][1]

    @staticmethod
    def _around(spans: list[tuple[int, int]], offset: int) -> list[tuple[int, int]]:
        """The span that holds `offset`, if one does (as a list of zero or one span)."""
        index = bisect.bisect_right(spans, (offset, float("inf"))) - 1
        return [spans[index]] if index >= 0 and spans[index][0] <= offset < spans[index][1] else []
