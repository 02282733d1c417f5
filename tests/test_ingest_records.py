"""Records of JSON, JSONL and CSV (issue 16): every field kept (known ones mapped by name, the
others as the article's attributes), CSV import, JSONL and CSV read a record at a time with the
size limit per record, and `--source`, `--source-from-folder`, `--set` for a whole import."""

from __future__ import annotations

import io
import json
import sqlite3
import tracemalloc

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.core.config import parse_config
from reader.core.ingest import Document, ReadOptions, SizeLimit, Skipped, read_data, read_file
from reader.services.export import write_yaml
from reader.services.import_yaml import import_annotations
from reader.store import Store

MEGABYTE = 1024 * 1024


def results(path, limit=None, options=ReadOptions()):
    return list(read_file(path, limit, options))


def documents(items):
    return [item for item in items if isinstance(item, Document)]


def skipped(items):
    return [item.reason for item in items if isinstance(item, Skipped)]


# --- csv ----------------------------------------------------------------------------------

#: A messy CSV of the kind a scraper writes: a byte-order mark, semicolons, dataset field names,
#: a text with a quoted newline and a quoted semicolon, a row with a field too many, a row
#: whose quote never closes, mojibake, an empty cell, a blank line.
MESSY_CSV = (
    "\ufeffheadline;body;pubdate;section;desk;wordcount\r\n"
    '"Harbour reopens";"The harbour at Westmere reopened on Monday.\r\nFishing boats were back by noon; '
    'the ferry follows next week.";2024-03-04;local;north;21\r\n'
    "Tram fares;Tram fares rise by 5 pence from June.;2024-05-01;transport;;9;surplus\r\n"
    "\r\n"
    "Market square;The new market square costs Â£3 to enter, traders said.;03/06/2024;business;south;11\r\n"
    'Bridge works;"Works on the bridge start soon;2024-07-01;local;north;7\r\n'
)


def test_a_messy_csv_maps_its_fields_keeps_the_others_and_skips_bad_rows_alone(tmp_path):
    path = tmp_path / "dump.csv"
    path.write_bytes(MESSY_CSV.encode("utf-8"))
    items = results(path)
    harbour, market = documents(items)
    assert harbour.title == "Harbour reopens"
    assert harbour.text == ("The harbour at Westmere reopened on Monday.\nFishing boats were back by noon; "
                            "the ferry follows next week.")
    assert (harbour.published, harbour.locator) == ("2024-03-04", "line 2")
    assert harbour.attributes == (("section", "local"), ("desk", "north"), ("wordcount", "21"))
    assert market.text == "The new market square costs £3 to enter, traders said." and market.repaired
    assert (market.published, market.published_written, market.locator) == ("2024-06-03", "03/06/2024", "line 6")
    assert market.attributes == (("section", "business"), ("desk", "south"), ("wordcount", "11"))
    assert skipped(items) == [
        "line 4: 7 fields where the header has 6",
        "line 7: not valid CSV (unexpected end of data)",
    ]


@pytest.mark.parametrize(("name", "content", "delimiter"), [
    ("dump.tsv", "title\ttext\tlang\nDam vote\tThe council voted for the dam.\tde\n", None),
    ("dump.csv", "title|text|lang\nDam vote|The council voted for the dam.|de\n", None),
    ("dump.csv", "title|text|lang\nDam vote|The council voted for the dam.|de\n", "|"),
    ("dump.csv", "title,text,lang\nDam vote,\"The council voted for the dam.\",de\n", None),
])
def test_csv_delimiters_are_sniffed_or_given(tmp_path, name, content, delimiter):
    options = ReadOptions(csv_delimiter=delimiter)
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    [document] = results(path, options=options)
    assert (document.title, document.text, document.attributes) == ("Dam vote", "The council voted for the dam.", (("lang", "de"),))


def test_a_csv_in_a_legacy_encoding_is_decoded_and_a_csv_without_text_says_which_field(tmp_path):
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("title,text\nCafé,Le café du port a rouvert ses portes à midi.\n".encode("cp1252"))
    [document] = results(legacy)
    assert document.title == "Café" and document.encoding == "cp1252"
    no_text = tmp_path / "no_text.csv"
    no_text.write_text("title,summary\nDam vote,short\n", encoding="utf-8")
    assert skipped(results(no_text)) == [  # once for the file (a passages export, say), not once a row
        "line 1: no text column in the header (looked for text, body, content, article, story...; see import.fields)"]


# --- field names --------------------------------------------------------------------------


