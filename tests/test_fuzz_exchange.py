"""Fuzzing the annotation importers (reader's YAML, W3C, doccano, Prodigy, brat) and re-anchoring with
hostile input: a file is merged whole or refused with one `YamlError` line and the database untouched;
after a merge every stored annotation sits where its quote is; re-anchoring only ever places a
passage inside the new text."""

from __future__ import annotations

import copy
import datetime
import io
import json
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, currently_in_test_context, event, example, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from reader.core.anchoring import Selector, reanchor, reanchor_all
from reader.services.import_foreign import import_foreign
from reader.core.exchange.formats import EXPORTERS
from reader.core.exchange.yaml_emit import scalar
from reader.services.export import export_items, write_yaml
from reader.services.import_yaml import version_key, import_annotations
from reader.core.exchange.yaml_read import load_own
from reader.core.ingest import Document
from reader.core.model import is_later
from reader.store import Store
from reader.core.yamlsafe import LinedList, LinedMap, YamlError, load_lined, load_located, plain

STAMP = "2026-01-01T12:00:00+00:00"
TALKS = "Talks resume\n\nZoë said “no” 😀 to the plan.\u2028Second part.\n\nLast line."
PORT = ("Port strike spreads\n\nDockers walked out in Rotterdam on Monday. The union said the strike "
        "would last a week.\n\nDockers said no. Shipping lines asked for talks.")
PORT_EDITED = PORT.replace("on Monday. The union", "on Tuesday evening. The dockers' union", 1).replace(
    "Dockers said no.", "Nobody said anything.", 1)
TALKS_DOC = Document(text=TALKS, title="Talks resume", source="Wirefeed", url=None, path="talks.txt",
                     published="2025-09-14", locator="")
PORT_DOC = Document(text=PORT, title="Port strike", source="Harbour Ledger", url="https://example.org/port",
                    path="port.txt", published=None, locator="")

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---- stores -------------------------------------------------------------------------------


def source_store() -> Store:
    """Two articles with annotations (one with a note, one on an emoji and a U+2028), an article
    tag and an accepted entity: what the valid exports are made from."""
    store = Store.memory()
    talks = store.articles.add(TALKS_DOC).article_id
    port = store.articles.add(PORT_DOC).article_id
    start = TALKS.index("Zoë")
    store.annotations.add(talks, start, start + 10, ["conflict", "quote"], "alice", note="multi\nline")
    start = TALKS.index("😀")
    store.annotations.add(talks, start, TALKS.index("Second") + 6, ["odd chars"], "bob")
    for passage, tags in (("Dockers walked out", ["strike"]), ("Dockers said no.", ["quote", "strike"]),
                          ("asked for talks", ["cooperation"])):
        start = PORT.index(passage)
        store.annotations.add(port, start, start + len(passage), tags, "carol")
    store.articles.tag(talks, "checked", "alice")
    store.entities.accept("Rotterdam", "GPE", "alice")
    return store


def _edited_store() -> Store:
    store = _copy(SOURCE)
    assert store.articles.add(
        Document(text=PORT_EDITED, title="Port strike", source="Harbour Ledger", url="https://example.org/port",
                 path="port.txt", published=None, locator="")
    ).outcome == "updated"
    assert store.annotations.orphan_count() == 1  # "Dockers said no." went with its sentence
    return store


def _copy(template: Store) -> Store:
    """A copy of an in-memory database (SQLite's backup API): the same ids and times each time."""
    connection = sqlite3.connect(":memory:", check_same_thread=False)
    template.db.conn.backup(connection)
    store = Store(Database(connection), None)
    store.db.execute("PRAGMA foreign_keys = ON")
    return store


def target_store(kind: str) -> Store:
    """The database a file is imported into: the one it came from, an empty one, or the one it
    came from after the port article was scraped again with edits (its annotations moved or
    orphaned), so that imported annotations must be placed by their quotes."""
    if kind == "empty":
        return Store.memory()
    return _copy(SOURCE if kind == "same" else EDITED)


SOURCE = source_store()
EDITED = _edited_store()


TARGETS = st.sampled_from(["same", "empty", "edited"])


