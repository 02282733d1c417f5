"""How an entity is known across articles: the key that makes "The United Nations" and "united
nations" one ORG and "Dr. Ana Lima" and "Ana Lima" one PERSON, its display name, its search words.

Pure functions of text: no database, no recogniser.
"""

from __future__ import annotations

import re
import unicodedata


_HONORIFICS = frozenset(
    "mr mr. mrs mrs. ms ms. dr dr. prof prof. sir dame lady lord madam mme mme. m. herr frau".split()
)


_WORD = re.compile(r"\w+")


def entity_key(surface: str, label: str = "") -> str:
    """The normalised form of `surface` that identifies an entity (with its label); "" when
    nothing is left (the caller skips such a span)."""
    words = surface.casefold().replace("’", "'").replace("‘", "'").split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    if label == "PERSON":
        while len(words) > 1 and words[0] in _HONORIFICS:
            words = words[1:]
    if words and len(words[-1]) > 2 and words[-1].endswith("'s"):
        words[-1] = words[-1][:-2]
    return " ".join(words)


def display_name(surface: str, label: str) -> str:
    """The surface on one line, without a PERSON's honorific: what `entities.name` keeps."""
    words = surface.split()
    if label == "PERSON":
        while len(words) > 1 and words[0].casefold() in _HONORIFICS:
            words = words[1:]
    return " ".join(words)


def search_words(text: str) -> list[str]:
    """The words of `text` as prefix search compares them: casefolded, without accents."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(plain)

