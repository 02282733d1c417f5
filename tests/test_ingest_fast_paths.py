"""The shortcuts that make a record cheap to read give exactly what the long way gives: mojibake
repair skips ftfy only where ftfy would change nothing, the first year of a text is the first of
all its years, and text without control characters is normalised as the regexes would."""

from __future__ import annotations

import re

from ftfy.badness import MOJIBAKE_CATEGORIES
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.ingest import dates, text
from reader.core.ingest.text import _CONTROLS, _CSI, _LEADING_BLANK_LINES, _OSC, normalise_text, repair_mojibake


def expanded(characters: str) -> str:
    return re.sub(r"(.)-(.)", lambda m: "".join(chr(c) for c in range(ord(m[1]), ord(m[2]) + 1)), characters)


#: Every character ftfy's detector looks at, and ordinary ones around them.
MOJIBAKE_ALPHABET = "".join(expanded(value) for value in MOJIBAKE_CATEGORIES.values()) + (
    "ŒœΒΓΞΟВГРСЂўβā€√≈‚Ä×²³°ØÙàÂÃÎÐéèüöñçß“”‘’—–… azAZ.,?!\n\t\r&#;0123456789"
)


def by_ftfy(value: str, entities: bool) -> str:
    """What ftfy itself makes of `value` with reader's settings (text without any character of
    mojibake, or an entity, is never given to it)."""
    if not (text._MOJIBAKE_MARKS.search(value) or (entities and text._ENTITY.search(value))):
        return value
    fixed = text._mojibake_fixer(entities)(value)
    return value if fixed == value else fixed


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=MOJIBAKE_ALPHABET, max_size=40), st.booleans(),
       st.sampled_from(["", "The council met. ", "Zoë Müller said “yes” — "]))
def test_mojibake_repair_is_ftfy_s(value, entities, prefix):
    value = prefix + value
    assert repair_mojibake(value, entities) == by_ftfy(value, entities)


def test_mojibake_repair_still_repairs():
    assert repair_mojibake("Itâ€™s Â£5m for the CafÃ©") == "It’s £5m for the Café"
    assert repair_mojibake("voilÃ le travail") == "voilà le travail"
    plain = "Zoë Müller said “yes” — the café opened."
    assert repair_mojibake(plain) is plain  # left alone, without asking ftfy
    assert text._mojibake_fixer(False)(plain) == plain


DATE_PIECES = ["March 2, 2019", "2 Mar 2019", "2019-03-02", "02/03/2019", "Tuesday, March 2 2019", "since 2004",
               " may 5 ", "June 2018", "12.3.2020", "2nd of March 2019", "Sept. 9, 1999", "the ", "\n", "Mon 3 ",
               "1999", "20", "19"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(DATE_PIECES), max_size=8))
def test_the_first_year_is_the_first_of_all_years(pieces):
    value = "".join(pieces)
    years = dates.years_in(value)
    assert dates.first_year(value) == (years[0] if years else None)


def by_regexes(raw: str) -> str:
    """`normalise_text` without its shortcuts."""
    value = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in value:
        value = _OSC.sub("", _CSI.sub("", value))
    value = _CONTROLS.sub("", value)
    return _LEADING_BLANK_LINES.sub("", value).lstrip("\ufeff").rstrip()


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["a", " ", "\n", "\r", "\t", "\x1b[31m", "\x1b]0;x\x07", "\ufeff", "\x85", "\xa0",
                                 "\u2028", "é", "\x00", "\ud800", "\x1f", "b."]), max_size=12))
def test_normalising_without_control_characters_is_the_regexes(pieces):
    value = "".join(pieces)
    assert normalise_text(value) == by_regexes(value)
