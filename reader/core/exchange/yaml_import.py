"""Merging a `reader-annotations` YAML file into the database (`reader import-annotations`).

- Articles are matched by id (the uid), else by the sha256 of their text. An article the
  database lacks is added when the file carries its text (format 2); without it (format 1) its
  annotations are kept aside in `pending_annotations`, never dropped.
- Annotations are matched by id: a new one is added as it is (id, timestamps, annotator); one
  identical to the stored one is skipped; one that differs from the stored one is kept as well,
  under a new id, and reported as a conflict: nothing is overwritten.
- The file is checked whole before anything is written, and everything is written in one
  transaction: on any error the database is unchanged. A dry run does all of it and rolls back.

Every problem is one line naming the file, the line and the field.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reader.core.anchoring import Selector, reanchor, selector_for
from reader.core.exchange.yaml_format import READABLE_FORMATS
from reader.core.exchange.yaml_read import load_own
from reader.core.store import Annotation, Store, now_utc
from reader.core.yamlsafe import LinedList, LinedMap, YamlError, load_lined

_ARTICLE_KEYS = {"id", "title", "source", "path", "locator", "url", "published", "sha256", "tags", "text", "annotations"}
_ANNOTATION_KEYS = {"id", "start", "end", "quote", "prefix", "suffix", "tags", "note", "annotator", "created", "updated"}


class DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@dataclass
class Conflict:
    article: str
    annotation_id: str
    kept_as: str
    quote: str


@dataclass
class ImportSummary:
    articles_added: int = 0
    annotations_added: int = 0
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    #: (article title or id, number of annotations) of articles the database lacks.
    kept_aside: list[tuple[str, int]] = field(default_factory=list)
    article_tags_added: int = 0
    #: Annotations placed by their quote because the article's text differs from the file's.
    placed_by_quote: int = 0
    #: ... and those whose passage was not found there: kept as orphans.
    orphaned: int = 0
    dry_run: bool = False

    def lines(self) -> list[str]:
        verb = "would be" if self.dry_run else ""
        def says(count: int, what: str) -> str:
            return f"{count} {what}{'' if count == 1 else 's'}"
        head = (
            f"{says(self.annotations_added, 'annotation')} added, {self.unchanged} unchanged, "
            f"{says(len(self.conflicts), 'conflict')}, {says(self.articles_added, 'article')} added"
        )
        lines = [(f"Dry run: nothing written. These {verb} the changes: " if self.dry_run else "") + head]
        if self.article_tags_added:
            lines.append(f"{says(self.article_tags_added, 'article tag')} added")
        if self.placed_by_quote or self.orphaned:
            lines.append(
                f"articles whose text differs from the file's: {says(self.placed_by_quote, 'annotation')} placed by "
                f"their quote, {self.orphaned} orphaned (kept: see Orphans, key O in reader)"
            )
        for conflict in self.conflicts:
            lines.append(
                f"conflict: annotation {conflict.annotation_id} in “{conflict.article}” differs from the stored one; "
                f"both kept (the imported one as {conflict.kept_as}): “{conflict.quote[:60]}”"
            )
        for article, count in self.kept_aside:
            lines.append(
                f"kept aside: {says(count, 'annotation')} of “{article}”, which is not in the database "
                f"(import the article, then run this again)"
            )
        return lines


def import_annotations(store: Store, path: Path, dry_run: bool = False) -> ImportSummary:
    """Merge the annotations in the YAML file at `path` into `store` (see the module's docs).
    Raises YamlError (a one-line message) and leaves the database as it was on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise YamlError(path, None, "", f"not UTF-8 (byte {error.start})") from None
    except OSError as error:
        raise YamlError(path, None, "", f"cannot read the file ({error.strerror or error})") from None
    # reader's own files are read by the quick reader; anything else (or anything it does not
    # recognise) by the strict generic one, which also reports every error with its line
    document = load_own(text)
    quick = document is not None  # the quick reader never yields a lone surrogate
    if document is None:
        document = load_lined(text, path)
    records = _check_document(document, path, strings_checked=quick)
    summary = ImportSummary(dry_run=dry_run)
    try:
        with store.writing():
            merger = _Merger(store, path, summary)
            for article in records:
                merger.article(article)
            merger.flush()
            if dry_run:
                raise DryRun
    except DryRun:
        pass
    return summary


# ---- checking -----------------------------------------------------------------------------


def _fail(path: Path, node: Any, key: str | None, where: str, problem: str) -> YamlError:
    line = None
    if isinstance(node, LinedMap):
        line = node.lines.get(key, node.line) if key is not None else node.line
    elif isinstance(node, LinedList):
        line = node.line
    return YamlError(path, line, where, problem)


def _kind(value: Any) -> str:
    return {type(None): "nothing", bool: "a boolean", int: "a number", float: "a number", str: "a string",
            LinedMap: "a mapping", LinedList: "a list"}.get(type(value), type(value).__name__)


def _check_document(document: Any, path: Path, strings_checked: bool = False) -> list[LinedMap]:
    if not isinstance(document, LinedMap):
        raise YamlError(path, None, "", "not a reader annotations file (expected a mapping with format: and articles:)")
    fmt = document.get("format")
    if fmt not in READABLE_FORMATS:
        raise _fail(path, document, "format", "format", f"expected one of {', '.join(READABLE_FORMATS)}, got {fmt!r}")
    articles = document.get("articles")
    if not isinstance(articles, LinedList):
        raise _fail(path, document, "articles", "articles", f"expected a list of articles, got {_kind(articles)}")
    seen: set[str] = set()
    for index, article in enumerate(articles):
        where = f"articles[{index}]"
        if not isinstance(article, LinedMap):
            raise YamlError(path, articles.lines[index], where, f"expected an article (a mapping), got {_kind(article)}")
        _check_article(article, path, where, seen, strings_checked)
    return list(articles)


def _check_article(article: LinedMap, path: Path, where: str, seen: set[str], strings_checked: bool) -> None:
    unknown = set(article) - _ARTICLE_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise _fail(path, article, key, f"{where}.{key}", "unknown field")
    for key in ("id", "title", "sha256"):
        _need_string(article, key, path, where)
    for key in ("source", "path", "locator", "url", "published"):
        if article.get(key) is not None and not isinstance(article[key], str):
            raise _fail(path, article, key, f"{where}.{key}", f"expected a string or null, got {_kind(article[key])}")
    _check_tags(article, path, where, required=False)
    if not strings_checked:
        for key in ("id", "title", "sha256", "source", "path", "locator", "url", "published", "text"):
            _encodable(article, key, path, where)
    text = article.get("text")
    if text is not None:
        if not isinstance(text, str):
            raise _fail(path, article, "text", f"{where}.text", f"expected the article's text, got {_kind(text)}")
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != article["sha256"]:
            raise _fail(path, article, "text", f"{where}.text", "does not match the article's sha256 (edited?)")
    annotations = article.get("annotations", LinedList())
    if not isinstance(annotations, LinedList):
        raise _fail(path, article, "annotations", f"{where}.annotations", f"expected a list, got {_kind(annotations)}")
    for index, note in enumerate(annotations):
        here = f"{where}.annotations[{index}]"
        if not isinstance(note, LinedMap):
            raise YamlError(path, annotations.lines[index], here, f"expected an annotation (a mapping), got {_kind(note)}")
        _check_annotation(note, path, here, text, strings_checked)
        if note["id"] in seen:
            raise _fail(path, note, "id", f"{here}.id", f"the id {note['id']} is given twice in this file")
        seen.add(note["id"])


def _check_annotation(note: LinedMap, path: Path, where: str, text: str | None, strings_checked: bool) -> None:
    unknown = set(note) - _ANNOTATION_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise _fail(path, note, key, f"{where}.{key}", "unknown field")
    for key in ("id", "quote", "annotator", "created", "updated"):
        _need_string(note, key, path, where)
    for key in ("prefix", "suffix"):
        if not isinstance(note.get(key, ""), str):
            raise _fail(path, note, key, f"{where}.{key}", f"expected a string, got {_kind(note[key])}")
    for key in ("start", "end"):
        value = note.get(key)
        if type(value) is not int or value < 0:
            raise _fail(path, note, key if key in note else None, f"{where}.{key}",
                        f"expected a whole number of 0 or more, got {_kind(value) if key in note else 'nothing'}")
    if note["start"] >= note["end"]:
        raise _fail(path, note, "end", f"{where}.end", f"must be after start ({note['start']})")
    if note.get("note") is not None and not isinstance(note["note"], str):
        raise _fail(path, note, "note", f"{where}.note", f"expected a string or null, got {_kind(note['note'])}")
    if not strings_checked:
        for key in ("id", "quote", "prefix", "suffix", "note", "annotator", "created", "updated"):
            _encodable(note, key, path, where)
    _check_tags(note, path, where, required=True)
    if text is not None:
        if note["end"] > len(text):
            raise _fail(path, note, "end", f"{where}.end", f"is outside the article's text ({len(text)} characters)")
        if text[note["start"] : note["end"]] != note["quote"]:
            raise _fail(path, note, "quote", f"{where}.quote", "does not match the article's text at [start, end)")
    elif len(note["quote"]) != note["end"] - note["start"]:
        raise _fail(path, note, "quote", f"{where}.quote", "is not end - start characters long")


def _encodable(node: LinedMap, key: str, path: Path, where: str) -> None:
    """Refuse a string holding a lone surrogate (from a "\\ud800" escape): it cannot be stored."""
    value = node.get(key)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise _fail(path, node, key, f"{where}.{key}", f"holds an invalid character (U+{ord(value[error.start]):04X})") from None


def _need_string(node: LinedMap, key: str, path: Path, where: str) -> None:
    value = node.get(key)
    if not isinstance(value, str) or not value:
        got = _kind(value) if key in node else "nothing (the field is missing)"
        raise _fail(path, node, key if key in node else None, f"{where}.{key}", f"expected a non-empty string, got {got}")


def _check_tags(node: LinedMap, path: Path, where: str, required: bool) -> None:
    tags = node.get("tags", LinedList())
    if not isinstance(tags, LinedList) or not all(isinstance(tag, str) and tag.strip() for tag in tags):
        raise _fail(path, node, "tags", f"{where}.tags", "expected a list of tag names")
    if not all(tag.isprintable() for tag in tags):
        raise _fail(path, node, "tags", f"{where}.tags", "a tag name cannot hold control or line-break characters")
    if required and not tags:
        raise _fail(path, node, "tags" if "tags" in node else None, f"{where}.tags", "an annotation needs at least one tag")


# ---- merging ------------------------------------------------------------------------------


_CONFLICT_IDS = uuid.UUID("6f1d3c2e-59a4-4c1e-9f3b-2d7a8e4b1c90")


def conflict_id(annotation: Annotation) -> str:
    """The id a conflicting copy of `annotation` is kept under: made from its id and content,
    so the same copy imported again is recognised instead of kept a second time."""
    fields = [annotation.id, annotation.start, annotation.end, annotation.quote, annotation.note,
              annotation.annotator, annotation.created, annotation.updated, list(annotation.tags)]
    return str(uuid.uuid5(_CONFLICT_IDS, json.dumps(fields, ensure_ascii=False)))


class _Merger:
    """The merge, with what it looks up kept at hand: the ids of stored annotations and the
    ids of tags, so each annotation costs no query unless its id is already stored."""

    def __init__(self, store: Store, path: Path, summary: ImportSummary) -> None:
        self.store = store
        self.path = path
        self.summary = summary
        self.stored_ids = {row[0] for row in store.db.execute("SELECT id FROM annotations")}
        self.orphan_ids = {row[0] for row in store.db.execute("SELECT id FROM orphans")}
        self.tag_ids: dict[str, int] = {}
        self.rows: list[tuple] = []
        self.tag_rows: list[tuple[str, int]] = []
        self._article_id: int | None = None
        self._stored: dict[str, Annotation] = {}

    def article(self, record: LinedMap) -> None:
        store, summary = self.store, self.summary
        db = store.db
        row = db.execute("SELECT id, text, sha256 FROM articles WHERE uid = ?", [record["id"]]).fetchone()
        if row is None:
            row = db.execute("SELECT id, text, sha256 FROM articles WHERE sha256 = ?", [record["sha256"]]).fetchone()
        annotations = record.get("annotations", [])
        if row is None:
            if record.get("text") is None:
                _keep_aside(store, record, self.path)
                summary.kept_aside.append((record["title"], len(annotations)))
                return
            article_id = store.import_article(
                uid=record["id"], sha256=record["sha256"], title=record["title"], text=record["text"],
                source=record.get("source"), url=record.get("url"), path=record.get("path") or "",
                locator=record.get("locator") or "", published=record.get("published"),
            )
            text = record["text"]
            summary.articles_added += 1
        else:
            article_id, text, sha256 = row
        # the article's text changed on one side since: place annotations by their quote
        self.text_changed = row is not None and sha256 != record["sha256"]
        self.other_text = record.get("text") if self.text_changed else None
        for tag in record.get("tags", []):
            if store.add_article_tag(article_id, tag, "import"):
                summary.article_tags_added += 1
        for note in annotations:
            self.annotation(article_id, text, record, note)
        if len(self.rows) >= 5000:
            self.flush()

    def annotation(self, article_id: int, text: str, article: LinedMap, note: LinedMap) -> None:
        incoming = Annotation(
            id=note["id"], article_id=article_id, start=note["start"], end=note["end"], quote=note["quote"],
            prefix=note.get("prefix", ""), suffix=note.get("suffix", ""), note=note.get("note"),
            annotator=note["annotator"], created=note["created"], updated=note["updated"],
            tags=tuple(sorted(set(note["tags"]))),
        )
        if text[incoming.start : incoming.end] != incoming.quote:
            if not self.text_changed:
                where = f"annotation {note['id']}.quote"
                raise YamlError(self.path, note.lines.get("quote", note.line), where,
                                "does not match the stored article's text at [start, end)")
            placed = reanchor(text, Selector(incoming.start, incoming.end, incoming.quote, incoming.prefix, incoming.suffix),
                              len(self.other_text) if self.other_text else None)
            if placed.status == "orphan":
                self.flush()
                self.keep_orphan(incoming, article["title"])
                return
            quote, prefix, suffix = selector_for(text, placed.start, placed.end)
            incoming = replace(incoming, start=placed.start, end=placed.end, quote=quote, prefix=prefix, suffix=suffix)
            self.summary.placed_by_quote += 1
        if incoming.id in self.orphan_ids:
            # the file has a place for an annotation that lost its own here: take it
            self.store.delete_orphan(incoming.id)
            self.orphan_ids.discard(incoming.id)
        elif incoming.id in self.stored_ids:
            self.flush()  # the stored one may be among those waiting to be written
            if self.stored(article_id, incoming.id) == incoming:
                self.summary.unchanged += 1
                return
            # kept under an id made from the original's and its content, so importing the
            # same file again finds it and adds nothing
            kept = replace(incoming, id=conflict_id(incoming))
            if kept.id in self.stored_ids:
                self.summary.unchanged += 1
                return
            self.summary.conflicts.append(Conflict(article["title"], incoming.id, kept.id, incoming.quote))
            incoming = kept
        self.stored_ids.add(incoming.id)
        self.rows.append((incoming.id, article_id, incoming.start, incoming.end, incoming.quote, incoming.prefix,
                          incoming.suffix, incoming.note, incoming.annotator, incoming.created, incoming.updated))
        for tag in incoming.tags:
            if tag not in self.tag_ids:
                self.tag_ids[tag] = self.store.ensure_tag(tag)
            self.tag_rows.append((incoming.id, self.tag_ids[tag]))
        self.summary.annotations_added += 1

    def keep_orphan(self, incoming: Annotation, title: str) -> None:
        """Keep an annotation whose passage is not in the stored text whole, as an orphan (for O in
        the TUI), replacing nothing: when an annotation in place here has its id, or an orphan
        with its id differs from it, the file's is kept under a conflict id and reported as a
        conflict."""
        if incoming.id in self.stored_ids or (
            incoming.id in self.orphan_ids and self.stored_orphan(incoming.article_id, incoming.id) != incoming
        ):
            kept = replace(incoming, id=conflict_id(incoming))
            if kept.id in self.stored_ids or kept.id in self.orphan_ids:  # kept by an earlier import
                self.summary.unchanged += 1
                return
            self.summary.conflicts.append(Conflict(title, incoming.id, kept.id, incoming.quote))
            incoming = kept
        if incoming.id not in self.orphan_ids:  # else the very same orphan is kept already
            self.store.keep_orphan(incoming)
            self.orphan_ids.add(incoming.id)
        self.summary.orphaned += 1

    def stored_orphan(self, article_id: int, annotation_id: str) -> Annotation | None:
        return next((orphan for orphan in self.store.orphans(article_id) if orphan.id == annotation_id), None)

    def stored(self, article_id: int, annotation_id: str) -> Annotation:
        """The stored annotation with this id: the article's are read together, once."""
        if self._article_id != article_id:
            self._article_id = article_id
            self._stored = {a.id: a for a in self.store.annotations_for(article_id)}
        found = self._stored.get(annotation_id)
        return found if found is not None else self.store.get_annotation(annotation_id)

    def flush(self) -> None:
        db = self.store.db
        if self.rows:
            self._article_id = None  # what was read of the stored annotations is out of date
            db.conn.executemany(
                'INSERT INTO annotations (id, article_id, start, "end", quote, prefix, suffix, note, annotator, created, updated) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self.rows,
            )
            db.conn.executemany("INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)", self.tag_rows)
            self.rows, self.tag_rows = [], []


def _keep_aside(store: Store, record: LinedMap, path: Path) -> None:
    """Annotations of an article the database lacks, kept whole for a later import (once:
    importing the same file again adds no second copy)."""
    kept = {row[0] for row in store.db.execute(
        "SELECT annotation_id FROM pending_annotations WHERE article_uid = ?", [record["id"]]
    )}
    store.db["pending_annotations"].insert_all(
        {
            "article_uid": record["id"],
            "article_sha256": record["sha256"],
            "article_title": record["title"],
            "annotation_id": note["id"],
            "record": json.dumps(dict(note), ensure_ascii=False),
            "source_file": str(path),
            "created": now_utc(),
        }
        for note in record.get("annotations", [])
        if note["id"] not in kept
    )
