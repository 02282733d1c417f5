#!/usr/bin/env python3
"""Runs reader's exports through the checks of the tools that read them: the W3C Web Annotation
test suite's schemas, brat's configuration and verifier rules, doccano's import, spaCy.

It builds a small database of original test texts with the cases that broke exports (a URL with
`?x=ä`, tags with `/`, spaces and accents, identical and crossing spans, notes, memos, article
tags, missing optional fields), exports every format into a temporary folder, runs every check
in `CHECKS` and prints one table. Exit status 1 when a MUST assertion fails or brat reports an
error (or a check finds a broken file), else 0. It never changes anything outside its temporary
folder (`--keep DIR` writes the exports there instead, to look at them; `--database FILE`
checks the exports of a database of yours instead, opened read-only).

    .venv/bin/python tools/check_exports.py [--standards ../shared/standards] [--keep DIR] [--database FILE]

The W3C schemas are read from `../shared/standards/w3c-web-annotation-tests/` (beside the
project; `--standards` or `READER_STANDARDS` names another place); when absent, the W3C rows say
so and the other checks run. The schemas need `jsonschema[format]` (the test extra), spaCy the
`spacy` package; a check whose package is missing says so.

To add a format's check: write `check_<format>(exports, context) -> list[Row]` and append a
`Check` to `CHECKS`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import permutations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from reader.core.exchange.formats import EXPORTERS  # noqa: E402
from reader.core.safetext import terminal_line, terminal_text  # noqa: E402
from reader.core.ingest import Document  # noqa: E402
from reader.services.export import write_export  # noqa: E402
from reader.store import Store  # noqa: E402

DEFAULT_STANDARDS = ROOT.parent / "shared" / "standards"

# ---- the test database ----------------------------------------------------------------------
# Original texts, written for this check (short, news-like; no published article).

HARBOUR = (
    "Harbour board delays the ferry contract\n\n"
    "The harbour board in Kielholm postponed its vote on the ferry contract on Monday. "
    "Board member Jonna Ræder said the tender “left too many questions open”. "
    "The union called the delay a quiet victory for workers. "
    "A final decision is expected in spring."
)
MARKET = (
    "Café owners split over market hours\n\n"
    "Owners of the cafés around Place Étienne disagree about longer market hours. "
    "Some expect more trade; others fear higher costs.\n"
    "The council will hear both sides next week"
)
PLAIN = "Short notice\n\nThe library closes early on Friday for repairs."

#: Tags with the characters that broke formats: `/` (nesting), a space, accents, `_`, `|`,
#: hyphens only, an emoji.
TAGS = ["framing/économie", "human rights", "conflict", "quote", "source_type", "pro|con", "--", "mood 🙂"]


def span(text: str, quote: str, occurrence: int = 1) -> tuple[int, int]:
    """Where the `occurrence`-th `quote` is in `text`."""
    start = -1
    for _ in range(occurrence):
        start = text.index(quote, start + 1)
    return start, start + len(quote)


def build_database(path: Path) -> Store:
    """A database holding the nasty cases; returns the open store."""
    store = Store.open(path)
    harbour = store.articles.add(Document(
        text=HARBOUR, title="Harbour board delays the ferry contract", source="Kielholm Courier",
        url="https://news.example/hafen?x=ä&y=a b", path="harbour.txt", published="2026-03-02", locator=""))
    market = store.articles.add(Document(
        text=MARKET, title="Café owners split over market hours", source=None, url=None, path="market.txt",
        published=None, locator=""))
    plain = store.articles.add(Document(
        text=PLAIN, title="Short notice", source="Town Bulletin", url="https://bulletin.example/notice",
        path="notice.txt", published="2026-01", locator=""))
    ids = [result.article_id for result in (harbour, market, plain)]
    add = store.annotations.add
    # harbour: identical spans (two tags, two annotators), a nested one, a crossing one, notes
    board = span(HARBOUR, "The harbour board in Kielholm postponed its vote on the ferry contract on Monday.")
    add(ids[0], *board, ["framing/économie", "human rights"], "alice", note="Lead sentence.\nTwo lines.")
    add(ids[0], *board, ["conflict"], "bob")
    add(ids[0], *span(HARBOUR, "ferry contract", 2), ["source_type"], "alice")
    quote = span(HARBOUR, "“left too many questions open”")
    add(ids[0], *quote, ["quote"], "alice", note="Direct quote")
    add(ids[0], quote[0] - 10, quote[1] + 5, ["pro|con"], "bob")  # crosses nothing, contains the quote
    add(ids[0], *span(HARBOUR, "quiet victory for workers"), [], "alice", note="A memo: whose view?")
    add(ids[0], *span(HARBOUR, "Monday. Board member"), ["--"], "bob")  # crosses the lead sentence
    # market: a span over a line break, one ending the text (no suffix), no url/source/date
    add(ids[1], *span(MARKET, "higher costs.\nThe council"), ["mood 🙂"], "alice")
    add(ids[1], *span(MARKET, "next week"), ["conflict"], "alice")
    add(ids[1], *span(MARKET, "cafés"), ["framing/économie"], "bob", note="")
    # plain: only an article tag (no passage annotations)
    store.articles.tag(ids[2], "human rights", "alice")
    store.articles.tag(ids[0], "conflict", "bob")
    return store


# ---- results --------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: `failed` of `checked` failed; `level` says what a failure means."""

    format: str
    check: str
    level: str  # MUST, SHOULD, MAY, error, warning, info, skipped
    checked: int = 0
    failed: int = 0
    detail: str = ""

    @property
    def blocking(self) -> bool:
        return self.failed > 0 and self.level in BLOCKING


