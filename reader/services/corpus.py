"""Importing files into the store: walking paths, parsing documents, counting what happened.

It reports every file it could not import with a reason; it never deletes or overwrites annotations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from reader.core.ingest import Document, SizeLimit, Skipped, iter_files, read_file
from reader.store import Store

#: Documents written per transaction during an import.
BATCH_SIZE = 500


@dataclass
class ImportSummary:
    imported: int = 0
    unchanged: int = 0
    updated: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    #: Annotations of changed articles, by how they were re-attached (exact, moved, fuzzy, orphan).
    reanchored: dict[str, int] = field(default_factory=dict)

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
        return lines + [f"  skipped {item.path}: {item.reason}" for item in self.skipped]


def import_paths(store: Store, paths: Iterable[str | Path], limit: SizeLimit | None = None) -> ImportSummary:
    """Import every supported file under `paths` (files over `limit` skipped unread)."""
    return import_files(store, list(iter_files(paths)), limit=limit)


def import_files(
    store: Store,
    files: list[Path],
    on_file: Callable[[Path], None] | None = None,
    limit: SizeLimit | None = None,
    summary: ImportSummary | None = None,
) -> ImportSummary:
    """Import `files` in batched transactions; `on_file` is called after each file; a file
    over `limit` is skipped from its size alone, never read. Counted into `summary` if given."""
    summary = ImportSummary() if summary is None else summary
    for batch_start in range(0, len(files), BATCH_SIZE):
        batch = files[batch_start : batch_start + BATCH_SIZE]
        saved = f"; the {batch_start} files before it were saved" if batch_start else ""
        with store.writing(f"importing {batch[0]}" + (f" and {len(batch) - 1} files after it{saved}" if len(batch) > 1 else saved)):
            for path in batch:
                # Store absolute paths, so the same file imported from elsewhere is recognised.
                for item in read_file(path.absolute(), limit):
                    _record(store, item, summary)
                if on_file:
                    on_file(path)
    return summary


def import_documents(
    store: Store, items: list[Document | Skipped], name: str, summary: ImportSummary | None = None,
) -> ImportSummary:
    """Import documents read from elsewhere than a file (standard input, named `name` in
    messages) in batched transactions, counted into `summary` if given."""
    summary = ImportSummary() if summary is None else summary
    for batch_start in range(0, len(items), BATCH_SIZE):
        saved = f"; the {batch_start} documents before them were saved" if batch_start else ""
        with store.writing(f"importing documents from {name}{saved}"):
            for item in items[batch_start : batch_start + BATCH_SIZE]:
                _record(store, item, summary)
    return summary


def _record(store: Store, item: Document | Skipped, summary: ImportSummary) -> None:
    if isinstance(item, Skipped):
        summary.skipped.append(item)
        return
    result = store.articles.add(item)
    if result.outcome == "imported":
        summary.imported += 1
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
