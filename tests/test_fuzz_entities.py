"""Fuzzing the built-in recogniser with any text (control characters, combining marks, RTL, emoji)
and with news-like text built from fragments: it never raises, and its spans lie inside the text,
never overlap, carry known labels, and find what was planted where the rules promise it."""

from __future__ import annotations

import functools

from hypothesis import example, given, settings
from hypothesis import strategies as st

from reader.core.entities import LABELS, LazyRecogniser, Span, build_recogniser, lazy_recogniser
from reader.core.entities.packed import _HEADER, MAGIC, PackedSpansError, SpanTable
from reader.core.entities.user import UserEntities

#: A user gazetteer with phrases regular expressions and word boundaries find awkward.
GAZETTEER = {
    "ORG": ("Harbourton Port Authority", "AT&T", "C++ Foundation", "Acme (Holdings)"),
    "PERSON": ("Ines Okafor", "Zoë Ñúñez-O'Brien", "José\u0301 Ruiz"),
    "GPE": ("Harbourton", "São Tomé"),
    "EVENT": ("[Photo] Festival",),
}
SOURCES = {"gazetteer", "builtin", "pattern", "heuristic", "user"}


@functools.cache
def builtin():
    return build_recogniser()


@functools.cache
def with_gazetteer():
    return build_recogniser(GAZETTEER)


@functools.cache
def lazy():
    recogniser = lazy_recogniser()
    assert isinstance(recogniser, LazyRecogniser) and not recogniser.ready
    return recogniser


def assert_well_formed(text: str, spans: list[Span]) -> None:
    previous_end = 0
    for span in spans:
        assert type(span.start) is int and type(span.end) is int, span
        assert 0 <= span.start < span.end <= len(text), (span, len(text))
        assert span.start >= previous_end, f"{span} overlaps the span before it (sorted by start)"
        previous_end = span.end
        assert span.label in LABELS, span
        assert span.source in SOURCES, span
        assert 0.0 < span.confidence <= 1.0, span
        surface = getattr(span, "surface", None)
        assert surface is None or surface == text[span.start : span.end], span


def check(text: str) -> list[Span]:
    spans = builtin().recognise(text)
    assert_well_formed(text, spans)
    assert builtin().recognise(text) == spans  # the same text, the same spans
    assert lazy().recognise(text) == spans  # built on first use, the same recogniser
    assert_well_formed(text, with_gazetteer().recognise(text))
    return spans


# ---- any text ---------------------------------------------------------------------------------

HOSTILE = list(
    "\x00\x1b\x07\t\r\n\x0b\x0c\x85\u2028\u2029\ufeff\u200b\u200d\u200e\u200f\u202a\u202e\u2066\u0301\u0308"
    "\u0627\u05d0\u0915\u093f😀👩\u200d🚀🇺🇸\u00a0\u3000.,;:!?'’\"“”()[]{}—–-$€£¥%&#@/\\|*"
)
any_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.text(alphabet=st.sampled_from(HOSTILE + list("AaZz09 MrDr")), max_size=200),
)


@settings(max_examples=300, deadline=None)
@given(text=any_text)
@example(text="")
@example(text="A")
@example(text="\u0301A\u0301b Smith said")
@example(text="Mr. \u202eEvil\u202c Name said")
@example(text="Zoë\u0301 Ñúñez told")
@example(text="LONDON, May 4 (Reuters) —")
@example(text="$" * 50 + "5 million")
def test_any_text_gives_spans_inside_it_that_never_overlap(text):
    check(text)


# ---- news-like text ---------------------------------------------------------------------------

FIRST = ["Ana", "Zoë", "Jean-Luc", "Nguyễn Văn", "Ines", "Marcus", "Wang", "Olúwọlé", "Siobhán", "Ahmed", "Mary"]
LAST = ["Lima", "Okafor", "O'Brien", "Ñúñez", "Rashford", "Yi", "Smith", "Wiśniewska", "al-Rashid", "de la Cruz"]
TITLES = ["President", "Mr.", "Dr.", "Foreign Minister", "Prime Minister", "spokesperson", "Chief Executive",
          "Gen.", "Sen.", "Judge", "Secretary-General"]
ORG_HEADS = ["Ministry of", "Department of", "University of", "Bank of", "Committee for", "Institute of"]
ORG_TAILS = ["Health", "Foreign Affairs", "Warsaw", "England", "Trade and Development", "Public Security"]
PLACES = ["Geneva", "Kenya", "United Nations", "Rotterdam", "Harbourton", "New York", "Gaza", "European Union",
          "São Tomé", "Bosnia and Herzegovina"]