#: Levels whose failures make the exit status 1.
BLOCKING = frozenset({"MUST", "error"})


@dataclass
class Context:
    folder: Path
    standards: Path | None
    exports: dict[str, Path] = field(default_factory=dict)
    #: Every tag the database's annotations use (what each format should carry back).
    tags: set[str] = field(default_factory=lambda: set(TAGS))


@dataclass(frozen=True)
class Check:
    format: str
    run: Callable[[Context], list[Row]]


# ---- W3C --------------------------------------------------------------------------------------


#: SHOULD assertions that do not apply to what reader writes, and why. Each still runs; its
#: failures are counted on a row of their own ("n/a"), not among the SHOULDs reader must meet.
W3C_NOT_APPLICABLE = {
    "3.2.1-bodySingleLanguage": "reader does not know which language a tag or a note is in",
    "3.2.1-targSingleFormat": "reader keeps no media type for an article (it stores the extracted text)",
    "3.2.1-targSingleLanguage": "reader keeps no language for an article",
    "3.3.1-bodyCreated": "bodies are made with the annotation: its created says when",
    "3.3.1-bodySingleCreator": "bodies are made with the annotation: its creator says who",
    "3.3.1-targCreated": "the target is the article, which reader did not create",
    "3.3.1-targSingleCreator": "the target is the article, which reader did not create",
    "4.2.1-conformsTo": "about FragmentSelector, which reader does not write (fails when there is none)",
    "3.3.2-annotationCreatorAgentIdImplemented": "reader knows annotators by name only (no IRI)",
    "3.3.2-annotationGeneratorAgentIdImplemented": "about a generator, optional (MAY) and not written",
    "3.3.2-annotationGeneratorAgentNicknameImplemented": "about a generator, optional (MAY) and not written",
    "3.3.2-annotationGeneratorAgentSingleNameImplemented": "about a generator, optional (MAY) and not written",
    "3.3.2-annotationGeneratorAgentTypeImplemented": "about a generator, optional (MAY) and not written",
    **{f"3.3.2-{part}CreatorAgent{what}Implemented": "about a body's or target's own creator, not written"
       for part in ("body", "targ") for what in ("Id", "Nickname", "SingleName", "Type")},
}


