"""A long import writes in short transactions: another writer gets in between them, and an import
stopped half-way leaves what it wrote, which a second run completes without adding anything twice."""

import io

import pytest

from reader.services import import_yaml as yaml_import
from reader.services.import_foreign import import_foreign
from reader.core.exchange.formats.w3c import export_w3c
from reader.services.export import write_yaml
from reader.services.import_yaml import import_annotations
from reader.core.ingest import Document
from reader.store import Store

STAMP = "2026-01-01T12:00:00+00:00"


def corpus(tmp_path, articles: int = 6) -> Store:
    store = Store.open(tmp_path / "source.db")
    for index in range(articles):
        text = f"Council vote {index}\n\nThe council voted {index} times on the harbour plan before it passed."
        article_id = store.articles.add(Document(text=text, title=f"Council vote {index}", source="Ledger", url=None,
                                                 path=f"{index}.txt", published=None, locator="")).article_id
        store.annotations.add(article_id, 0, 12, ["politics"], "alice")
        store.annotations.add(article_id, text.index("harbour"), text.index("harbour") + 12, ["harbour"], "bob", note="n")
    return store


def exported(store: Store, tmp_path, name: str = "all.yaml"):
    stream = io.StringIO()
    write_yaml(store, stream, exported=STAMP)
    path = tmp_path / name
    path.write_text(stream.getvalue(), encoding="utf-8")
    return path


def another_writer(path, busy_timeout_ms: int = 0) -> tuple[Store, int]:
    """A second connection that gives up at once on a locked database, with an article to tag."""
    other = Store.open(path)
    other.db.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
    article_id = other.articles.add(Document(text="Ferry late\n\nThe morning ferry ran an hour late.", title="Ferry",
                                             source=None, url=None, path="ferry.txt", published=None, locator="")).article_id
    return other, article_id


def watch_transactions(store: Store, between) -> list[str]:
    """Statements the store runs; `between()` is called each time a transaction begins after
    one has been committed (the import holds no lock then)."""
    statements: list[str] = []

    def seen(sql: str) -> None:
        statements.append(sql)
        if sql.startswith("BEGIN IMMEDIATE") and "COMMIT" in statements:
            between()

    store.db.conn.set_trace_callback(seen)
    return statements


@pytest.mark.parametrize("fmt", ["yaml", "w3c"])
def test_an_import_commits_in_several_transactions_and_another_writer_gets_in(tmp_path, fmt):
    source = corpus(tmp_path)
    if fmt == "yaml":
        path = exported(source, tmp_path)
    else:
        path = tmp_path / "all.jsonld"
        with open(path, "w", encoding="utf-8") as stream:
            export_w3c(((article, notes, []) for article, notes in source.exchange.annotated_articles(with_text=True)), stream)
    target = Store.open(tmp_path / "target.db")
    for article, _notes in source.exchange.annotated_articles(with_text=True):  # (W3C carries no texts)
        target.articles.add_exported(uid=article.uid, sha256=article.sha256, title=article.title, text=article.text,
                              source=article.source, url=None, path=article.path or "", locator="", published=None)
    other, ferry = another_writer(tmp_path / "target.db")
    landed = []
    statements = watch_transactions(target, lambda: landed.append(other.annotations.add(ferry, 0, 5, ["late"], "carol")))
    if fmt == "yaml":
        summary = import_annotations(target, path, seconds=0)
    else:
        summary = import_foreign(target, path, "w3c", "alice", seconds=0)
    target.db.conn.set_trace_callback(None)
    assert statements.count("COMMIT") == summary.transactions > 1
    assert landed, "no write of another connection got in while the import ran"
    assert target.annotations.count() == 12 + len(landed)


def test_an_import_stopped_half_way_keeps_what_it_wrote_and_a_second_run_adds_the_rest(tmp_path, monkeypatch):
    path = exported(corpus(tmp_path), tmp_path)
    clean = Store.open(tmp_path / "clean.db")
    import_annotations(clean, path)
    target = Store.open(tmp_path / "target.db")
    merged = []
    real = yaml_import._Merger.article

    def stops_on_the_fourth(self, *args):
        if len(merged) == 3:
            raise KeyboardInterrupt  # as a user's ctrl-c, or a kill, half-way
        merged.append(args[0])
        return real(self, *args)

    monkeypatch.setattr(yaml_import._Merger, "article", stops_on_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        import_annotations(target, path, seconds=0)
    assert target.annotations.count() == 6 and target.listing.count() == 3  # three whole articles, no half
    monkeypatch.setattr(yaml_import._Merger, "article", real)
    summary = import_annotations(target, path)
    assert (summary.annotations_added, summary.unchanged, summary.articles_added, summary.conflicts) == (6, 6, 3, [])
    assert exported(target, tmp_path, "after.yaml").read_text() == exported(clean, tmp_path, "clean.yaml").read_text()
