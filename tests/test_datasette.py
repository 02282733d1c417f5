"""`reader datasette`: the shipped metadata is Datasette's (every table and column it describes
exists in a reader database, its facets come out), every canned query runs on a real reader
database and gives the rows it should, the database is opened read-only, and the command says how
to install Datasette when it is missing."""

import json
import sqlite3

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.commands import team_view
from reader.core.ingest import Document
from reader.store import Store

datasette_app = pytest.importorskip("datasette.app", reason="the datasette extra: pip install '.[datasette]'")

FERRY = "Ferry fares rise again\n\nThe island council approved higher ferry fares on Friday. Residents said the rise hurts commuters."
MARKET = "Market hall reopens\n\nThe old market hall reopened after repairs. Traders welcomed the return of Saturday stalls."


def span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


@pytest.fixture
def team_db(tmp_path):
    """A reader database two coders worked in: alice and bob both coded the ferry article (agreeing
    on one passage, not on two others), alice alone the market one; a memo; nested tags."""
    path = tmp_path / "team.db"
    store = Store.open(path)
    ferry = store.articles.add(Document(text=FERRY, title="Ferry fares rise again", source="Islander", url=None,
                                        path="ferry.txt", published="2026-03-06", locator="")).article_id
    market = store.articles.add(Document(text=MARKET, title="Market hall reopens", source="Town Post", url=None,
                                         path="market.txt", published="2026-02-01", locator="")).article_id
    add = store.annotations.add
    add(ferry, *span(FERRY, "approved higher ferry fares"), ["conflict"], "alice")
    add(ferry, *span(FERRY, "higher ferry fares"), ["conflict"], "bob")  # overlaps alice's: agreement
    add(ferry, *span(FERRY, "the rise hurts commuters"), ["framing/economy"], "alice")  # bob has none: disagreement
    add(ferry, *span(FERRY, "Residents said"), ["framing"], "bob")  # alice has no framing there
    add(market, *span(MARKET, "Traders welcomed"), ["cooperation"], "alice")  # alice alone coded it
    add(market, *span(MARKET, "old market hall"), [], "alice", note="Check the date of the repairs.")
    store.close()
    return path


async def query(datasette, path: str):
    response = await datasette.client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    return response.json()


@pytest.fixture
async def datasette(team_db):
    datasette = datasette_app.Datasette([str(team_db)], metadata=team_view.metadata_for(team_db))
    await datasette.invoke_startup()
    return datasette


