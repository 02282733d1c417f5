"""Dates as news writes them ("March 2", "2 Mar 2019", "2019-03-02 08:15", "02/03/2019") read
into ISO `YYYY-MM-DD`, the form the list's sort and the charts use.

It never guesses a year or a day it was not given: a date without a year gets one only from
the caller, and an ambiguous day/month order is settled by the caller's `day_first`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_WEEKDAY = r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?\s+)?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"

# (Each starts with a look at the first letter it can start with: the same matches, found in a
# third of the time, since most positions of a text are ruled out before the alternatives.)
#: "March 2, 2019", "Mar. 2", "Tuesday, March 2 2019"
_MONTH_DAY = re.compile(rf"(?=[adfjmnostw]){_WEEKDAY}(?P<month>{MONTH})\s+{_DAY}(?:,?\s+{_YEAR})?(?![\d:])", re.IGNORECASE)
#: "2 March 2019", "Tue 2 Mar", "2nd of March 2019"
_DAY_MONTH = re.compile(rf"(?=[0-9fmstw]){_WEEKDAY}{_DAY}(?:\s+of)?\s+(?P<month>{MONTH})(?:,?\s+{_YEAR})?(?![\d:])", re.IGNORECASE)
#: "2019-03-02", "2019-03-02T08:15:00Z", "2019/03/02 08:15"
_YEAR_FIRST = re.compile(r"(?<!\d)(?P<year>(?:1[89]|20)\d\d)[-/.](?P<month>[01]?\d)[-/.](?P<day>[0-3]?\d)(?!\d)")
#: "02/03/2019", "2.3.2019": day and month in an order only the caller knows
_NUMERIC = re.compile(r"(?<!\d)(?P<a>[0-3]?\d)[/.-](?P<b>[01]?\d|[0-3]?\d)[/.-](?P<year>(?:1[89]|20)\d\d)(?!\d)")
#: "2019-03", "March 2019"
_YEAR_MONTH = re.compile(rf"^(?:(?P<year>(?:1[89]|20)\d\d)-(?P<month>[01]\d)|(?P<mname>{MONTH})\s+(?P<year2>(?:1[89]|20)\d\d))$", re.IGNORECASE)
_YEAR_ONLY = re.compile(r"^(?:1[89]|20)\d\d$")
#: What every date with a year holds somewhere.
_ANY_YEAR = re.compile(r"(?:1[89]|20)\d\d")


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date found in a text: as written, where, and its ISO form (None: no year known)."""

    written: str
    start: int
    end: int
    iso: str | None
    #: (month, day) when the year was missing, to be completed by `with_year`
    month_day: tuple[int, int] | None = None

    def with_year(self, year: int | None) -> "FoundDate":
        if self.iso is not None or year is None or self.month_day is None:
            return self
        return FoundDate(self.written, self.start, self.end, _iso(year, *self.month_day), self.month_day)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _month_number(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def find_date(text: str, day_first: bool = True) -> FoundDate | None:
    """The first date in `text`, in any of the forms above (the earliest match wins)."""
    found: list[FoundDate] = []
    for pattern in (_YEAR_FIRST, _NUMERIC, _MONTH_DAY, _DAY_MONTH):
        match = pattern.search(text)
        if match:
            parsed = _from_match(pattern, match, day_first)
            if parsed is not None:
                found.append(parsed)
    if not found:
        return None
    return min(found, key=lambda item: (item.start, -item.end))


def _from_match(pattern: re.Pattern[str], match: re.Match[str], day_first: bool) -> FoundDate | None:
    groups = match.groupdict()
    if pattern is _NUMERIC:
        first, second = int(groups["a"]), int(groups["b"])
        day, month = (first, second) if day_first else (second, first)
        if month > 12 and day <= 12:  # unambiguous the other way round: 25/12/2019
            day, month = month, day
    else:
        day = int(groups["day"])
        month = _month_number(groups["month"]) if pattern in (_MONTH_DAY, _DAY_MONTH) else int(groups["month"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    written = match.group(0).strip().rstrip(",")
    start = match.start() + (len(match.group(0)) - len(match.group(0).lstrip()))
    year = groups.get("year")
    if year is None:
        return FoundDate(written, start, start + len(written), None, (month, day))
    iso = _iso(int(year), month, day)
    return FoundDate(written, start, start + len(written), iso) if iso else None


def iso_date(written: str, day_first: bool = True, year: int | None = None) -> str | None:
    """`written` (a metadata value such as "2019-03-02T08:15:00Z", "Mar 2, 2019", "2019-03",
    "2019") as ISO: `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` when that is all it says; None when it
    is not a date. `year` completes a date written without one."""
    value = written.strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    if _YEAR_ONLY.match(value):
        return value
    partial = _YEAR_MONTH.match(value)
    if partial:
        if partial.group("year"):
            month = int(partial.group("month"))
            return f"{partial.group('year')}-{month:02d}" if 1 <= month <= 12 else None
        return f"{partial.group('year2')}-{_month_number(partial.group('mname')):02d}"
    found = find_date(value, day_first)
    if found is None or len(found.written) < len(value) * 0.4:
        return None
    return found.with_year(year).iso


def years_in(text: str) -> list[int]:
    """Years of the complete dates in `text`, in order: what completes a dateline without one."""
    found: list[tuple[int, int]] = []
    for pattern in (_YEAR_FIRST, _NUMERIC, _MONTH_DAY, _DAY_MONTH):
        found.extend((match.start(), int(match.group("year"))) for match in pattern.finditer(text) if match.group("year"))
    return [year for _, year in sorted(found)]


def first_year(text: str) -> int | None:
    """`years_in(text)[0]` (None when it is empty), without looking for the later ones, nor for
    any in a text without four digits that could be a year."""
    if not _ANY_YEAR.search(text):
        return None
    first: tuple[int, int] | None = None
    for pattern in (_YEAR_FIRST, _NUMERIC, _MONTH_DAY, _DAY_MONTH):
        for match in pattern.finditer(text):
            if match.group("year"):
                found = (match.start(), int(match.group("year")))
                first = found if first is None else min(first, found)
                break
    return None if first is None else first[1]
