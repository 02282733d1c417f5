"""Merging a `reader-annotations` YAML file into the database (`reader import-annotations`).

- Articles are matched by id (the uid), else by the sha256 of their text. An article the
  database lacks is added when the file carries its text (format 2 and 3), normalised exactly as
  `reader import` normalises a file (its annotations moved onto the same characters); without it
  (format 1) its annotations are kept aside in `pending_annotations`, never dropped.
- Annotations are matched by id: a new one is added as it is (id, timestamps, annotator); one
  identical to the stored one is skipped. When they differ and have the same annotator (the
  owner), the newer `updated` wins (the same time: the first by `version_key`, a content hash):
  the file's replaces the stored one, or is left out. Two owners with one id keep both, the
  file's under a new id, reported as a conflict.
- Deletions travel (`deleted:`, tombstones): one removes the stored copy of its owner when that
  is no newer, and is recorded; a recorded one keeps out the file's copies no newer than it.
  Together: importing the same files in any order gives the same database.
- Format 3 also carries the codebook (a tag new here is added with its colour, description and
  key; a tag this database has keeps its own look and takes only what it lacks; a key another
  tag has here is not taken, and the summary says so), the entity feedback (a verdict replaces
  the one here it contradicts only when it is newer), orphans, pending annotations, and who
  tagged each article when.
- The file is checked whole before anything is written: on any problem nothing is written, and
  the problem is one line naming the file, the line and the field. Then it is written in short
  transactions (about 0.4 s each, `batches.write_in_steps`), so that others
  can write meanwhile; if the import is stopped half-way, what it wrote stays, and importing
  the same file again adds the rest and nothing twice. A dry run does all of it and rolls back.

Everything taken from the file is neutralised where it enters (`incoming`): names, titles,
sources and times on one line without control or bidi characters, notes without control
characters; tag names that break the codebook's rule are refused.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reader.core.anchoring import Selector, reanchor, selector_for
from reader.core.config import is_color, tag_key_problem
from reader.core.entities import LABELS
from reader.services.steps import STEP_SECONDS, write_in_steps
from reader.core.exchange.incoming import (
    NormalisedText, lines_kept, lines_kept_or_none, normalised_with_offsets, one_line, one_line_or_none,
)
from reader.core.exchange.yaml_format import READABLE_FORMATS
from reader.core.exchange.yaml_read import load_own
from reader.core.ingest import IngestError, SizeLimit, normalise_text, path_text, read_regular_file
from reader.core.model import (
    Annotation,
    GOLD_CHOICES,
    ArticleNote,
    GoldDecision,
    PendingAnnotation,
    is_later,
    now_utc,
    same_content,
    sha256_text,
    tag_name_problem,
)
from reader.store import Store
from reader.core.yamlsafe import LinedList, LinedMap, YamlError, load_lined

_ARTICLE_KEYS = {"id", "title", "source", "path", "locator", "url", "published", "sha256", "tags", "text", "annotations"}
_ANNOTATION_KEYS = {"id", "start", "end", "quote", "prefix", "suffix", "tags", "note", "annotator", "created", "updated"}
_ORPHAN_KEYS = _ANNOTATION_KEYS | {"orphaned"}
_ARTICLE_TAG_KEYS = {"name", "annotator", "created"}
_ARTICLE_NOTE_KEYS = {"annotator", "note", "created", "updated"}
_ATTRIBUTE_KEYS = {"name", "value"}
_CODEBOOK_KEYS = {"name", "key", "color", "description"}
_VERDICT_KEYS = {"surface", "label", "verdict", "annotator", "created"}
_TOMBSTONE_KEYS = {"id", "annotator", "deleted"}
_PENDING_KEYS = {"article", "sha256", "title", "annotation_id", "source_file", "kept", "record"}
_GOLD_KEYS = {"annotation", "curator", "decided", "choice", "sources"}

#: The largest annotation file read (a whole export, texts included, of 100,000 annotations is
#: about 280 MB). Larger files, pipes and devices are refused before anything is read.
FILE_LIMIT = SizeLimit(2048, "the limit for annotation files")


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
    #: Notes on whole articles added, and replaced by the file's newer version (same annotator).
    article_notes_added: int = 0
    article_notes_updated: int = 0
    #: Annotations placed by their quote because the article's text differs from the file's.
    placed_by_quote: int = 0
    #: ... and those whose passage was not found there: kept as orphans.
    orphaned: int = 0
    dry_run: bool = False
    #: Stored annotations replaced by the file's newer version (same owner), and file
    #: annotations left out because the stored version is newer.
    annotations_updated: int = 0
    kept_newer: int = 0
    #: Orphans and pending annotations the file brought.
    orphans_added: int = 0
    pending_added: int = 0
    #: Articles added whose text the file gave in a form `reader import` would not store
    #: (control characters, CR line ends...): normalised, annotations moved onto the same
    #: characters, those whose passage was only such characters kept as orphans.
    texts_normalised: int = 0
    passages_emptied: int = 0
    #: The codebook: tags added, tags that took a colour, description or key they lacked, and
    #: keys not taken (key, tag, the tag that has it here).
    tags_added: int = 0
    tags_completed: int = 0
    keys_refused: list[tuple[str, str, str]] = field(default_factory=list)
    #: Entity feedback: verdicts added, replacing an older one, and left out (an as new or
    #: newer one here contradicts it).
    verdicts_added: int = 0
    verdicts_replaced: int = 0
    verdicts_kept: int = 0
    #: Files of a folder that could not be read (path, reason); the rest was imported.
    skipped_files: list[tuple[str, str]] = field(default_factory=list)
    #: Deletions the file carries (tombstones): applied to an older copy here, recorded, and
    #: left out because the copy here is newer; file annotations kept out by a deletion here
    #: (or in the file) at least as new.
    deletions_applied: int = 0
    deletions_recorded: int = 0
    deletions_older: int = 0
    kept_deleted: int = 0
    #: How many transactions the merge was written in.
    transactions: int = 0
    #: What became of annotations whose passage normalisation emptied.
    _EMPTIED = "kept as orphans"

    def lines(self) -> list[str]:
        verb = "would be" if self.dry_run else ""
        def says(count: int, what: str) -> str:
            return f"{count} {what}{'' if count == 1 else 's'}"
        head = (
            f"{says(self.annotations_added, 'annotation')} added, {self.unchanged} unchanged, "
            f"{says(len(self.conflicts), 'conflict')}, {says(self.articles_added, 'article')} added"
        )
        lines = [(f"Dry run: nothing written. These {verb} the changes: " if self.dry_run else "") + head]
        if self.annotations_updated or self.kept_newer:
            lines.append(
                f"{says(self.annotations_updated, 'annotation')} replaced by the file's newer version (same annotator), "
                f"{self.kept_newer} left as they are here (newer here)"
            )
        if self.deletions_applied or self.deletions_older or self.kept_deleted:
            lines.append(
                f"deletions: {says(self.deletions_applied, 'annotation')} deleted here as the file's owner deleted "
                f"them, {self.deletions_older} deletions older than the version here (kept), "
                f"{self.kept_deleted} of the file's annotations left out (deleted by their owner since)"
            )
        if self.article_tags_added:
            lines.append(f"{says(self.article_tags_added, 'article tag')} added")
        if self.article_notes_added or self.article_notes_updated:
            lines.append(f"{says(self.article_notes_added, 'note')} on whole articles added, "
                         f"{self.article_notes_updated} replaced by the file's newer version (same annotator)")
        if self.orphans_added or self.pending_added:
            lines.append(
                f"{says(self.orphans_added, 'orphan')} added (see Orphans, key O in reader), "
                f"{says(self.pending_added, 'annotation')} kept aside for articles this database lacks"
            )
        if self.tags_added or self.tags_completed:
            lines.append(
                f"codebook: {says(self.tags_added, 'tag')} added, {self.tags_completed} given a colour, description "
                f"or key they lacked here"
            )
        for key, tag, holder in self.keys_refused:
            lines.append(f"codebook: key {key} not given to tag {tag}: tag {holder} has it in this database")
        if self.verdicts_added or self.verdicts_replaced or self.verdicts_kept:
            lines.append(
                f"entity feedback: {says(self.verdicts_added, 'verdict')} added, {self.verdicts_replaced} replacing an "
                f"older one, {self.verdicts_kept} left out (a newer verdict here says otherwise)"
            )
        if self.texts_normalised:
            lines.append(
                f"{says(self.texts_normalised, 'article text')} of the file normalised as reader import does (control "
                f"characters, CR line ends): annotations moved onto the same characters"
                + (f", {self.passages_emptied} whose passage was only such characters {self._EMPTIED}"
                   if self.passages_emptied else "")
            )
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
        for path, reason in self.skipped_files:
            lines.append(f"skipped {path}: {reason}")
        return lines


def read_exchange_file(path: Path, limit: SizeLimit | None, encoding: str = "utf-8", data: bytes | None = None) -> str:
    """The text of an annotation file: a regular file no larger than `limit` (never a pipe, a
    device or a folder, checked as `reader import` checks articles), in UTF-8; or `data`, the
    bytes of one read elsewhere (standard input, which `path` then names). YamlError naming the
    file and the reason otherwise."""
    try:
        if data is None:
            data = read_regular_file(path, limit)
    except IngestError as error:
        raise YamlError(path, None, "", error.reason) from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise YamlError(path, None, "", f"not UTF-8 (byte {error.start})") from None


def import_annotations(
    store: Store, path: Path, dry_run: bool = False, *, limit: SizeLimit | None = FILE_LIMIT,
    seconds: float = STEP_SECONDS, data: bytes | None = None,
) -> ImportSummary:
    """Merge the annotations in the YAML file at `path` (or in `data`, read elsewhere: `path`
    names it) into `store` (see the module's docs), in transactions of about `seconds` each.
    Raises YamlError (a one-line message) and writes nothing when the file has any problem."""
    path = Path(path)
    text = read_exchange_file(path, limit, data=data)
    # reader's own files are read by the quick reader; anything else (or anything it does not
    # recognise) by the strict generic one, which also reports every error with its line
    document = load_own(text)
    quick = document is not None  # the quick reader never yields a lone surrogate
    if document is None:
        document = load_lined(text, path)
    incoming = _check_document(document, path, strings_checked=quick)
    _check_against_store(store, incoming, path)
    summary = ImportSummary(dry_run=dry_run)
    merger = _Merger(store, path, summary)
    summary.transactions = write_in_steps(
        store, merger.steps(incoming), action=f"importing annotations from {path.name}", dry_run=dry_run,
        seconds=seconds, begin=merger.begin, end=merger.flush,
    )
    return summary


# ---- checking -----------------------------------------------------------------------------


@dataclass
class _ArticleIn:
    """One article of the file, checked and neutralised; `text` as reader stores it."""

    record: LinedMap
    text: NormalisedText | None


@dataclass
class _Incoming:
    version: int
    articles: list[_ArticleIn]
    codebook: list[LinedMap]
    verdicts: list[LinedMap]
    pending: list[PendingAnnotation]
    deleted: list[LinedMap] = field(default_factory=list)
    #: The gold layer's decisions (`gold:`): who adjudicated which gold annotation, when, how.
    gold: list[LinedMap] = field(default_factory=list)


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


def _check_document(document: Any, path: Path, strings_checked: bool = False) -> _Incoming:
    if not isinstance(document, LinedMap):
        raise YamlError(path, None, "", "not a reader annotations file (expected a mapping with format: and articles:)")
    fmt = document.get("format")
    if fmt not in READABLE_FORMATS:
        raise _fail(path, document, "format", "format", f"expected one of {', '.join(READABLE_FORMATS)}, got {fmt!r}")
    version = int(fmt.rpartition("/")[2])
    articles = document.get("articles")
    if not isinstance(articles, LinedList):
        raise _fail(path, document, "articles", "articles", f"expected a list of articles, got {_kind(articles)}")
    seen: set[str] = set()
    uids: set[str] = set()
    hashes: set[str] = set()
    checked: list[_ArticleIn] = []
    for index, article in enumerate(articles):
        where = f"articles[{index}]"
        if not isinstance(article, LinedMap):
            raise YamlError(path, articles.lines[index], where, f"expected an article (a mapping), got {_kind(article)}")
        checked.append(_check_article(article, path, where, seen, strings_checked, version))
        for key, known in (("id", uids), ("sha256", hashes)):
            if article[key] in known:
                raise _fail(path, article, key, f"{where}.{key}", f"another article of this file has this {key}")
            known.add(article[key])
    codebook: list[LinedMap] = []
    verdicts: list[LinedMap] = []
    pending: list[PendingAnnotation] = []
    deleted: list[LinedMap] = []
    gold: list[LinedMap] = []
    if version >= 3:
        deleted = _check_list(document, "deleted", path, _TOMBSTONE_KEYS, _check_tombstone, strings_checked)
        _refuse_twice(deleted, path, "deleted", lambda entry: entry["id"], "id", "this id is given twice")
        gold = _check_list(document, "gold", path, _GOLD_KEYS, _check_gold_decision, strings_checked)
        _refuse_twice(gold, path, "gold", lambda entry: entry["annotation"], "annotation", "a second decision on this annotation")
        codebook = _check_list(document, "codebook", path, _CODEBOOK_KEYS, _check_codebook_entry, strings_checked)
        verdicts = _check_list(document, "entities", path, _VERDICT_KEYS, _check_verdict, strings_checked)
        pending = [
            _pending_of(entry) for entry in
            _check_list(document, "pending", path, _PENDING_KEYS, _check_pending, strings_checked)
        ]
        _refuse_twice(codebook, path, "codebook", lambda entry: entry["name"], "name", "this tag is given twice")
        _refuse_twice([entry for entry in codebook if entry["key"] is not None], path, "codebook",
                      lambda entry: entry["key"], "key", "two tags of this file have this key")
        _refuse_twice(verdicts, path, "entities", lambda entry: (entry["surface"], entry["label"]), "label",
                      "a second verdict on this surface as this label")
        _refuse_twice([entry for entry in verdicts if entry["verdict"] == "accept"], path, "entities",
                      lambda entry: entry["surface"], "surface", "a second label accepted for this surface")
    return _Incoming(version, checked, codebook, verdicts, pending, deleted, gold)


def _refuse_twice(entries: list[LinedMap], path: Path, where: str, key_of, field_name: str, problem: str) -> None:
    seen: set = set()
    for entry in entries:
        key = key_of(entry)
        if key in seen:
            raise _fail(path, entry, field_name, f"{where}.{field_name}", problem)
        seen.add(key)


def _check_list(document: LinedMap, key: str, path: Path, allowed: set[str], check, strings_checked: bool) -> list[LinedMap]:
    """The entries of the top-level list `key` (format 3), each a mapping of `allowed` keys
    checked (and neutralised) by `check`."""
    entries = document.get(key, LinedList())
    if not isinstance(entries, LinedList):
        raise _fail(path, document, key, key, f"expected a list, got {_kind(entries)}")
    for index, entry in enumerate(entries):
        where = f"{key}[{index}]"
        if not isinstance(entry, LinedMap):
            raise YamlError(path, entries.lines[index], where, f"expected a mapping, got {_kind(entry)}")
        _known_keys(entry, allowed, path, where)
        if not strings_checked:
            for name in allowed:
                _encodable(entry, name, path, where)
        check(entry, path, where)
    return list(entries)


def _known_keys(node: LinedMap, allowed: set[str], path: Path, where: str) -> None:
    unknown = set(node) - allowed
    if unknown:
        key = sorted(unknown)[0]
        raise _fail(path, node, key, f"{where}.{key}", "unknown field")


def _optional_string(node: LinedMap, key: str, path: Path, where: str) -> None:
    if node.get(key) is not None and not isinstance(node[key], str):
        raise _fail(path, node, key, f"{where}.{key}", f"expected a string or null, got {_kind(node[key])}")


def _check_codebook_entry(entry: LinedMap, path: Path, where: str) -> None:
    _tag_name(entry, "name", path, where)
    for key in ("key", "color", "description"):
        _optional_string(entry, key, path, where)
    key = entry.get("key")
    if key is not None:
        problem = tag_key_problem(key)
        if problem:
            raise _fail(path, entry, "key", f"{where}.key", problem)
    if entry.get("color") is not None and not is_color(entry["color"]):
        raise _fail(path, entry, "color", f"{where}.color", f"not a colour: {ascii(entry['color'])} (#rrggbb, #rgb or a name)")
    for key in _CODEBOOK_KEYS - {"name"}:
        entry.setdefault(key, None)
    entry["description"] = lines_kept_or_none(entry["description"])


def _check_verdict(entry: LinedMap, path: Path, where: str) -> None:
    _need_string(entry, "surface", path, where)
    if entry.get("label") not in LABELS:
        raise _fail(path, entry, "label", f"{where}.label", f"expected one of {', '.join(LABELS)}, got {ascii(entry.get('label'))}")
    if entry.get("verdict") not in ("accept", "reject"):
        raise _fail(path, entry, "verdict", f"{where}.verdict", f"expected accept or reject, got {ascii(entry.get('verdict'))}")
    for key in ("annotator", "created"):
        _optional_string(entry, key, path, where)
        entry[key] = one_line_or_none(entry.get(key))
    entry["surface"] = lines_kept(entry["surface"])
    if not entry["surface"].strip():
        raise _fail(path, entry, "surface", f"{where}.surface", "holds nothing but control characters")


def _check_tombstone(entry: LinedMap, path: Path, where: str) -> None:
    for key in ("id", "annotator", "deleted"):
        _need_string(entry, key, path, where)
        entry[key] = one_line(entry[key])


def _check_gold_decision(entry: LinedMap, path: Path, where: str) -> None:
    for key in ("annotation", "curator", "decided", "choice"):
        _need_string(entry, key, path, where)
        entry[key] = one_line(entry[key])
    if entry["choice"] not in GOLD_CHOICES:
        raise _fail(path, entry, "choice", f"{where}.choice", f"expected one of {', '.join(GOLD_CHOICES)}, got {entry['choice']!r}")
    sources = entry.get("sources", LinedList())
    if not isinstance(sources, list) or not all(isinstance(source, str) and source for source in sources):
        raise _fail(path, entry, "sources", f"{where}.sources", "expected a list of annotation ids (strings)")
    entry["sources"] = [one_line(source) for source in sources]


def _check_pending(entry: LinedMap, path: Path, where: str) -> None:
    for key in ("article", "annotation_id", "record"):
        _need_string(entry, key, path, where)
    for key in ("sha256", "title", "source_file", "kept"):
        _optional_string(entry, key, path, where)
        entry[key] = one_line_or_none(entry.get(key))
    entry["article"] = one_line(entry["article"])
    entry["annotation_id"] = one_line(entry["annotation_id"])
    try:
        record = json.loads(entry["record"])
    except (ValueError, RecursionError):
        record = None
    if not isinstance(record, dict):
        raise _fail(path, entry, "record", f"{where}.record", "expected the annotation kept aside, as a JSON object")
    cleaned = _clean_json(record)
    if cleaned != record:  # written again only when cleaning changed it, so the rest stays byte for byte
        entry["record"] = json.dumps(cleaned, ensure_ascii=False)


def _clean_json(value: Any) -> Any:
    """Every string in a JSON value without control characters (line breaks and tabs kept)."""
    if isinstance(value, str):
        return lines_kept(value)
    if isinstance(value, list):
        return [_clean_json(item) for item in value]
    if isinstance(value, dict):
        return {lines_kept(key): _clean_json(item) for key, item in value.items()}
    return value


def _pending_of(entry: LinedMap) -> PendingAnnotation:
    return PendingAnnotation(entry["article"], entry["sha256"], entry["title"], entry["annotation_id"],
                             entry["record"], entry["source_file"], entry["kept"])


def _check_article(
    article: LinedMap, path: Path, where: str, seen: set[str], strings_checked: bool, version: int
) -> _ArticleIn:
    _known_keys(article, _ARTICLE_KEYS | ({"orphans", "notes", "attributes"} if version >= 3 else set()), path, where)
    for key in ("id", "title", "sha256"):
        _need_string(article, key, path, where)
    for key in ("source", "path", "locator", "url", "published"):
        _optional_string(article, key, path, where)
    if not strings_checked:
        for key in ("id", "title", "sha256", "source", "path", "locator", "url", "published", "text"):
            _encodable(article, key, path, where)
    if version >= 3:
        _check_article_tags(article, path, where, strings_checked)
        _check_article_notes(article, path, where, strings_checked)
        _check_attributes(article, path, where, strings_checked)
    else:
        _check_tags(article, path, where, required=False)
    text = article.get("text")
    if text is not None:
        if not isinstance(text, str):
            raise _fail(path, article, "text", f"{where}.text", f"expected the article's text, got {_kind(text)}")
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != article["sha256"]:
            raise _fail(path, article, "text", f"{where}.text", "does not match the article's sha256 (edited?)")
    for key, allowed, placed in (("annotations", _ANNOTATION_KEYS, True), ("orphans", _ORPHAN_KEYS, False)):
        notes = article.get(key, LinedList())
        if not isinstance(notes, LinedList):
            raise _fail(path, article, key, f"{where}.{key}", f"expected a list, got {_kind(notes)}")
        for index, note in enumerate(notes):
            here = f"{where}.{key}[{index}]"
            if not isinstance(note, LinedMap):
                raise YamlError(path, notes.lines[index], here, f"expected an annotation (a mapping), got {_kind(note)}")
            _check_annotation(note, path, here, text if placed else None, strings_checked, allowed, placed)
            if note["id"] in seen:
                raise _fail(path, note, "id", f"{here}.id", f"the id {note['id']} is given twice in this file")
            seen.add(note["id"])
    # neutralised once, here
    article["id"] = one_line(article["id"])
    article["title"] = one_line(article["title"]) or "(no title)"  # (it held nothing but control characters)
    for key in ("source", "path", "locator", "url", "published"):
        if article.get(key) is not None:
            article[key] = one_line(article[key])
    normalised = None
    if text is not None:
        normalised = normalised_with_offsets(text)
        if normalised is None:  # cannot tell where characters went: no offset is trusted
            normalised = NormalisedText(normalise_text(text), [])
    return _ArticleIn(article, normalised)


def _records(
    article: LinedMap, key: str, known: set[str], path: Path, where: str, listing: str, record: str
) -> Iterator[tuple[LinedMap, str]]:
    """Each mapping of the article's list `key` with where it is, once checked to be a mapping
    with only `known` keys (`listing` and `record` name the list and an item in errors)."""
    items = article.get(key, LinedList())
    if not isinstance(items, LinedList):
        raise _fail(path, article, key, f"{where}.{key}", f"expected {listing}")
    for index, item in enumerate(items):
        here = f"{where}.{key}[{index}]"
        if not isinstance(item, LinedMap):
            raise YamlError(path, items.lines[index], here, f"expected {record}, got {_kind(item)}")
        _known_keys(item, known, path, here)
        yield item, here


def _check_attributes(article: LinedMap, path: Path, where: str, strings_checked: bool) -> None:
    """Format 3: an article's attributes (the other fields of its imported record), name and value."""
    for attribute, here in _records(article, "attributes", _ATTRIBUTE_KEYS, path, where,
                                    "a list of attributes (name, value)", "an attribute (name, value)"):
        for key in ("name", "value"):
            _need_string(attribute, key, path, here)
            if not strings_checked:
                _encodable(attribute, key, path, here)
        # neutralised once, here
        attribute["name"], attribute["value"] = one_line(attribute["name"]), lines_kept(attribute["value"])


def _check_article_notes(article: LinedMap, path: Path, where: str, strings_checked: bool) -> None:
    """Format 3: the notes on the whole article, one per annotator: annotator, note, created, updated."""
    owners: set[str] = set()
    for note, here in _records(article, "notes", _ARTICLE_NOTE_KEYS, path, where, "a list of notes on the article",
                               "a note on the article (annotator, note, created, updated)"):
        for key in ("annotator", "note", "created", "updated"):
            _need_string(note, key, path, here)
            if not strings_checked:
                _encodable(note, key, path, here)
        if not note["note"].strip():
            raise _fail(path, note, "note", f"{here}.note", "a note on the article holds some text")
        if note["annotator"] in owners:
            raise _fail(path, note, "annotator", f"{here}.annotator", "the article has two notes of this annotator")
        owners.add(note["annotator"])
        # neutralised once, here
        note["annotator"] = one_line(note["annotator"])
        note["note"] = lines_kept(note["note"])
        note["created"], note["updated"] = one_line(note["created"]), one_line(note["updated"])


def _check_article_tags(article: LinedMap, path: Path, where: str, strings_checked: bool) -> None:
    """Format 3: an article's tags as mappings: name, annotator, created."""
    names: set[str] = set()
    for tag, here in _records(article, "tags", _ARTICLE_TAG_KEYS, path, where, "a list of article tags",
                              "an article tag (name, annotator, created)"):
        _tag_name(tag, "name", path, here)
        if tag["name"] in names:
            raise _fail(path, tag, "name", f"{here}.name", "the article has this tag twice")
        names.add(tag["name"])
        for key in ("annotator", "created"):
            _optional_string(tag, key, path, here)
            if not strings_checked:
                _encodable(tag, key, path, here)
            tag[key] = one_line_or_none(tag.get(key))


def _check_annotation(
    note: LinedMap, path: Path, where: str, text: str | None, strings_checked: bool,
    allowed: set[str] = _ANNOTATION_KEYS, placed: bool = True,
) -> None:
    _known_keys(note, allowed, path, where)
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
    for key in ("note", "orphaned"):
        _optional_string(note, key, path, where)
    if not strings_checked:
        for key in ("id", "quote", "prefix", "suffix", "note", "annotator", "created", "updated", "orphaned"):
            _encodable(note, key, path, where)
    _check_tags(note, path, where, required=not (isinstance(note.get("note"), str) and note["note"].strip()))
    if placed and text is not None:
        if note["end"] > len(text):
            raise _fail(path, note, "end", f"{where}.end", f"is outside the article's text ({len(text)} characters)")
        if text[note["start"] : note["end"]] != note["quote"]:
            raise _fail(path, note, "quote", f"{where}.quote", "does not match the article's text at [start, end)")
    elif placed and len(note["quote"]) != note["end"] - note["start"]:
        raise _fail(path, note, "quote", f"{where}.quote", "is not end - start characters long")
    # neutralised once, here (a placed annotation's quote and context come from its text)
    for key in ("id", "annotator", "created", "updated"):
        note[key] = one_line(note[key])
    if note.get("orphaned") is not None:
        note["orphaned"] = one_line(note["orphaned"])
    note["note"] = lines_kept_or_none(note.get("note"))
    if not placed:  # an orphan's quote and context are kept apart from any text
        for key in ("quote", "prefix", "suffix"):
            if key in note:
                note[key] = lines_kept(note[key])


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


def _tag_name(node: LinedMap, key: str, path: Path, where: str) -> None:
    _need_string(node, key, path, where)
    problem = tag_name_problem(node[key])
    if problem:
        raise _fail(path, node, key, f"{where}.{key}", f"tag name {ascii(node[key])} refused: {problem}")


def _check_tags(node: LinedMap, path: Path, where: str, required: bool) -> None:
    tags = node.get("tags", LinedList())
    if not isinstance(tags, LinedList) or not all(isinstance(tag, str) for tag in tags):
        raise _fail(path, node, "tags", f"{where}.tags", "expected a list of tag names")
    for tag in tags:
        problem = tag_name_problem(tag)
        if problem:
            raise _fail(path, node, "tags", f"{where}.tags", f"tag name {ascii(tag)} refused: {problem}")
    if required and not tags:
        raise _fail(path, node, "tags" if "tags" in node else None, f"{where}.tags",
                    "an annotation needs at least one tag, or a note (a memo)")


def _check_against_store(store: Store, incoming: _Incoming, path: Path) -> None:
    """Before anything is written: an annotation of a file without the article's text (format 1)
    whose article is here with the very text the file names must quote that text."""
    for article in incoming.articles:
        record = article.record
        if article.text is not None or not record.get("annotations"):
            continue
        row = store.articles.text_by_uid_or_hash(record["id"], record["sha256"])
        if row is None or row[1] != record["sha256"]:
            continue  # kept aside, or placed by quote in a text that changed since
        for note in record["annotations"]:
            if row[0][note["start"] : note["end"]] != note["quote"]:
                raise YamlError(path, note.lines.get("quote", note.line), f"annotation {note['id']}.quote",
                                "does not match the stored article's text at [start, end)")


# ---- merging ------------------------------------------------------------------------------


_CONFLICT_IDS = uuid.UUID("6f1d3c2e-59a4-4c1e-9f3b-2d7a8e4b1c90")


def conflict_id(annotation: Annotation) -> str:
    """The id a conflicting copy of `annotation` is kept under: made from its id and content,
    so the same copy imported again is recognised instead of kept a second time."""
    fields = [annotation.id, annotation.start, annotation.end, annotation.quote, annotation.note,
              annotation.annotator, annotation.created, annotation.updated, list(annotation.tags)]
    return str(uuid.uuid5(_CONFLICT_IDS, json.dumps(fields, ensure_ascii=False)))


def version_key(annotation: Annotation) -> str:
    """What breaks a tie between two versions of one owner's annotation with the same `updated`:
    a hash of their content, the same on every machine, so that every database keeps the same one."""
    fields = [annotation.start, annotation.end, annotation.quote, annotation.prefix, annotation.suffix,
              annotation.note, annotation.annotator, annotation.created, annotation.updated, list(annotation.tags)]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()


def wins(incoming: Annotation, stored: Annotation) -> bool:
    """Whether the file's version of an annotation replaces the stored one of the same owner:
    when it is newer, or as new and first by `version_key`."""
    if is_later(incoming.updated, stored.updated):
        return True
    if is_later(stored.updated, incoming.updated):
        return False
    return version_key(incoming) > version_key(stored)


def _annotation_of(note: LinedMap, article_id: int) -> Annotation:
    return Annotation(
        id=note["id"], article_id=article_id, start=note["start"], end=note["end"], quote=note["quote"],
        prefix=note.get("prefix", ""), suffix=note.get("suffix", ""), note=note.get("note"),
        annotator=note["annotator"], created=note["created"], updated=note["updated"],
        tags=tuple(sorted(set(note["tags"]))),
    )


class _Merger:
    """The merge, with what it looks up kept at hand: the ids of stored annotations and orphans
    (brought up to date at the start of each transaction with what others added meanwhile) and
    the ids of tags, so each annotation costs no query unless its id is already stored."""

    def __init__(self, store: Store, path: Path, summary: ImportSummary) -> None:
        self.store = store
        self.path = path
        self.summary = summary
        self.stored_ids, self.seen_annotations = self._ids("annotations")
        self.orphan_ids, self.seen_orphans = self._ids("orphans")
        self.tomb_ids = store.annotations.tombstone_ids()
        self.tag_ids: dict[str, int] = {}
        self.rows: list[tuple] = []
        self.tag_rows: list[tuple[str, int]] = []
        self._article_id: int | None = None
        self._stored: dict[str, Annotation] = {}

    def _ids(self, table: str) -> tuple[set[str], int]:
        ids, last = self.store.annotations.ids_added_since(table, 0)  # type: ignore[arg-type]
        return set(ids), last

    def begin(self) -> None:
        """At the start of each transaction: learn what others wrote since the last one."""
        added, self.seen_annotations = self.store.annotations.ids_added_since("annotations", self.seen_annotations)
        self.stored_ids.update(added)
        added, self.seen_orphans = self.store.annotations.ids_added_since("orphans", self.seen_orphans)
        self.orphan_ids.update(added)
        self.tomb_ids = self.store.annotations.tombstone_ids()
        self.tag_ids = {}  # a tag may have been renamed or merged away meanwhile
        self._article_id = None

    def steps(self, incoming: _Incoming):
        """Each unit of the merge, in order: codebook, entity feedback, articles, pending."""
        for entry in incoming.codebook:
            yield lambda entry=entry: self.tag_look(entry)
        for entry in incoming.verdicts:
            yield lambda entry=entry: self.verdict(entry)
        for article in incoming.articles:
            yield lambda article=article: self.article(article, incoming.version)
        for entry in incoming.deleted:
            yield lambda entry=entry: self.deletion(entry["id"], entry["annotator"], entry["deleted"])
        for pending in incoming.pending:
            yield lambda pending=pending: self.pending(pending)
        for entry in incoming.gold:
            yield lambda entry=entry: self.gold_decision(entry)

    def gold_decision(self, entry: LinedMap) -> None:
        """A decision of the gold layer, kept with its annotation when that is here (brought by
        this file or an earlier one); the later decision of the two stays."""
        self.flush()  # the file's annotations gathered so far are written first
        if self.store.annotations.state(entry["annotation"]) is None:
            return
        known = self.store.gold.decisions([entry["annotation"]]).get(entry["annotation"])
        if known is not None and not is_later(entry["decided"], known.decided):
            return
        self.store.gold.record(GoldDecision(entry["annotation"], entry["curator"], entry["decided"], entry["choice"],
                                            tuple(entry["sources"])))

    def deletion(self, annotation_id: str, owner: str, deleted: str) -> None:
        """A deletion the file carries: the copy here of the same owner goes if it is no newer
        (a newer one stays, and so does no record of the deletion); the deletion is recorded, so
        that it keeps older copies out of later imports and travels on in this database's exports."""
        self.flush()
        state = self.store.annotations.state(annotation_id)
        applied = False
        if state is not None and state[1].annotator == owner:
            if is_later(state[1].updated, deleted):
                self.summary.deletions_older += 1
                return
            self.store.annotations.remove(annotation_id)
            self.stored_ids.discard(annotation_id)
            self.orphan_ids.discard(annotation_id)
            self._article_id = None
            self.summary.deletions_applied += 1
            applied = True
        known = self.store.annotations.tombstone(annotation_id)
        if known is not None and known[0] == owner and not is_later(deleted, known[1]):
            return
        self.store.annotations.bury(annotation_id, owner, deleted)
        self.tomb_ids.add(annotation_id)
        self.summary.deletions_recorded += not applied

    def buried(self, incoming: Annotation) -> bool:
        """Whether the file's annotation stays out because its owner deleted it at least as late
        as this version (the deletion recorded here); a newer version lifts the deletion."""
        if incoming.id not in self.tomb_ids:
            return False
        known = self.store.annotations.tombstone(incoming.id)
        if known is None or known[0] != incoming.annotator:
            return False
        if not is_later(incoming.updated, known[1]):
            self.summary.kept_deleted += 1
            return True
        self.store.annotations.unbury(incoming.id)
        self.tomb_ids.discard(incoming.id)
        return False

    def tag_look(self, entry: LinedMap) -> None:
        outcome, holder = self.store.tags.merge_look(entry["name"], entry["color"], entry["description"], entry["key"])
        if outcome == "added":
            self.summary.tags_added += 1
        elif outcome == "completed":
            self.summary.tags_completed += 1
        if holder is not None:
            self.summary.keys_refused.append((entry["key"], entry["name"], holder))

    def verdict(self, entry: LinedMap) -> None:
        outcome = self.store.entities.merge_verdict(
            entry["surface"], entry["label"], entry["verdict"], entry["annotator"], entry["created"]
        )
        if outcome == "added":
            self.summary.verdicts_added += 1
        elif outcome == "replaced":
            self.summary.verdicts_replaced += 1
        elif outcome == "kept":
            self.summary.verdicts_kept += 1

    def pending(self, pending: PendingAnnotation) -> None:
        if self.store.annotations.keep_pending(pending):
            self.summary.pending_added += 1

    def article(self, incoming: _ArticleIn, version: int) -> None:
        store, summary, record, given = self.store, self.summary, incoming.record, incoming.text
        hashes = [record["sha256"]] + ([sha256_text(given.text)] if given is not None and given.changed else [])
        row = store.articles.exported_match(record["id"], hashes)
        annotations = record.get("annotations", [])
        moved: NormalisedText | None = None  # offsets to map onto the stored text
        other_length = None
        if row is None:
            if given is None:
                _keep_aside(store, record, self.path)
                summary.kept_aside.append((record["title"], len(annotations)))
                return
            article_id = store.articles.add_exported(
                uid=record["id"], sha256=sha256_text(given.text), title=record["title"], text=given.text,
                source=record.get("source"), url=record.get("url"), path=record.get("path") or "",
                locator=record.get("locator") or "", published=record.get("published"),
                attributes=[(attribute["name"], attribute["value"]) for attribute in record.get("attributes", [])],
            )
            text = given.text
            summary.articles_added += 1
            if given.changed:
                moved = given
                summary.texts_normalised += 1
        else:
            article_id, text, sha256 = row
            if given is not None and given.changed and sha256 == sha256_text(given.text):
                moved = given  # stored as reader import would store the file's text
            elif sha256 != record["sha256"]:
                # the article's text changed on one side since: annotations go by their quote
                other_length = len(record["text"]) if record.get("text") is not None else None
        for tag in record.get("tags", []):
            if version >= 3:
                added = store.articles.tag(article_id, tag["name"], tag["annotator"], tag["created"])
            else:
                added = store.articles.tag(article_id, tag, "import")
            summary.article_tags_added += bool(added)
        for entry in record.get("notes", []):
            merged = store.article_notes.merge(
                ArticleNote(article_id, entry["annotator"], entry["note"], entry["created"], entry["updated"]))
            summary.article_notes_added += merged == "added"
            summary.article_notes_updated += merged == "updated"
        for note in annotations:
            self.annotation(article_id, text, moved, other_length, record, note)
        for orphan in record.get("orphans", []):
            self.orphan(article_id, record, orphan)
        if len(self.rows) >= 256:  # written as it goes, so each step takes its share of the time
            self.flush()

    def annotation(
        self, article_id: int, text: str, moved: NormalisedText | None, other_length: int | None,
        article: LinedMap, note: LinedMap,
    ) -> None:
        incoming = _annotation_of(note, article_id)
        if self.buried(incoming):
            return
        if moved is not None:
            span = moved.span(incoming.start, incoming.end)
            if span is None:  # nothing of its passage is left in the stored text: kept whole
                self.summary.passages_emptied += 1
                self.keep_orphan(incoming, article["title"], counted=False)
                return
            quote, prefix, suffix = selector_for(text, *span)
            incoming = replace(incoming, start=span[0], end=span[1], quote=quote, prefix=prefix, suffix=suffix)
        elif text[incoming.start : incoming.end] != incoming.quote:
            # the article's text changed on one side since the file was made (checked before
            # writing that this is so): placed by its quote, or kept as an orphan
            placed = reanchor(text, Selector(incoming.start, incoming.end, incoming.quote, incoming.prefix,
                                             incoming.suffix), other_length)
            if placed.status == "orphan":
                self.flush()
                self.keep_orphan(incoming, article["title"])
                return
            quote, prefix, suffix = selector_for(text, placed.start, placed.end)
            incoming = replace(incoming, start=placed.start, end=placed.end, quote=quote, prefix=prefix, suffix=suffix)
            self.summary.placed_by_quote += 1
        if incoming.id in self.orphan_ids:
            # the file has a place for an annotation that lost its own here: take it (with the
            # tags and note of the orphan if it was changed since, by the same annotator)
            kept = self.stored_orphan(incoming.id)
            if kept is not None:
                if kept.annotator == incoming.annotator and is_later(kept.updated, incoming.updated):
                    incoming = replace(incoming, tags=kept.tags, note=kept.note, updated=kept.updated)
                self.store.annotations.delete_orphan(incoming.id)
            self.orphan_ids.discard(incoming.id)
        elif incoming.id in self.stored_ids:
            self.flush()  # the stored one may be among those waiting to be written
            stored = self.stored(article_id, incoming.id)
            if stored is not None:
                if stored == incoming:
                    self.summary.unchanged += 1
                    return
                if self._same_owner(stored, incoming):
                    if wins(incoming, stored):
                        self.store.annotations.overwrite(incoming)
                        if self._article_id == article_id:  # what was read stays true but for this one
                            self._stored[incoming.id] = incoming
                        else:
                            self._article_id = None
                        self.summary.annotations_updated += 1
                    else:
                        self.summary.kept_newer += 1
                    return
                # kept under an id made from the original's and its content, so importing the
                # same file again finds it and adds nothing
                kept_copy = replace(incoming, id=conflict_id(incoming))
                if self._exists(kept_copy.id):
                    self.summary.unchanged += 1
                    return
                self.summary.conflicts.append(Conflict(article["title"], incoming.id, kept_copy.id, incoming.quote))
                incoming = kept_copy
        self.stored_ids.add(incoming.id)
        self.rows.append((incoming.id, article_id, incoming.start, incoming.end, incoming.quote, incoming.prefix,
                          incoming.suffix, incoming.note, incoming.annotator, incoming.created, incoming.updated))
        for tag in incoming.tags:
            if tag not in self.tag_ids:
                self.tag_ids[tag] = self.store.tags.ensure(tag)
            self.tag_rows.append((incoming.id, self.tag_ids[tag]))
        self.summary.annotations_added += 1

    @staticmethod
    def _same_owner(stored: Annotation, incoming: Annotation) -> bool:
        return stored.annotator == incoming.annotator and stored.article_id == incoming.article_id

    def orphan(self, article_id: int, article: LinedMap, record: LinedMap) -> None:
        """An orphan of the file (format 3): added as it is, with when it was orphaned; merged by
        id as annotations are when this database has it (placed or orphaned)."""
        incoming = _annotation_of(record, article_id)
        if self.buried(incoming):
            return
        orphaned = record.get("orphaned")
        if incoming.id in self.stored_ids:
            self.flush()
            stored = self.stored(article_id, incoming.id)
            if stored is not None:
                if same_content(stored, incoming):
                    self.summary.unchanged += 1
                    return
                if self._same_owner(stored, incoming) and wins(incoming, stored):
                    # placed here: it keeps its place and takes the file's newer tags and note
                    self.store.annotations.overwrite(replace(stored, tags=incoming.tags, note=incoming.note,
                                                            updated=incoming.updated))
                    self._article_id = None
                    self.summary.annotations_updated += 1
                    return
                if self._same_owner(stored, incoming):
                    self.summary.kept_newer += 1
                    return
                self.keep_orphan(incoming, article["title"], counted=False, orphaned=orphaned)
                return
        if incoming.id in self.orphan_ids:
            stored = self.stored_orphan(incoming.id)
            if stored is not None:
                if stored == incoming:
                    self.summary.unchanged += 1
                    return
                if self._same_owner(stored, incoming) and wins(incoming, stored):
                    self.store.annotations.insert_orphan(incoming, orphaned or now_utc())
                    self.summary.annotations_updated += 1
                    return
                if self._same_owner(stored, incoming):
                    self.summary.kept_newer += 1
                    return
                self.keep_orphan(incoming, article["title"], counted=False, orphaned=orphaned)
                return
        self.store.annotations.insert_orphan(incoming, orphaned or now_utc())
        self.orphan_ids.add(incoming.id)
        self.summary.orphans_added += 1

    def keep_orphan(self, incoming: Annotation, title: str, counted: bool = True, orphaned: str | None = None) -> None:
        """Keep an annotation whose passage is not in the stored text whole, as an orphan (for O in
        the TUI), replacing nothing: when an annotation in place here has its id, or an orphan
        with its id differs from it, the file's is kept under a conflict id and reported as a
        conflict."""
        # kept apart from any text: its quote and context keep no control characters either
        incoming = replace(incoming, quote=lines_kept(incoming.quote), prefix=lines_kept(incoming.prefix),
                           suffix=lines_kept(incoming.suffix))
        if incoming.id in self.stored_ids or (
            incoming.id in self.orphan_ids and self.stored_orphan(incoming.id) not in (None, incoming)
        ):
            kept = replace(incoming, id=conflict_id(incoming))
            if self._exists(kept.id):  # kept by an earlier import
                self.summary.unchanged += 1
                return
            self.summary.conflicts.append(Conflict(title, incoming.id, kept.id, incoming.quote))
            incoming = kept
        if incoming.id not in self.orphan_ids or self.stored_orphan(incoming.id) is None:
            self.store.annotations.insert_orphan(incoming, orphaned or now_utc())
            self.orphan_ids.add(incoming.id)
        if counted:
            self.summary.orphaned += 1
        else:
            self.summary.orphans_added += 1

    def _exists(self, annotation_id: str) -> bool:
        """Whether an annotation or orphan with this id is stored (asked of the database)."""
        self.flush()
        return self.store.annotations.state(annotation_id) is not None

    def stored_orphan(self, annotation_id: str) -> Annotation | None:
        state = self.store.annotations.state(annotation_id)
        return state[1] if state is not None and state[0] == "orphan" else None

    def stored(self, article_id: int, annotation_id: str) -> Annotation | None:
        """The stored annotation with this id (None: deleted meanwhile); the article's are read
        together, once."""
        if self._article_id != article_id:
            self._article_id = article_id
            self._stored = {a.id: a for a in self.store.annotations.of_article(article_id)}
        found = self._stored.get(annotation_id)
        if found is not None:
            return found
        try:
            return self.store.annotations.get(annotation_id)
        except KeyError:
            return None

    def flush(self) -> None:
        if self.rows:
            self._article_id = None  # what was read of the stored annotations is out of date
            self.store.annotations.insert_many(self.rows, self.tag_rows)
            self.rows, self.tag_rows = [], []


def _keep_aside(store: Store, record: LinedMap, path: Path) -> None:
    """Annotations of an article the database lacks, kept whole for a later import (once:
    importing the same file again adds no second copy)."""
    kept = store.annotations.pending_ids(record["id"])
    store.annotations.keep_pending_rows(
        {
            "article_uid": record["id"],
            "article_sha256": record["sha256"],
            "article_title": record["title"],
            "annotation_id": note["id"],
            "record": json.dumps(_clean_json(dict(note)), ensure_ascii=False),
            "source_file": one_line(path_text(path)),
            "created": now_utc(),
        }
        for note in record.get("annotations", [])
        if note["id"] not in kept
    )