def check_w3c(context: Context) -> list[Row]:
    """The W3C Web Annotation test suite's assertions (JSON Schema Draft 4) on the export:
    collection and page assertions on the document (an embedded page is how the suite's page
    tests take it), annotation assertions on every annotation with the collection's `@context`
    (which an embedded annotation inherits). A failed MUST is one annotation (or the collection)
    failing a `must` assertion of a `*Musts.test` list; SHOULD and MAY likewise."""
    suite = context.standards / "w3c-web-annotation-tests" if context.standards else None
    if suite is None or not suite.is_dir():
        return [Row("w3c", "W3C test-suite schemas", "skipped",
                    detail=f"{suite or 'standards folder'} not found: W3C schemas not run")]
    try:
        from jsonschema import Draft4Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT4
    except ImportError:
        return [Row("w3c", "W3C test-suite schemas", "skipped", detail="jsonschema[format] not installed")]
    if "uri" not in Draft4Validator.FORMAT_CHECKER.checkers:
        return [Row("w3c", "W3C test-suite schemas", "skipped",
                    detail="format 'uri' not checked: install jsonschema[format]")]
    resources = []
    for path in sorted((suite / "definitions").glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema.get("id", path.name), Resource.from_contents(schema, default_specification=DRAFT4)))
    registry = Registry().with_resources(resources)
    document = json.loads(context.exports["w3c"].read_text(encoding="utf-8"))
    annotations = [dict(item, **{"@context": document["@context"]}) for item in document["first"]["items"]]
    rows: list[Row] = []
    for test in sorted(suite.rglob("*.test")):
        listing = json.loads(test.read_text(encoding="utf-8"))
        subjects = annotations if test.parent.name == "annotations" else [document]
        what = {"annotations": "annotation", "collections": "collection", "pages": "page"}[test.parent.name]
        by_level: dict[str, Row] = {}
        failing: dict[str, Counter[str]] = {}
        for name in listing["assertions"]:
            schema = json.loads((suite / name).read_text(encoding="utf-8"))
            level = schema["assertionType"].upper()
            if level == "SHOULD" and Path(name).stem in W3C_NOT_APPLICABLE:
                level = "n/a"
            label = "shoulds that do not apply" if level == "n/a" else f"{level.lower()}s"
            row = by_level.setdefault(level, Row("w3c", f"{what} {label} ({test.name})", level))
            validator = Draft4Validator(schema, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)
            expected = schema.get("expectedResult", "valid") == "valid"
            for subject in subjects:
                row.checked += 1
                if validator.is_valid(subject) != expected:
                    row.failed += 1
                    failing.setdefault(level, Counter())[Path(name).stem] += 1
        for level, row in by_level.items():
            row.detail = ", ".join(f"{name} ×{count}" for name, count in sorted(failing.get(level, {}).items()))
            if level == "MAY":  # optional features: how many are implemented, not failures
                row.level, row.detail = "info", f"MAY features used: {row.checked - row.failed} of {row.checked}"
                row.checked = row.failed = 0
            elif level == "n/a":
                names = sorted({Path(name).stem for name in listing["assertions"]} & W3C_NOT_APPLICABLE.keys())
                row.detail = f"{len(names)} assertions; see W3C_NOT_APPLICABLE for why each does not apply"
            rows.append(row)
    return rows


# ---- brat -------------------------------------------------------------------------------------
# Mirrors brat's own code (nlplab/brat, server/src):
#   projectconfig.py (commit c4a08bd1): `normalize_to_storage_form` (a type is stored as
#     `^[a-zA-Z0-9_-]*$`; other characters become `_`), `TypeHierarchyNode.__init__` (a leading
#     `!` marks an unused type and is dropped; the renaming warning), `__read_term_hierarchy`
#     (`#` lines are comments, lines of hyphens only are separators, `<...>` must be a reserved
#     string, a line is `terms<space>args` split by `|` and `,`), `__directory_relations_by_arg_num`
#     (how `<ANY>` and `<ENTITY>` match a type), `overlap_types`, `span_can_contain`,
#     `spans_can_be_equal`, `spans_can_cross` (the `<OVERLAP>` rules);
#   verify_annotations.py (commit a5996114): `check_textbound_overlap`, `verify_entity_overlap`,
#     `verify_annotation_types` (each pair is looked at both ways, as there);
#   annotation.py: `TextBoundAnnotation.same_span` / `contains`, and `TextBoundAnnotationWithText`
#     (a `T` line's text is its fragments of the document joined by `DISCONT_SEP`, one space).

BRAT_RESERVED = {f"<{name}>" for name in (
    "ANY", "ENTITY", "RELATION", "EVENT", "NONE", "EMPTY", "REL-TYPE", "URL", "URLBASE", "GLYPH-POS", "DEFAULT",
    "NORM", "OVERLAP", "OVL-TYPE", "INHERIT")}


