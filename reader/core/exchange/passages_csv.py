"""A retrieval's passages as CSV (one row per passage, with its article and context), for a
spreadsheet or a report.

It never writes a cell a spreadsheet would run as a formula, and never half a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from reader.core.exchange.formats.csv_format import BOM
from reader.core.safetext import SpreadsheetCsvWriter
from reader.core.safefile import replacing
from reader.core.model import Passage

COLUMNS = (
    "published", "source", "article_title", "article_id", "annotation_id", "start", "end",
    "tags", "annotator", "prefix", "quote", "suffix", "note",
)


def write_passages_csv(path: Path, pages: Iterable[list[Passage]]) -> int:
    """Write every passage of `pages` to `path`; returns how many."""
    count = 0
    with replacing(path) as stream:
        stream.write(BOM)
        writer = SpreadsheetCsvWriter(stream)  # every cell through the formula guard
        writer.writerow(COLUMNS)
        for page in pages:
            for passage in page:
                note = passage.annotation
                writer.writerow((
                    passage.published, passage.source, passage.title, note.article_id, note.id, note.start,
                    note.end, "; ".join(note.tags), note.annotator, note.prefix, note.quote, note.suffix, note.note,
                ))
                count += 1
    return count
