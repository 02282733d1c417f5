"""Exporters and importers of reader.core.exchange.formats, against hand-written expected files
in tests/data/exchange (written by hand from the formats' documentation, not by the exporters)."""

import csv
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from reader.core.entities import Span
from reader.core.exchange.formats import EXPORTERS, FOLDER_FORMATS, IMPORTERS, ImportedAnnotation
from reader.core.exchange.formats.brat import export_brat, import_brat, tag_name, type_name
from reader.core.exchange.formats.csv_format import export_csv
from reader.core.safetext import spreadsheet_cell as neutralise
from reader.core.exchange.formats.doccano import export_doccano, import_doccano
from reader.core.exchange.formats.prodigy import export_prodigy, import_prodigy
from reader.core.exchange.formats.w3c import export_w3c, import_w3c
from reader.core.model import Annotation, Article

DATA = Path(__file__).parent / "data" / "exchange"
TEXT = "Zoë Martín opened a café in Lyon 🎉 last spring. Critics called it “a quiet revolution” for the quarter. Sales doubled."
UID = "d162b4012ec0e98569d8aad1e1b40be96ec06bd629a7c62be4925fa374625373"
COLLECTION = "urn:uuid:00000000-0000-4000-8000-000000000001"

ARTICLE = Article(
    id=1, uid=UID, sha256=UID, title='A café, and a "quiet revolution"', source="Lyon Daily",
    url="https://example.test/cafe", path=None, locator=None, published="2025-09-14", tags=(), text=TEXT,
)
# Two overlapping annotations: the outer one with two tags and a two-line note, one nested inside it.
OUTER = Annotation(
    id="2f1c9a4e-8b1d-4c1e-9a53-0c6a3f1d2b7e", article_id=1, start=48, end=103,
    quote="Critics called it “a quiet revolution” for the quarter.", prefix="d a café in Lyon 🎉 last spring. ",
    suffix=" Sales doubled.", note="Check the source.\nSecond line.", annotator="alice",
    created="2026-01-02T09:30:00+00:00", updated="2026-01-03T10:00:00+00:00", tags=("public opinion", "reception"),
)
INNER = Annotation(
    id="7d3e5b10-4a2f-4f6b-8c9d-1e2f3a4b5c6d", article_id=1, start=67, end=85, quote="a quiet revolution",
    prefix="last spring. Critics called it “", suffix="” for the quarter. Sales doubled", note=None, annotator="bob",
    created="2026-01-02T09:45:00+00:00", updated="2026-01-02T09:45:00+00:00", tags=("quote",),
)
ENTITY = Span(0, 10, "PERSON", "user", 1.0)
ITEMS = [(ARTICLE, [OUTER, INNER], [ENTITY])]


def test_the_sample_is_consistent():
    # The hand-written expectations rest on these facts; the emoji makes UTF-16 offsets differ.
    for annotation in (OUTER, INNER):
        start, end = annotation.start, annotation.end
        assert TEXT[start:end] == annotation.quote
        assert TEXT[max(0, start - 32) : start] == annotation.prefix and TEXT[end : end + 32] == annotation.suffix
    assert TEXT[ENTITY.start : ENTITY.end] == "Zoë Martín"
    assert len(TEXT.encode("utf-16-le")) // 2 == len(TEXT) + 1


def imported(annotation: Annotation, *, key: str = UID, full: bool = False, note: bool = False) -> ImportedAnnotation:
    """What an importer should give back for `annotation`: everything for a full format, else the
    range, the quote and its context, the tags (and the note where the format carries one)."""
    return ImportedAnnotation(
        article=key, start=annotation.start, end=annotation.end, quote=annotation.quote, prefix=annotation.prefix,
        suffix=annotation.suffix, tags=annotation.tags, note=annotation.note if (full or note) else None,
        annotator=annotation.annotator if full else None, created=annotation.created if full else None,
        updated=annotation.updated if full else None, id=annotation.id if full else None,
    )