def test_the_metadata_names_only_tables_and_columns_a_reader_database_has(team_db):
    described = team_view.shipped_metadata()["databases"]["annotations"]["tables"]
    connection = sqlite3.connect(team_db)
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(described) <= tables
    for table, about in described.items():
        columns = {row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')}
        named = set(about.get("columns", {})) | set(about.get("facets", []))
        named |= {about[key] for key in ("label_column", "sort_desc") if key in about}
        assert named <= columns, (table, named - columns)
    core = {"articles": {"id", "uid", "title", "source", "published", "text"},
            "annotations": {"id", "article_id", "start", "end", "quote", "note", "annotator", "created", "updated"},
            "annotation_tags": {"annotation_id", "tag_id"}, "tags": {"id", "name", "description", "key"},
            "article_tags": {"article_id", "tag_id", "annotator", "created"}}
    for table, columns in core.items():
        assert columns <= set(described[table]["columns"]), table


async def test_tables_show_their_descriptions_and_facets(datasette):
    annotations = await query(datasette, "/team/annotations.json?_extra=facet_results")
    assert {"annotator"} <= set(annotations["facet_results"])
    tagged = await query(datasette, "/team/annotation_tags.json")
    facets = tagged["facet_results"]
    assert {value["label"]: value["count"] for value in facets["tag_id"]["results"]} == {
        "conflict": 2, "framing/economy": 1, "framing": 1, "cooperation": 1}
    assert {value["value"]: value["count"] for value in facets["article_source"]["results"]} == {
        "Islander": 4, "Town Post": 1}
    articles = await query(datasette, "/team/articles.json")
    assert {value["value"] for value in articles["facet_results"]["source"]["results"]} == {"Islander", "Town Post"}
    page = await datasette.client.get("/team/annotations")
    assert "Passages coders marked" in page.text and "The coder who owns it" in page.text


async def test_progress_per_coder(datasette):
    rows = await query(datasette, "/team/progress_per_coder.json?_shape=array")
    assert [(row["annotator"], row["articles"], row["tagged_passages"], row["memos"]) for row in rows] == [
        ("alice", 2, 3, 1), ("bob", 1, 2, 0)]
    rows = await query(datasette, "/team/progress_per_coder_and_tag.json?_shape=array")
    assert [(row["annotator"], row["tag"], row["passages"]) for row in rows] == [
        ("alice", "conflict", 1), ("alice", "cooperation", 1), ("alice", "framing/economy", 1),
        ("bob", "conflict", 1), ("bob", "framing", 1)]


async def test_disagreements_list_what_only_one_coder_of_an_article_tagged(datasette):
    rows = await query(datasette, "/team/disagreements.json?_shape=array")
    assert [(row["tag"], row["marked_by"], row["not_marked_by"], row["quote"]) for row in rows] == [
        ("framing", "bob", "alice", "Residents said"),
        ("framing/economy", "alice", "bob", "the rise hurts commuters"),
    ]  # the overlapping conflict passages agree; the market article had one coder only


async def test_passages_by_tag_include_nested_tags_only(datasette):
    rows = await query(datasette, "/team/passages_by_tag.json?_shape=array&tag=framing")
    assert [(row["tag"], row["annotator"], row["quote"]) for row in rows] == [
        ("framing", "bob", "Residents said"), ("framing/economy", "alice", "the rise hurts commuters")]
    rows = await query(datasette, "/team/passages_by_tag.json?_shape=array&tag=framing/economy")
    assert [row["quote"] for row in rows] == ["the rise hurts commuters"]
    rows = await query(datasette, "/team/passages_by_tag.json?_shape=array&tag=frame")
    assert rows == []


async def test_the_database_is_opened_read_only(datasette, team_db):
    database = datasette.get_database("team")
    assert database.is_mutable  # sees what coders write meanwhile (not --immutable)...
    with pytest.raises(sqlite3.OperationalError, match="readonly"):  # ...and cannot write
        await database.execute_fn(lambda connection: connection.execute("DELETE FROM annotations"))
    assert sqlite3.connect(team_db).execute("SELECT count(*) FROM annotations").fetchone() == (6,)


def test_the_command_runs_datasette_read_only_with_the_metadata(team_db, tmp_path, monkeypatch):
    ran = []

    def run(arguments):
        metadata = json.loads(open(arguments[arguments.index("--metadata") + 1], encoding="utf-8").read())
        ran.append((arguments, metadata))

        class Completed:
            returncode = 0
        return Completed()

    monkeypatch.setattr(team_view.subprocess, "run", run)
    result = CliRunner().invoke(main, ["datasette", "--db", str(team_db), "--port", "8010"])
    assert result.exit_code == 0, result.output
    (arguments, metadata), = ran
    assert arguments[1:5] == ["-m", "datasette", "serve", str(team_db)]
    assert "--immutable" not in arguments and arguments[-7:-3] == ["--host", "127.0.0.1", "--port", "8010"]
    assert arguments[-3:] == ["--setting", "sql_time_limit_ms", "20000"]
    assert list(metadata["databases"]) == ["team"]
    assert "read-only" in result.output


def test_without_datasette_the_command_says_how_to_install_it(team_db, monkeypatch):
    monkeypatch.setattr(team_view.importlib.util, "find_spec", lambda name: None)
    result = CliRunner().invoke(main, ["datasette", "--db", str(team_db)])
    assert result.exit_code == 1
    assert result.output == ("Error: Datasette is not installed here: pip install 'newsreader-tui[datasette]' "
                             "(from reader's folder: pip install '.[datasette]'), then run reader datasette again\n")


def test_a_missing_database_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["datasette", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'none.db'}: no database here yet (reader import makes one)\n"
