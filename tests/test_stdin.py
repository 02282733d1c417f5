"""`-` reads standard input in `reader import`, `import-annotations` and `entities`: bounded by the
limit a file has, named `<stdin>` in messages; and their summaries as JSON (`--json`)."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from reader.cli import main


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.delenv("READER_CONFIG", raising=False)
    monkeypatch.delenv("READER_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text(
        "annotator: alice\nload_samples: false\nimport:\n  max_file_mb: 1\n"
        "tags:\n  - name: conflict\n    key: '1'\n    color: red\n",
        encoding="utf-8",
    )
    return tmp_path


def run(*args: str, stdin: str | bytes | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def stored(database: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(database)
    try:
        return conn.execute("SELECT title, path, text FROM articles ORDER BY id").fetchall()
    finally:
        conn.close()


HARBOUR = "Harbour talks resume\n\nDock workers and port managers met on Monday in Rotterdam.\n"
LINES = (
    '{"title": "Ferry strike ends", "text": "Ferry crews returned to work on Tuesday."}\n'
    '{"title": "Bridge reopens", "text": "The old bridge reopened after repairs."}\n'
)


def test_import_reads_a_text_from_standard_input_and_again_finds_it_unchanged(workspace):
    first = run("import", "-", stdin=HARBOUR)
    assert first.exit_code == 0
    assert first.stdout.splitlines()[0] == "1 imported, 0 updated, 0 unchanged, 0 skipped"
    [(title, path, text)] = stored(workspace / "annotations.db")
    assert (title, path) == ("Harbour talks resume", "<stdin>")
    assert "Dock workers and port managers met on Monday in Rotterdam." in text
    again = run("import", "-", stdin=HARBOUR)
    assert again.stdout.splitlines()[0] == "0 imported, 0 updated, 1 unchanged, 0 skipped"


def test_another_input_never_updates_the_articles_of_an_earlier_one(workspace):
    run("import", "-", stdin=LINES)
    other = '{"title": "Ferry strike ends", "text": "Ferry crews stayed out on Tuesday."}\n'
    result = run("import", "-", stdin=other)
    assert result.stdout.splitlines()[0] == "1 imported, 0 updated, 0 unchanged, 0 skipped"
    assert [row[0] for row in stored(workspace / "annotations.db")] == ["Ferry strike ends", "Bridge reopens",
                                                                         "Ferry strike ends"]


@pytest.mark.parametrize(("given", "titles"), [
    (LINES, ["Ferry strike ends", "Bridge reopens"]),
    ('[{"title": "One", "text": "First text."}, {"title": "Two", "text": "Second text."}]', ["One", "Two"]),
    ('{\n  "title": "Pretty",\n  "text": "Written over lines."\n}\n', ["Pretty"]),
    ("<html><head><title>Page title</title></head><body><p>Body text.</p></body></html>", ["Page title"]),
    ("# Heading here\n\nBody text.\n", ["Heading here"]),
    ("Plain first line\n\nBody text.\n", ["Plain first line"]),
])
def test_the_format_of_standard_input_is_told_by_how_it_starts(workspace, given, titles):
    assert run("import", "-", stdin=given).exit_code == 0
    assert [row[0] for row in stored(workspace / "annotations.db")] == titles


def test_stdin_format_says_what_it_holds(workspace):
    run("import", "--stdin-format", "txt", "-", stdin='{"text": "Not JSON to me."}\n')
    assert [row[2] for row in stored(workspace / "annotations.db")] == ['{"text": "Not JSON to me."}']


def test_a_text_given_twice_in_one_input_is_skipped_the_second_time(workspace):
    result = run("import", "-", stdin=LINES + LINES.splitlines()[0] + "\n")
    assert result.stdout.splitlines() == ["2 imported, 0 updated, 0 unchanged, 1 skipped",
                                          "  skipped <stdin>: line 3: same text as line 1"]


def test_files_and_standard_input_in_one_import(workspace):
    (workspace / "one.txt").write_text("From a file\n\nBody.\n", encoding="utf-8")
    result = run("import", "one.txt", "-", stdin=HARBOUR)
    assert result.stdout.splitlines()[0] == "2 imported, 0 updated, 0 unchanged, 0 skipped"


def test_standard_input_larger_than_the_limit_is_one_line_and_nothing_is_imported(workspace):
    result = run("import", "-", stdin=b"x" * (1024 * 1024 + 1))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: <stdin>: larger than the 1 MB limit; import.max_file_mb in {workspace / 'config.yaml'} "
        f"(none of it was used)"
    ]
    assert not (workspace / "annotations.db").exists()


def test_standard_input_that_never_ends_is_read_only_up_to_the_limit(workspace):
    with open("/dev/zero", "rb") as endless:
        result = subprocess.run([sys.executable, "-m", "reader", "import", "-"], stdin=endless,
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: <stdin>: larger than the 1 MB limit")


def test_a_closed_standard_input_is_one_line(workspace):
    result = subprocess.run([sys.executable, "-m", "reader", "import", "-"], stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=120, preexec_fn=lambda: os.close(0))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["Error: <stdin>: there is no standard input (it is closed)"]


@pytest.mark.parametrize(("given", "reason"), [
    (b"", "empty input"), (b"  \n", "empty text"), (b"\x00\x01binary", "binary file"),
    (b"Fees\n\n\x81\x8d\x90\x9d", "not valid UTF-8 (byte 0x81 at offset 6)"),
])
def test_unusable_standard_input_is_listed_as_skipped(workspace, given, reason):
    result = run("import", "-", stdin=given)
    assert result.exit_code == 0
    assert f"skipped <stdin>: {reason}" in result.stdout


def test_standard_input_is_decoded_and_repaired_as_a_file_is(workspace):
    """A legacy encoding is told and reported, mojibake repaired, as `reader import FILE` does."""
    result = run("import", "-", stdin="Fees frozen\n\nThe café owners paid £5m, the board said.\n".encode("cp1252"))
    assert result.exit_code == 0, result.output
    assert "  read as cp1252 (not UTF-8): <stdin>" in result.stdout.splitlines()
    result = run("import", "-", stdin="Rates up\n\nThe fee rose to Â£7m, itâ€™s said.\n".encode("utf-8"))
    assert result.exit_code == 0, result.output
    texts = [text for _title, _path, text in stored(workspace / "annotations.db")]
    assert "The café owners paid £5m, the board said." in texts[0]
    assert "The fee rose to £7m, it’s said." in texts[1]


def test_standard_input_given_twice_is_refused(workspace):
    result = run("import", "-", "-", stdin=HARBOUR)
    assert result.exit_code == 2 and "- (standard input) is given more than once" in result.output


def test_import_json_summary_lists_skipped_files_escaped(workspace):
    (workspace / "bad\x1b]0;owned\x07.txt").write_bytes(b"\x00\x00binary")
    result = run("import", "--json", str(workspace))
    summary = json.loads(result.stdout)
    assert "\x1b" not in result.stdout and "\\u001b" in result.stdout
    assert summary["skipped"] == [{"path": str(workspace / "bad\x1b]0;owned\x07.txt"), "reason": "binary file (NUL bytes)"}]
    assert summary["database"] == str(workspace / "annotations.db") and summary["imported"] == 0


def exported(workspace: Path) -> str:
    """A reader YAML export with one tagged passage, from a database of its own."""
    run("--db", "first.db", "import", "-", stdin=HARBOUR)
    from reader.store import Store

    store = Store.open(workspace / "first.db")
    store.annotations.add(store.listing.page(0, 1)[0].id, 0, 7, ["conflict"], "alice")
    store.close()
    return run("--db", "first.db", "export").stdout


def test_import_annotations_reads_a_yaml_export_from_standard_input(workspace):
    text = exported(workspace)
    dry = run("import-annotations", "--dry-run", "-", stdin=text)
    assert dry.stdout.startswith("Dry run: nothing written. These would be the changes: 1 annotation added")
    result = run("import-annotations", "--json", "-", stdin=text)
    summary = json.loads(result.stdout)
    assert summary["source"] == "<stdin>" and summary["annotations_added"] == 1 and summary["articles_added"] == 1
    assert summary["database"] == str(workspace / "annotations.db") and summary["dry_run"] is False
    again = run("import-annotations", "-", stdin=text)
    assert again.stdout.startswith("0 annotations added, 1 unchanged")


def test_a_bad_file_on_standard_input_is_one_line_naming_stdin(workspace):
    result = run("import-annotations", "-", stdin="format: reader-annotations/3\narticles: [\n")
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: <stdin>:") and line.endswith("(nothing was imported)")


def test_import_annotations_of_another_format_from_standard_input(workspace):
    exported(workspace)
    lines = run("--db", "first.db", "export", "--format", "doccano").stdout
    run("import", "-", stdin=HARBOUR)
    result = run("import-annotations", "--format", "doccano", "-", stdin=lines)
    assert result.exit_code == 0 and result.stdout.startswith("1 annotation added")
    brat = run("import-annotations", "--format", "brat", "-", stdin="")
    assert brat.exit_code == 2 and "--format brat reads a folder (of .txt and .ann files), not standard input" in brat.output


def test_entities_of_standard_input_with_a_json_summary(workspace):
    result = run("entities", "--json", "-", stdin=LINES + "not json\n")
    assert result.exit_code == 1  # a record was skipped
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["file"], line["locator"]) for line in lines] == [("<stdin>", "line 1"), ("<stdin>", "line 2")]
    summary = json.loads(result.stderr.strip().splitlines()[-1])
    assert summary["documents"] == 2 and summary["database"] is None
    assert summary["skipped"] == [{"path": "<stdin>", "reason": "line 3: not valid JSON (Expecting value at column 1)"}]
    plain = run("entities", "-", stdin="Ana Lima flew to Lisbon on Monday.\n")
    assert plain.exit_code == 0 and json.loads(plain.stdout)["file"] == "<stdin>"
    assert any(span["text"] == "Lisbon" for span in json.loads(plain.stdout)["spans"])


def test_jsonl_on_standard_input_is_limited_per_record_not_whole(workspace):
    """Issue 16: a JSONL dump piped in is read a record at a time, as a file of it is: 1.1 MB of
    small records imports under a 1 MB limit, and a record over the limit is skipped alone."""
    records = [json.dumps({"title": f"Harbour note {n}", "text": f"Dock note number {n} about the quay. " * 100})
               for n in range(300)]
    big = json.dumps({"title": "Too long", "text": "Crane " * 200_000})
    given = "\n".join(records[:150] + [big] + records[150:]) + "\n"
    assert len(given.encode("utf-8")) > 2 * 1024 * 1024
    result = run("import", "-", stdin=given.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "300 imported, 0 updated, 0 unchanged, 1 skipped"
    assert "skipped <stdin>: line 151: larger than the 1 MB limit" in result.stdout
    assert len(stored(workspace / "annotations.db")) == 300


def test_csv_on_standard_input_streams_too(workspace):
    rows = "".join(f'"Quay report {n}","{f"Tug {n} and its pilots worked the tide. " * 40}"\n' for n in range(800))
    given = "title,text\n" + rows
    assert len(given.encode("utf-8")) > 1024 * 1024
    result = run("import", "-", "--stdin-format", "csv", stdin=given.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "800 imported, 0 updated, 0 unchanged, 0 skipped"


def test_one_json_object_on_one_long_line_is_a_record(workspace):
    given = json.dumps({"title": "Long pier", "text": "Planks and piles. " * 70_000}) + "\n"  # 1.2 MB, one line
    result = run("import", "-", stdin=given)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "0 imported, 0 updated, 0 unchanged, 1 skipped"
    assert "skipped <stdin>: line 1: larger than the 1 MB limit" in result.stdout


def test_a_text_document_over_the_limit_on_standard_input_is_still_one_line(workspace):
    result = run("import", "-", "--stdin-format", "html", stdin=b"<p>" + b"quay " * 300_000)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[0].startswith("Error: <stdin>: larger than the 1 MB limit")
    assert not (workspace / "annotations.db").exists()