SAYS = ["said", "told reporters", "says", "added", "warned", "wrote"]
FILLER = ["the", "talks", "resumed", "on", "a", "plan", "was", "close to done", "officials", "and", "in", "of",
          "the draft", "Critics disagreed", "[Photo]", "[Video]", "Read more", "|", "•", "(", ")", "“no”", "—",
          "2,200 people", "Co-operation", "😀", "\u0627\u0644\u0633\u0644\u0627\u0645", "\u200f"]
SEPARATORS = [" ", " ", " ", "  ", "\n", "\n\n", ", ", ". ", " — ", "\u00a0", "\t", ": ", "; ", " (", ") "]


@st.composite
def dates(draw) -> str:
    month = draw(st.sampled_from(["January", "March", "May", "June", "September", "Dec.", "Sept."]))
    day = draw(st.integers(1, 31))
    year = draw(st.integers(1850, 2099))
    return draw(st.sampled_from([
        f"{month} {day}, {year}", f"{day} {month} {year}", f"{year}-{draw(st.integers(1, 12)):02d}-{day:02d}",
        f"{day}/{draw(st.integers(1, 12))}/{year}", "last week", "on Tuesday", "next month", "two years ago",
        f"the {year // 10 * 10}s", f"in {year}", f"{month} {year}", "yesterday", "first quarter of 2024",
    ]))


@st.composite
def amounts(draw) -> str:
    number = draw(st.sampled_from(["5", "3.2", "250,000", "1,200,000", "12", "0.5", "999"]))
    return draw(st.sampled_from([
        f"${number} million", f"€{number}bn", f"£{number}", f"US${number}", f"{number} euros",
        f"{number} Danish kroner", f"Rs. {number}", f"¥{number} trillion", f"{number} million pounds",
        f"KES {number}", f"{number} yuan",
    ]))


@st.composite
def people(draw) -> str:
    name = f"{draw(st.sampled_from(FIRST))} {draw(st.sampled_from(LAST))}"
    return draw(st.sampled_from([name, f"{draw(st.sampled_from(TITLES))} {name}", f"{name} {draw(st.sampled_from(SAYS))}",
                                 f"{draw(st.sampled_from(SAYS))} {name}", f"{name}, 54,", f"{name} Jr."]))


@st.composite
def organisations(draw) -> str:
    name = f"{draw(st.sampled_from(ORG_HEADS))} {draw(st.sampled_from(ORG_TAILS))}"
    return draw(st.sampled_from([name, f"the {name}", f"{name} ({''.join(w[0] for w in name.split() if w[0].isupper())})",
                                 "Northgate Minerals Corp.", "Kenya Airways", "World Health Organization (WHO)",
                                 "Acme Inc.", "NATO", "the UN", "Harbourton Port Authority", "AT&T"]))


fragments = st.one_of(
    people(), organisations(), dates(), amounts(), st.sampled_from(PLACES), st.sampled_from(FILLER),
    st.sampled_from(["LONDON, May 4 (Reuters) — ", "GENEVA (AP) — ", "By Ana Lima\n", "WASHINGTON/BEIJING —"]),
    st.text(alphabet=st.sampled_from(HOSTILE), max_size=3),
)
news = st.lists(st.tuples(fragments, st.sampled_from(SEPARATORS)), min_size=1, max_size=40).map(
    lambda pairs: "".join(fragment + separator for fragment, separator in pairs)
)


@settings(max_examples=300, deadline=None)
@given(text=news)
def test_news_like_text_gives_spans_inside_it_that_never_overlap(text):
    check(text)