def dump(store: Store) -> dict[str, list[str]]:
    """Every row of every table (FTS tables and their shadows included), in a stable order."""
    tables = [row[0] for row in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {table: sorted(map(repr, store.db.execute(f'SELECT * FROM "{table}"').fetchall())) for table in tables}


def all_annotations(store: Store) -> dict[str, object]:
    ids = [row[0] for row in store.db.execute("SELECT id FROM articles")]
    return {annotation.id: annotation for article_id in ids for annotation in store.annotations.of_article(article_id)}


def assert_every_annotation_in_place(store: Store) -> None:
    rows = store.db.execute(
        'SELECT n.id, n.start, n."end", n.quote, a.text FROM annotations n JOIN articles a ON a.id = n.article_id'
    ).fetchall()
    assert len(rows) == store.annotations.count()  # none points at a missing article
    for annotation_id, start, end, quote, text in rows:
        assert type(start) is int and type(end) is int, annotation_id
        assert 0 <= start < end <= len(text), (annotation_id, start, end, len(text))
        assert text[start:end] == quote, annotation_id
    untagged = store.db.execute(  # a memo (no tag) has its note
        "SELECT count(*) FROM annotations WHERE id NOT IN (SELECT annotation_id FROM annotation_tags) AND note IS NULL"
    ).fetchone()[0]
    assert untagged == 0
    for (name,) in store.db.execute("SELECT name FROM tags"):
        assert name.strip() and name.isprintable(), name


def assert_one_line(error: YamlError, path: Path) -> None:
    message = str(error)
    assert message.startswith(str(path)), message
    assert len(message.splitlines()) == 1 and message == message.strip(), message
    message.encode("utf-8")  # printable on any UTF-8 terminal: no lone surrogate


def note_event(what: str) -> None:
    """What happened to a generated file, for `--hypothesis-show-statistics`."""
    if currently_in_test_context():
        event(what)


def check_merge(store: Store, run) -> YamlError | None:
    """`run(dry_run)` imports a file into `store`: either it is refused with one `YamlError` line
    and nothing changes, or a dry run changes nothing and reports what the real merge then does;
    the merge keeps every stored annotation as it was, places every new one on its quote, and
    importing the file again adds nothing."""
    before, kept = dump(store), all_annotations(store)
    try:
        planned = run(True)
    except YamlError as error:
        note_event(f"refused: {re.sub(r'[0-9]+', 'N', error.problem)[:30]}")
        assert dump(store) == before
        with pytest.raises(YamlError) as again:
            run(False)
        assert str(again.value) == str(error)  # a dry run refuses what the merge refuses
        assert dump(store) == before
        return error
    assert dump(store) == before, "a dry run wrote to the database"
    done = run(False)
    assert _counts(planned) == _counts(done)
    note_event("merged" + " with conflicts" * bool(done.conflicts) + " with orphans" * bool(done.orphaned))
    assert_every_annotation_in_place(store)
    after = all_annotations(store)
    for annotation_id, annotation in kept.items():
        now = after.get(annotation_id)
        if now != annotation:  # only ever replaced by the same annotator's newer version
            assert now is not None and now.annotator == annotation.annotator, f"stored annotation {annotation_id} went"
            # (or, in the same second, by the version first by content hash: issue 17)
            assert is_later(now.updated, annotation.updated) or (
                now.updated == annotation.updated and version_key(now) > version_key(annotation)
            ), f"stored annotation {annotation_id} changed"
    tables = ("articles", "annotations", "annotation_tags", "tags", "article_tags", "pending_annotations")
    merged = {table: dump(store)[table] for table in tables}
    repeated = run(False)
    assert (repeated.annotations_added, repeated.articles_added) == (0, 0), repeated.lines()
    assert {table: dump(store)[table] for table in tables} == merged
    return None


def _counts(summary) -> tuple:
    fields = ("articles_added", "annotations_added", "unchanged", "article_tags_added", "placed_by_quote", "orphaned",
              "kept_aside", "moved", "fuzzy", "annotations_updated", "kept_newer", "orphans_added", "pending_added",
              "tags_added", "tags_completed", "keys_refused", "verdicts_added", "verdicts_replaced", "verdicts_kept",
              "texts_normalised", "passages_emptied")
    return tuple(getattr(summary, name, None) for name in fields) + (len(summary.conflicts),)


# ---- hostile values and mutations of a document tree --------------------------------------------

HOSTILE_CHARACTERS = list("\x00\x1b\t\r\n\x85\u2028\u2029\ufeff\u200f\u202e\u0301😀\"'\\#:-&*!|>%@`{}[],? aZ9")
HOSTILE_WORDS = [
    "", " ", "null", "~", "yes", "no", "on", "012", "0x1F", "1_000", "1e400", "-.inf", ".nan", "2025-02-30",
    "2025-01-01", "<<", "=", "\ud800", "a\udfffb", "!!python/object/apply:os.system", "&a", "*a", "|2-", "- x",
    "key: value", "# comment", "[Photo]", "Zoë", "T1\tX 0 3\tq", "reader-annotations/1", "reader-annotations/2",
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59", "2026-01-01T12:00:00Z", "2026-01-01T12:00:00",
]
hostile_text = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.sampled_from(HOSTILE_CHARACTERS), max_size=12),
    st.sampled_from(HOSTILE_WORDS),
)
numbers = st.one_of(
    st.integers(-3, 130),
    st.sampled_from([2**31, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30, 10**300, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from(["3", "", None]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, hostile_text)
junk = st.recursive(
    scalars, lambda children: st.lists(children, max_size=3) | st.dictionaries(hostile_text, children, max_size=3),
    max_leaves=6,
)
OFFSET_KEYS = {"start", "end", "start_offset", "end_offset"}
QUOTE_KEYS = {"quote", "exact", "prefix", "suffix", "text", "sha256", "value", "id", "article_id", "source", "note",
              "created", "updated", "modified", "annotator", "nickname", "title", "label", "url"}


def _places(tree, path=()):
    """(path of the container, key) of every value in a JSON-like tree."""
    if isinstance(tree, dict):
        items = tree.items()
    elif isinstance(tree, list):
        items = enumerate(tree)
    else:
        return
    for key, value in list(items):
        yield path, key
        yield from _places(value, (*path, key))


def _at(tree, path):
    for key in path:
        tree = tree[key]
    return tree


MUTATIONS = ("offset", "quote", "same-length", "delete", "junk", "wrap", "add", "duplicate", "swap")


@st.composite
def mutated(draw, document, max_mutations=4, kinds=MUTATIONS):
    """`document` with 1-`max_mutations` changes: values removed, retyped, replaced by junk,
    offsets moved anywhere, quotes edited (also keeping their length), items duplicated,
    unknown keys added."""
    tree = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, max_mutations))):
        places = list(_places(tree))
        if not places:
            break
        kind = draw(st.sampled_from(kinds))
        wanted = {"offset": OFFSET_KEYS, "quote": QUOTE_KEYS, "same-length": {"quote", "exact"}}.get(kind)
        if wanted:
            places = [place for place in places if place[1] in wanted] or places
        path, key = draw(st.sampled_from(places))
        container = _at(tree, path)
        value = container[key]
        if kind == "offset":
            container[key] = draw(numbers | st.integers(-3, 130)) if draw(st.booleans()) else (
                value + draw(st.integers(-5, 5)) if type(value) is int else draw(numbers))
        elif kind in ("quote", "same-length") and isinstance(value, str):
            if kind == "same-length" and value:
                at = draw(st.integers(0, len(value) - 1))
                container[key] = value[:at] + draw(st.sampled_from(HOSTILE_CHARACTERS)) + value[at + 1 :]
            else:
                at = draw(st.integers(0, len(value)))
                cut = draw(st.integers(0, 3))
                container[key] = value[:at] + draw(hostile_text) + value[at + cut :]
        elif kind == "delete":
            del container[key]
        elif kind == "wrap":
            container[key] = draw(st.sampled_from([[value], {"value": value}, str(value)]))
        elif kind == "add" and isinstance(container, dict):
            container[draw(hostile_text)] = draw(junk)
        elif kind == "duplicate" and isinstance(container, list):
            container.insert(key, copy.deepcopy(value))
        elif kind == "swap":
            other_path, other_key = draw(st.sampled_from(places))
            other = _at(tree, other_path)
            if other is not container or other_key != key:
                try:
                    container[key], other[other_key] = copy.deepcopy(other[other_key]), copy.deepcopy(value)
                except (KeyError, IndexError, TypeError):
                    pass
        else:
            container[key] = draw(junk)
    return tree


