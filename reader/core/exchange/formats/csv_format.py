"""CSV for spreadsheets: one row per (annotation, tag).

Columns: `article_id` (the uid), `article_title`, `source`, `published`, `annotation_id`,
`start`, `end`, `quote`, `tag`, `note`, `annotator`, `created`, `updated`. An annotation
without tags (a memo, a note alone) still gets one row, with an empty `tag`. Missing
values are empty cells. `start`/`end` are code-point offsets into the article text.

Dialect: comma-separated, fields quoted only when they need it (a comma, a double quote, a line
break), double quotes doubled, rows ended by `\\n` (RFC 4180 names CRLF, but every spreadsheet
and CSV reader accepts LF, and a lone `\\n` stays intact when a caller's stream translates line
ends, where `\\r\\n` would become `\\r\\r\\n`). Notes keep their line breaks inside quoted fields.

Encoding: the text starts with a byte order mark (U+FEFF) by default, because Excel opens a
UTF-8 CSV without one in the legacy code page and garbles every non-ASCII character; LibreOffice,
Google Sheets and Numbers accept it. Python readers should open the file with
`encoding="utf-8-sig"`; `bom=False` leaves it out.

Formula injection: a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula
(and, per OWASP, a leading tab or carriage return can smuggle one in), so any text value starting
with one of those is prefixed with an apostrophe `'`, which spreadsheets read as "this is text".
Titles, quotes, tags and notes come from outside (news text, other people's notes), so this
applies to every text cell; the cost is that a quote such as "-- he said" reads "'-- he said".

No importer: the CSV is a lossy report, not an exchange format. It has no article text or
quote context to re-anchor an annotation on, neutralised values cannot be told apart from
values that really start with an apostrophe, and spreadsheets rewrite what they save
(dates, long numbers, line ends). Use the YAML export or W3C to move annotations between
databases.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from reader.core.exchange.formats.common import ExportItem, article_key
from reader.core.safetext import SpreadsheetCsvWriter

COLUMNS = (
    "article_id", "article_title", "source", "published", "annotation_id", "start", "end", "quote", "tag",
    "note", "annotator", "created", "updated",
)
BOM = "\ufeff"


def export_csv(items: Iterable[ExportItem], stream: IO[str], *, bom: bool = True) -> int:
    """Write the header and one row per (annotation, tag); returns the number of rows."""
    if bom:
        stream.write(BOM)
    writer = SpreadsheetCsvWriter(stream)  # every cell through the formula guard
    writer.writerow(COLUMNS)
    count = 0
    for article, marks, _entities in items:
        for annotation in marks:
            for tag in annotation.tags or ("",):
                writer.writerow((
                    article_key(article), article.title, article.source, article.published, annotation.id,
                    annotation.start, annotation.end, annotation.quote, tag, annotation.note,
                    annotation.annotator, annotation.created, annotation.updated,
                ))
                count += 1
    return count