def json_lines(text: str) -> list:
    """Every line parsed on its own (so each must be valid JSON)."""
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def exported(export, *args, **options) -> str:
    stream = io.StringIO()
    export(ITEMS, stream, *args, **options)
    return stream.getvalue()


# W3C Web Annotation


def test_w3c_export_matches_the_hand_written_collection():
    text = exported(export_w3c, collection_id=COLLECTION)
    expected = (DATA / "sample.w3c.jsonld").read_text(encoding="utf-8")
    assert json.loads(text) == json.loads(expected)
    assert "café" in text and "🎉" in text  # readable, not \u-escaped


def test_w3c_export_without_annotations_is_an_empty_valid_collection():
    stream = io.StringIO()
    assert export_w3c([(ARTICLE, [], [ENTITY])], stream, collection_id=COLLECTION) == 0
    document = json.loads(stream.getvalue())
    assert document["total"] == 0 and document["first"]["items"] == []


def test_w3c_round_trip_keeps_everything():
    text = exported(export_w3c, collection_id=COLLECTION)
    result = import_w3c(io.StringIO(text))
    assert result == [imported(OUTER, key=ARTICLE.url, full=True), imported(INNER, key=ARTICLE.url, full=True)]


def test_w3c_reads_the_files_written_before_motivation_and_names():
    # sample-v1: as reader wrote W3C before (no motivation, creator by nickname, no collection
    # `last`, no tag `format`): it imports exactly as the current export does
    old = import_w3c(io.StringIO((DATA / "sample-v1.w3c.jsonld").read_text(encoding="utf-8")))
    assert old == import_w3c(io.StringIO(exported(export_w3c, collection_id=COLLECTION)))


def test_w3c_meets_the_shoulds_that_apply():
    document = json.loads(exported(export_w3c, collection_id=COLLECTION))
    page = document["first"]
    assert document["last"] == page["id"] and page["partOf"] == document["id"]
    outer, inner = page["items"]
    assert outer["motivation"] == inner["motivation"] == "tagging"
    assert outer["creator"] == {"type": "Person", "name": "alice", "nickname": "alice"}
    assert all(body["format"] == "text/plain" for body in outer["body"] + inner["body"])


def test_w3c_a_memo_is_commenting_and_selectors_always_have_prefix_and_suffix():
    end = len(TEXT)
    memo = replace(INNER, id="m", start=end - 7, end=end, quote=TEXT[-7:], prefix=TEXT[end - 39 : end - 7],
                   suffix="", tags=(), note="Which sales?")
    opening = replace(INNER, id="o", start=0, end=10, quote=TEXT[:10], prefix="", suffix=TEXT[10:42])
    stream = io.StringIO()
    export_w3c([(ARTICLE, [memo, opening], [])], stream, collection_id=COLLECTION)
    first, second = json.loads(stream.getvalue())["first"]["items"]
    assert first["motivation"] == "commenting"
    assert first["body"] == [{"type": "TextualBody", "purpose": "commenting", "value": "Which sales?",
                              "format": "text/plain"}]
    assert first["target"]["selector"][1]["suffix"] == "" and second["target"]["selector"][1]["prefix"] == ""
    back = import_w3c(io.StringIO(stream.getvalue()))
    assert [(one.tags, one.note, one.prefix, one.suffix) for one in back] == [
        ((), "Which sales?", memo.prefix, ""), (INNER.tags, None, "", opening.suffix)]


