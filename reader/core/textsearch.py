"""Finding a search's words inside one article, the way the full-text index matches them.

Offsets are into the stored text as it is; the text is never changed, only read.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+")


def _fold_char(char: str) -> str:
    """One character without case or accents ("Ü" -> "u"), always exactly one character."""
    base = unicodedata.normalize("NFD", char)[:1].lower()[:1]
    return base or char


def fold(text: str) -> str:
    """`text` without case or accents, the same length, so offsets carry over."""
    table = {ord(char): _fold_char(char) for char in set(text) if not char.isascii() or char.isupper()}
    return text.translate(table)


def search_terms(query: str) -> list[str]:
    """The words of a search as the index sees them: folded, without punctuation."""
    return list(dict.fromkeys(_WORD.findall(fold(query))))


def search_hits(text: str, query: str) -> list[tuple[int, int]]:
    """Whole-word occurrences of the search's words in `text`, in order, never overlapping."""
    terms = search_terms(query)
    if not terms:
        return []
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)) + r")\b")
    return [match.span() for match in pattern.finditer(fold(text))]
