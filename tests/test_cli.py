import json
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from reader.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "reader" / "samples"


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.delenv("READER_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text(
        "annotator: alice\nload_samples: false\ntags:\n  - name: conflict\n    key: '1'\n    color: red\n",
        encoding="utf-8",
    )
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_import_reports_counts_and_reimport_changes_nothing(workspace):
    folder = workspace / "corpus"
    (folder / "nested").mkdir(parents=True)
    (folder / "one.txt").write_text("Headline one\n\nBody one.", encoding="utf-8")
    (folder / "nested" / "two.md").write_text("# Two\n\nBody two.", encoding="utf-8")
    (folder / "copy.txt").write_text("Headline one\n\nBody one.", encoding="utf-8")
    (folder / "bad.jsonl").write_text('{"text": "Fine."}\nnot json\n', encoding="utf-8")
    first = run("import", str(folder))
    assert first.exit_code == 0
    assert first.stdout.splitlines()[0].startswith("3 imported, 0 updated, 0 unchanged, 2 skipped")
    assert "same text as" in first.output and "line 2" in first.output
    database = workspace / "annotations.db"
    before = database.read_bytes()
    second = run("import", str(folder))
    assert second.stdout.splitlines()[0].startswith("0 imported, 0 updated, 3 unchanged")
    rows = sqlite3.connect(database).execute("SELECT count(*) FROM articles").fetchone()[0]
    assert rows == 3
    assert len(before) == len(database.read_bytes())


def test_bad_config_exits_non_zero_without_creating_the_database(workspace):
    (workspace / "config.yaml").write_text("tags:\n  - name: a\n    key: j\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["export"])
    assert result.exit_code != 0
    assert "config.yaml:3: tags[0].key" in result.output
    assert not (workspace / "annotations.db").exists()


def test_bad_config_leaves_an_existing_database_untouched(workspace):
    run("import", str(SAMPLES))
    database = workspace / "annotations.db"
    before = database.read_bytes()
    (workspace / "config.yaml").write_text("reading_width: wide\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(SAMPLES)])
    assert result.exit_code != 0 and "reading_width" in result.output
    assert database.read_bytes() == before


def test_export_to_stdout_and_file(workspace):
    from reader.store import Store

    run("import", str(SAMPLES))
    store = Store.open(workspace / "annotations.db")
    row = store.listing.page(0, 1)[0]
    store.annotations.add(row.id, 0, 5, ["conflict"], "alice")
    store.close()
    shown = yaml.safe_load(run("export").stdout)
    assert shown["format"] == "reader-annotations/3"
    assert shown["articles"][0]["annotations"][0]["tags"] == ["conflict"]
    result = run("export", "--output", "out.yaml")
    assert "Exported 1 annotations to out.yaml" in result.output
    assert yaml.safe_load((workspace / "out.yaml").read_text(encoding="utf-8"))["articles"] == shown["articles"]


def test_entities_prints_one_json_line_per_document(workspace):
    (workspace / "a.txt").write_text("President Ana Lima visited Kenya on Tuesday.", encoding="utf-8")
    result = run("entities", str(workspace / "a.txt"))
    line = json.loads(result.stdout)
    assert line["file"] == str(workspace / "a.txt")
    text = "President Ana Lima visited Kenya on Tuesday."
    assert all(text[s["start"] : s["end"]] == s["text"] for s in line["spans"])
    assert {"label": "GPE", "text": "Kenya"}.items() <= next(s for s in line["spans"] if s["text"] == "Kenya").items()


def test_entities_say_which_entity_another_name_stands_for(workspace):
    text = "Envoy visit\n\nThe U.S. envoy Ana Lima met the National Grain Board (NGB). Lima said the NGB would help."
    (workspace / "a.txt").write_text(text, encoding="utf-8")
    spans = json.loads(run("entities", str(workspace / "a.txt")).stdout)["spans"]
    standing = [(s["text"], s.get("as")) for s in spans]
    assert ("U.S.", "United States") in standing
    assert ("Ana Lima", None) in standing and ("Lima", "Ana Lima") in standing
    assert standing.count(("NGB", "National Grain Board")) == 2


def test_python_dash_m_reader_works():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "reader", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "reader" in result.stdout


def test_relative_and_absolute_paths_are_the_same_file(workspace):
    (workspace / "c").mkdir()
    (workspace / "c" / "a.txt").write_text("A headline\n\nText.", encoding="utf-8")
    assert run("import", "c").stdout.startswith("1 imported")
    assert run("import", str(workspace / "c" / "a.txt")).stdout.startswith("0 imported, 0 updated, 1 unchanged")


def test_export_into_a_missing_folder_is_a_clear_error(workspace):
    result = CliRunner().invoke(main, ["export", "--output", str(workspace / "nope" / "x.yaml")])
    assert result.exit_code != 0
    assert "nope/x.yaml: cannot write the export" in result.output
    assert not (workspace / "nope").exists()


def test_unknown_theme_stops_before_the_database_with_its_line(workspace):
    (workspace / "config.yaml").write_text("annotator: alice\ntheme: solarised\n", encoding="utf-8")
    result = CliRunner().invoke(main, [])
    assert result.exit_code != 0
    assert "config.yaml:2: theme: unknown theme 'solarised'" in result.output
    assert not (workspace / "annotations.db").exists()


def test_unknown_keymap_id_stops_before_the_database(workspace):
    (workspace / "config.yaml").write_text("keymap:\n  cursor.flyaway: W\n", encoding="utf-8")
    result = CliRunner().invoke(main, [])
    assert result.exit_code != 0
    assert "config.yaml:2: keymap: no action has the id 'cursor.flyaway'" in result.output
    assert not (workspace / "annotations.db").exists()