HOSTILE_LINES = [
    "&anchor", "*alias", "!!python/object/apply:os.system ['true']", "<<: *a", "--- ", "...", "%YAML 1.1",
    "? key", ": value", "key: &a [1, 2]", "other: *a", "bomb: &b [*a, *a, *a]", "  - !!binary aGVsbG8=",
    "format: reader-annotations/1", "articles: []", "\t", "  extra: 1", "    start: 99999999999999999999999",
    "    start: -1", "    end: 1e400", "    quote: !!python/name:os.system", "    tags: [a, *x]", "- {a: 1}",
    '    note: "\\ud800"', '    quote: "\\uDFFF"', "    tags: !!set {a}", "    created: !!timestamp 2025-13-45",
    "    start: !!int zz", "    end: !!float x", "    note: !!bool maybe", "    start: 0x10", "    start: 1_0",
    "    end: " + "9" * 5000, "  - id: &i x", "    id: *i", "  title: !!str", "    annotator: <<", "    note: =",
]


@st.composite
def text_edited(draw, text: str, lines=HOSTILE_LINES, max_edits=3):
    """`text` with lines deleted, repeated, swapped, re-indented or inserted (hostile ones), numbers
    replaced and characters inserted."""
    for _ in range(draw(st.integers(1, max_edits))):
        rows = text.split("\n")
        kind = draw(st.sampled_from(["delete", "repeat", "swap", "indent", "insert", "number", "character"]))
        index = draw(st.integers(0, len(rows) - 1))
        if kind == "delete":
            del rows[index]
        elif kind == "repeat":
            rows.insert(index, rows[index])
        elif kind == "swap":
            other = draw(st.integers(0, len(rows) - 1))
            rows[index], rows[other] = rows[other], rows[index]
        elif kind == "indent":
            rows[index] = draw(st.sampled_from(["", " ", "  ", "\t", "    "])) + rows[index].lstrip(" ")
        elif kind == "insert":
            rows.insert(index, draw(st.sampled_from(lines) | hostile_text))
        elif kind == "number":
            found = list(re.finditer(r"-?\d+(?:\.\d+)?", text))
            if found:
                match = draw(st.sampled_from(found))
                replacement = draw(st.sampled_from(["-1", "0", "1e400", "Infinity", "NaN", "1.5", "9" * 5000, "7" * 400,
                                                     "18446744073709551616", "0x10", '"3"', "null", "true"]))
                text = text[: match.start()] + replacement + text[match.end() :]
                continue
        else:
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(HOSTILE_CHARACTERS + ["\r\n", "\ud800", "\x7f", "\x9b"])) + text[at:]
            continue
        text = "\n".join(rows)
    return text


# ---- reader's own YAML ------------------------------------------------------------------------


def _export_yaml() -> str:
    stream = io.StringIO()
    write_yaml(SOURCE, stream, exported=STAMP)
    return stream.getvalue()


EXPORT_YAML = _export_yaml()
EXPORT_DOCUMENT = yaml.safe_load(EXPORT_YAML)


