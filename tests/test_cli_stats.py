"""`reader stats`: the same numbers as reader/store/figures.py (and so as the Charts screen) in
aligned tables, JSON and CSV; no colour codes or control characters of user text in the output."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.store import figures as insight
from reader.core.entities import Span
from reader.core.ingest import Document
from reader.core.model import sha256_text
from reader.store import Store

CONFIG = """\
annotator: alice
load_samples: false
tags:
  - name: conflict
    key: "1"
  - name: cooperation
    key: "2"
"""


def add_article(store, title, text, source, published):
    doc = Document(text=text, title=title, source=source, url=None, path=f"{title}.txt", published=published, locator="")
    return store.articles.add(doc).article_id


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.delenv("READER_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    store = Store.open(tmp_path / "annotations.db")
    add_article(store, "Talks in Geneva", "Talks in Geneva\n\nAna Lima met the United Nations.", "Wirefeed", "2025-03-03")
    add_article(store, "Port strike", "Port strike\n\nDockers walked out.", "Wirefeed", "2025-01-20")
    add_article(store, "Hostile", "Hostile\n\nA source with escapes.", "Evil\x1b[31mNews [bold]x[/]", None)
    store.annotations.add(1, 0, 15, ["conflict"], "alice")
    store.annotations.add(1, 17, 25, ["conflict", "cooperation"], "bob")
    store.annotations.add(2, 0, 11, ["framing/economy"], "alice")
    store.annotations.add(3, 0, 7, ["conflict"], "bob")
    store.articles.tag(2, "cooperation", "alice")
    store.close()
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, ["stats", *args], catch_exceptions=False)


def open_store(workspace):
    return Store.open(workspace / "annotations.db", read_only=True)


def test_default_prints_totals_and_both_tables(workspace):
    result = run()
    assert result.exit_code == 0, result.output
    out = result.output
    assert "\x1b" not in out  # no colour codes, and the source's ESC is shown as \x1b
    assert "Evil\\x1b[31mNews [bold]x[/]" in out
    lines = out.splitlines()
    assert "  articles            3" in lines and "  annotations         4" in lines
    assert "  published           2025-01-20 to 2025-03-03 (1 undated)" in lines
    source = lines.index("Tags per source (passages tagged, per source)")
    assert lines[source + 1].split() == ["source", "conflict", "cooperation", "framing/economy", "sum"]
    assert lines[source + 3].split() == ["Wirefeed", "2", "1", "1", "4"]
    assert lines[source + 4].split()[-4:] == ["1", "0", "0", "1"]
    assert lines[source + 6].split() == ["all", "sources", "3", "1", "1", "5"]
    month = lines.index("Tags per month (passages tagged, per month)")
    assert [line.split()[0] for line in lines[month + 3 : month + 7]] == ["2025-01", "2025-02", "2025-03", "undated"]
    assert lines[month + 3].split() == ["2025-01", "0", "0", "1", "1"]
    # columns line up: every number ends where its header ends
    header, row = lines[source + 1], lines[source + 3]
    assert header.index("conflict") + len("conflict") == row.index("2") + 1


def test_json_has_the_numbers_of_insight(workspace):
    result = run("--format", "json")
    data = json.loads(result.output)
    store = open_store(workspace)
    try:
        assert data["source"] == insight.tag_counts(store, "source").as_dict()
        assert data["month"] == insight.tag_counts(store, "month").as_dict()
        assert data["totals"] == insight.corpus_totals(store).as_dict()
    finally:
        store.close()
    assert data["source"]["table"][1]["source"] == "Evil\x1b[31mNews [bold]x[/]"
    assert "\\u001b" in result.output  # JSON escapes the control character


def test_json_one_section_with_filters(workspace):
    data = json.loads(run("--by", "month", "--count", "articles", "--annotator", "alice", "--format", "json").output)
    assert list(data) == ["month"]
    assert data["month"]["unit"] == "articles"
    assert [row["month"] for row in data["month"]["table"]] == ["2025-01", "2025-02", "2025-03"]
    assert data["month"]["table"][0]["counts"] == {"conflict": 0, "cooperation": 1, "framing/economy": 1}
    assert data["month"]["column_totals"] == {"conflict": 1, "cooperation": 1, "framing/economy": 1}


def test_csv_one_table(workspace):
    result = run("--by", "source", "--format", "csv", "--tag", "conflict")
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows == [
        ["source", "conflict", "sum"],
        ["Wirefeed", "2", "2"],
        ["Evil\x1b[31mNews [bold]x[/]", "1", "1"],  # a file gets the name exactly
        ["all sources", "3", "3"],
    ]


def test_csv_needs_by(workspace):
    result = CliRunner().invoke(main, ["stats", "--format", "csv"])
    assert result.exit_code == 2
    assert "csv prints one table" in result.output


def test_unknown_tag(workspace):
    result = CliRunner().invoke(main, ["stats", "--tag", "nope"])
    assert result.exit_code == 2 and "no tag called nope" in result.output


def test_co_occurrence(workspace):
    out = run("--by", "cooccurrence").output
    lines = out.splitlines()
    assert lines[0].startswith("Tag co-occurrence")
    assert lines[3].split() == ["conflict", "3", "1", "0", "1"]
    assert lines[4].split() == ["cooperation", "1", "1", "0", "1"]
    articles = json.loads(run("--by", "cooccurrence", "--count", "articles", "--format", "json").output)
    store = open_store(workspace)
    try:
        assert articles["cooccurrence"] == insight.tag_co_occurrence(store, "article").as_dict()
    finally:
        store.close()


def test_entities_need_the_index_then_print_its_months(workspace):
    result = CliRunner().invoke(main, ["stats", "--by", "entities"])
    assert result.exit_code == 1 and "entity index is empty" in result.output
    store = Store.open(workspace / "annotations.db")
    text = store.articles.get(1).text
    start = text.index("Ana Lima")
    store.entities.cache(sha256_text(text), "test/1", [Span(start, start + 8, "PERSON", "test")])
    store.close()
    data = json.loads(run("--by", "entities", "--entity", "ana lima", "--format", "json").output)
    assert data["entities"]["column_keys"] == ["Ana Lima (PERSON)"]
    assert data["entities"]["table"] == [{"month": "2025-03", "counts": {"Ana Lima (PERSON)": 1}, "sum": 1}]
    missing = CliRunner().invoke(main, ["stats", "--by", "entities", "--entity", "Nobody Atall"])
    assert missing.exit_code == 2 and "no entity called Nobody Atall" in missing.output
    assert CliRunner().invoke(main, ["stats", "--entity", "x"]).exit_code == 2


def test_stats_writes_nothing(workspace):
    database = workspace / "annotations.db"
    run()  # the first command brings in config.yaml's tags, as every command does
    before = database.read_bytes()
    for args in (("--format", "json"), ("--by", "cooccurrence"), ("--by", "month", "--format", "csv")):
        run(*args)
    assert database.read_bytes() == before


@pytest.mark.parametrize("args", [
    ("--format", "json"),
    ("--by", "month", "--count", "articles", "--format", "json"),
    ("--by", "source", "--count", "articles", "--tag", "conflict", "--format", "json"),
    ("--by", "cooccurrence", "--count", "articles", "--format", "json"),
    ("--by", "cooccurrence", "--annotator", "bob", "--format", "json"),
    ("--by", "cooccurrence", "--format", "csv"),
])
def test_the_same_output_as_counting_from_the_rows(workspace, monkeypatch, args):
    """What store migration m013 keeps (each tagging's month and source) gives the very output
    of counting from the rows."""
    kept = run(*args).output
    monkeypatch.setattr(insight, "READ_SUMMARIES", False)
    assert run(*args).output == kept


def test_entity_months_are_the_same_from_the_kept_counts(workspace, monkeypatch):
    store = Store.open(workspace / "annotations.db")
    text = store.articles.get(1).text
    spans = [Span(text.index(surface), text.index(surface) + len(surface), label, "test")
             for surface, label in (("Ana Lima", "PERSON"), ("United Nations", "ORG"))]
    store.entities.cache(sha256_text(text), "test/1", spans)
    store.close()
    args = ("--by", "entities", "--entity", "ana lima", "--entity", "united nations", "--format", "json")
    kept = run(*args).output
    monkeypatch.setattr(insight, "READ_SUMMARIES", False)
    assert run(*args).output == kept
    assert json.loads(kept)["entities"]["total"] == 2