def test_configured_field_names_come_before_the_defaults(tmp_path):
    from reader.services.corpus import read_options

    config_path = tmp_path / "config.yaml"
    text = ("annotator: alice\nimport:\n  fields:\n    title: Überschrift\n    text: [Fliesstext]\n"
            "    source: [zeitung]\n  csv_delimiter: tab\n")
    config = parse_config(text, config_path)
    options = read_options(config.importing)
    assert options.csv_delimiter == "\t"
    record = {"Überschrift": "Deichbau beginnt", "title": "ignored title", "Fliesstext": "Der Deich wird erhöht.",
              "zeitung": "Nordblatt", "rubrik": "Küste"}
    [document] = read_data(json.dumps(record).encode("utf-8"), "record.json", ".json", options)
    assert (document.title, document.text, document.source) == ("Deichbau beginnt", "Der Deich wird erhöht.", "Nordblatt")
    assert document.attributes == (("title", "ignored title"), ("rubrik", "Küste"))


def test_a_json_record_keeps_every_field_as_strings(tmp_path):
    record = {"Headline": "Ferry strike ends", "Body": "Ferry crews returned to work on Tuesday.", "pubdate": "2024-02-06",
              "outlet": "Coast Courier", "link": "https://example.org/ferry", "byline": ["A. Reed", "B. Lund"],
              "category": "lab\x1b[31mour\r\n", "score": 0.75, "verified": True, "tags": ["ferry", "strike"], "empty": "", "none": None}
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    [document] = results(path)
    assert (document.title, document.source, document.url, document.author, document.published) == (
        "Ferry strike ends", "Coast Courier", "https://example.org/ferry", "A. Reed, B. Lund", "2024-02-06")
    assert document.attributes == (("category", "labour"), ("score", "0.75"), ("verified", "true"),
                                   ("tags", '["ferry", "strike"]'))


# --- streaming, limits per record ---------------------------------------------------------


def test_a_jsonl_larger_than_the_limit_imports_record_by_record_in_little_memory(tmp_path):
    path = tmp_path / "big.jsonl"
    line = json.dumps({"title": "Tide tables", "text": "High tide at six. " * 100}) + "\n"
    with path.open("w", encoding="utf-8") as out:
        for number in range(4000):  # about 7 MB of records, each different
            out.write(line.replace("six", f"six ({number})"))
        out.write(json.dumps({"title": "Huge", "text": "x" * (2 * MEGABYTE)}) + "\n")
        out.write(line.replace("six", "seven"))
    assert path.stat().st_size > 8 * MEGABYTE
    tracemalloc.start()
    try:
        count, reasons = 0, []
        for item in read_file(path, SizeLimit(1, "import.max_file_mb in config.yaml")):
            if isinstance(item, Document):
                count += 1
            else:
                reasons.append(item.reason)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 4001
    assert reasons == ["line 4001: larger than the 1 MB limit (2.0 MB; import.max_file_mb in config.yaml)"]
    assert peak < 4 * MEGABYTE  # a record at a time (a few times the 1 MB limit), never the file


def test_a_csv_row_over_the_limit_is_skipped_alone_and_line_numbers_stay_right(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(
        "title,text\nFirst,The first row is short.\n"
        f'Huge,"{"y" * (MEGABYTE + 10)}"\n'
        'Quoted,"A text over\ntwo lines."\nLast,The last row is short too.\n',
        encoding="utf-8",
    )
    items = results(path, SizeLimit(1))
    assert [(document.title, document.locator) for document in documents(items)] == [
        ("First", "line 2"), ("Quoted", "line 4"), ("Last", "line 6")]
    assert skipped(items) == ["line 3: larger than the 1 MB limit (1.0 MB)"]


def test_a_jsonl_line_not_in_the_files_encoding_is_skipped_alone(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"text": "Snow closed the pass."}\n{"text": "Bad \xff byte."}\n{"text": "The pass reopened."}\n'
                     .replace(b'{"text": "Snow', b'{"text": "' + "Schnee ".encode("utf-8") * 200000 + b'Snow'))
    items = results(path)
    assert len(documents(items)) == 2
    assert skipped(items) == ["line 2: not valid UTF-8 (byte 0xff at offset 14 of the line)"]


def test_standard_input_reads_csv_through_the_same_path():
    data = "title,text,topic\nFloods ease,Rivers fell overnight across the valley.,weather\n".encode("utf-8")
    [document] = read_data(data, "<stdin>", ".csv")
    assert document.attributes == (("topic", "weather"),)