@pytest.mark.parametrize(("url", "uri", "iri"), [
    ("https://news.example/hafen?x=ä", "https://news.example/hafen?x=%C3%A4", None),
    ("https://news.example/a b/ü?q=1&r=2#frag", "https://news.example/a%20b/%C3%BC?q=1&r=2#frag", None),
    ("https://news.example/100%?p=%2F", "https://news.example/100%25?p=%2F", None),
    ("https://news.example/plain?x=1", "https://news.example/plain?x=1", None),
    # already a URI: written as it is (the importer matches it as written first)
    ("https://news.example/?q=%C3%A4", "https://news.example/?q=%C3%A4", "https://news.example/?q=ä"),
])
def test_w3c_writes_the_source_as_a_valid_uri_and_reads_it_back(url, uri, iri):
    from reader.core.exchange.formats.w3c import iri_to_uri, uri_to_iri

    assert iri_to_uri(url) == uri
    assert all(33 <= ord(ch) < 127 for ch in uri)
    assert uri_to_iri(uri) == (iri or url)
    stream = io.StringIO()
    export_w3c([(replace(ARTICLE, url=url), [INNER], [])], stream, collection_id=COLLECTION)
    [record] = json.loads(stream.getvalue())["first"]["items"]
    assert record["target"]["source"] == uri


def test_w3c_names_an_article_without_url_and_odd_ids_by_reader_urns():
    article = replace(ARTICLE, url=None)
    odd = replace(INNER, id="yaml id/7")
    stream = io.StringIO()
    export_w3c([(article, [odd], [])], stream, collection_id=COLLECTION)
    [record] = json.loads(stream.getvalue())["first"]["items"]
    assert record["target"]["source"] == f"urn:reader:article:{UID}"
    assert record["id"] == "urn:reader:annotation:yaml%20id%2F7"
    [back] = import_w3c(io.StringIO(stream.getvalue()))
    assert back.article == UID and back.id == "yaml id/7"


def test_w3c_import_reads_a_lone_annotation_from_elsewhere():
    document = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "http://example.org/anno1",
        "type": "Annotation",
        "motivation": "tagging",
        "creator": "http://example.org/user1",
        "body": [{"type": "TextualBody", "value": "economy"}],
        "target": {"source": "http://example.org/page", "selector": {"type": "TextQuoteSelector", "exact": "GDP"}},
    }
    [result] = import_w3c(io.StringIO(json.dumps(document)))
    assert result == ImportedAnnotation(
        article="http://example.org/page", start=None, end=None, quote="GDP", tags=("economy",),
        annotator="http://example.org/user1", id="http://example.org/anno1",
    )


# doccano


def test_doccano_export_matches_the_hand_written_lines():
    text = exported(export_doccano)
    assert json_lines(text) == json_lines((DATA / "sample.doccano.jsonl").read_text(encoding="utf-8"))


def test_doccano_round_trip_keeps_ranges_and_tags():
    result = import_doccano(io.StringIO(exported(export_doccano)))
    assert result == [imported(OUTER), imported(INNER)]


def test_doccano_import_reads_the_older_label_triples_and_doccano_ids():
    line = json.dumps({"id": 12, "text": TEXT, "label": [[67, 85, "quote"], [48, 103, "reception"]]})
    result = import_doccano(io.StringIO(line + "\n"))
    assert [(a.article, a.start, a.end, a.tags, a.quote) for a in result] == [
        ("12", 48, 103, ("reception",), OUTER.quote),
        ("12", 67, 85, ("quote",), INNER.quote),
    ]


def test_doccano_reads_the_files_older_exports_wrote():
    # sample-v1: spans as `entities` objects, keys left out when empty
    old = import_doccano(io.StringIO((DATA / "sample-v1.doccano.jsonl").read_text(encoding="utf-8")))
    assert old == import_doccano(io.StringIO(exported(export_doccano)))


