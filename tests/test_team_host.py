"""A team on one host (README: "A team on one host"): each coder's own config (annotator, the same
database), two coders writing at once, as a key press writes (one change per transaction, through
the undo history, with the version of the text they saw), while the scheduled `reader backup` runs
and a coder exports their own work: every annotation of both lands, none is lost, every backup is a
whole database, no "database is locked" anywhere."""

import sqlite3
import subprocess
import sys
import textwrap

import yaml

from reader.core.ingest import Document
from reader.store import Store

#: One coder at work: their config chosen as `reader --config` chooses it, each change one write.
CODER = textwrap.dedent(
    """
    import sys
    from reader.commands.context import Context
    from reader.services.history import History
    context = Context(sys.argv[1])
    config = context.config
    store = context.open_store()
    history = History(store)
    articles = store.db.execute("SELECT id, sha256, text FROM articles ORDER BY id").fetchall()
    for index in range(int(sys.argv[2])):
        article_id, sha256, text = articles[index % len(articles)]
        start = (index * 7) % (len(text) - 12)
        change = history.add(article_id, start, start + 10, [f"{config.annotator}-tag"], config.annotator,
                             seen_sha256=sha256)
        if index % 10 == 9:  # now and then a note, and an undo and redo, as at the keyboard
            history.set_note(change.after.id, f"checked by {config.annotator}")
            history.undo()
            history.redo()
    store.close()
    """
)


def reader(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "reader", *arguments]


def test_two_coders_write_at_once_while_backups_and_an_export_run(tmp_path):
    study = tmp_path / "study"
    (study / "backups").mkdir(parents=True)
    database = study / "team.db"
    store = Store.open(database)
    for n in range(6):
        store.articles.add(Document(text=f"Bridge repairs {n}\n\nCrews closed lane {n} of the river bridge for repairs "
                                         "that the city says will take a month.", title=f"Bridge repairs {n}",
                                    source="Town Post", url=None, path=f"b{n}.txt", published="2026-05-0{n + 1}",
                                    locator=""))
    store.close()
    configs = {}
    for name in ("alice", "bob", "lead"):
        home = tmp_path / name
        home.mkdir()
        configs[name] = home / "config.yaml"
        configs[name].write_text(f"annotator: {name}\ndatabase: {database}\nload_samples: false\n", encoding="utf-8")

    each = 150
    coders = [subprocess.Popen([sys.executable, "-c", CODER, str(configs[name]), str(each)], stderr=subprocess.PIPE,
                               text=True) for name in ("alice", "bob")]
    backups, exports = [], []
    for n in range(4):  # the lead's scheduled backup, while both write
        backups.append(subprocess.run(reader("--config", str(configs["lead"]), "backup", str(study / "backups" / f"team-{n}.db")),
                                      capture_output=True, text=True, timeout=300))
        exports.append(subprocess.run(reader("--config", str(configs["bob"]), "export", "--annotator", "bob", "-o",
                                             str(tmp_path / "bob" / f"bob-{n}.yaml")), capture_output=True, text=True,
                                      timeout=300))
    errors = [coder.communicate(timeout=600)[1] for coder in coders]
    assert [coder.returncode for coder in coders] == [0, 0], errors
    for run in backups + exports:
        assert run.returncode == 0, run.stderr
    outputs = errors + [run.stdout + run.stderr for run in backups + exports]
    assert not any("locked" in output for output in outputs)

    check = sqlite3.connect(database)
    counts = dict(check.execute("SELECT annotator, count(*) FROM annotations GROUP BY annotator"))
    assert counts == {"alice": each, "bob": each}
    tags = dict(check.execute("SELECT t.name, count(*) FROM annotation_tags x JOIN tags t ON t.id = x.tag_id GROUP BY t.name"))
    assert tags == {"alice-tag": each, "bob-tag": each}
    notes = dict(check.execute("SELECT annotator, count(note) FROM annotations GROUP BY annotator"))
    assert notes == {"alice": each // 10, "bob": each // 10}
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    previous = 0
    for n in range(4):  # each backup a whole database, each holding at least what the one before held
        copy = sqlite3.connect(study / "backups" / f"team-{n}.db")
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        held = copy.execute("SELECT count(*) FROM annotations").fetchone()[0]
        assert previous <= held <= 2 * each
        previous = held
        copy.close()
    for n in range(4):  # bob's exports hold bob's work only, whole files
        exported = yaml.safe_load((tmp_path / "bob" / f"bob-{n}.yaml").read_text(encoding="utf-8"))
        annotators = {annotation["annotator"] for article in exported["articles"] for annotation in article["annotations"]}
        assert annotators <= {"bob"}


def test_scheduled_backups_are_dated_and_only_the_newest_kept(tmp_path):
    from datetime import datetime, timezone

    from click.testing import CliRunner

    from reader.cli import main
    from reader.services.backups import backup_into

    database = tmp_path / "team.db"
    store = Store.open(database)
    store.articles.add(Document(text="Ferry timetable\n\nThe winter timetable starts on Monday.", title="Ferry timetable",
                                source=None, url=None, path="f.txt", published=None, locator=""))
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "team-notes.db").write_text("not a backup of ours", encoding="utf-8")
    (folder / "other-20260101-000000.db").write_text("another database's", encoding="utf-8")
    made = [backup_into(store, database, folder, keep=2, when=datetime(2026, 12, 7, hour, 0, 0, tzinfo=timezone.utc))
            for hour in (9, 10, 11)]
    store.close()
    assert [backup.path.name for backup in made] == ["team-20261207-090000.db", "team-20261207-100000.db",
                                                     "team-20261207-110000.db"]
    assert [path.name for backup in made for path in backup.removed] == ["team-20261207-090000.db"]
    assert sorted(path.name for path in folder.iterdir()) == [
        "other-20260101-000000.db", "team-20261207-100000.db", "team-20261207-110000.db", "team-notes.db"]
    copy = sqlite3.connect(folder / "team-20261207-110000.db")
    assert copy.execute("SELECT title FROM articles").fetchall() == [("Ferry timetable",)]
    copy.close()

    config = tmp_path / "lead.yaml"
    config.write_text(f"annotator: lead\ndatabase: {database}\nload_samples: false\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "backup", "--into", str(folder), "--keep", "1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"Backed up {database} to {folder}/team-2")
    assert lines[1] == "Removed 2 older backups (--keep 1): team-20261207-100000.db, team-20261207-110000.db"
    assert len([path for path in folder.iterdir() if path.name.startswith("team-2")]) == 1
    for arguments, problem in ((["backup"], "give a FILE or --into FOLDER"),
                               (["backup", "x.db", "--into", str(folder)], "give a FILE or --into FOLDER"),
                               (["backup", "x.db", "--keep", "2"], "--keep goes with --into FOLDER")):
        result = CliRunner().invoke(main, ["--config", str(config), *arguments])
        assert result.exit_code == 2 and problem in result.output
