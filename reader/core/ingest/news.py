"""What a news text says about itself in its opening lines: the headline (past navigation,
breadcrumbs, tickers and captions), and the date, source and author of datelines and bylines
("LONDON, March 2 (Reuters) -", "Wirefeed, March 2, 2019", "By Ann Lee | City Post | Updated: ...").

It reads only the text it is given and never changes it; what it cannot find it leaves None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from reader.core.ingest.dates import MONTH, FoundDate, find_date, first_year
from reader.core.ingest.text import opening_words, single_line

#: How many non-blank opening lines are searched for a headline, a dateline or a byline.
OPENING_LINES = 15
#: A headline line is at most this long; a longer first line is the start of the text.
HEADLINE_LIMIT = 160

_JUNK_LINES = frozenset(
    {
        "advertisement", "skip to content", "skip to main content", "skip to navigation",
        "share this article", "share", "share this", "sign in", "log in", "subscribe", "menu",
        "search", "home", "main menu", "navigation", "close", "print", "email", "comments",
        "most read", "most popular", "related", "related articles", "related stories",
        "trending", "newsletter", "follow us", "accept", "accept cookies", "cookie settings",
        "breaking news", "live", "watch", "listen", "read more", "top stories", "latest",
    }
)
_BREADCRUMB_SEPARATORS = re.compile(r"\s(?:/|>|›|»|→|::)\s")
_TICKER_MARKS = ("•", "·", "◆", "■", "▪", "●")
_CAPTION = re.compile(
    r"^(?:photo|photograph|picture|image|caption|video|watch|gallery|file photo|pictured)\b\s*[:/|-]"
    r"|\((?:[A-Z]{2,}\s+)?(?:photo|photograph|picture|image)s?\b[^)]*\)\s*$"
    r"|\b(?:getty images|afp via getty|reuters/[A-Z]|ap photo|shutterstock|epa-efe)\b"
    r"|^(?:credit|source)\s*:",
    re.IGNORECASE,
)
_YOU_ARE_HERE = re.compile(r"^(?:you are here|you're here|breadcrumbs?|location)\s*[:>»/]", re.IGNORECASE)
_DATE_LABEL = re.compile(
    r"^(?:(?:last\s+)?(?:updated|published|posted|modified|first published|date|filed)(?:\s+on|\s+at)?\s*:?\s*)+",
    re.IGNORECASE,
)
_NAME_WORD = r"(?:[A-Z][\w.'’-]*|[A-Z]\.)"
_NAME = rf"{_NAME_WORD}(?:\s+(?:(?:and|de|da|van|von|der|den|la|le|al|bin|du|del)\s+)?{_NAME_WORD}){{0,5}}"
#: "By Ann Lee", "By Ann Lee and Bo Chen | City Post | Updated: 2019-03-02 08:15", "By ANN LEE, City Post"
_BYLINE = re.compile(rf"^(?i:by|written by|words by)\s+(?P<author>{_NAME})(?P<rest>\s*(?:[|,–—•·]|\s-\s).*)?$")
_AGENCY = r"[A-Z][\w.&'’ -]{0,38}[\w.)]"
_DATE_WORDS = rf"(?:{MONTH}\s+[0-3]?\d(?:st|nd|rd|th)?(?:,?\s+(?:1[89]|20)\d\d)?|[0-3]?\d(?:st|nd|rd|th)?\s+{MONTH}(?:\s+(?:1[89]|20)\d\d)?)"
#: "LONDON, March 2 (Reuters) -", "NEW YORK, 2 Mar (AP) —", "Paris, France, March 2, 2019 (AFP) --"
_DATELINE = re.compile(
    rf"^(?P<place>[A-Z][\w.'’ -]{{1,40}}?(?:,\s*[A-Z][\w. ]{{1,30}}?)?),?\s+(?P<date>{_DATE_WORDS})"
    rf"\s*\((?P<agency>{_AGENCY})\)\s*(?:--|[-–—:])\s*",
    re.IGNORECASE,
)
#: "WASHINGTON (AP) —": a place and an agency without a date
_PLACE_AGENCY = re.compile(rf"^(?P<place>[A-Z][A-Z.'’ -]{{1,40}}?)\s*\((?P<agency>{_AGENCY})\)\s*(?:--|[-–—:])\s*")
#: "Wirefeed, March 2, 2019" on a line of its own
_AGENCY_DATE = re.compile(rf"^(?P<agency>{_AGENCY}),\s+(?P<date>{_DATE_WORDS})\.?$", re.IGNORECASE)
#: "LONDON 1996-08-30" on a line of its own (wire copy)
_PLACE_ISO_DATE = re.compile(r"^(?P<place>[A-Z][\w.'’ ,-]{1,60}?)\s+(?P<date>(?:1[89]|20)\d\d-[01]\d-[0-3]\d)$")
#: A byline field naming the writer's role, not the outlet ("Business reporter", "Staff writer").
_ROLE = re.compile(r"\b(?:reporter|correspondent|editor|writer|columnist|staff|desk|contributor|analyst|photographer)s?\b", re.IGNORECASE)
_PATH_YEAR = re.compile(r"(?<!\d)(?:19[5-9]\d|20\d\d)(?!\d)")


@dataclass(frozen=True, slots=True)
class NewsFacts:
    """What the opening lines of a text say: each None (or "") when they do not say it."""

    title: str = ""
    published_written: str | None = None
    published: str | None = None
    source: str | None = None
    author: str | None = None


def is_navigation(line: str) -> bool:
    """True for lines that are never a headline: menus ("Home | World | Sport"), breadcrumbs
    ("Home / World / Asia", "You are here: ..."), tickers of "•"-separated headlines, photo
    captions and boilerplate ("Advertisement", "Skip to content")."""
    folded = line.casefold().strip(" :.!»›>")
    if folded in _JUNK_LINES or line.count("|") >= 2 or _YOU_ARE_HERE.match(line):
        return True
    if sum(line.count(mark) for mark in _TICKER_MARKS) >= 2 or line.startswith(_TICKER_MARKS):
        return True
    parts = _BREADCRUMB_SEPARATORS.split(line)
    if len(parts) >= 3 or (len(parts) == 2 and parts[0].casefold() in {"home", "news", "start"}):
        if all(len(part.split()) <= 4 for part in parts):
            return True
    return bool(_CAPTION.search(line))


def _is_date_line(line: str, day_first: bool) -> bool:
    """True for a line that is only a date, perhaps labelled ("Updated: 2 March 2019 08:15")."""
    if len(line) > 80:
        return False
    unlabelled = _DATE_LABEL.sub("", line)
    found = find_date(unlabelled, day_first)
    return found is not None and len(found.written) >= len(unlabelled) * 0.5


def _looks_like_headline(line: str, rest_follows: bool) -> bool:
    if not rest_follows or len(line) > HEADLINE_LIMIT or len(line.split()) > 25:
        return False
    return not line.endswith((".", ",", ";", ":")) or line.endswith(("...", "…"))


def read_news(text: str, *, day_first: bool = True, path: str = "", date_wanted: bool = True) -> NewsFacts:
    """The headline, date, source and author that `text`'s opening lines give.

    The title is the first line that is neither navigation nor a dateline, byline or date and
    looks like a headline (short, not ending like a sentence); when the text starts straight
    with its first paragraph, the title is its opening words, cut at a word. A date without a
    year takes the year of the first complete date in the text, else a year in `path` (looked
    for only when `date_wanted`: a caller with a date of its own gets it without its year).
    """
    title = ""
    written = source = author = None
    found: FoundDate | None = None
    lines = list(islice(filter(None, map(single_line, text[:20_000].split("\n"))), OPENING_LINES))
    body_start: str | None = None
    for number, line in enumerate(lines):
        facts = _line_facts(line, day_first)
        if facts is not None:
            line_date, line_source, line_author, remainder = facts
            found = found or line_date
            source = source or line_source
            author = author or line_author
            if remainder and body_start is None:
                body_start = remainder
            continue
        if _is_date_line(line, day_first):
            found = found or find_date(_DATE_LABEL.sub("", line), day_first)
            continue
        if is_navigation(line):
            continue
        if not title and body_start is None and _looks_like_headline(line, number + 1 < len(lines)):
            title = line
            continue
        if body_start is None:
            body_start = line
        if title:
            break
    if not title and body_start:
        title = opening_words(body_start)
    if found is not None:
        written = found.written
        if found.iso is None and date_wanted:
            found = found.with_year(_year_for(text, path))
    return NewsFacts(title, written, found.iso if found else None, source, author)


def _year_for(text: str, path: str) -> int | None:
    """The year of the first complete date in `text`, else the last year in `path`."""
    year = first_year(text[:50_000])
    if year is not None:
        return year
    in_path = _PATH_YEAR.findall(path)
    return int(in_path[-1]) if in_path else None


def _line_facts(line: str, day_first: bool) -> tuple[FoundDate | None, str | None, str | None, str] | None:
    """(date, source, author, the text after a dateline) when `line` is a dateline or a
    byline; None when it is neither."""
    byline = _BYLINE.match(line)
    if byline:
        found: FoundDate | None = None
        source: str | None = None
        for field in re.split(r"\s*[|,–—•·]\s*|\s+-\s+", (byline.group("rest") or "").strip(" |,–—•·-")):
            if not field:
                continue
            unlabelled = _DATE_LABEL.sub("", field)
            field_date = find_date(unlabelled, day_first)
            if field_date is not None and len(field_date.written) >= len(unlabelled) * 0.4:
                if found is None:  # as written: the whole field, time included, less its label
                    found = FoundDate(unlabelled.strip(), 0, 0, field_date.iso, field_date.month_day)
            elif source is None and len(field.split()) <= 5 and field[:1].isupper() and not _ROLE.search(field):
                source = field
        return found, source, _clean_author(byline.group("author")), ""
    for pattern in (_DATELINE, _AGENCY_DATE, _PLACE_ISO_DATE, _PLACE_AGENCY):
        match = pattern.match(line)
        if match:
            groups = match.groupdict()
            found = find_date(groups["date"], day_first) if groups.get("date") else None
            agency = groups.get("agency")
            return found, agency.strip() if agency else None, None, line[match.end():].strip()
    return None


def _clean_author(name: str) -> str:
    """"ANN LEE" -> "Ann Lee"; other names as written."""
    name = name.strip(" ,")
    return name.title() if name.isupper() else name