def test_doccano_lines_have_the_same_keys_when_fields_are_missing():
    # doccano reads the lines into one table: a key one line lacks is NaN there, and its import
    # then fails on the example's metadata (doccano issue 2229)
    bare = replace(ARTICLE, id=2, uid="b" * 64, source=None, url=None, published=None, text="Nothing here.")
    stream = io.StringIO()
    export_doccano([(ARTICLE, [OUTER, INNER], []), (bare, [], [])], stream)
    full, empty = json_lines(stream.getvalue())
    assert list(full) == list(empty) == ["text", "label", "article_id", "title", "source", "url", "published"]
    assert (empty["label"], empty["source"], empty["url"], empty["published"]) == ([], "", "", "")
    assert all(value is not None for line in (full, empty) for value in line.values())
    # what doccano's SpanLabel.parse reads from the default column: [start, end, label], start < end
    assert all(isinstance(s, int) and isinstance(e, int) and s < e and isinstance(tag, str) and tag
               for s, e, tag in full["label"])


# Prodigy


def test_prodigy_export_matches_the_hand_written_lines():
    text = exported(export_prodigy, include="both")
    assert json_lines(text) == json_lines((DATA / "sample.prodigy.jsonl").read_text(encoding="utf-8"))


def test_prodigy_spans_align_in_spacy_and_survive_a_docbin():
    # the emoji before the spans: offsets counted in UTF-16 would be one off here
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    nlp = spacy.blank("xx")
    [task] = json_lines(exported(export_prodigy, include="both"))
    doc = nlp.make_doc(task["text"])
    found = [doc.char_span(span["start"], span["end"], label=span["label"]) for span in task["spans"]]
    assert all(found) and [one.text for one in found] == [span["text"] for span in task["spans"]]
    doc.spans["sc"] = found
    [back] = DocBin(docs=[doc]).get_docs(nlp.vocab)
    assert [(one.start_char, one.end_char, one.label_) for one in back.spans["sc"]] == [
        (span["start"], span["end"], span["label"]) for span in task["spans"]]


def test_prodigy_include_picks_the_spans():
    [entities_only] = json_lines(exported(export_prodigy, include="entities"))
    assert [(s["start"], s["end"], s["label"]) for s in entities_only["spans"]] == [(0, 10, "PERSON")]
    [tags_only] = json_lines(exported(export_prodigy, include="tags"))
    assert [s["label"] for s in tags_only["spans"]] == ["public opinion", "reception", "quote"]
    with pytest.raises(ValueError):
        exported(export_prodigy, include="everything")


def test_prodigy_round_trip_keeps_ranges_and_tags_and_skips_entities():
    result = import_prodigy(io.StringIO(exported(export_prodigy, include="both")))
    assert result == [imported(OUTER), imported(INNER)]
    assert import_prodigy(io.StringIO(exported(export_prodigy, include="entities"))) == []


# brat


def read_folder(folder: Path) -> dict[str, str]:
    return {path.name: path.read_bytes().decode("utf-8") for path in sorted(folder.iterdir())}


def test_brat_export_matches_the_hand_written_files(tmp_path):
    assert export_brat(ITEMS, tmp_path) == 3
    assert read_folder(tmp_path) == read_folder(DATA / "brat")  # every file, byte for byte


def test_brat_reads_the_folders_older_exports_wrote():
    # brat-v1: types percent-encoded (`public%20opinion`), no #reader-tag lines
    assert import_brat(DATA / "brat-v1") == import_brat(DATA / "brat")


BRAT_STORAGE_FORM = re.compile(r"^[a-zA-Z0-9_-]+$")  # brat's projectconfig.normalize_to_storage_form


@pytest.mark.parametrize("tag", ["framing/économie", "human rights", "source_type", "--", "-", "pro|con",
                                 "mood 🙂", "A_41_B", "x_5F_y", "Öl", "tab.dot", "conflict"])
