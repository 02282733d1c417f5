"""Which database a command uses (`--db` > $READER_DB > config.yaml > the default), that every
command that writes says which, and the one move of the user config's database from the config
folder (where older readers kept it) to the user data folder: once, whole, never two live copies."""

import errno
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.core.config import choose_database, ensure_user_config, load_config, parse_config
from reader.core.ingest import Document
from reader.store import Store


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh user: HOME and XDG folders of its own, no config in the current folder."""
    home = tmp_path / "home"
    for name, folder in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                         ("XDG_CACHE_HOME", ".cache")):
        (home / folder).mkdir(parents=True)
        monkeypatch.setenv(name, str(home / folder))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("READER_CONFIG", raising=False)
    monkeypatch.delenv("READER_DB", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return home


def config_folder(home: Path) -> Path:
    return home / ".config" / "reader"


def data_folder(home: Path) -> Path:
    return home / ".local" / "share" / "reader"


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def articles_in(database: Path) -> list[str]:
    conn = sqlite3.connect(database)
    try:
        return [row[0] for row in conn.execute("SELECT title FROM articles ORDER BY id")]
    finally:
        conn.close()


def old_database(home: Path, title: str = "Kept from before") -> Path:
    """A reader database where readers before this one kept it: beside the user config file."""
    ensure_user_config()  # as any first run does
    former = config_folder(home) / "annotations.db"
    store = Store.open(former)
    store.articles.add(Document(text=f"{title}\n\nHarbour workers met on Monday.", title=title, source=None,
                                url=None, path="old.txt", published=None, locator=""))
    store.close()
    return former


# ---- where the database is ----------------------------------------------------------------


def test_the_user_configs_database_is_in_the_user_data_folder(home):
    result = run("import", "-", stdin="Harbour talks\n\nDock workers met port managers.\n")
    assert result.exit_code == 0
    database = data_folder(home) / "annotations.db"
    assert articles_in(database) == ["Harbour talks"]
    assert not (config_folder(home) / "annotations.db").exists()
    assert (config_folder(home) / "config.yaml").exists()  # settings stay in the config folder
    # and the import said which database it wrote, on standard error
    assert f"Database: {database} (from {config_folder(home) / 'config.yaml'}; --db PATH" in result.stderr
    assert str(database) not in result.stdout


def test_a_project_config_keeps_its_database_beside_it(home):
    project = Path.cwd()
    (project / "config.yaml").write_text("annotator: alice\nload_samples: false\n", encoding="utf-8")
    result = run("import", "-", stdin="Harbour talks\n\nDock workers met.\n")
    assert articles_in(project / "annotations.db") == ["Harbour talks"]
    assert f"Database: {project / 'annotations.db'} (from {project / 'config.yaml'})" in result.stderr
    assert not data_folder(home).exists()


def test_db_option_and_environment_choose_the_database_in_that_order(home, monkeypatch):
    text = "Harbour talks\n\nDock workers met.\n"
    assert run("--db", "first.db", "import", "-", stdin=text).exit_code == 0
    assert articles_in(Path("first.db")) == ["Harbour talks"]
    monkeypatch.setenv("READER_DB", "second.db")
    result = run("import", "-", stdin=text)
    assert articles_in(Path("second.db")) == ["Harbour talks"]
    assert f"Database: {Path.cwd() / 'second.db'} (from $READER_DB)" in result.stderr
    result = run("import", "--db", "third.db", "-", stdin=text)  # on the subcommand too, over $READER_DB
    assert f"Database: {Path.cwd() / 'third.db'} (from --db)" in result.stderr
    assert articles_in(Path("third.db")) == ["Harbour talks"]
    assert not (data_folder(home) / "annotations.db").exists()
    result = run("backup", "--db", "third.db", "copy.db")
    assert f"Backed up {Path.cwd() / 'third.db'} to copy.db" in result.stderr


def test_choose_database_order(tmp_path):
    config = parse_config("database: from-config.db\n", tmp_path / "config.yaml")
    assert choose_database(config, None, {}) == (tmp_path / "from-config.db", str(tmp_path / "config.yaml"))
    assert choose_database(config, None, {"READER_DB": str(tmp_path / "env.db")})[0] == tmp_path / "env.db"
    assert choose_database(config, tmp_path / "option.db", {"READER_DB": "env.db"}) == (tmp_path / "option.db", "--db")
    assert choose_database(config, None, {"READER_DB": ""})[0] == tmp_path / "from-config.db"


def test_db_naming_a_folder_is_one_line(home, monkeypatch):
    monkeypatch.setenv("READER_DB", str(home))
    result = run("import", "-", stdin="Text.\n")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: {home}: is a folder (given with $READER_DB); name a database file"]


def test_json_summaries_name_the_database(home, tmp_path):
    database = tmp_path / "chosen.db"
    result = run("--db", str(database), "import", "--json", "-", stdin="Harbour talks\n\nDock workers met.\n")
    summary = json.loads(result.stdout)
    assert summary["database"] == str(database) and summary["imported"] == 1
    assert "Database:" not in result.stderr  # the JSON says it
    run("--db", str(database), "export", "-o", str(tmp_path / "out.yaml"))
    result = run("--db", str(tmp_path / "other.db"), "import-annotations", "--json", str(tmp_path / "out.yaml"))
    summary = json.loads(result.stdout)
    assert summary["database"] == str(tmp_path / "other.db") and summary["source"] == str(tmp_path / "out.yaml")


def test_user_configs_written_by_older_readers_name_the_data_folder(home):
    """Older readers wrote `database: annotations.db` into the user config file: relative to the
    user data folder now, and the old place is remembered for the move."""
    run("export")
    path = config_folder(home) / "config.yaml"
    assert "\ndatabase: annotations.db\n" in path.read_text(encoding="utf-8")
    config = load_config(path)
    assert config.database == data_folder(home) / "annotations.db"
    assert config.former_database == config_folder(home) / "annotations.db"


# ---- the move -----------------------------------------------------------------------------


def test_an_old_database_is_moved_once_and_said_in_one_line(home):
    former = old_database(home)
    database = data_folder(home) / "annotations.db"
    result = run("import", "-", stdin="Fresh text\n\nDock workers met again.\n")
    assert result.exit_code == 0
    moved = [line for line in result.stderr.splitlines() if line.startswith("Moved")]
    assert moved == [f"Moved your database from {former} to {database}: reader keeps it in your user data folder now"]
    assert not former.exists() and not Path(f"{former}-wal").exists() and not Path(f"{former}-shm").exists()
    assert articles_in(database) == ["Kept from before", "Fresh text"]
    again = run("import", "-", stdin="Fresh text\n\nDock workers met again.\n")
    assert "Moved" not in again.stderr and "note" not in again.stderr


def test_an_old_database_with_its_log_is_moved_whole(home):
    former = old_database(home)
    conn = sqlite3.connect(former)  # a change only in the write-ahead log, as a killed reader leaves it
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("UPDATE articles SET title = 'Changed in the log'")
    conn.commit()
    main_file, log = former.read_bytes(), Path(f"{former}-wal").read_bytes()
    conn.close()  # (closing writes the log into the file: put both back as they were)
    former.write_bytes(main_file)
    Path(f"{former}-wal").write_bytes(log)
    result = run("export", "--format", "csv")
    assert result.exit_code == 0 and "Moved your database" in result.stderr
    assert articles_in(data_folder(home) / "annotations.db") == ["Changed in the log"]
    assert not former.exists() and not Path(f"{former}-wal").exists()


def test_an_old_database_in_use_stays_where_it_is_until_it_is_free(home):
    former = old_database(home)
    holder = subprocess.Popen(  # another program (an older reader) has it open
        [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                               "c.execute('PRAGMA journal_mode = WAL'); c.execute('SELECT count(*) FROM articles').fetchone(); "
                               "print('open', flush=True); sys.stdin.read()", str(former)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        result = run("import", "-", stdin="Written meanwhile\n\nDock workers met.\n")
        assert result.exit_code == 0
        assert f"{former} is open in another program, so reader uses it there this time" in result.stderr
        assert articles_in(former) == ["Kept from before", "Written meanwhile"]
        assert not (data_folder(home) / "annotations.db").exists()  # never two live copies
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    result = run("import", "-", stdin="After\n\nDock workers met.\n")
    assert "Moved your database" in result.stderr
    assert articles_in(data_folder(home) / "annotations.db") == ["Kept from before", "Written meanwhile", "After"]
    assert not former.exists()


def test_a_move_to_another_file_system_copies_under_a_name_no_reader_opens(home, monkeypatch):
    former = old_database(home)
    database = data_folder(home) / "annotations.db"
    real_rename = os.rename

    def across_devices(source, target):
        if Path(target) == database:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_rename(source, target)

    monkeypatch.setattr(os, "rename", across_devices)
    result = run("export", "--format", "csv")
    monkeypatch.setattr(os, "rename", real_rename)
    assert "Moved your database" in result.stderr
    assert articles_in(database) == ["Kept from before"]
    assert list(config_folder(home).iterdir()) == [config_folder(home) / "config.yaml"]
    assert [path.name for path in data_folder(home).iterdir() if path.name.startswith(".")] == []


def test_a_move_cut_short_is_finished_by_the_next_reader(home):
    former = old_database(home)
    staging = former.with_name("annotations.db.moving")  # killed after the rename, before the copy
    former.rename(staging)
    result = run("export", "--format", "csv")
    assert "Moved your database" in result.stderr
    assert articles_in(data_folder(home) / "annotations.db") == ["Kept from before"]
    assert not staging.exists() and not former.exists()


def test_an_old_database_made_again_beside_a_moved_one_is_named_not_used(home):
    old_database(home)
    run("export")  # moves it
    former = old_database(home, "Made by an older reader afterwards")
    result = run("import", "-", stdin="New\n\nText.\n")
    assert f"note: {former} is a database an older reader kept there; reader uses" in result.stderr
    assert articles_in(former) == ["Made by an older reader afterwards"]
    assert articles_in(data_folder(home) / "annotations.db") == ["Kept from before", "New"]


def test_readers_started_at_once_move_the_database_once(home):
    former = old_database(home)
    environment = {**os.environ}
    processes = [
        subprocess.Popen([sys.executable, "-m", "reader", "import", "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
        for _ in range(4)
    ]
    outputs = [process.communicate(f"Article {number}\n\nDock workers met, day {number}.\n", timeout=120)
               for number, process in enumerate(processes)]
    assert [process.returncode for process in processes] == [0, 0, 0, 0]
    moved = [line for _out, err in outputs for line in err.splitlines() if line.startswith("Moved")]
    assert len(moved) == 1
    titles = articles_in(data_folder(home) / "annotations.db")
    assert sorted(titles) == sorted(["Kept from before", *(f"Article {number}" for number in range(4))])
    assert not former.exists()