def _reader_style(items, indent: int = 0, first_prefix: str = "") -> str:
    """A mapping laid out the way reader's writer lays out its files (so the quick reader is
    tried first), whatever the values are."""
    pad = " " * indent
    out = []
    for index, (key, value) in enumerate(items):
        lead = first_prefix if index == 0 and first_prefix else pad
        key = key if isinstance(key, str) else json.dumps(key)
        if isinstance(value, list) and value:
            out.append(f"{lead}{key}:\n")
            for item in value:
                if isinstance(item, dict) and item:
                    out.append(_reader_style(list(item.items()), indent + 2, pad + "- "))
                else:
                    out.append(f"{pad}- {_reader_scalar(item, indent, block=False)}")
        elif isinstance(value, list):
            out.append(f"{lead}{key}: []\n")
        else:
            out.append(f"{lead}{key}: {_reader_scalar(value, indent)}")
    return "".join(out)


def _reader_scalar(value, indent: int, block: bool = True) -> str:
    if value is None or isinstance(value, (str, bool, int)):
        return scalar(value, indent, block)
    if isinstance(value, float):
        return f"{value!r}\n"
    return json.dumps(value) + "\n"  # a flow collection


def serialised(document, how: str) -> str:
    if how == "reader":
        if not isinstance(document, dict):
            return json.dumps(document)
        return _reader_style(list(document.items()))
    if how == "json":
        return json.dumps(document, ensure_ascii=False)
    try:
        return yaml.safe_dump(document, allow_unicode=how == "pyyaml-unicode", sort_keys=False,
                              default_flow_style=None if how == "pyyaml-flow" else False)
    except (yaml.YAMLError, UnicodeError):
        return json.dumps(document)


def without_texts(document):
    """A format 1 file: the articles without their texts."""
    if not isinstance(document, dict) or not isinstance(document.get("articles"), list):
        return document
    articles = [{key: value for key, value in article.items() if key != "text"} if isinstance(article, dict) else article
                for article in document["articles"]]
    return {**document, "format": "reader-annotations/1", "articles": articles}


yaml_documents = st.one_of(
    mutated(EXPORT_DOCUMENT),
    mutated(without_texts(EXPORT_DOCUMENT)),
    mutated(EXPORT_DOCUMENT, max_mutations=1).map(without_texts),
)
yaml_texts = st.one_of(
    st.builds(serialised, yaml_documents, st.sampled_from(["reader", "pyyaml", "pyyaml-unicode", "pyyaml-flow", "json"])),
    text_edited(EXPORT_YAML),
    st.builds(serialised, yaml_documents, st.just("reader")).flatmap(text_edited),
    st.text(max_size=200),
)
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b]\n"


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8", "surrogatepass"))  # a lone surrogate makes it not UTF-8
    return path


def check_yaml_import(kind: str, content: str | bytes) -> YamlError | None:
    store = target_store(kind)
    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder), "in.yaml", content)
        error = check_merge(store, lambda dry_run: import_annotations(store, path, dry_run=dry_run))
        if error is not None:
            assert_one_line(error, path)
        else:
            check_exports_read_back(store, Path(folder))
        return error


def check_exports_read_back(store: Store, folder: Path) -> None:
    """Whatever a merge accepted, every format exports, and its importer reads back into the same
    database without a complaint."""
    for fmt in ("w3c", "doccano", "prodigy", "brat", "yaml"):
        path = folder / f"back.{fmt}"
        if fmt == "brat":
            if not any(True for _ in store.exchange.annotated_articles()):
                continue  # nothing to export: no folder to read
            EXPORTERS[fmt](export_items(store), path)
        else:
            with path.open("w", encoding="utf-8", newline="\n") as stream:
                if fmt == "yaml":
                    write_yaml(store, stream, exported=STAMP)
                else:
                    EXPORTERS[fmt](export_items(store), stream)
        if fmt == "yaml":
            def run(dry_run, path=path):
                return import_annotations(store, path, dry_run=dry_run)
        else:
            def run(dry_run, path=path, fmt=fmt):
                return import_foreign(store, path, fmt, "dave", dry_run=dry_run)
        if fmt != "brat":  # (brat leaves line breaks at the ends of a passage out)
            planned = run(True)
            assert (planned.annotations_added, planned.conflicts) == (0, []), (fmt, planned.lines())
        error = check_merge(store, run)
        assert error is None, f"{fmt}: {error}"
    EXPORTERS["csv"](export_items(store), io.StringIO())


def test_the_unchanged_export_merges_into_every_target():
    for kind in ("same", "empty", "edited"):
        assert check_yaml_import(kind, EXPORT_YAML) is None, kind


@FUZZ
@given(kind=TARGETS, content=yaml_texts)
@example(kind="same", content=ALIAS_BOMB)
@example(kind="same", content="format: reader-annotations/2\narticles:\n- <<: {id: x}\n")
@example(kind="same", content=EXPORT_YAML.replace("  - id: ", "  - id: !!timestamp ", 1))
@example(kind="same", content=EXPORT_YAML.replace("sha256: ", "sha256: !!int ", 1))
@example(kind="same", content=EXPORT_YAML.replace("published: ", "published: !!bool ", 1))
@example(kind="same", content="format: =\narticles: []\n")
@example(kind="same", content=EXPORT_YAML.replace("    start: ", "    start: " + "9" * 5000, 1))
def test_yaml_import_merges_whole_or_refuses_with_one_line(kind, content):
    check_yaml_import(kind, content)