def test_brat_types_are_names_brat_keeps_and_come_back_as_tags(tmp_path, tag):
    kind = type_name(tag)
    assert BRAT_STORAGE_FORM.match(kind) and kind.strip("-"), kind  # hyphens only: a separator line
    assert tag_name(kind) == tag  # without annotation.conf, from the type alone
    annotation = replace(INNER, tags=(tag, "quote"))
    export_brat([(ARTICLE, [annotation], [])], tmp_path)
    conf = (tmp_path / "annotation.conf").read_text(encoding="utf-8")
    assert f"\n{kind}\n" in conf and f"#reader-tag\t{kind}\t{json.dumps(tag, ensure_ascii=False)}\n" in conf
    [back] = import_brat(tmp_path)
    assert back.tags == tuple(sorted((tag, "quote")))


def test_brat_keeps_types_brat_users_named_themselves(tmp_path):
    # types reader never writes (an unescaped `_`, a non-canonical escape) stay as they are,
    # with or without the #reader-tag lines, and the listed ones follow the list
    (tmp_path / "a.txt").write_text("Kinase in the liver cell.", encoding="utf-8")
    (tmp_path / "a.ann").write_text("T1\tCell_type 19 24\tcell\nT2\tA_41_ 0 6\tKinase\nT3\thuman_20_rights 0 6\tKinase\n",
                                    encoding="utf-8")
    assert [a.tags for a in import_brat(tmp_path)] == [("A_41_", "human rights"), ("Cell_type",)]
    (tmp_path / "annotation.conf").write_text('#reader-tag\thuman_20_rights\t"rights/human"\n[entities]\n',
                                              encoding="utf-8")
    assert [a.tags for a in import_brat(tmp_path)] == [("A_41_", "rights/human"), ("Cell_type",)]


def test_brat_configuration_allows_every_overlap_and_labels_types_with_tags(tmp_path):
    annotation = replace(OUTER, tags=("framing/économie", "human rights", "pro|con"))
    export_brat([(ARTICLE, [annotation, INNER], [])], tmp_path)
    conf = (tmp_path / "annotation.conf").read_text(encoding="utf-8")
    assert "[relations]\n<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n" in conf
    visual = (tmp_path / "visual.conf").read_text(encoding="utf-8").split("\n")
    assert "framing_2F__E9_conomie | framing/économie" in visual and "human_20_rights | human rights" in visual
    assert not any(line.startswith("pro_7C_con") for line in visual)  # brat's labels split at `|`


def test_brat_round_trip_keeps_ranges_tags_and_notes(tmp_path):
    export_brat(ITEMS, tmp_path)
    assert import_brat(tmp_path) == [imported(OUTER, note=True), imported(INNER, note=True)]


def test_brat_writes_a_multi_line_quote_as_fragments(tmp_path):
    text = "Héllo world.\nNext 🎉 line.\n\nLast."
    article = Article(id=2, uid="multi/line:1", sha256="0" * 64, title="M", source=None, url=None, path=None,
                      locator=None, published=None, tags=(), text=text)
    annotation = Annotation(
        id="a", article_id=2, start=6, end=31, quote=text[6:31], prefix=text[:6], suffix=text[31:],
        note="tab\there, back\\slash", annotator="alice", created="2026-01-01T00:00:00+00:00",
        updated="2026-01-01T00:00:00+00:00", tags=("event",),
    )
    export_brat([(article, [annotation], [])], tmp_path, write_config=False)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["multi_line_1.ann", "multi_line_1.txt"]
    assert (tmp_path / "multi_line_1.txt").read_bytes() == text.encode("utf-8")
    assert (tmp_path / "multi_line_1.ann").read_bytes().decode("utf-8") == (
        "T1\tevent 6 12;13 25;27 31\tworld. Next 🎉 line. Last\n"
        "#1\tAnnotatorNotes T1\ttab\\there, back\\\\slash\n"
    )
    [back] = import_brat(tmp_path)
    assert back == ImportedAnnotation(
        article="multi_line_1", start=6, end=31, quote=annotation.quote, prefix=annotation.prefix,
        suffix=annotation.suffix, tags=("event",), note=annotation.note,
    )


