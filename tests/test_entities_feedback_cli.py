"""`reader entities` applies what the user said about entities in the configured database (the
reader's own rules), unless told not to, and never creates a database to do it."""

import json
import sqlite3

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.store import Store

TEXT = (
    "Envoys meet in Geneva\n\n"
    "GENEVA (Wirefeed) — Foreign Minister Ana Lima met the Harbour Guild on Tuesday in Geneva. "
    "Lima said the Quayside Pact was close."
)


def entities(tmp_path, *options) -> tuple[int, dict[str, set[str]], str]:
    article = tmp_path / "envoys.txt"
    article.write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "config.yaml"), "entities", str(article), *options])
    found: dict[str, set[str]] = {}
    for line in result.stdout.splitlines():
        for span in json.loads(line)["spans"]:
            found.setdefault(span["text"], set()).add(span["label"])
    return result.exit_code, found, result.output


def configured(tmp_path) -> None:
    (tmp_path / "config.yaml").write_text(f"database: {tmp_path / 'annotations.db'}\nload_samples: false\n")


def test_the_users_feedback_is_applied_as_in_the_reader_and_no_database_is_made_to_look(tmp_path):
    configured(tmp_path)
    code, machine, output = entities(tmp_path)
    assert code == 0, output
    assert not list(tmp_path.glob("annotations.db*"))  # none there: none made
    assert "GPE" in machine["Geneva"] and "Ana Lima" in machine
    store = Store.open(tmp_path / "annotations.db")
    store.entities.reject("Geneva", "GPE", "alice")          # not a place, ever
    store.entities.accept("Ana Lima", "ORG", "alice")        # retyped
    store.entities.accept("Quayside Pact", "EVENT", "alice")  # one the machine missed
    store.close()
    code, found, output = entities(tmp_path)
    assert code == 0, output
    assert "GPE" not in found.get("Geneva", set())
    assert found["Ana Lima"] == {"ORG"} and found["Quayside Pact"] == {"EVENT"}
    code, plain, _output = entities(tmp_path, "--no-feedback")
    assert code == 0 and plain == machine


def bytes_only(path):
    path.write_bytes(b"this is not a database, just bytes " * 200)


def another_programs(path):
    """Another program's database that happens to have a table of that name and shape."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.execute("CREATE TABLE entity_feedback (id INTEGER PRIMARY KEY, surface TEXT, label TEXT, verdict TEXT)")
        conn.execute("INSERT INTO entity_feedback (surface, label, verdict) VALUES ('Geneva', 'GPE', 'reject')")


@pytest.mark.parametrize("make", [bytes_only, another_programs], ids=["bytes", "another program's"])
def test_a_database_that_cannot_be_read_is_one_line_naming_it(tmp_path, make):
    configured(tmp_path)
    make(tmp_path / "annotations.db")
    code, _found, output = entities(tmp_path)
    [line] = output.strip().splitlines()
    assert code == 1 and str(tmp_path / "annotations.db") in line and "--no-feedback" in line