@settings(max_examples=100, deadline=None)
@given(kind=TARGETS, content=st.one_of(
    st.binary(max_size=300),
    st.builds(lambda data, at, junk: data[:at] + junk + data[at:], st.just(EXPORT_YAML.encode("utf-8")),
              st.integers(0, len(EXPORT_YAML.encode("utf-8"))),
              st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xef\xbb\xbf", b"\r"]) | st.binary(max_size=4)),
))
def test_yaml_import_of_random_bytes(kind, content):
    check_yaml_import(kind, content)


@FUZZ
@given(kind=TARGETS, content=st.builds(
    serialised, mutated(without_texts(EXPORT_DOCUMENT), max_mutations=2, kinds=("offset", "same-length", "delete")),
    st.just("reader"),
))
def test_yaml_import_of_files_without_texts_placed_by_quote(kind, content):
    """Format 1 (no texts): offsets and quotes checked only against the stored text, so
    annotations are placed by their quotes, conflict with stored ones, or are orphaned."""
    check_yaml_import(kind, content)


def test_a_changed_quote_on_edited_text_never_removes_the_stored_annotation():
    """An annotation whose id is stored, on an article whose text changed since, whose quote in the
    file is nowhere in the stored text: kept as an orphan under a conflict id, reported as a
    conflict, and the stored one left in place (it used to be turned into the orphan)."""
    document = copy.deepcopy(EXPORT_DOCUMENT)
    port = next(article for article in document["articles"] if article["title"] == "Port strike")
    del port["text"]
    note = port["annotations"][0]
    note["quote"] = "X" * len(note["quote"])
    content = _reader_style(list(document.items()))
    assert check_yaml_import("edited", content) is None
    store = target_store("edited")
    stored = store.annotations.get(note["id"])
    with tempfile.TemporaryDirectory() as folder:
        summary = import_annotations(store, _write(Path(folder), "in.yaml", content))
    assert store.annotations.get(note["id"]) == stored
    [conflict] = summary.conflicts
    assert conflict.annotation_id == note["id"] and summary.orphaned == 2  # and "Dockers said no.", gone here too
    assert {orphan.id for orphan in store.annotations.orphans()} >= {conflict.kept_as}


def _same_lined(quick, generic, where="") -> None:
    """`quick` and `generic` are the same values, of the same types, with the same line numbers."""
    assert type(quick) is type(generic), where
    if isinstance(generic, LinedMap):
        assert list(quick) == list(generic), where
        assert (quick.line, quick.lines) == (generic.line, generic.lines), where
        for key in generic:
            _same_lined(quick[key], generic[key], f"{where}.{key}")
    elif isinstance(generic, LinedList):
        assert len(quick) == len(generic) and (quick.line, quick.lines) == (generic.line, generic.lines), where
        for index, (a, b) in enumerate(zip(quick, generic)):
            _same_lined(a, b, f"{where}[{index}]")
    else:
        assert quick == generic or (quick != quick and generic != generic), where


_YAML_CHARACTERS = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


DEEP_BLOCKS = "a:\n" + "".join(" " * (2 * level) + "- a:\n" for level in range(1500)) + " " * 3000 + "b: x\n"


@settings(max_examples=300, deadline=None)
@given(content=yaml_texts)
@example(content=DEEP_BLOCKS)
@example(content=EXPORT_YAML.replace("    start: ", "    start: " + "9" * 5000, 1))
def test_the_quick_reader_reads_what_the_generic_one_reads_or_steps_aside(content):
    """`load_own` gives exactly what `load_lined` gives (values, types and lines), or None."""
    assume(not _YAML_CHARACTERS.search(content))  # raw control characters: documented leniency
    quick = load_own(content)
    if quick is None:
        return
    assert content != DEEP_BLOCKS
    try:
        generic = load_lined(content, "x.yaml")
    except YamlError as error:
        raise AssertionError(f"the quick reader accepted a file the generic one refuses: {error}") from None
    _same_lined(quick, generic)


@settings(max_examples=200, deadline=None)
@given(content=st.one_of(yaml_texts, st.text(alphabet=st.sampled_from(HOSTILE_CHARACTERS + list("-:\n ")), max_size=60)))
@example(content="<<: x\n")
@example(content="a: =\n")
@example(content="a: !!timestamp abc\n")
@example(content="a: !!int abc\n")
@example(content="a: !!bool maybe\n")
@example(content="a: !!float x\n")
@example(content="a: !!map x\n")
@example(content="a: " + "1" * 5000 + "\n")
@example(content="a: 2025-02-30\n")
@example(content="? a\n: !!seq b\n")
@example(content='"a\\nb": 1\n"a\\nb": 2\n')
@example(content="\ud800: 1\n")
@example(content="[" * 100_000)
@example(content="- " * 50_000 + "x")
@example(content="[" * 5000 + "]" * 5000)
def test_the_generic_readers_raise_only_one_line_yaml_errors(content):
    """`load_lined` (imported files) and `load_located` (the configuration) give plain values or
    one `YamlError` line, never another exception (nor a crash of the interpreter)."""
    for load in (load_lined, load_located):
        try:
            value = load(content, "x.yaml")
        except YamlError as error:
            assert_one_line(error, Path("x.yaml"))
            continue
        _assert_plain(plain(value) if load is load_located else value)


@pytest.mark.parametrize("load", [load_lined, load_located])
@pytest.mark.parametrize("content", ["[" * 100_000, "- " * 50_000 + "x", "a: " + "{b: " * 65 + "1" + "}" * 65])
def test_nesting_deeper_than_reader_could_write_is_refused_at_once(load, content):
    """Refused as one line naming the file and line 1, whoever notices the depth first (reader's
    own limit or, since PyYAML 6.0.4, the library's). (A C recursion per level crashed the
    interpreter, and libyaml took 20 s over 100,000 "[".)"""
    with pytest.raises(YamlError) as caught:
        load(content, "x.yaml")
    assert str(caught.value).startswith("x.yaml:1: not valid YAML (")
    assert_one_line(caught.value, Path("x.yaml"))


def _assert_plain(value) -> None:
    allowed = (LinedMap, LinedList, dict, list, str, bool, int, float, datetime.date)
    waiting = [value]
    while waiting:
        node = waiting.pop()
        assert node is None or isinstance(node, allowed), type(node)
        if isinstance(node, dict):
            assert all(isinstance(key, str) for key in node)
            waiting.extend(node.values())
        elif isinstance(node, list):
            waiting.extend(node)


# ---- other tools' formats ---------------------------------------------------------------------


def _foreign_exports() -> dict[str, object]:
    store = SOURCE
    exports: dict[str, object] = {}
    for fmt in ("w3c", "doccano", "prodigy"):
        stream = io.StringIO()
        EXPORTERS[fmt](export_items(store), stream)
        exports[fmt] = stream.getvalue()
    folder = Path(tempfile.mkdtemp())
    try:
        EXPORTERS["brat"](export_items(store), folder / "brat")
        exports["brat"] = {path.name: path.read_text(encoding="utf-8") for path in sorted((folder / "brat").iterdir())}
    finally:
        shutil.rmtree(folder)
    return exports


EXPORTS = _foreign_exports()


def json_lines(text: str) -> list:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@st.composite
def foreign_files(draw, fmt: str):
    """The file (brat: the folder's files by name) of a valid export in `fmt`, mutated."""
    how = draw(st.sampled_from(["tree", "text", "tree+text", "random"]))
    if fmt == "brat":
        files = dict(EXPORTS["brat"])
        names = sorted(files)
        for _ in range(draw(st.integers(1, 3))):
            name = draw(st.sampled_from(names))
            action = draw(st.sampled_from(["edit", "edit", "edit", "remove", "random", "bytes"]))
            if action == "remove" and not name.endswith(".ann"):
                files.pop(name, None)
            elif action == "random":
                files[name] = draw(st.text(max_size=80))
            elif action == "bytes":
                files[name] = draw(st.binary(max_size=40))
            elif isinstance(files.get(name), str):
                files[name] = draw(text_edited(files[name], BRAT_LINES))
        return files
    text = EXPORTS[fmt]
    if how == "random":
        return draw(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
    if how == "text":
        return draw(text_edited(text, JSON_LINES))
    if fmt == "w3c":
        document = draw(mutated(json.loads(text)))
        text = json.dumps(document, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 2])))
    else:
        records = draw(mutated(json_lines(text)))
        text = "\n".join(json.dumps(record, ensure_ascii=draw(st.booleans())) for record in records) + "\n"
    if how == "tree+text":
        text = draw(text_edited(text, JSON_LINES, max_edits=1))
    return text


