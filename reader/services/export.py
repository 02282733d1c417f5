"""Exports: the database's annotations written as reader's YAML (every kind of thing a user made) or
in another tool's format, streamed article by article so memory stays flat.

It only reads from the store; exporting never changes the database.
"""

from __future__ import annotations

from dataclasses import replace

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from reader.core.entities.user import UserEntities
from reader.core.exchange.formats import EXPORTERS, FOLDER_FORMATS, ExportItem
from reader.core.exchange.yaml_emit import mapping
from reader.core.exchange.yaml_format import (
    FORMAT,
    annotation_yaml,
    listing_yaml,
    moving_record,
    pairs,
    codebook_record,
    orphan_record,
    pending_record,
    tombstone_record,
    verdict_record,
)
from reader.core.model import ExportFilter, now_utc
from reader.core.safefile import replacing
from reader.store import Store


def seen_filter(store: Store, only: ExportFilter | None) -> ExportFilter | None:
    """`only` as the viewer may export it: in a blind study a coder (not the lead) exports their
    own work alone, whatever the filter asked."""
    whose = store.study.whose()
    if whose is None:
        return only
    only = only or ExportFilter()
    listed = replace(only.listed, annotator=whose) if only.listed is not None and only.listed.annotator else only.listed
    return replace(only, annotator=whose, listed=listed)


def _whole(only: ExportFilter | None) -> bool:
    return only is None or only == ExportFilter()



def _codebook(store: Store, only: ExportFilter | None) -> list[dict[str, Any]]:
    """Every tag for a whole export; the tags it uses for a filtered one."""
    names = None if _whole(only) else store.tags.names_exported(only)
    return [codebook_record(*entry) for entry in store.tags.entries(names)]



def _verdicts(store: Store, only: ExportFilter | None) -> list[dict[str, Any]]:
    return [verdict_record(*row) for row in store.entities.verdicts()] if _whole(only) else []



def _pending(store: Store, only: ExportFilter | None) -> list[dict[str, Any]]:
    return [pending_record(row) for row in store.annotations.pending()] if _whole(only) else []



def _deleted(store: Store, only: ExportFilter | None) -> list[dict[str, Any]]:
    """The deletions an export carries: every one, or those of its annotator and since its time
    (harmless in any export: a deletion only ever removes its owner's older copy)."""
    only = only or ExportFilter()
    annotator = only.annotator or (only.listed.annotator if only.listed else None)
    return [tombstone_record(*row) for row in store.annotations.tombstones(annotator, only.since)]


def export_document(store: Store, exported: str | None = None, only: ExportFilter | None = None) -> dict[str, Any]:
    """The whole export as plain data (what `write_yaml` writes, for tests and small exports)."""
    only = seen_filter(store, only)
    return {
        "format": FORMAT,
        "exported": exported or now_utc(),
        "codebook": _codebook(store, only),
        "entities": _verdicts(store, only),
        "articles": [moving_record(moving) for moving in store.exchange.articles_to_move(only)],
        "pending": _pending(store, only),
        **({"deleted": deleted} if (deleted := _deleted(store, only)) else {}),
    }



def write_yaml(store: Store, stream: IO[str], exported: str | None = None, only: ExportFilter | None = None) -> int:
    """Write the export to `stream` one article at a time, so memory stays flat; any YAML
    reader reads it back as `export_document(store)`. A whole export (no filter) holds
    everything: the codebook (tags used or not), the entity feedback, orphans and pending
    annotations; a filtered one the codebook entries of its tags. Returns the number of
    annotations."""
    only = seen_filter(store, only)
    stream.write(mapping([("format", FORMAT), ("exported", exported or now_utc())], 0))
    stream.write(listing_yaml("codebook", _codebook(store, only)))
    stream.write(listing_yaml("entities", _verdicts(store, only)))
    count = 0
    empty = True
    for moving in store.exchange.articles_to_move(only):
        if empty:
            stream.write("articles:\n")
            empty = False
        notes, orphans = moving.annotations, moving.orphans
        record = moving_record(moving)
        del record["annotations"]
        record.pop("orphans", None)
        parts = [mapping(pairs(record), 2, "- ")]
        if notes:
            parts.append("  annotations:\n")
            parts.extend(annotation_yaml(note) for note in notes)
        else:
            parts.append("  annotations: []\n")
        if orphans:
            parts.append(mapping([("orphans", [pairs(orphan_record(*orphan)) for orphan in orphans])], 2))
        stream.write("".join(parts))
        count += len(notes)
    if empty:
        stream.write("articles: []\n")
    stream.write(listing_yaml("pending", _pending(store, only)))
    deleted = _deleted(store, only)
    if deleted:  # only when there are some: a file without any is as version 3 always wrote it
        stream.write(listing_yaml("deleted", deleted))
    return count



def write_export(store: Store, path: Path, only: ExportFilter | None = None, fmt: str = "yaml") -> int:
    """Write the export to `path` atomically (never a half-written file; brat writes a folder
    of files); returns the number of annotations (or records, for the other formats)."""
    only = seen_filter(store, only)
    if fmt in FOLDER_FORMATS:
        return EXPORTERS[fmt](export_items(store, only), path)
    with replacing(path) as stream:
        return write_to(store, stream, only, fmt)



def write_to(store: Store, stream: IO[str], only: ExportFilter | None = None, fmt: str = "yaml") -> int:
    """The export in format `fmt` (yaml, or one of `EXPORTERS` but brat) written to `stream`."""
    only = seen_filter(store, only)
    if fmt == "yaml":
        return write_yaml(store, stream, only=only)
    return EXPORTERS[fmt](export_items(store, only), stream)



#: Formats with no place for a note alone on a passage (a memo): their exporters leave memos out.
NO_MEMOS = frozenset({"doccano", "prodigy", "brat"})


def left_out(store: Store, only: ExportFilter | None, fmt: str) -> list[str]:
    """What an export in `fmt` leaves out for want of a place in the format, one line each
    ("" lines none): memos (doccano, Prodigy, brat), notes on whole articles (all but yaml)."""
    only = seen_filter(store, only)
    if fmt == "yaml":
        return []
    memos, notes = store.exchange.left_out_counts(only)
    lines = []
    if memos and fmt in NO_MEMOS:
        lines.append(f"{memos} memo{'s' * (memos != 1)} (notes with no tag) not exported: {fmt} has no place for a note "
                     "alone (yaml, w3c and csv carry them)")
    if notes:
        lines.append(f"{notes} note{'s' * (notes != 1)} on whole articles not exported: only yaml carries them")
    return lines


def export_items(store: Store, only: ExportFilter | None = None) -> Iterator[ExportItem]:
    """What the other formats' exporters read: each article with its text, its annotations,
    and the entities the user accepted in it."""
    only = seen_filter(store, only)
    user = UserEntities(store.entities.feedback())
    for article, notes in store.exchange.annotated_articles(with_text=True, only=only):
        yield article, notes, user.find(article.text)

