"""Importing files into the store: walking paths, parsing documents, counting what happened.

It reports every file it could not import with a reason; it never deletes or overwrites annotations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import islice
from importlib import resources
from pathlib import Path

from reader.core.config import ImportSettings
from reader.core.ingest import Document, FieldNames, ReadOptions, SizeLimit, Skipped, iter_files
from reader.core.model import AddResult
from reader.core.ingest.dates import iso_date
from reader.core.ingest.text import single_line
from reader.services.reading import import_size, read_files, workers_for
from reader.store import Store

#: Documents written per transaction during an import (about 0.1-0.3 s each).
BATCH_SIZE = 1000


@dataclass
class ImportSummary:
    imported: int = 0
    unchanged: int = 0
    updated: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    #: Annotations of changed articles, by how they were re-attached (exact, moved, fuzzy, orphan).
    reanchored: dict[str, int] = field(default_factory=dict)
    #: Articles stored (imported or updated) whose mojibake ("Â£", "â€™") or leftover HTML
    #: entities ("&#163;", outside HTML files) were repaired.
    repaired: int = 0
    #: Files that were not UTF-8, and the legacy encoding each was decoded from.
    encodings: dict[str, str] = field(default_factory=dict)
    #: HTML articles stored, by how their main text was found ("trafilatura", "stdlib").
    extractors: dict[str, int] = field(default_factory=dict)
    #: Annotations of removed articles imported again (`reader remove`): put back, or kept as orphans.
    returned: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """A human summary: counts first, then one line per skipped item."""
        counts = (
            f"{self.imported} imported, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.skipped)} skipped"
        )
        lines = [counts]
        if self.reanchored:
            kept = sum(count for status, count in self.reanchored.items() if status != "orphan")
            orphans = self.reanchored.get("orphan", 0)
            lines.append(
                f"annotations of changed articles: {kept} re-attached ({self.reanchored.get('exact', 0)} in place, "
                f"{self.reanchored.get('moved', 0)} moved, {self.reanchored.get('fuzzy', 0)} matched fuzzily), "
                f"{orphans} orphaned" + (" (kept: see Orphans, key O in reader)" if orphans else "")
            )
        if self.returned:
            lines.append(
                f"annotations of removed articles imported again: {self.returned.get('placed', 0)} put back, "
                f"{self.returned.get('orphan', 0)} orphans (O lists them)"
            )
        if self.repaired:
            lines.append(f"mojibake repaired (such as \"Â£\" or \"&#163;\" for \"£\") in {self.repaired} article{'' if self.repaired == 1 else 's'}")
        if self.extractors:
            lines.append("HTML main text found by " + ", ".join(
                f"{_EXTRACTOR_NAMES.get(name, name)} in {count}" for name, count in sorted(self.extractors.items())
            ))
        lines += [f"  read as {encoding} (not UTF-8): {path}" for path, encoding in self.encodings.items()]
        return lines + [f"  skipped {item.path}: {item.reason}" for item in self.skipped]


_EXTRACTOR_NAMES = {"trafilatura": "trafilatura", "stdlib": "the fallback parser"}


def read_options(settings: ImportSettings, csv_delimiter: str | None = None) -> ReadOptions:
    """How files are read under the `import` settings of config.yaml (`csv_delimiter` given on
    the command line wins over the config's)."""
    return ReadOptions(
        day_first=settings.day_first,
        fields=FieldNames.configured(dict(settings.fields)),
        csv_delimiter=csv_delimiter or settings.csv_delimiter,
    )


#: `--set` names that set an article's own field rather than an attribute.
OWN_FIELDS = ("title", "source", "url", "author", "date")


@dataclass(frozen=True)
class Overrides:
    """What `reader import` sets on every article of one import: `--source`, `--source-from-folder`
    (the name of the folder holding each file), `--set name=value` (an own field of OWN_FIELDS,
    else an attribute). They win over what the files say."""

    source: str | None = None
    source_from_folder: bool = False
    settings: tuple[tuple[str, str], ...] = ()
    day_first: bool = True

    def __bool__(self) -> bool:
        return bool(self.source or self.source_from_folder or self.settings)

    def apply(self, document: Document) -> Document:
        changes: dict[str, object] = {}
        if self.source_from_folder and document.path and not document.path.startswith("<"):
            folder = Path(document.path).parent.name
            if folder:
                changes["source"] = single_line(folder)
        if self.source:
            changes["source"] = single_line(self.source)
        attributes = dict(document.attributes)
        for name, value in self.settings:
            if name == "date":
                changes["published_written"], changes["published"] = value, iso_date(value, self.day_first)
            elif name in OWN_FIELDS:
                changes[name] = value
            else:
                attributes[name] = value
        if self.settings:
            changes["attributes"] = tuple(attributes.items())
        return replace(document, **changes) if changes else document


def parse_setting(text: str) -> tuple[str, str]:
    """`name=value` of `--set` as (name, value); ValueError with the reason."""
    name, equals, value = text.partition("=")
    name = single_line(name).strip()
    if not equals or not name:
        raise ValueError(f"{text!r}: expected name=value (such as category=sport)")
    if name == "text":
        raise ValueError(f"{text!r}: the text of an article cannot be set for a whole import")
    return name, single_line(value).strip()


def import_paths(
    store: Store, paths: Iterable[str | Path], limit: SizeLimit | None = None, options: ReadOptions = ReadOptions()
) -> ImportSummary:
    """Import every supported file under `paths` (files over `limit` skipped unread)."""
    return import_files(store, list(iter_files(paths)), limit=limit, options=options)


def import_files(
    store: Store,
    files: list[Path],
    limit: SizeLimit | None = None,
    summary: ImportSummary | None = None,
    options: ReadOptions = ReadOptions(),
    overrides: Overrides = Overrides(),
    workers: int | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> ImportSummary:
    """Import `files` in order, BATCH_SIZE documents a transaction; a file over `limit` is
    skipped from its size alone, never read (a JSONL or CSV file is read a record at a time, the
    limit applying to each). Counted into `summary` if given; `overrides` set on every article.

    Large imports are read by worker processes, one per core (`workers`: how many, 0 for none;
    default: see `reading.workers_for`) while this process writes: the same articles, ids and
    notes as reading them here. `on_progress(articles read, bytes read, bytes in all)` is
    called as the import goes (often: it should look at the clock)."""
    summary = ImportSummary() if summary is None else summary
    total = import_size(files)
    batch: list[Document | Skipped] = []  # (skipped notes kept in their place among the documents)
    documents = done = written = 0

    def write() -> None:
        nonlocal written, documents
        if not documents:
            summary.skipped.extend(batch)  # type: ignore[arg-type]
            batch.clear()
            return
        stored = [item for item in batch if isinstance(item, Document)]
        first = f"{stored[0].path} {stored[0].locator}".strip()
        saved = f"; the {written} articles before it were saved" if written else ""
        more = f" and {len(stored) - 1} articles after it" if len(stored) > 1 else ""
        with store.writing(f"importing {first}{more}{saved}"):
            results = iter(store.articles.add_many(stored))
        for item in batch:
            if isinstance(item, Skipped):
                summary.skipped.append(item)
            else:
                _count(item, next(results), summary)
        written += len(stored)
        documents = 0
        batch.clear()

    for read in read_files(files, limit, options, workers_for(total, workers)):
        for item in read.items:
            if isinstance(item, Document):
                item = overrides.apply(item) if overrides else item
                documents += 1
            batch.append(item)
            if documents >= BATCH_SIZE:
                write()
        done += read.done
        if on_progress:
            on_progress(written + documents, done, total)
    write()
    if on_progress:
        on_progress(written, done, total)
    return summary


def import_documents(
    store: Store, items: Iterable[Document | Skipped], name: str, summary: ImportSummary | None = None,
    overrides: Overrides = Overrides(),
) -> ImportSummary:
    """Import documents read from elsewhere than a file (standard input, named `name` in
    messages) in batched transactions, counted into `summary` if given. `items` is taken a
    batch at a time, between transactions (a stream is never waited on inside one)."""
    summary = ImportSummary() if summary is None else summary
    items = iter(items)
    batch_start = 0
    while batch := list(islice(items, BATCH_SIZE)):
        saved = f"; the {batch_start} documents before them were saved" if batch_start else ""
        with store.writing(f"importing documents from {name}{saved}"):
            for item in batch:
                _record(store, overrides.apply(item) if overrides and isinstance(item, Document) else item, summary)
        batch_start += len(batch)
    return summary


def _record(store: Store, item: Document | Skipped, summary: ImportSummary) -> None:
    if isinstance(item, Skipped):
        summary.skipped.append(item)
        return
    _count(item, store.articles.add(item), summary)


def _count(item: Document, result: AddResult, summary: ImportSummary) -> None:
    """Count how a document was stored into `summary`."""
    if item.encoding:
        summary.encodings[item.path] = item.encoding
    if result.outcome in ("imported", "updated"):
        summary.repaired += item.repaired
        if item.extractor:
            summary.extractors[item.extractor] = summary.extractors.get(item.extractor, 0) + 1
    if result.outcome == "imported":
        summary.imported += 1
        for status, count in result.reanchored.items():  # (annotations of a removed article, back with it)
            summary.returned[status] = summary.returned.get(status, 0) + count
    elif result.outcome == "unchanged":
        summary.unchanged += 1
    elif result.outcome == "updated":
        summary.updated += 1
        for status, count in result.reanchored.items():
            summary.reanchored[status] = summary.reanchored.get(status, 0) + count
    else:
        where = f"{item.path} {item.locator}".strip()
        summary.skipped.append(Skipped(where, result.detail))


def import_samples(store: Store) -> ImportSummary:
    """Import the sample articles shipped inside the package."""
    with resources.as_file(resources.files("reader").joinpath("samples")) as folder:
        return import_paths(store, [folder])