@dataclass
class BratConfig:
    entities: list[str] = field(default_factory=list)
    #: `<OVERLAP>` rules: (Arg1 types, Arg2 types, overlap kinds)
    overlaps: list[tuple[list[str], list[str], set[str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def storage_form(term: str) -> str:
    """brat's `normalize_to_storage_form`: spaces, then any character outside `[a-zA-Z0-9_-]`,
    become `_` (its NFKD line has no effect: its result is thrown away)."""
    return re.sub(r"[^a-zA-Z0-9_-]", "_", term.replace(" ", "_"))


def read_brat_config(text: str) -> BratConfig:
    """`annotation.conf` as brat's `__parse_configs` / `__read_term_hierarchy` read it."""
    config = BratConfig()
    section = "general"
    for line in text.split("\n"):
        header = re.match(r"^\s*\[(.*)\]\s*$", line)
        if header:
            section = {"spans": "entities"}.get(header.group(1), header.group(1))
            continue
        if line.strip() == "" or re.match(r"^\s*#", line) or re.match(r"^\s*-+\s*$", line):
            continue
        for macro in re.findall(r"(<.*?>)", line):
            if macro not in BRAT_RESERVED:
                config.problems.append(f"undefined macro {macro} in {line!r}")
        parsed = re.match(r"^(\s*)(\S+)(?:\s+(.*))?$", line)
        if not parsed:
            config.problems.append(f"cannot parse {line!r}")
            continue
        terms = [term.strip() for term in parsed.group(2).split("|") if term.strip()]
        args = [arg.strip() for arg in (parsed.group(3) or "").split(",") if arg.strip()]
        first = terms[0].removeprefix("!")
        if section == "relations" and first == "<OVERLAP>":
            by_key: dict[str, list[str]] = {}
            for arg in args:
                key_types = re.match(r"^(\S*?):(\S*)$", arg)
                if not key_types:
                    config.problems.append(f"cannot parse argument {arg!r}")
                    continue
                by_key.setdefault(key_types.group(1), []).extend(key_types.group(2).split("|"))
            positional = [types for key, types in by_key.items() if key not in BRAT_RESERVED]
            if len(positional) != 2 or "<OVL-TYPE>" not in by_key:
                config.problems.append(f"<OVERLAP> needs two arguments and <OVL-TYPE>: {line!r}")
                continue
            config.overlaps.append((positional[0], positional[1], set(by_key["<OVL-TYPE>"])))
        elif section == "entities":
            stored = storage_form(first)
            if stored != first or not first:
                config.problems.append(f"type {first!r} is not a storage form (^[a-zA-Z0-9_-]*$): "
                                       f"brat renames it {stored!r}")
            config.entities.append(stored)
    return config


def brat_label_problems(text: str, entities: list[str]) -> list[str]:
    """What brat's `__read_term_hierarchy` refuses in `visual.conf`'s `[labels]` (tab-separated
    terms split by `|`, `<...>` only reserved strings, a leading `!` taken as "unused"), and
    labels for types `annotation.conf` does not have."""
    problems = []
    section = "general"
    for line in text.split("\n"):
        header = re.match(r"^\s*\[(.*)\]\s*$", line)
        if header:
            section = header.group(1)
            continue
        if section != "labels" or line.strip() == "" or re.match(r"^\s*#", line):
            continue
        parsed = re.match(r"^(\s*)([^\t]+)(?:\t(.*))?$", line)
        terms = [term.strip() for term in parsed.group(2).split("|") if term.strip()] if parsed else []
        if not terms or any(term.startswith("!") for term in terms):
            problems.append(f"label line {line!r} does not parse as brat reads it")
        elif any(macro not in BRAT_RESERVED for macro in re.findall(r"(<.*?>)", line)):
            problems.append(f"undefined macro in label line {line!r}")
        elif storage_form(terms[0]) not in entities:
            problems.append(f"label for unknown type {terms[0]!r}")
    return problems


def _brat_matches(rule_types: list[str], kind: str, entities: list[str]) -> bool:
    return any(rule == kind or rule == "<ANY>" or (rule == "<ENTITY>" and kind in entities) for rule in rule_types)


def _overlap_kinds(config: BratConfig, inner: str, outer: str) -> set[str]:
    kinds: set[str] = set()
    for first, second, allowed in config.overlaps:
        if _brat_matches(first, inner, config.entities) and _brat_matches(second, outer, config.entities):
            kinds |= allowed
    return kinds


def _brat_allows(config: BratConfig, relation: str, one: str, other: str) -> bool:
    forward, backward = _overlap_kinds(config, one, other), _overlap_kinds(config, other, one)
    if relation == "contain":  # span_can_contain: "contain" one way, <ANY> either way
        return "contain" in forward or "<ANY>" in forward or "<ANY>" in backward
    return bool({relation, "<ANY>"} & (forward | backward))


def brat_issues(folder: Path) -> tuple[int, list[str], list[str]]:
    """(checks made, errors, configuration problems) for a brat folder, as brat reports them."""
    conf_path = folder / "annotation.conf"
    config = read_brat_config(conf_path.read_text(encoding="utf-8")) if conf_path.exists() else BratConfig(
        problems=["no annotation.conf: brat falls back to its default configuration"])
    errors: list[str] = []
    count = 0  # checks made: type and text of every T line, every overlapping pair
    for ann_path in sorted(folder.glob("*.ann")):
        text = ann_path.with_suffix(".txt").read_text(encoding="utf-8")
        bounds = []
        for number, line in enumerate(ann_path.read_text(encoding="utf-8").split("\n"), start=1):
            if not line.startswith("T"):
                continue
            count += 2
            ident, data, quote = line.split("\t", 2)
            kind, offsets = data.split(" ", 1)
            spans = [tuple(int(value) for value in piece.split(" ")) for piece in offsets.split(";")]
            where = f"{ann_path.name}:{number} {ident}"
            if kind not in config.entities:
                errors.append(f"{where}: {kind} is not a known textbound type")
            if quote != " ".join(text[start:end] for start, end in spans):
                errors.append(f"{where}: text does not match the marked span")
            bounds.append((ident, kind, spans))
        for (one, kind1, spans1), (other, kind2, spans2) in permutations(bounds, 2):
            first1, last1 = min(s for s, _ in spans1), max(e for _, e in spans1)
            first2, last2 = min(s for s, _ in spans2), max(e for _, e in spans2)
            if not (first2 < last1 and last2 > first1):
                continue
            count += 1
            if set(spans1) == set(spans2):
                allowed, what = _brat_allows(config, "equal", kind1, kind2), "identical span with"
            elif all(any(s <= o_s and o_e <= e for s, e in spans2) for o_s, o_e in spans1):
                allowed, what = _brat_allows(config, "contain", kind1, kind2), "contained in"
            elif all(any(s <= o_s and o_e <= e for s, e in spans1) for o_s, o_e in spans2):
                allowed, what = _brat_allows(config, "contain", kind2, kind1), "containing"
            else:
                allowed, what = _brat_allows(config, "cross", kind1, kind2), "crossing span with"
            if not allowed:
                errors.append(f"{ann_path.name} {one}: {kind1} cannot have {what} {kind2} {other}")
    return count, errors, config.problems


def check_brat(context: Context) -> list[Row]:
    """brat's configuration parser and verifier on the exported folder, then the folder read
    back by reader's importer: every tag comes back under its own name."""
    from reader.core.exchange.formats.brat import import_brat

    folder = context.exports["brat"]
    count, errors, problems = brat_issues(folder)
    config = read_brat_config((folder / "annotation.conf").read_text(encoding="utf-8"))
    kinds = set(config.entities)
    visual = folder / "visual.conf"
    labels = brat_label_problems(visual.read_text(encoding="utf-8"), config.entities) if visual.exists() else []
    rows = [
        Row("brat", "annotation.conf parses, types are storage forms", "error", len(config.entities) or 1,
            len(problems), "; ".join(problems[:3])),
        Row("brat", "visual.conf labels parse, name known types", "error", len(kinds), len(labels),
            "; ".join(labels[:3])),
        Row("brat", "verifier: types known, text matches, overlaps allowed", "error", count, len(errors),
            "; ".join(errors[:3]) + (f" (+{len(errors) - 3} more)" if len(errors) > 3 else "")),
    ]
    back = {tag for annotation in import_brat(folder) for tag in annotation.tags}
    lost = sorted(context.tags - back)
    rows.append(Row("brat", "tag names come back on import", "error", len(context.tags), len(lost),
                    ", ".join(lost) + (f" (types: {', '.join(sorted(kinds))})" if lost else "")))
    return rows


# ---- doccano ----------------------------------------------------------------------------------


def check_doccano(context: Context) -> list[Row]:
    """What doccano's JSONL import (backend/data_import) does with the file: every line read into
    one table, so a key missing from a line becomes NaN (doccano issue 2229: it then fails on
    `meta`); a Sequence Labeling project reads spans from the column `label` by default, as
    `[start, end, "label"]` with start < end (`SpanLabel.parse`)."""
    lines = [line for line in context.exports["doccano"].read_text(encoding="utf-8").split("\n") if line]
    records = [json.loads(line, parse_constant=lambda name: math.nan) for line in lines]
    keys = Counter(frozenset(record) for record in records)
    shapes = len(keys)
    missing = sorted(set().union(*keys) - set.intersection(*(set(k) for k in keys))) if keys else []

    def empty(value: object) -> bool:
        return value is None or (isinstance(value, float) and math.isnan(value))

    nulls = sum(1 for record in records for value in record.values() if empty(value))
    spans = [triple for record in records for triple in record.get("label") or []]
    bad = [triple for triple in spans if not (isinstance(triple, list) and len(triple) == 3
                                              and isinstance(triple[0], int) and isinstance(triple[1], int)
                                              and 0 <= triple[0] < triple[1] and isinstance(triple[2], str)
                                              and triple[2])]
    no_label = sum(1 for record in records if "label" not in record)
    return [
        Row("doccano", "every line has the same keys (no NaN in meta)", "error", len(records), len(records) if shapes > 1 else 0,
            f"{shapes} key sets; keys missing from some lines: {', '.join(missing)}" if shapes > 1 else ""),
        Row("doccano", "no null or NaN value", "error", len(records), nulls),
        Row("doccano", "spans in `label` as [start, end, \"label\"]", "error", len(records),
            no_label + len(bad), f"{no_label} lines without `label`" if no_label else ""),
    ]


# ---- spaCy / Prodigy --------------------------------------------------------------------------


def check_spacy(context: Context) -> list[Row]:
    """The Prodigy export in spaCy: each span's text is `text[start:end]`, `Doc.char_span` finds
    it (strict alignment: on token boundaries; a miss is a warning, since an annotation may cut
    a word), and a DocBin round trip keeps every span."""
    try:
        import spacy
        from spacy.tokens import DocBin
    except ImportError:
        return [Row("prodigy", "spaCy alignment", "skipped", detail="spacy not installed")]
    nlp = spacy.blank("xx")
    tasks = [json.loads(line) for line in context.exports["prodigy"].read_text(encoding="utf-8").split("\n") if line]
    wrong_text = unaligned = 0
    cut: list[str] = []
    docs = []
    expected = []
    for task in tasks:
        doc = nlp.make_doc(task["text"])
        found = []
        for item in task["spans"]:
            wrong_text += task["text"][item["start"]:item["end"]] != item["text"]
            char_span = doc.char_span(item["start"], item["end"], label=item["label"])
            if char_span is None:
                unaligned += 1
                cut.append(repr(item["text"][:40]))
                continue
            found.append(char_span)
        doc.spans["sc"] = found
        docs.append(doc)
        expected.append(sorted((s.start_char, s.end_char, s.label_) for s in found))
    back = list(DocBin(docs=docs, store_user_data=True).get_docs(nlp.vocab))
    got = [sorted((s.start_char, s.end_char, s.label_) for s in doc.spans["sc"]) for doc in back]
    total = sum(len(task["spans"]) for task in tasks)
    return [
        Row("prodigy", "span text is text[start:end]", "error", total, wrong_text),
        Row("prodigy", "doc.char_span finds the span (strict)", "warning", total, unaligned,
            f"not on token boundaries: {', '.join(cut)}" if cut else ""),
        Row("prodigy", "DocBin round trip keeps spans", "error", total - unaligned,
            sum(len(a) for a in expected) - sum(1 for a, b in zip(expected, got) for x in a if x in b)),
    ]


# ---- REFI-QDA --------------------------------------------------------------------------------


def check_qdpx(context: Context) -> list[Row]:
    """The qdpx project: `tools/check_qdpx.py`'s structural check (zip layout, references that
    point at what they must, selections inside their source), and the REFI-QDA XSD from
    `../shared/standards/refi-qda/` with `xmlschema` when it is there."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("check_qdpx", Path(__file__).resolve().parent / "check_qdpx.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    xsd = context.standards / "refi-qda" / "Project-mrt2019.xsd" if context.standards else None
    if xsd is not None and not xsd.is_file():
        xsd = None
    problems = tool.check_qdpx(context.exports["qdpx"], xsd=xsd) if xsd else tool.check_qdpx(context.exports["qdpx"])
    checked = "structure and the REFI-QDA XSD" if tool.schema_path(xsd) else "structure only (no XSD found)"
    return [Row("qdpx", f"project.qde valid: {checked}", "error", 1, len(problems), "; ".join(problems[:3]))]


# ---- running ----------------------------------------------------------------------------------

#: Every check, in the order of the table. One per format; a format another module adds
#: (qdpx) appends its own.
CHECKS: list[Check] = [
    Check("w3c", check_w3c),
    Check("brat", check_brat),
    Check("doccano", check_doccano),
    Check("prodigy", check_spacy),
    Check("qdpx", check_qdpx),
]


def export_all(store: Store, folder: Path) -> dict[str, Path]:
    """Every format `reader export` writes, into `folder`."""
    suffixes = {"w3c": ".jsonld", "doccano": ".jsonl", "prodigy": ".jsonl", "csv": ".csv", "brat": "", "qdpx": ".qdpx"}
    written = {}
    for fmt in (*EXPORTERS, "qdpx"):
        path = folder / f"export-{fmt}{suffixes.get(fmt, '.' + fmt)}"
        write_export(store, path, fmt=fmt)
        written[fmt] = path
    return written


def run_checks(folder: Path, standards: Path | None, checks: Iterable[Check] | None = None,
               database: Path | None = None) -> list[Row]:
    """Build the database in `folder` (or read `database`, never writing to it), export every
    format there, run `checks` (`CHECKS`)."""
    store = Store.open(database, read_only=True) if database else build_database(folder / "check.db")
    try:
        context = Context(folder, standards, export_all(store, folder))
        if database:
            context.tags = _tags_in_w3c(context.exports["w3c"])
    finally:
        store.close()
    rows: list[Row] = []
    for check in CHECKS if checks is None else checks:
        if check.format not in context.exports:
            rows.append(Row(check.format, "export", "skipped", detail="format not exported"))
            continue
        try:
            rows.extend(check.run(context))
        except Exception as error:  # a broken file is a failure of the check, shown in the table
            rows.append(Row(check.format, check.run.__name__, "error", 1, 1, f"{type(error).__name__}: {error}"))
    return rows


def _tags_in_w3c(path: Path) -> set[str]:
    """The tags of a W3C export (it carries every annotation's tags)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return {body["value"] for item in document["first"]["items"] for body in item["body"]
            if body.get("purpose") == "tagging"}


def table(rows: list[Row]) -> str:
    """The rows as an aligned plain-text table."""
    head = ("format", "check", "level", "failed", "detail")
    body = [(row.format, row.check, row.level,
             "-" if row.level in ("skipped", "info") else f"{row.failed}/{row.checked}", row.detail)
            for row in rows]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(4)]
    lines = []
    for line in [head, tuple("-" * w for w in widths) + ("-" * 6,), *body]:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(line[:4], widths)) + "  " + line[4])
    notes = sorted({f"  {name}: {why}" for name, why in W3C_NOT_APPLICABLE.items()
                    if any(row.level == "n/a" and row.failed for row in rows)})
    if notes:
        lines += ["", "W3C SHOULDs that do not apply to what reader writes:", *notes]
    return "\n".join(line.rstrip() for line in lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--standards", type=Path,
                        default=Path(os.environ.get("READER_STANDARDS", DEFAULT_STANDARDS)),
                        help="the shared standards folder (default: ../shared/standards beside the project)")
    parser.add_argument("--keep", type=Path, help="write the database and exports into this folder and keep them")
    parser.add_argument("--database", type=Path,
                        help="check the exports of this database (read only) instead of the built-in test cases")
    options = parser.parse_args(argv)
    standards = options.standards if options.standards.is_dir() else None
    if standards is None:
        print(terminal_line(f"note: {options.standards} not found; the W3C schema checks are skipped"), file=sys.stderr)
    if options.keep:
        options.keep.mkdir(parents=True, exist_ok=True)
        rows = run_checks(options.keep, standards, database=options.database)
    else:
        with tempfile.TemporaryDirectory(prefix="reader-check-") as folder:
            rows = run_checks(Path(folder), standards, database=options.database)
    # details quote tag names, file names and lines of a database of yours (`--database`):
    # printed through reader's terminal guard, never raw
    print(terminal_text(table(rows)))
    blocking = [row for row in rows if row.blocking]
    print(f"\n{len(blocking)} blocking failure{'s' * (len(blocking) != 1)} (MUST or error)")
    return 1 if blocking else 0


if __name__ == "__main__":
    sys.exit(main())