# --- the store, the command, the YAML export ----------------------------------------------


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.delenv("READER_CONFIG", raising=False)
    monkeypatch.delenv("READER_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text(
        "annotator: alice\nload_samples: false\nimport:\n  max_file_mb: 1\n  fields:\n    text: [story]\n",
        encoding="utf-8",
    )
    return tmp_path


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def rows(database, sql):
    conn = sqlite3.connect(database)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_import_stores_attributes_sets_fields_and_takes_sources_from_folders(workspace):
    folder = workspace / "dumps" / "valley-post"
    folder.mkdir(parents=True)
    (folder / "week.csv").write_text(
        "title,story,section\nFloods ease,Rivers fell overnight across the valley.,weather\n"
        "Mill closes,The old mill closed after ninety years.,business\n", encoding="utf-8")
    big = folder / "big.jsonl"  # over the 1 MB file limit, of small records: imported
    with big.open("w", encoding="utf-8") as out:
        for number in range(1500):
            story = f"Parish notice number {number} of the year. " + "The hall is open on market days. " * 24
            out.write(json.dumps({"title": f"Notice {number}", "story": story}) + "\n")
    assert big.stat().st_size > MEGABYTE
    result = run("import", "dumps", "--source-from-folder", "--set", "collection=spring", "--set", "author=Desk")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "1502 imported, 0 updated, 0 unchanged, 0 skipped"
    database = workspace / "annotations.db"
    assert rows(database, "SELECT DISTINCT source, author FROM articles") == [("valley-post", "Desk")]
    assert rows(database, "SELECT a.title, t.name, t.value FROM article_attributes t JOIN articles a ON a.id = t.article_id "
                          "WHERE a.title IN ('Floods ease', 'Mill closes') ORDER BY a.id, t.position") == [
        ("Floods ease", "section", "weather"), ("Floods ease", "collection", "spring"),
        ("Mill closes", "section", "business"), ("Mill closes", "collection", "spring")]
    again = run("import", "-", "--stdin-format", "csv", "--source", "Wire", stdin="title,story\nGale warning,Gales are due tonight.\n")
    assert again.exit_code == 0, again.output
    assert rows(database, "SELECT source FROM articles WHERE title = 'Gale warning'") == [("Wire",)]
    wrong = run("import", "dumps", "--set", "nothing")
    assert wrong.exit_code == 2 and "expected name=value" in wrong.output


def test_attributes_travel_in_the_yaml_export_and_come_back_with_its_import(tmp_path):
    source = Store.open(tmp_path / "source.db")
    text = "Floods ease\n\nRivers fell overnight across the valley."
    article_id = source.articles.add(Document(
        text=text, title="Floods ease", source="Valley Post", url=None, path="week.csv", published=None,
        locator="line 2", attributes=(("section", "weather"), ("note: odd", "yes\nmultiline")))).article_id
    source.annotations.add(article_id, 0, 11, ["politics"], "alice")
    assert source.articles.get(article_id).attributes == (("section", "weather"), ("note: odd", "yes\nmultiline"))
    stream = io.StringIO()
    write_yaml(source, stream, exported="2026-01-01T12:00:00+00:00")
    source.close()
    exported = tmp_path / "all.yaml"
    exported.write_text(stream.getvalue(), encoding="utf-8")
    assert "  attributes:\n  - name: section\n    value: weather\n" in stream.getvalue()
    target = Store.open(tmp_path / "target.db")
    import_annotations(target, exported)
    [(new_id,)] = target.db.execute("SELECT id FROM articles").fetchall()
    assert target.articles.get(new_id).attributes == (("section", "weather"), ("note: odd", "yes\nmultiline"))
    target.close()


def test_a_reimport_replaces_the_attributes_with_the_files(tmp_path):
    store = Store.open(tmp_path / "db.db")
    first = Document(text="Dam vote\n\nThe council voted.", title="Dam vote", source=None, url=None, path="d.csv",
                     published=None, locator="line 2", attributes=(("section", "local"),))
    article_id = store.articles.add(first).article_id
    changed = Document(text="Dam vote\n\nThe council voted again.", title="Dam vote", source=None, url=None, path="d.csv",
                       published=None, locator="line 2", attributes=(("section", "politics"), ("desk", "north")))
    assert store.articles.add(changed).outcome == "updated"
    assert store.articles.get(article_id).attributes == (("section", "politics"), ("desk", "north"))
    store.close()


# --- the article header -------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (160, 40)])
async def test_the_article_header_shows_the_attributes(tmp_path, config, size):
    from reader.tui.app import ReaderApp

    from .conftest import open_article

    store = Store.open(config.database)
    store.tags.sync(config.tags)
    store.articles.add(Document(
        text="Floods ease\n\nRivers fell overnight across the valley.", title="Floods ease", source="Valley Post",
        url=None, path="week.csv", published="2024-03-04", locator="line 2",
        attributes=(("section", "weather"), ("summary", "Rivers\nfell \x1b[2Jfast " + "and far " * 20))))
    app = ReaderApp(config, store)
    try:
        async with app.run_test(size=size) as pilot:
            await open_article(pilot)
            header = str(app.screen.query_one("#article-title").render())
            assert header.startswith("Floods ease  Valley Post · 2024-03-04  section: weather · summary: Rivers fell")
            assert "\x1b" not in header and "\n" not in header
            if size[0] > 100:
                assert "summary: Rivers fell \ufffd[2Jfast and far and far" in header and header.endswith("…")
    finally:
        store.close()
