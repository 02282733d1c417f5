"""Search queries: what people type, turned into a safe FTS5 query and into hits in one text.

Offsets are into the stored text as it is; the text is never changed, only read.

The syntax: words (all must appear), `"a phrase"`, `word*` for words starting so, `OR`
between alternatives, `-word` or `NOT word` to exclude. Anything else is taken literally,
so no query can be an FTS5 syntax error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r'-?"[^"]*"?\*?|\S+')


def _fold_char(char: str) -> str:
    """One character without case or accents ("Ü" -> "u"), always exactly one character."""
    base = unicodedata.normalize("NFD", char)[:1].lower()[:1]
    return base or char


def fold(text: str) -> str:
    """`text` without case or accents, the same length, so offsets carry over."""
    # every character of the text in the table, those that stay as themselves too: a character
    # missing from it costs `translate` a failed lookup (twice the time of the whole fold)
    table = {ord(char): _fold_char(char) if not char.isascii() or char.isupper() else char for char in set(text)}
    return text.translate(table)


@dataclass(frozen=True, slots=True)
class Term:
    """One thing to look for: a word or a phrase (its words), maybe a prefix, maybe excluded."""

    words: tuple[str, ...]
    prefix: bool = False
    excluded: bool = False

    def fts(self) -> str:
        quoted = '"' + " ".join(self.words) + '"'
        return quoted + ("*" if self.prefix else "")


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed search: groups of terms joined by OR, the terms of a group all required."""

    groups: tuple[tuple[Term, ...], ...]

    @property
    def terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]

    def fts(self) -> str | None:
        """The FTS5 MATCH expression, or None when nothing can match."""
        alternatives = []
        for group in self.groups:
            wanted = [term.fts() for term in group if not term.excluded]
            if not wanted:
                continue  # FTS5 cannot match "everything except"; such a group adds nothing
            expression = " AND ".join(wanted)
            for term in group:
                if term.excluded:
                    expression += f" NOT {term.fts()}"
            alternatives.append(f"({expression})")
        return " OR ".join(alternatives) if alternatives else None


def parse_query(text: str) -> Query:
    groups: list[list[Term]] = [[]]
    negate_next = False
    for token in _TOKEN.findall(text):
        if token == "OR":
            groups.append([])
            continue
        if token in ("AND", "NOT"):
            negate_next = token == "NOT"
            continue
        excluded = negate_next or (token.startswith("-") and len(token) > 1)
        negate_next = False
        body = token[1:] if token.startswith("-") and len(token) > 1 else token
        prefix = body.endswith("*")
        words = tuple(_WORD.findall(fold(body)))
        if words:
            groups[-1].append(Term(words, prefix=prefix, excluded=excluded))
    return Query(tuple(tuple(group) for group in groups if group))


def fts_query(text: str) -> str | None:
    """A safe FTS5 MATCH expression for what the user typed, or None if it has no words."""
    return parse_query(text).fts()


def search_hits(text: str, query: str) -> list[tuple[int, int]]:
    """Where the search's wanted words and phrases occur in `text`: in order, never overlapping."""
    patterns = []
    for term in parse_query(query).terms:
        if term.excluded:
            continue
        body = r"\W+".join(re.escape(word) for word in term.words)
        patterns.append(r"\b" + body + (r"\w*" if term.prefix else r"\b"))
    if not patterns:
        return []
    pattern = re.compile("|".join(sorted(patterns, key=len, reverse=True)))
    return [match.span() for match in pattern.finditer(fold(text))]


def snippet_of(text: str, query: str, context: int = 60) -> str | None:
    """The first hit of `query` in `text` with some context, hits between U+0002 and U+0003
    (as in FTS5 snippets), or None when there is no hit."""
    hits = search_hits(text, query)
    if not hits:
        return None
    first_start = hits[0][0]
    start = max(0, first_start - context)
    end = min(len(text), hits[0][1] + context)
    pieces = ["…" if start else ""]
    position = start
    for hit_start, hit_end in hits:
        if hit_start >= end:
            break
        hit_end = min(hit_end, end)
        pieces += [text[position:hit_start], "\x02", text[hit_start:hit_end], "\x03"]
        position = hit_end
    pieces += [text[position:end], "…" if end < len(text) else ""]
    return "".join(pieces)
