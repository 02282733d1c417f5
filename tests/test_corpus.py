from reader.services.corpus import import_paths, import_samples
from reader.store import Store


def test_bundled_samples_import_with_titles_and_realistic_mess():
    store = Store.memory()
    summary = import_samples(store)
    assert summary.imported >= 16 and not summary.skipped
    rows = store.listing.page(0, 100)
    assert len(rows) == summary.imported
    assert all(row.title.strip() for row in rows)
    texts = [store.articles.get(row.id).text for row in rows]
    assert any("[Photo" in text for text in texts)
    assert any("\n" not in text.split("\n\n", 1)[-1] and len(text) > 800 for text in texts)  # a one-line body
    assert not any("\x1b" in text or "\r" in text or "\ufeff" in text or "\x07" in text for text in texts)
    assert any(not text.isascii() for text in texts)
    again = import_samples(store)
    assert again.imported == 0 and again.unchanged == summary.imported


def test_import_batches_commit_and_report_skips(tmp_path, monkeypatch):
    monkeypatch.setattr("reader.services.corpus.BATCH_SIZE", 2)
    for index in range(5):
        (tmp_path / f"{index}.txt").write_text(f"Headline {index}\n\nBody {index}.", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes(b"caf\x81\x8d")  # no encoding fits with confidence
    store = Store.open(tmp_path / "db" / "a.db")
    summary = import_paths(store, [tmp_path])
    assert summary.imported == 5
    [skipped] = summary.skipped
    assert skipped.path.endswith("latin1.txt") and "UTF-8" in skipped.reason
    assert store.listing.count() == 5
    assert "1 skipped" in summary.lines()[0] and "latin1.txt" in summary.lines()[1]
    store.close()


def test_reimporting_an_edited_file_reports_how_annotations_were_reattached(tmp_path):
    store = Store.open(tmp_path / "a.db")
    story = tmp_path / "story.txt"
    story.write_text("Port strike spreads\n\nDockers walked out on Monday.\n\nTalks failed again.\n", encoding="utf-8")
    import_paths(store, [tmp_path])
    article_id = store.listing.page(0, 1)[0].id
    text = store.articles.get(article_id).text
    store.annotations.add(article_id, text.index("Dockers"), text.index("Monday.") + 7, ["strike"], "alice")
    store.annotations.add(article_id, text.index("Talks"), text.index("again.") + 6, ["talks"], "alice")
    story.write_text("Port strike spreads\n\n[Photo] The quay.\n\nDockers walked out on Monday.\n", encoding="utf-8")
    summary = import_paths(store, [tmp_path])
    assert summary.updated == 1 and summary.reanchored == {"moved": 1, "orphan": 1}
    assert summary.lines()[1] == (
        "annotations of changed articles: 1 re-attached (0 in place, 1 moved, 0 matched fuzzily), "
        "1 orphaned (kept: see Orphans, key O in reader)"
    )