JSON_LINES = ["{}", "[]", "null", '{"spans": [{"start": 1e400, "end": 2, "label": "x"}]}',
              '{"entities": [{"start_offset": Infinity, "end_offset": 3, "label": "x"}], "text": "abc"}',
              '{"text": "abc", "label": [[0, 1, "\\ud800"]]}', '{"text": "\\ud800abc", "spans": [{"start": 1, "end": 2, "label": "x"}]}',
              '{"type": "Annotation", "target": {"source": "x", "selector": {"type": "TextPositionSelector", "start": -1, "end": 1e999}}}',
              '{"type": "Annotation", "body": {"purpose": "tagging", "value": "t"}, "target": {"source": "urn:reader:article:%FF", '
              '"selector": {"type": "TextQuoteSelector", "exact": "Dockers"}}, "creator": "\\udc00"}',
              "[" * 3000, '{"text": "abc", "entities": [{"start_offset": ' + "9" * 5000 + ', "end_offset": 1, "label": "x"}]}']
BRAT_LINES = ["T9\tx 0 3\tabc", "T9\tx -1 3\tabc", "T9\tx 3 1\tabc", "T9\tx 0 99999999999999999999\tabc",
              "T9\tx%FF%ZZ 0 3\tabc", "T9\t%0A 0 3\tabc", "T9\tx 0 1;5 3\tabc", "T9\tx a b\tabc", "T9\tx\t",
              "#1\tAnnotatorNotes T1\t\\ud800", "#1\tAnnotatorNotes T1\tx\\u2028y", "#2\tAnnotatorNotes T99\tlost",
              "R1\tRel Arg1:T1 Arg2:T2", "\ufeffT1\tx 0 3\tabc", "T1\tx 0 3", "E1\tx:T1"]


