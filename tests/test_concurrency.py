"""Several processes on one database: writers wait their turn, nobody sees "database is locked",
nothing is lost; a backup taken meanwhile is a consistent database."""

import sqlite3
import subprocess
import sys
import textwrap

from click.testing import CliRunner

from reader.cli import main
from reader.core.ingest import Document
from reader.store import Store

WRITER = textwrap.dedent(
    """
    import sys
    from reader.store import Store
    store = Store.open(sys.argv[1])
    name = sys.argv[2]
    for index in range(int(sys.argv[3])):
        store.annotations.add(1, index % 20, index % 20 + 5, ["conflict"], name, note=f"{name} {index}")
    store.close()
    """
)


def test_four_processes_writing_500_annotations_each_all_land(tmp_path):
    path = tmp_path / "shared.db"
    store = Store.open(path)
    store.articles.add(Document(text="Talks resume in Geneva after a long pause.", title="Talks", source=None,
                                url=None, path="t.txt", published=None, locator=""))
    store.close()
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"writer{n}", "500"], stderr=subprocess.PIPE, text=True)
        for n in range(4)
    ]
    errors = [writer.communicate(timeout=300)[1] for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0, 0, 0], errors
    assert not any("locked" in error for error in errors)
    check = Store.open(path)
    counts = dict(check.db.execute("SELECT annotator, count(*) FROM annotations GROUP BY annotator").fetchall())
    assert counts == {f"writer{n}": 500 for n in range(4)}
    assert check.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_backup_is_a_consistent_copy_and_never_the_database_itself(tmp_path):
    path = tmp_path / "a.db"
    store = Store.open(path)
    article_id = store.articles.add(Document(text="Quay talks.", title="Quay", source=None, url=None, path="q.txt",
                                             published=None, locator="")).article_id
    store.annotations.add(article_id, 0, 4, ["conflict"], "alice")
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {path}\nload_samples: false\n")
    result = CliRunner().invoke(main, ["--config", str(config), "backup", str(tmp_path / "copy.db")])
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT quote FROM annotations").fetchall() == [("Quay",)]
    result = CliRunner().invoke(main, ["--config", str(config), "backup", str(path)])
    assert result.exit_code == 1 and "is the database itself" in result.output
    assert Store.open(path).annotations.count() == 1


async def test_the_list_notices_articles_another_process_added(store, config, monkeypatch):
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.article_list import ArticleList

    monkeypatch.setattr(ReaderApp, "WATCH_SECONDS", 0.1)
    app = ReaderApp(config, store)
    async with app.run_test(size=(100, 24)) as pilot:
        rows = app.screen.query_one(ArticleList)
        before = rows.count
        other = Store.open(config.database)
        other.articles.add(Document(text="Late story\n\nDockers returned.", title="Late story", source=None, url=None,
                                    path="late.txt", published="2026-01-01", locator=""))
        other.close()
        for _ in range(30):
            await pilot.pause(0.05)
            if rows.count == before + 1:
                break
        assert rows.count == before + 1


def test_two_tuis_an_import_and_an_export_at_once_all_succeed(tmp_path):
    """Two people tag in their own TUI while a folder is imported and the annotations are
    exported over and over: every tag lands, the import is whole, each export is a whole file."""
    from concurrent.futures import ThreadPoolExecutor

    import yaml

    from .terminal import run_in_terminal

    database = tmp_path / "shared.db"
    store = Store.open(database)
    text = "Shared article\n\n" + " ".join(f"Sentence number {n} is here." for n in range(1, 30))
    store.articles.add(Document(text=text, title="Shared article", source=None, url=None, path="s.txt",
                                published="2030-01-01", locator=""))
    store.close()
    configs = []
    for name in ("alice", "bob"):
        config = tmp_path / f"{name}.yaml"
        config.write_text(
            f"database: {database}\nannotator: {name}\nload_samples: false\n"
            f"tags:\n  - name: claim\n    key: '1'\n    color: '#e06c75'\n    description: A claim.\n",
            encoding="utf-8",
        )
        configs.append(config)
    folder = tmp_path / "incoming"
    folder.mkdir()
    for n in range(300):
        (folder / f"{n:03}.txt").write_text(f"Incoming story {n}\n\nPort workers in city {n} voted today.", "utf-8")
    tagging = [b"\r"] + [b")", b"1"] * 6 + [b"q", b"q"]  # open the article, tag six sentences, quit

    def exports() -> list[subprocess.CompletedProcess]:
        return [
            subprocess.run([sys.executable, "-m", "reader", "--config", str(configs[0]), "export", "-o",
                            str(tmp_path / f"export{n}.yaml")], capture_output=True, text=True, timeout=120)
            for n in range(5)
        ]

    with ThreadPoolExecutor(4) as pool:
        tuis = [pool.submit(run_in_terminal, ["--config", str(config)], tagging, ready=b"Shared article")
                for config in configs]
        importing = pool.submit(subprocess.run, [sys.executable, "-m", "reader", "--config", str(configs[1]),
                                                 "import", str(folder)], capture_output=True, text=True, timeout=300)
        exporting = pool.submit(exports)
        screens = [tui.result() for tui in tuis]
        imported = importing.result()
        exported = exporting.result()
    for written, code in screens:
        assert code == 0, written.decode("utf-8", "replace")[-3000:]
    assert imported.returncode == 0, imported.stderr
    assert "300 imported" in imported.stdout
    for run in exported:
        assert run.returncode == 0, run.stderr
    outputs = [run.stdout + run.stderr for run in [imported, *exported]] + [written.decode("utf-8", "replace") for written, _ in screens]
    assert not any("locked" in output for output in outputs)
    for n in range(5):
        assert yaml.safe_load((tmp_path / f"export{n}.yaml").read_text("utf-8"))["format"].startswith("reader-annotations")
    check = Store.open(database)
    counts = dict(check.db.execute("SELECT annotator, count(*) FROM annotations GROUP BY annotator").fetchall())
    assert counts == {"alice": 6, "bob": 6}
    assert check.listing.count() == 301
    assert check.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()


def test_syncing_tags_that_another_process_just_created_does_not_collide(tmp_path, monkeypatch):
    from reader.core.config import TagSpec

    path = tmp_path / "shared.db"
    store = Store.open(path)
    first_look = store.tags._sync_plan
    looked = []

    def plan(specs, force):
        planned = first_look(specs, force)
        if not looked:  # between the first look and the transaction, another process adds the tag
            other = sqlite3.connect(path)
            other.execute("INSERT INTO tags (name, color) VALUES ('claim', 'blue')")
            other.commit()
            other.close()
        looked.append(True)
        return planned

    monkeypatch.setattr(store.tags, "_sync_plan", plan)
    store.tags.sync([TagSpec("claim", "1", "red", "A claim.")])
    assert store.tags.names() == ["claim"]
    assert store.tags.summary()[0].color == "red"
    store.close()