def _planted(draw, fragment_strategy, alone: bool = False) -> tuple[str, int, int]:
    """News-like text with one fragment planted between separators that end words (`alone`: on
    a line of its own, where no neighbour can make it part of something longer, as "5 January"
    in "£5 January 1" is a date)."""
    before = draw(news)
    planted = draw(fragment_strategy)
    after = draw(news)
    lead = draw(st.sampled_from(["\n", "\n\n"] if alone else [" ", "\n", ". ", ", ", " — "]))
    trail = draw(st.sampled_from([".\n", "\n\n", "\n"] if alone else [" ", "\n", ". ", ", ", " — "]))
    text = before + lead + planted + trail + after
    start = len(before) + len(lead)
    return text, start, start + len(planted)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_user_gazetteer_phrase_standing_alone_is_found_with_its_label(data):
    """The user's gazetteer claims text first: a phrase of it between word boundaries is one span
    with its label, whatever is around it (unless another of its phrases overlaps it)."""
    phrases = {phrase: label for label, listed in GAZETTEER.items() for phrase in listed}
    phrase = data.draw(st.sampled_from(sorted(phrases)))
    text, start, end = _planted(data.draw, st.just(phrase))
    spans = with_gazetteer().recognise(text)
    assert_well_formed(text, spans)
    others = [p for p in phrases if p != phrase and p in text]
    if any(text.find(other, max(0, start - len(other)), end + len(other)) != -1 for other in others):
        return  # another phrase of the gazetteer may overlap this one
    assert Span(start, end, phrases[phrase], "gazetteer", 1.0) in spans, (phrase, text)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_money_amount_on_a_line_of_its_own_is_one_money_span_covering_it(data):
    text, start, end = _planted(data.draw, amounts(), alone=True)
    spans = check(text)
    assert any(span.label == "MONEY" and span.start <= start and end <= span.end for span in spans), (
        text[start:end], [(text[s.start : s.end], s.label) for s in spans if s.start < end and start < s.end])


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_full_date_on_a_line_of_its_own_is_one_date_span_covering_it(data):
    month = data.draw(st.sampled_from(["January", "March", "September", "December"]))
    day, year = data.draw(st.integers(1, 28)), data.draw(st.integers(1900, 2099))
    text, start, end = _planted(data.draw, st.sampled_from([f"{month} {day}, {year}", f"{year}-03-{day:02d}"]), alone=True)
    spans = check(text)
    assert any(span.label == "DATE" and span.start <= start and end <= span.end for span in spans), (
        text[start:end], [(text[s.start : s.end], s.label) for s in spans if s.start < end and start < s.end])


# ---- the user's word on top, and the cache ------------------------------------------------------

surfaces = st.one_of(st.sampled_from(["Rotterdam", "Ana Lima", "AT&T", "(x)", "a.b*c", "Zoë\u0301", " Geneva ",
                                      "[Photo]", "$5", "\u200f", "é", "New York"]), st.text(min_size=1, max_size=8))


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(news, any_text), feedback=st.lists(
    st.tuples(surfaces, st.sampled_from([*LABELS, "NOT-A-LABEL"]), st.sampled_from(["accept", "reject", "other"])),
    max_size=6,
), data=st.data())
def test_the_users_entities_over_the_recognisers_stay_well_formed_and_survive_the_cache(text, feedback, data):
    if feedback and data.draw(st.booleans()):  # plant an accepted surface
        surface = feedback[0][0]
        text = text + data.draw(st.sampled_from([" ", "\n", ", "])) + surface + " said."
    user = UserEntities(feedback)
    shown = user.apply(text, SpanTable.from_spans(builtin().recognise(text)))
    assert_well_formed(text, list(shown))
    for span in shown:
        assert span.source != "user" or text[span.start : span.end] in user.accepted
    back = SpanTable.from_bytes(shown.to_bytes())
    assert [(s.start, s.end, s.label, s.source) for s in back] == [(s.start, s.end, s.label, s.source) for s in shown]


def _packed(vocabulary: bytes, columns: bytes = b"", count: int = 0) -> bytes:
    return _HEADER.pack(MAGIC, count, len(vocabulary)) + vocabulary + columns


@settings(max_examples=300, deadline=None)
@given(data=st.one_of(
    st.binary(max_size=80),
    st.builds(lambda packed, at, junk: packed[:at] + junk + packed[at + len(junk):],
              st.sampled_from([SpanTable.from_spans(builtin().recognise(text)).to_bytes()
                               for text in ("", "Ana Lima met officials of the United Nations on May 5, 2024.")]),
              st.integers(0, 120), st.binary(min_size=1, max_size=6)),
    st.builds(_packed, st.sampled_from([b"5", b"null", b'"ab"', b"{}", b"[]", b'[["PERSON"], 5]', b"[5, 6]",
                                        b'[["PERSON"], ["builtin"], 1]', b"[" * 5000 + b"]" * 5000, b"\xff"])),
))
@example(data=_packed(b"[" * 5000 + b"]" * 5000))
@example(data=_packed(b"null"))
@example(data=_packed(b'"ab"'))
def test_a_damaged_entity_cache_entry_is_refused_as_one(data):
    """What the entity cache holds comes back as the spans it was, or `PackedSpansError` (the
    store then recognises the text again), never another exception or a table of nonsense."""
    try:
        table = SpanTable.from_bytes(data)
    except PackedSpansError:
        return
    for span in table:
        assert isinstance(span.label, str) and isinstance(span.source, str)


def test_a_number_glued_to_a_currency_symbol_is_money_not_the_day_of_a_date():
    """(Found by the planted-amount property: "5 January" outranked "£5", being longer.)"""
    text = "Geneva £5 January 1, 1850. It cost $2024 in 2024."
    found = [(text[span.start : span.end], span.label) for span in check(text)]
    assert ("£5", "MONEY") in found and ("January 1, 1850", "DATE") in found and ("$2024", "MONEY") in found
