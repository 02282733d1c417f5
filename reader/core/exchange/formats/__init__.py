"""Standard annotation formats other tools read: W3C Web Annotation, doccano, Prodigy, brat, CSV.

Every exporter is a pure function over plain data: it takes an iterable of
`(article, annotations, entities)` items (`ExportItem`) and writes to a text stream (brat writes
a folder), without touching the store. `entities` are the article's user-confirmed or user-added
entity spans (possibly empty); only the Prodigy exporter writes them.

Offsets everywhere are Python `str` indices into `Article.text` (Unicode code points), as reader
stores them; each module says where its format conventionally counts otherwise.

Importers read a format back as a list of `ImportedAnnotation`, plain data that names its article
by a key (a uid, a URL or a file name) and leaves matching it to an article to the caller.
"""

from __future__ import annotations

from collections.abc import Callable

from reader.core.exchange.formats import brat, csv_format, doccano, prodigy, w3c
from reader.core.exchange.formats.common import (
    ExportItem,
    ImportedAnnotation,
    article_key,
    from_text,
    group_by_range,
    to_json,
)

__all__ = ["EXPORTERS", "FOLDER_FORMATS", "IMPORTERS", "ExportItem", "ImportedAnnotation", "article_key", "from_text",
           "group_by_range", "to_json"]

#: Exporters by format name. All take `(items, destination, **options)`; the destination is a
#: text stream (`IO[str]`), except for brat, which takes a folder (`Path`).
EXPORTERS: dict[str, Callable[..., int]] = {
    "w3c": w3c.export_w3c,
    "doccano": doccano.export_doccano,
    "prodigy": prodigy.export_prodigy,
    "brat": brat.export_brat,
    "csv": csv_format.export_csv,
}

#: Formats whose exporter writes a folder rather than a stream.
FOLDER_FORMATS = frozenset({"brat"})

#: Importers by format name: a text stream in (brat: a folder), `list[ImportedAnnotation]` out.
#: CSV has none (see `csv_format`).
IMPORTERS: dict[str, Callable[..., list[ImportedAnnotation]]] = {
    "w3c": w3c.import_w3c,
    "doccano": doccano.import_doccano,
    "prodigy": prodigy.import_prodigy,
    "brat": brat.import_brat,
}

__all__ = [
    "EXPORTERS",
    "FOLDER_FORMATS",
    "IMPORTERS",
    "ExportItem",
    "ImportedAnnotation",
    "article_key",
    "from_text",
    "group_by_range",
    "to_json",
]