def _materialise(folder: Path, fmt: str, content) -> Path:
    if fmt == "brat":
        target = folder / "brat"
        target.mkdir()
        for name, data in content.items():
            _write(target, name, data)
        return target
    return _write(folder, f"in.{fmt}", content)


def check_foreign_import(fmt: str, kind: str, content) -> YamlError | None:
    store = target_store(kind)
    with tempfile.TemporaryDirectory() as folder:
        path = _materialise(Path(folder), fmt, content)
        error = check_merge(store, lambda dry_run: import_foreign(store, path, fmt, "dave", dry_run=dry_run))
        if error is not None:
            message = str(error)
            assert message.startswith(str(path)), message
            assert len(message.splitlines()) == 1 and message == message.strip(), message
            message.encode("utf-8")
        return error


@pytest.mark.parametrize("fmt", ["w3c", "doccano", "prodigy", "brat"])
def test_each_unchanged_foreign_export_merges_into_every_target(fmt):
    for kind in ("same", "empty", "edited"):
        check_foreign_import(fmt, kind, EXPORTS[fmt])


@pytest.mark.parametrize("fmt", ["w3c", "doccano", "prodigy", "brat"])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=TARGETS, data=st.data())
def test_foreign_import_merges_whole_or_refuses_with_one_line(fmt, kind, data):
    check_foreign_import(fmt, kind, data.draw(foreign_files(fmt), label="content"))


@pytest.mark.parametrize(("fmt", "content"), [
    ("doccano", '{"text": "abc", "entities": [{"start_offset": 1e400, "end_offset": 2, "label": "x"}]}\n'),
    ("doccano", '{"text": "abc", "entities": [{"start_offset": ' + "9" * 5000 + ', "end_offset": 1, "label": "x"}]}\n'),
    ("prodigy", '{"text": "abc", "spans": [{"start": 0, "end": Infinity, "label": "x"}]}\n'),
    ("w3c", '{"type": "Annotation", "body": {"purpose": "tagging", "value": "t"}, "target": {"source": "x", '
            '"selector": {"type": "TextPositionSelector", "start": 0, "end": 1e400}}}'),
    ("w3c", '{"type": "Annotation", "body": [{"purpose": "tagging", "value": "t"}, {"value": "\\ud800"}], '
            '"target": {"source": "' + PORT_DOC.url + '", "selector": {"type": "TextQuoteSelector", "exact": "Dockers walked"}}}'),
    ("prodigy", '{"text": "\\ud800Dockers", "spans": [{"start": 1, "end": 8, "label": "x"}], "meta": {"article_id": "k"}}\n'),
    ("doccano", '{"text": "Dockers", "entities": [{"start_offset": 0, "end_offset": 7, "label": "x"}], "article_id": "\\udfff"}\n'),
])
def test_hostile_numbers_and_characters_in_foreign_files_are_refused_in_one_line(fmt, content):
    assert check_foreign_import(fmt, "same", content) is not None


def test_a_lone_surrogate_in_a_brat_note_is_refused_in_one_line():
    files = {name: "".join(line + "\n" for line in text.splitlines() if not line.startswith("#"))
             + ("#1\tAnnotatorNotes T1\t\\ud800\n" if name.endswith(".ann") else "")
             for name, text in EXPORTS["brat"].items()}
    error = check_foreign_import("brat", "empty", files)
    assert error is not None and "note: holds an invalid character (U+D800)" in str(error)


# ---- re-anchoring -----------------------------------------------------------------------------

WORDS = ["The", "port", "authority", "said", "Dockers", "walked", "out", "on", "Monday", "strike", "the", "union",
         "2,200", "O'Brien", "Co-operation", "“no”", "😀", "Zoë", "a", "it", "would", "talks", "\u0301", "\u200f"]
prose = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", ". ", ", ", "\r\n", "\t", "\u2028"])),
    max_size=80,
).map(lambda pairs: "".join(word + gap for word, gap in pairs))
old_texts = st.one_of(prose, st.text(max_size=150), st.text(alphabet=st.sampled_from(list("ab \n.")), max_size=60))


@st.composite
def edited(draw, old: str) -> str:
    """`old` after a few insertions, deletions and replacements (words or random text), or
    re-wrapped, or with CR LF line ends."""
    new = old
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "rewrap", "crlf"]))
        a = draw(st.integers(0, len(new)))
        b = draw(st.integers(a, min(len(new), a + 40)))
        piece = draw(prose | st.text(max_size=10))
        if kind == "insert":
            new = new[:a] + piece + new[a:]
        elif kind == "delete":
            new = new[:a] + new[b:]
        elif kind == "replace":
            new = new[:a] + piece[: max(1, b - a)] + new[b:]
        elif kind == "rewrap":
            new = new[:a] + new[a:b].replace(" ", "\n") + new[b:]
        else:
            new = new.replace("\n", "\r\n")
    return new


@st.composite
def anchoring_cases(draw):
    old = draw(old_texts)
    new = draw(st.one_of(edited(old), st.just(old), old_texts))
    selectors = []
    for _ in range(draw(st.integers(1, 4))):
        if old and draw(st.integers(0, 4)):
            start = draw(st.integers(0, len(old) - 1))
            end = draw(st.integers(start + 1, min(len(old), start + 60)))
            selectors.append(Selector.at(old, start, end))
        else:  # whatever a file or a damaged database could hold
            selectors.append(Selector(draw(st.integers(-50, 10**6) | st.integers() | st.sampled_from([10**400, -(10**400)])),
                                      draw(st.integers(-50, 10**6)),
                                      draw(st.text(max_size=30)), draw(st.text(max_size=40)), draw(st.text(max_size=40))))
    old_length = draw(st.sampled_from([len(old), None, 0]) | st.integers(-5, 10**9))
    return old, new, selectors, old_length


