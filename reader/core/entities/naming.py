"""How an entity is known across articles: the key that makes "The United Nations" and "united
nations" one ORG and "Dr. Ana Lima" and "Ana Lima" one PERSON, its display name, its search words.

Pure functions of text: no database, no recogniser.
"""

from __future__ import annotations

import functools
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



#: Names news uses for countries whose ISO name is longer or formal.
_NEWS_NAMES = {
    "Russian Federation": "Russia", "Korea, Republic of": "South Korea",
    "Korea, Democratic People's Republic of": "North Korea", "Iran, Islamic Republic of": "Iran",
    "Syrian Arab Republic": "Syria", "Viet Nam": "Vietnam", "Türkiye": "Turkey", "Czechia": "Czech Republic",
    "Venezuela, Bolivarian Republic of": "Venezuela", "Bolivia, Plurinational State of": "Bolivia",
    "Tanzania, United Republic of": "Tanzania", "Moldova, Republic of": "Moldova", "Lao People's Democratic Republic": "Laos",
    "Taiwan, Province of China": "Taiwan", "Palestine, State of": "Palestine", "Holy See (Vatican City State)": "Vatican",
    "Brunei Darussalam": "Brunei", "Cabo Verde": "Cape Verde", "Congo, The Democratic Republic of the": "Democratic Republic of Congo",
    "Micronesia, Federated States of": "Micronesia", "Côte d'Ivoire": "Ivory Coast",
}
#: Short forms news writes that ISO does not list.
_MORE_ALIASES = {
    "u.s.": "United States", "u.s.a.": "United States", "america": "United States", "the us": "United States",
    "britain": "United Kingdom", "great britain": "United Kingdom", "u.k.": "United Kingdom", "uk": "United Kingdom",
    "holland": "Netherlands", "the netherlands": "Netherlands", "burma": "Myanmar", "turkiye": "Turkey",
    "drc": "Democratic Republic of Congo", "dr congo": "Democratic Republic of Congo",
    "uae": "United Arab Emirates", "prc": "China", "people's republic of china": "China",
}


@functools.cache
def _country_aliases() -> dict[str, str]:
    """Casefolded alias -> the country's news name, from ISO 3166 (pycountry) and the short forms above."""
    import pycountry

    aliases: dict[str, str] = {}
    for country in pycountry.countries:
        name = getattr(country, "common_name", None) or country.name
        name = _NEWS_NAMES.get(name, _NEWS_NAMES.get(country.name, name))
        for alias in (country.name, getattr(country, "official_name", None), getattr(country, "common_name", None),
                      country.alpha_3, country.alpha_2):
            if alias:
                aliases.setdefault(alias.casefold(), name)
        aliases.setdefault(name.casefold(), name)
    for alias, name in _MORE_ALIASES.items():
        aliases[alias] = name
    return aliases


def identity(key: str, label: str) -> tuple[str, str] | None:
    """The (key, display name) of the one actor an entity's key names under another name: "u.s.",
    "usa" and "america" are the United States; None when the key is its own identity. Only
    countries for now (GPE): their ISO names, codes and the short forms news writes."""
    if label != "GPE":
        return None
    name = _country_aliases().get(key)
    if name is None:
        return None
    canonical = entity_key(name, label)
    return None if canonical == key else (canonical, name)


def identities(text: str, found: list[tuple[int, int, str, str]]) -> list[tuple[str, str | None]]:
    """For each `(start, end, key, label)` of one text, in text order: the key of the entity it
    counts as, and its own key when that differs (else None).

    In the text, a bare surname counts as the one full name that ends with it ("Ana Lima ...
    Lima said"; with two such people it stays its own), an acronym as the name it follows in
    brackets ("National Grain Board (NGB)"); everywhere, a country's other names count as the
    country (`identity`)."""
    full_names: dict[str, set[str]] = {}
    defined: dict[tuple[str, str], str] = {}
    for index, (_start, end, key, label) in enumerate(found):
        if label == "PERSON" and " " in key:
            full_names.setdefault(key.rsplit(" ", 1)[1], set()).add(key)
        elif " " in key and index + 1 < len(found):
            a_start, a_end, a_key, a_label = found[index + 1]
            if a_label == label and " " not in a_key and text[end:a_start].strip() == "(" and text[a_end:a_end + 1] == ")":
                defined.setdefault((a_key, label), key)
    named: list[tuple[str, str | None]] = []
    for _start, _end, key, label in found:
        if label == "PERSON" and " " not in key:
            owners = full_names.get(key, ())
            named.append((next(iter(owners)), key) if len(owners) == 1 else (key, None))
        elif (key, label) in defined:
            named.append((defined[(key, label)], key))
        else:
            known = identity(key, label)
            named.append((known[0], key) if known else (key, None))
    return named