def test_brat_file_names_are_safe_and_distinct(tmp_path):
    def article(uid: str) -> Article:
        return Article(id=3, uid=uid, sha256="0" * 64, title="x", source=None, url=None, path=None, locator=None,
                       published=None, tags=(), text="x")

    export_brat([(article("../a b"), [], []), (article("../A_b"), [], []), (article(""), [], [])], tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "_A_b-2.ann", "_A_b-2.txt", "_a_b.ann", "_a_b.txt", "annotation.conf", "article.ann", "article.txt", "visual.conf",
    ]


# CSV


def test_csv_export_matches_the_hand_written_file():
    assert exported(export_csv) == (DATA / "sample.csv").read_bytes().decode("utf-8")


def test_csv_export_reads_back_as_rows():
    rows = list(csv.DictReader(io.StringIO(exported(export_csv, bom=False))))
    assert [(row["annotation_id"], row["tag"]) for row in rows] == [
        (OUTER.id, "public opinion"), (OUTER.id, "reception"), (INNER.id, "quote"),
    ]
    assert rows[0]["note"] == OUTER.note and rows[2]["note"] == ""


def test_csv_neutralises_formula_injection():
    hostile = replace(INNER, note='=HYPERLINK("http://evil.test","click")', annotator="@alice",
                      tags=("+cmd", "-1", "ok"), quote="\t=1+1")
    article = replace(ARTICLE, title="=SUM(A1:A9)", source="-Lyon Daily")
    stream = io.StringIO()
    export_csv([(article, [hostile], [])], stream, bom=False)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert [row["tag"] for row in rows] == ["'+cmd", "'-1", "ok"]
    assert {row["note"] for row in rows} == {"'=HYPERLINK(\"http://evil.test\",\"click\")"}
    assert {row["annotator"] for row in rows} == {"'@alice"} and {row["quote"] for row in rows} == {"'\t=1+1"}
    assert {(row["article_title"], row["source"]) for row in rows} == {("'=SUM(A1:A9)", "'-Lyon Daily")}
    for row in rows:
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row.values())
    assert neutralise(-5) == -5 and neutralise(None) == "" and neutralise("safe = fine") == "safe = fine"


# Registry


def test_registry_names_every_format():
    assert set(EXPORTERS) == {"w3c", "doccano", "prodigy", "brat", "csv"}
    assert set(IMPORTERS) == {"w3c", "doccano", "prodigy", "brat"}
    assert FOLDER_FORMATS == {"brat"}


# Hostile text


def test_line_separators_in_text_never_split_a_record(tmp_path):
    text = "Zoë said “no” 😀 e\u0301 \u2028 \u202eRTL\u202c \x85 العربية\tend\nnext line."
    article = replace(ARTICLE, text=text, url=None)
    start, end = text.index("said"), text.index("\nnext")
    note = "line\u2028separator\x85and\nnewline"
    annotation = replace(OUTER, start=start, end=end, quote=text[start:end], prefix=text[:start], suffix=text[end:],
                         note=note)
    items = [(article, [annotation], [])]
    for export, load in ((export_doccano, import_doccano), (export_prodigy, import_prodigy)):
        stream = io.StringIO()
        export(items, stream)
        assert len(stream.getvalue().splitlines()) == 1
        assert load(io.StringIO(stream.getvalue())) == [imported(annotation)]
    stream = io.StringIO()
    export_w3c(items, stream, collection_id=COLLECTION)
    assert "\u2028" not in stream.getvalue() and "\x85" not in stream.getvalue()
    assert import_w3c(io.StringIO(stream.getvalue())) == [imported(annotation, full=True)]
    export_brat(items, tmp_path)
    ann = (tmp_path / f"{UID}.ann").read_text(encoding="utf-8")
    assert len(ann.splitlines()) == 3  # two T lines (fragments around U+2028, U+0085, \n) and one note
    assert ";" in ann.splitlines()[0]
    assert import_brat(tmp_path) == [imported(annotation, note=True)]