@settings(max_examples=300, deadline=None)
@given(case=anchoring_cases())
def test_reanchoring_places_a_passage_inside_the_new_text_or_orphans_it(case):
    old, new, selectors, old_length = case
    results = reanchor_all(new, selectors, old_length)
    assert results == [reanchor(new, selector, old_length) for selector in selectors]
    for selector, result in zip(selectors, results):
        assert result.status in ("exact", "moved", "fuzzy", "orphan")
        if result.status == "orphan":
            assert (result.start, result.end, result.score) == (None, None, 0.0)
            continue
        assert type(result.start) is int and type(result.end) is int
        assert 0 <= result.start < result.end <= len(new), (result, len(new))
        assert 0.0 < result.score <= 1.0 + 1e-9
        placed = new[result.start : result.end]
        if result.status in ("exact", "moved"):
            assert placed == selector.quote, (placed, selector.quote)  # the reported quote is the text there
        else:
            assert placed != selector.quote
        if result.status == "exact":
            assert (result.start, result.end) == (selector.start, selector.end)


@settings(max_examples=200, deadline=None)
@given(old=old_texts, data=st.data())
def test_an_unchanged_text_keeps_every_passage_exactly_where_it_was(old, data):
    assume(old)
    start = data.draw(st.integers(0, len(old) - 1))
    end = data.draw(st.integers(start + 1, len(old)))
    selector = Selector.at(old, start, end)
    result = reanchor(old, selector, len(old))
    if not selector.quote.strip():
        assert result.status == "orphan"  # a blank passage is never placed
    else:
        assert (result.status, result.start, result.end) == ("exact", start, end)


@pytest.mark.parametrize("stamp", ["2026-01-01T12:00:00", "2026-01-01T14:00:00+02:00", "2026-01-01 12:00:00+00:00"])
def test_a_stamp_w3c_writes_in_another_form_is_the_same_moment_when_it_comes_back(stamp):
    """W3C writes times in UTC with a Z, and the importer reads them back as +00:00: an annotation
    stamped another way (a merged file may) comes back unchanged, not as a conflict."""
    document = copy.deepcopy(EXPORT_DOCUMENT)
    document["articles"][0]["annotations"][0]["created"] = stamp
    document["articles"][0]["annotations"][0]["updated"] = stamp
    assert check_yaml_import("empty", _reader_style(list(document.items()))) is None


def test_an_empty_note_comes_back_from_w3c_as_the_same_annotation():
    """W3C writes no comment body for an empty note (a merged file may hold one)."""
    document = copy.deepcopy(EXPORT_DOCUMENT)
    document["articles"][0]["annotations"][0]["note"] = ""
    assert check_yaml_import("empty", _reader_style(list(document.items()))) is None


def test_an_article_id_too_long_for_a_file_name_goes_to_brat_and_back():
    """A merged file may give an article any id; brat names its files after it."""
    document = copy.deepcopy(EXPORT_DOCUMENT)
    document["articles"][1]["id"] = "e" + "9" * 5000
    assert check_yaml_import("empty", _reader_style(list(document.items()))) is None


def test_an_annotation_stamped_at_the_ends_of_the_calendar_goes_to_w3c_and_back():
    """A merged file may stamp an annotation with any string: one with no UTC form in years
    1-9999 is written to W3C as it is, not a crash."""
    document = copy.deepcopy(EXPORT_DOCUMENT)
    document["articles"][0]["annotations"][0]["created"] = "0001-01-01T00:00:00+01:00"
    document["articles"][0]["annotations"][0]["updated"] = "9999-12-31T23:59:59-23:59"
    assert check_yaml_import("empty", _reader_style(list(document.items()))) is None


def test_brat_offsets_too_large_for_a_float_are_placed_by_their_quote():
    """Offsets of 400 digits in a `T` line (Python reads them; a float cannot hold their share
    of the text): the annotation is placed by its quote, not a crash."""
    huge = 10**400
    files = dict(EXPORTS["brat"])
    name = next(name for name in files if name.endswith(".ann") and "Dockers walked out" in files[name])
    files[name] = f"T1\tstrike {huge} {huge + 18}\tDockers walked out\n"
    assert check_foreign_import("brat", "same", files) is None
    store = target_store("same")
    with tempfile.TemporaryDirectory() as folder:
        summary = import_foreign(store, _materialise(Path(folder), "brat", files), "brat", "dave")
    assert (summary.moved, summary.annotations_added, summary.kept_aside) == (1, 0, [])  # it is stored already


def test_a_key_longer_than_yaml_allows_is_left_to_the_generic_reader():
    """(Found by the property above: a mutated export with a 2,000-character key.)"""
    content = 'format: reader-annotations/3\n' + "k" * 2000 + ": x\n"
    assert load_own(content) is None
    with pytest.raises(YamlError):
        load_lined(content, "x.yaml")
