"""Merging annotations from another tool's format (W3C, doccano, Prodigy, brat) into the database
(`reader import-annotations FILE --format w3c|doccano|prodigy|brat`).

The file is read with the format's importer (`formats.IMPORTERS`), then each annotation is merged
the way `yaml_import` merges reader's own files:

- Its article is matched by uid (the key the format names it by), else by URL (the key, or the
  `url` a doccano line or a Prodigy task's `meta` carries), else, when the file carries the
  article's text (doccano, Prodigy, brat), by the sha256 of that text. The importers hand back
  only `ImportedAnnotation`s, so this module reads the text (and a line's title and URL) again
  itself: doccano and Prodigy files line by line (each line is given to the importer alone, so
  every annotation and every error has its line number), brat's `<name>.txt` beside each
  `<name>.ann`. W3C carries no text. An annotation whose article is not in the database is kept
  aside (table `pending_annotations`, the JSON of the `ImportedAnnotation`) and reported.
- It is placed where its offsets say if the text there is its quote; else by `anchoring.reanchor`
  on its quote and context ("moved" or "fuzzy", reported). One whose passage is not found (or
  that has no quote to look for) is kept aside the same way and reported: never dropped.
- Identity: an annotation with an id (W3C) that is already stored is unchanged when it agrees
  with the stored one (place, tags, note, and the annotator and times when the file gives them),
  else kept as well under a new id and reported as a conflict: nothing is overwritten. Without
  an id, it is unchanged when a stored annotation of the article has the same start, end and
  tags, and the same annotator and note when the file gives them (doccano and Prodigy give
  neither, so one exported from the database comes back unchanged whoever made it); else it is
  added under a new id. So importing a file twice adds nothing the second time.
- What the format does not carry is filled in: the annotator from the configuration, the times
  with now, the quote and its context from the stored text.

Everything taken from the file is neutralised where it enters (`incoming`): keys, annotators,
titles and times on one line without control or bidi characters, notes without control
characters, texts normalised as `reader import` normalises them (offsets moved onto the same
characters); tag names must pass the codebook's rule. Files are read only if they are regular
files within the size limit (never a pipe or a device); in a brat folder such a file is left
out and listed, and the rest read.

The whole file is read and checked before anything is written: on any problem (one line naming
the file, and the line, T line or annotation number) the database is unchanged. It is then
written in short transactions (`batches`), so others can write meanwhile; stopped half-way,
what it wrote stays, and importing the same file again adds nothing twice. A dry run does all
of it and rolls back.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from reader.core.anchoring import Selector, quote_matches, reanchor, selector_for
from reader.services.steps import STEP_SECONDS, write_in_steps
from reader.core.exchange.formats import FOLDER_FORMATS, IMPORTERS, ImportedAnnotation
from reader.core.exchange.formats.brat import read_folder, read_tag_comments, tag_name
from reader.core.exchange.formats.w3c import to_xsd, uri_to_iri
from reader.core.exchange.incoming import (
    NormalisedText, lines_kept, lines_kept_or_none, normalised_with_offsets, one_line, one_line_or_none,
)
from reader.services.import_yaml import FILE_LIMIT, Conflict, ImportSummary, conflict_id, read_exchange_file
from reader.core.ingest import IngestError, SizeLimit, normalise_text, path_text, read_regular_file
from reader.core.model import Annotation, is_later, now_utc, tag_name_problem
from reader.store import Store
from reader.core.yamlsafe import YamlError

#: What each format is called in messages.
FORMAT_NAMES = {"w3c": "W3C Web Annotation", "doccano": "doccano", "prodigy": "Prodigy", "brat": "brat"}
#: The top-level keys (Prodigy: of a task) that hold a JSONL format's spans.
_SPAN_KEYS = {"doccano": ("entities", "label"), "prodigy": ("spans",)}
#: What an importer raises on a record it cannot read (a missing key, a number that is not one,
#: an offset of 1e400 or Infinity, which JSON reads as a float no int can hold).
_READ_ERRORS = (KeyError, ValueError, TypeError, AttributeError, IndexError, RecursionError, OverflowError)


@dataclass
class ForeignImportSummary(ImportSummary):
    """`ImportSummary` plus how the annotations were placed in the stored text."""

    #: Placed by their quote because the text at their offsets differs: exactly, or approximately.
    moved: int = 0
    fuzzy: int = 0
    #: (article title, number of annotations) whose passage was not found in the stored text.
    orphaned: list[tuple[str, int]] = field(default_factory=list)
    _EMPTIED = "kept aside (table pending_annotations)"

    def lines(self) -> list[str]:
        lines = super().lines()
        placed = self.moved + self.fuzzy
        if placed:
            its = "its" if placed == 1 else "their"
            lines.append(
                f"{placed} annotation{'' if placed == 1 else 's'} placed by {its} quote, not at {its} offsets "
                f"(the stored text differs): {self.moved} found exactly, {self.fuzzy} approximately"
            )
        for article, count in self.orphaned:
            lines.append(
                f"kept aside: {count} annotation{'' if count == 1 else 's'} of “{article}” whose passage was not "
                f"found in the stored text (table pending_annotations)"
            )
        return lines


@dataclass(frozen=True)
class _Source:
    """The article one record names, as the file gives it."""

    key: str
    title: str | None = None
    url: str | None = None
    text: str | None = None

    @cached_property
    def sha256(self) -> str | None:
        return None if self.text is None else hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Item:
    """One imported annotation, where it was read (for errors) and the article it names."""

    annotation: ImportedAnnotation
    source: _Source
    file: Path
    line: int | None
    where: str
    #: Why it cannot be placed in any text, whatever the database holds (None: it may be).
    unplaceable: str | None = None


@dataclass(frozen=True)
class _Matched:
    id: int
    uid: str
    sha256: str
    title: str
    text: str


def import_foreign(
    store: Store, path: Path, fmt: str, annotator: str, dry_run: bool = False, *,
    limit: SizeLimit | None = FILE_LIMIT, article_limit: SizeLimit | None = SizeLimit(50),
    seconds: float = STEP_SECONDS, data: bytes | None = None,
) -> ForeignImportSummary:
    """Merge the annotations in `path` (a folder for brat), in format `fmt`, into `store` (see the
    module's docs); `annotator` is for annotations the file names none for. A file is read only
    if it is a regular file within `limit` (brat's `.txt` and `.ann` files: `article_limit`; one
    that is not is left out and listed, and the rest of the folder read). Raises YamlError (a
    one-line message), writing nothing, when the file has any problem; then writes in
    transactions of about `seconds` each (`batches`). `data`: the file's bytes, read elsewhere
    (standard input, which `path` then names; not for brat's folders)."""
    if fmt not in IMPORTERS:
        raise ValueError(f"no importer for {fmt!r} (one of {', '.join(sorted(IMPORTERS))})")
    path = Path(path)
    if fmt in FOLDER_FORMATS and not path.is_dir():
        raise YamlError(path, None, "", f"{FORMAT_NAMES[fmt]} reads a folder (of .txt and .ann files), not a file")
    if fmt not in FOLDER_FORMATS and path.is_dir():
        raise YamlError(path, None, "", f"is a folder; {FORMAT_NAMES[fmt]} reads a file")
    summary = ForeignImportSummary(dry_run=dry_run)
    if fmt == "w3c":
        items = _read_w3c(path, limit, data)
    elif fmt == "brat":
        items = _read_brat(path, article_limit, summary)
    else:
        items = _read_lines(path, fmt, limit, data)
    for item in items:
        _check(item, fmt)
    items = _neutralised(items, summary)
    merger = _Merger(store, fmt, annotator, summary)
    summary.transactions = write_in_steps(
        store, (lambda item=item: merger.annotation(item) for item in items),
        action=f"importing annotations from {path.name}", dry_run=dry_run, seconds=seconds,
    )
    merger.report()
    return summary


# ---- reading ------------------------------------------------------------------------------


def _read_text(path: Path, limit: SizeLimit | None, data: bytes | None = None) -> str:
    return read_exchange_file(path, limit, "utf-8-sig", data)


def _unreadable(error: BaseException) -> str:
    if isinstance(error, KeyError):
        return f"a field is missing ({error.args[0]!r})" if error.args else "a field is missing"
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return str(error) or type(error).__name__


def _read_w3c(path: Path, limit: SizeLimit | None, data: bytes | None = None) -> list[_Item]:
    text = _read_text(path, limit, data)
    try:
        found = IMPORTERS["w3c"](io.StringIO(text))
    except json.JSONDecodeError as error:
        raise YamlError(path, error.lineno, "", f"not valid JSON ({error.msg})") from None
    except _READ_ERRORS as error:
        raise YamlError(path, None, "", f"cannot read it as W3C annotations ({_unreadable(error)})") from None
    if not found and not _looks_w3c(json.loads(text)):
        raise YamlError(path, None, "", "no W3C annotations in it (expected an AnnotationCollection, "
                                        "an AnnotationPage, an Annotation or a list of annotations)")
    items = []
    for index, annotation in enumerate(found, start=1):
        where = f"annotation {index}" + (f" ({annotation.id})" if annotation.id else "")
        # a URL written as a URI (`?x=%C3%A4`) also matches the article stored with `?x=ä`
        decoded = uri_to_iri(annotation.article)
        source = _Source(annotation.article, url=decoded if decoded != annotation.article else None)
        items.append(_Item(annotation, source, path, None, where))
    return items


def _looks_w3c(document: Any) -> bool:
    if isinstance(document, list):
        return not document or any(_looks_w3c(item) for item in document)
    if not isinstance(document, dict):
        return False
    kinds = document.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(kind in ("Annotation", "AnnotationCollection", "AnnotationPage") for kind in kinds)


def _read_lines(path: Path, fmt: str, limit: SizeLimit | None, data: bytes | None = None) -> list[_Item]:
    """A JSON Lines format (doccano, Prodigy), one line at a time, so that each annotation keeps
    its line number and the line's text, title and URL (which the importers do not hand back)."""
    importer = IMPORTERS[fmt]
    items: list[_Item] = []
    records = with_spans = 0
    # lines as a file read in text mode gives them (universal newlines), not `str.splitlines`,
    # which would also break inside a JSON string holding a raw U+2028
    lines = _read_text(path, limit, data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise YamlError(path, number, "", f"not valid JSON ({error.msg})") from None
        except RecursionError:
            raise YamlError(path, number, "", "not valid JSON (nested too deeply)") from None
        except ValueError as error:  # a number of more digits than Python converts (4,300)
            raise YamlError(path, number, "", f"not valid JSON ({error})") from None
        if not isinstance(record, dict):
            raise YamlError(path, number, "", f"expected a JSON object (one {FORMAT_NAMES[fmt]} record), got {type(record).__name__}")
        records += 1
        with_spans += any(key in record for key in _SPAN_KEYS[fmt])
        try:
            found = importer(io.StringIO(line))
        except _READ_ERRORS as error:
            raise YamlError(path, number, "", f"cannot read it as {FORMAT_NAMES[fmt]} ({_unreadable(error)})") from None
        if not found:
            continue
        holder = record.get("meta") if fmt == "prodigy" else record
        holder = holder if isinstance(holder, dict) else {}
        text = record.get("text")
        key = found[0].article
        if key == "line 1" and number != 1:
            # the importer names a record without an article id by its line, counted in what it
            # was given: this line alone
            key = f"line {number}"
            found = [replace(annotation, article=key) for annotation in found]
        source = _Source(key, _string(holder.get("title")), _string(holder.get("url")),
                         text if isinstance(text, str) else None)
        items.extend(_Item(annotation, source, path, number, "") for annotation in found)
    if records and not with_spans:
        keys = " or ".join(f"“{key}”" for key in _SPAN_KEYS[fmt])
        raise YamlError(path, None, "", f"no {FORMAT_NAMES[fmt]} records in it (no line has {keys}): another format?")
    return items


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _read_brat(folder: Path, limit: SizeLimit | None, summary: ImportSummary) -> list[_Item]:
    """The annotations of a brat folder; a `.ann` or `.txt` that is a pipe, a device or larger
    than `limit` is left out and listed in `summary` (the rest is read); a `.ann` that is not
    UTF-8 refuses the folder, naming it."""
    if not any(folder.glob("*.ann")):
        raise YamlError(folder, None, "", "no brat .ann files in this folder")
    try:
        found = read_folder(folder, limit)
    except UnicodeDecodeError:
        for ann_path in sorted(folder.glob("*.ann")):  # which file it was, and where
            try:
                read_regular_file(ann_path, limit).decode("utf-8")
            except UnicodeDecodeError as error:
                raise YamlError(ann_path, None, "", f"not UTF-8 (byte {error.start})") from None
            except IngestError:
                continue
        raise
    except OSError as error:
        raise YamlError(folder, None, "", f"cannot read the folder ({error.strerror or error})") from None
    summary.skipped_files.extend((one_line(path_text(path)), reason) for path, reason in found.skipped)
    sources: dict[str, _Source] = {}
    items = []
    for annotation in found.annotations:
        key = annotation.article
        if key not in sources:
            sources[key] = _Source(key, text=found.texts.get(key))
        items.append(_Item(annotation, sources[key], folder / f"{key}.ann", None, f"[{annotation.start}, {annotation.end})"))
    return items


def _brat_line(ann_path: Path, start: int | None, end: int | None, tag: str | None) -> int | None:
    """The number of the `T` line in `ann_path` for the range `[start, end)` (with type `tag`)."""
    try:
        lines = read_regular_file(ann_path, None).decode("utf-8").split("\n")
    except (IngestError, UnicodeDecodeError):
        return None
    conf = ann_path.parent / "annotation.conf"
    try:
        tags = read_tag_comments(read_regular_file(conf, None).decode("utf-8", errors="replace"))
    except (IngestError, OSError):
        tags = {}
    for number, line in enumerate(lines, start=1):
        parts = line.rstrip("\r").split("\t", 2)
        if not line.startswith("T") or len(parts) < 2 or " " not in parts[1]:
            continue
        kind, offsets = parts[1].split(" ", 1)
        try:
            numbers = [int(value) for piece in offsets.split(";") for value in piece.split()]
        except ValueError:
            continue
        if numbers and (min(numbers), max(numbers)) == (start, end) and (tag is None or tag_name(kind, tags) == tag):
            return number
    return None


# ---- checking -----------------------------------------------------------------------------


def _check(item: _Item, fmt: str) -> None:
    annotation = item.annotation

    def fail(what: str, problem: str, tag: str | None = None) -> YamlError:
        line = item.line
        if fmt == "brat":
            line = _brat_line(item.file, annotation.start, annotation.end, tag)
        where = f"{item.where}.{what}" if item.where else what
        return YamlError(item.file, line, where, problem)

    tags = annotation.tags
    if not tags and not (isinstance(annotation.note, str) and annotation.note.strip()):
        raise fail("tags", "an annotation needs at least one tag, or a note (a memo)")
    for tag in tags:
        if not isinstance(tag, str) or not tag.strip():
            raise fail("tags", f"expected tag names, got {tag!r}", tag if isinstance(tag, str) else None)
        problem = tag_name_problem(tag)
        if problem:
            raise fail("tags", f"tag name {ascii(tag)} refused: {problem}", tag)
    start, end = annotation.start, annotation.end
    if (start is None) != (end is None):
        raise fail("start", "has a start without an end, or an end without a start")
    if start is not None and not (type(start) is int and type(end) is int and 0 <= start < end):
        raise fail("end", f"expected 0 <= start < end, got [{start}, {end})")
    for what in ("quote", "prefix", "suffix"):
        if not isinstance(getattr(annotation, what), str):
            raise fail(what, f"expected a string, got {getattr(annotation, what)!r}")
    for what in ("note", "annotator", "created", "updated", "id"):
        value = getattr(annotation, what)
        if value is not None and not isinstance(value, str):
            raise fail(what, f"expected a string, got {value!r}")
    # a JSON "\ud800" escape (or brat's note escape) gives a lone surrogate, which cannot be
    # stored, looked up or hashed
    source = item.source
    for what, value in (("article", annotation.article), ("quote", annotation.quote), ("prefix", annotation.prefix),
                        ("suffix", annotation.suffix), ("note", annotation.note), ("annotator", annotation.annotator),
                        ("created", annotation.created), ("updated", annotation.updated), ("id", annotation.id),
                        ("text", source.text), ("title", source.title), ("url", source.url)):
        character = _lone_surrogate(value)
        if character is not None:
            raise fail(what, f"holds an invalid character (U+{character:04X})")


def _lone_surrogate(value: str | None) -> int | None:
    """The code of the first lone surrogate in `value`, if any."""
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        return ord(value[error.start])
    return None


def _neutralised(items: list[_Item], summary: ImportSummary) -> list[_Item]:
    """The items with everything taken from the file made safe, once: keys, names, titles and
    times on one line without control or bidi characters, notes without control characters,
    and each article text normalised as `reader import` does, offsets moved onto the same
    characters (an annotation whose passage was only removed characters gets no place: it is
    kept aside)."""
    sources: dict[int, tuple[_Source, NormalisedText | None]] = {}
    texts: dict[str, NormalisedText] = {}
    result = []
    for item in items:
        given = item.source
        if id(given) not in sources:
            normalised = None
            if given.text is not None:
                if given.text not in texts:
                    found = normalised_with_offsets(given.text)
                    # (None: where characters went cannot be told, so no offset is trusted)
                    texts[given.text] = found or NormalisedText(normalise_text(given.text), [])
                    summary.texts_normalised += texts[given.text].changed
                normalised = texts[given.text]
            sources[id(given)] = (
                _Source(one_line(given.key), one_line_or_none(given.title), one_line_or_none(given.url),
                        normalised.text if normalised is not None else None),
                normalised,
            )
        source, normalised = sources[id(given)]
        annotation = item.annotation
        start, end = annotation.start, annotation.end
        quote, prefix, suffix = lines_kept(annotation.quote), lines_kept(annotation.prefix), lines_kept(annotation.suffix)
        unplaceable = None
        if given.text is not None and start is not None and end is not None and 0 <= start < end <= len(given.text):
            span = normalised.span(start, end) if normalised is not None else None
            if span is None:  # nothing of its passage is left in the text: kept aside as it was
                unplaceable = "its passage is only characters reader removes from texts"
                summary.passages_emptied += 1
            else:
                start, end = span
                quote, prefix, suffix = selector_for(source.text, start, end)
        cleaned = replace(
            annotation, article=source.key, start=start, end=end, quote=quote, prefix=prefix, suffix=suffix,
            note=lines_kept_or_none(annotation.note), annotator=one_line_or_none(annotation.annotator),
            created=one_line_or_none(annotation.created), updated=one_line_or_none(annotation.updated),
            id=one_line_or_none(annotation.id),
        )
        result.append(replace(item, annotation=cleaned, source=source, unplaceable=unplaceable))
    return result


# ---- merging ------------------------------------------------------------------------------


class _Merger:
    def __init__(self, store: Store, fmt: str, annotator: str, summary: ForeignImportSummary) -> None:
        self.store = store
        self.fmt = fmt
        self.annotator = one_line(annotator)
        self.summary = summary
        self.now = now_utc()
        self.articles: dict[_Source, _Matched | None] = {}
        #: Per article: (start, end, tags) -> [(annotator, note)] of its stored annotations.
        self.stored: dict[int, dict[tuple[int, int, tuple[str, ...]], list[tuple[str, str | None]]]] = {}
        self.missing: dict[str, int] = {}
        self.orphans: dict[str, int] = {}
        #: Per source file: the (article uid, record) already kept aside from it.
        self.pending: dict[str, set[tuple[str, str]]] = {}
        #: The annotations this import wrote, by id.
        self.written: dict[str, Annotation] = {}

    def article(self, source: _Source) -> _Matched | None:
        if source not in self.articles:
            self.articles[source] = self._match(source)
        return self.articles[source]

    def _match(self, source: _Source) -> _Matched | None:
        row = self.store.articles.foreign_match(source.key, source.url, source.sha256)
        return None if row is None else _Matched(*row)

    def annotation(self, item: _Item) -> None:
        imported = item.annotation
        article = self.article(item.source)
        if article is None:
            label = item.source.title or item.source.key
            self.keep_aside(item, item.source.key, item.source.sha256, label, "no article")
            self.missing[label] = self.missing.get(label, 0) + 1
            return
        placed = None if item.unplaceable else self.place(article.text, imported, item.source.text)
        if placed is None:
            self.keep_aside(item, article.uid, article.sha256, article.title, item.unplaceable or "passage not found")
            self.orphans[article.title] = self.orphans.get(article.title, 0) + 1
            return
        start, end = placed
        quote, prefix, suffix = selector_for(article.text, start, end)
        incoming = Annotation(
            id=imported.id or str(uuid.uuid4()), article_id=article.id, start=start, end=end, quote=quote,
            prefix=prefix, suffix=suffix, note=imported.note, annotator=imported.annotator or self.annotator,
            created=imported.created or self.now, updated=imported.updated or imported.created or self.now,
            tags=tuple(sorted(set(imported.tags))),
        )
        summary = self.summary
        if imported.id is not None:
            stored = self.stored_with_id(imported.id)
            if stored is not None:
                if _agrees(stored, incoming, imported):
                    summary.unchanged += 1
                    return
                if (imported.annotator is not None and imported.updated is not None
                        and (stored.annotator, stored.article_id) == (incoming.annotator, incoming.article_id)):
                    # the same owner's annotation: the newer version wins
                    if is_later(incoming.updated, stored.updated):
                        self.store.annotations.overwrite(incoming)
                        self.written[incoming.id] = incoming
                        self.stored.pop(article.id, None)
                        summary.annotations_updated += 1
                        return
                    if is_later(stored.updated, incoming.updated):
                        summary.kept_newer += 1
                        return
                # an id made from the original's and the content: the same file again adds nothing
                kept = replace(incoming, id=conflict_id(incoming))
                if self.stored_with_id(kept.id) is not None:
                    summary.unchanged += 1
                    return
                summary.conflicts.append(Conflict(article.title, incoming.id, kept.id, incoming.quote))
                incoming = kept
        elif self.has_alike(incoming, imported):
            summary.unchanged += 1
            return
        self.store.annotations.insert(incoming)
        self.written[incoming.id] = incoming
        self.alike(article.id).setdefault((start, end, incoming.tags), []).append((incoming.annotator, incoming.note))
        summary.annotations_added += 1

    def place(self, text: str, imported: ImportedAnnotation, file_text: str | None) -> tuple[int, int] | None:
        """Where the annotation goes in the stored `text`: its offsets if its quote is there,
        else where `reanchor` finds its quote; None if neither."""
        start, end, quote = imported.start, imported.end, imported.quote
        if start is not None and end is not None and quote and quote_matches(text, start, end, quote):
            return start, end
        if not quote.strip():
            return None  # nothing to check the offsets against, or to look for
        start = start or 0
        end = end if end is not None else start + len(quote)
        anchored = reanchor(text, Selector(start, end, quote, imported.prefix, imported.suffix),
                            len(file_text) if file_text else None)
        if anchored.status == "orphan" or anchored.start is None or anchored.end is None:
            return None
        if anchored.status == "fuzzy":
            self.summary.fuzzy += 1
        else:
            self.summary.moved += 1
        return anchored.start, anchored.end

    def stored_with_id(self, annotation_id: str) -> Annotation | None:
        if annotation_id in self.written:  # (what this import wrote, even in a dry run's rolled back steps)
            return self.written[annotation_id]
        try:
            return self.store.annotations.get(annotation_id)
        except KeyError:
            return None

    def alike(self, article_id: int) -> dict[tuple[int, int, tuple[str, ...]], list[tuple[str, str | None]]]:
        if article_id not in self.stored:
            found: dict[tuple[int, int, tuple[str, ...]], list[tuple[str, str | None]]] = {}
            for stored in self.store.annotations.of_article(article_id):
                found.setdefault((stored.start, stored.end, stored.tags), []).append((stored.annotator, stored.note))
            self.stored[article_id] = found
        return self.stored[article_id]

    def has_alike(self, incoming: Annotation, imported: ImportedAnnotation) -> bool:
        """Whether stored annotations of the article already say this: the same place with
        these tags (on one annotation, or together on several: formats without annotation ids
        merge the tags of one place), with the same annotator and note where the file gives them."""
        tags_here: set[str] = set()
        for (start, end, tags), owners in self.alike(incoming.article_id).items():
            if (start, end) != (incoming.start, incoming.end):
                continue
            if any((imported.annotator is None or annotator == imported.annotator)
                   and (imported.note is None or note == imported.note) for annotator, note in owners):
                tags_here.update(tags)
        return set(incoming.tags) <= tags_here

    def keep_aside(self, item: _Item, uid: str, sha256: str | None, title: str, reason: str) -> None:
        """Keep the annotation whole in `pending_annotations` (once: the same record from the same
        file again is not added twice)."""
        record = json.dumps({**asdict(item.annotation), "format": self.fmt, "reason": reason}, ensure_ascii=False)
        file = one_line(path_text(item.file))
        if file not in self.pending:
            self.pending[file] = self.store.annotations.pending_from(file)
        if (uid, record) in self.pending[file]:
            return
        self.pending[file].add((uid, record))
        self.store.annotations.keep_pending_rows([
            {
                "article_uid": uid,
                "article_sha256": sha256,
                "article_title": title,
                "annotation_id": item.annotation.id or str(uuid.uuid4()),
                "record": record,
                "source_file": one_line(path_text(item.file)),
                "created": self.now,
            }
        ])

    def report(self) -> None:
        self.summary.kept_aside.extend(self.missing.items())
        self.summary.orphaned.extend(self.orphans.items())


def _agrees(stored: Annotation, incoming: Annotation, imported: ImportedAnnotation) -> bool:
    """Whether the stored annotation with the same id is the imported one: same article, place,
    tags and note (an empty note is none: W3C writes no body for it), and the same annotator
    and times where the file gives them."""
    return (
        (stored.article_id, stored.start, stored.end, stored.tags, stored.note or None)
        == (incoming.article_id, incoming.start, incoming.end, incoming.tags, incoming.note or None)
        and (imported.annotator is None or stored.annotator == imported.annotator)
        and (imported.created is None or _same_moment(stored.created, imported.created))
        and (imported.updated is None or _same_moment(stored.updated, imported.updated))
    )


def _same_moment(stored: str, imported: str) -> bool:
    """Whether two stamps are one moment as W3C writes it (in UTC with a Z): a stamp without an
    offset, or with another one, comes back from W3C as the same moment in +00:00."""
    return stored == imported or to_xsd(stored) == to_xsd(imported)
