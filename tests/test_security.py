"""Security: values from users and files are only ever data to SQL; exports and backups write
only what the user named, never through a planted link, and never world-writable."""

import os
import stat
from contextlib import contextmanager

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.services.export import write_export
from reader.core.model import ExportFilter, ListQuery
from reader.store import Store

from .conftest import make_article

INJECTIONS = [
    "'; DROP TABLE articles; --",
    '" OR 1=1 --',
    "x') OR ('1'='1",
    "%' UNION SELECT text FROM articles --",
    "NEAR(a b) OR title:*",
    "\\\"; ATTACH DATABASE '/tmp/x.db' AS x; --",
]


def schema(store: Store) -> list[tuple]:
    return store.db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


@pytest.mark.parametrize("value", INJECTIONS)
def test_hostile_values_in_every_query_are_only_data(store, value):
    before = schema(store)
    counts = (store.listing.count(), store.annotations.count())
    store.annotations.add(1, 0, 22, [value], value, note=value)
    for query in (ListQuery(search=value), ListQuery(tag=value), ListQuery(source=value), ListQuery(annotator=value)):
        store.listing.count(query)
        store.listing.page(0, 10, query)
    assert [row.title for row in store.listing.page(0, 10, ListQuery(tag=value))] == ["Talks resume in Geneva"]
    assert [row.title for row in store.listing.page(0, 10, ListQuery(annotator=value))] == ["Talks resume in Geneva"]
    for only in (ExportFilter(tag=value), ExportFilter(source=value), ExportFilter(since=value), ExportFilter(annotator=value)):
        list(store.exchange.annotated_articles(only=only))
    with pytest.raises(LookupError):
        store.articles.find(value)
    [annotation] = store.annotations.of_article(1)
    assert annotation.tags == (value,) and annotation.note == value and annotation.annotator == value
    assert schema(store) == before
    assert (store.listing.count(), store.annotations.count()) == (counts[0], counts[1] + 1)


@contextmanager
def umask(mask: int):
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o000])
def test_database_exports_and_backups_follow_the_umask_and_are_never_world_writable(tmp_path, mask):
    with umask(mask):
        store = Store.open(tmp_path / "annotations.db")
        store.articles.add(make_article("A", "A\n\nText here.", "2025-01-01", "a.txt"))
        store.annotations.add(1, 0, 1, ["t"], "me")
        write_export(store, tmp_path / "out.yaml")
        write_export(store, tmp_path / "out.csv", fmt="csv")
        write_export(store, tmp_path / "brat", fmt="brat")
        store.backup(tmp_path / "backup.db")
        store.close()
    made = [tmp_path / "annotations.db", tmp_path / "out.yaml", tmp_path / "out.csv", tmp_path / "backup.db",
            *sorted((tmp_path / "brat").iterdir())]
    for path in made:
        assert mode(path) & 0o002 == 0, f"{path.name} is world-writable"
        assert mode(path) & mask == 0, f"{path.name} ignores the umask {mask:o}: {mode(path):o}"
    assert mode(tmp_path / "out.yaml") == 0o664 & ~mask


def test_export_replaces_a_planted_link_and_never_writes_through_it(store, tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    store.annotations.add(1, 0, 22, ["conflict"], "alice")
    (tmp_path / "out.yaml.partial").symlink_to(precious)  # where the export is written first
    (tmp_path / "out.yaml").symlink_to(precious)  # and the name itself
    write_export(store, tmp_path / "out.yaml")
    assert precious.read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "out.yaml").is_symlink() and "Talks resume" in (tmp_path / "out.yaml").read_text("utf-8")
    assert not (tmp_path / "out.yaml.partial").exists()


def test_brat_export_never_writes_through_a_link_inside_its_folder(store, tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    store.annotations.add(1, 0, 22, ["conflict"], "alice")
    folder = tmp_path / "brat"
    write_export(store, folder, fmt="brat")
    names = sorted(path.name for path in folder.iterdir())
    for name in names:
        (folder / name).unlink()
        (folder / name).symlink_to(precious)
    write_export(store, folder, fmt="brat")
    assert precious.read_text(encoding="utf-8") == "keep me"
    assert sorted(path.name for path in folder.iterdir()) == names
    assert not any((folder / name).is_symlink() for name in names)


def test_brat_names_from_hostile_ids_stay_inside_the_folder(tmp_path):
    from reader.core.exchange.formats.brat import file_name

    for key in ("../../etc/passwd", "/abs/path", "..", "a/../../b", "C:\\x", "\x00nul"):
        name = file_name(key)
        assert "/" not in name and "\\" not in name and not name.startswith(".") and "\x00" not in name


def test_backup_refuses_the_database_itself_even_through_a_link(store, config, tmp_path):
    link = tmp_path / "link.db"
    link.symlink_to(config.database)
    size = config.database.stat().st_size
    for target in (config.database, link):
        with pytest.raises(ValueError, match="is the database itself"):
            store.backup(target)
    assert config.database.stat().st_size == size
    store.close()
    result = CliRunner().invoke(main, ["--config", str(config.path), "backup", str(link)])
    assert result.exit_code == 1 and "is the database itself" in result.output
