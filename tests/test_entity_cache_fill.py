"""The entity cache is filled for a whole corpus in the background, and read back at once."""

import threading

from reader.core.entities import LazyRecogniser, Span, build_recogniser, engine_key
from reader.services.entity_fill import fill_cache
from reader.store import Store
from tests.conftest import ARTICLE, make_article


class CountingRecogniser:
    name = "counting"
    version = "1"

    def __init__(self):
        self.texts = []

    def recognise(self, text):
        self.texts.append(text)
        return [Span(0, 5, "GPE", "builtin", 0.9)]


def corpus(store, count):
    for index in range(count):
        store.articles.add(make_article(f"Story {index}", f"Story {index}\n\nBody number {index}.", "2025-01-01", f"{index}.txt"))


def test_fill_recognises_each_uncached_text_once_and_caches_it(tmp_path):
    store = Store.open(tmp_path / "a.db")
    corpus(store, 40)  # more than one batch
    recogniser = CountingRecogniser()
    assert fill_cache(store, recogniser, "counting/1") == 40
    assert len(recogniser.texts) == 40
    assert all(store.entities.cached(row[1], "counting/1") is not None for row in store.db.execute("SELECT id, sha256 FROM articles"))
    assert fill_cache(store, recogniser, "counting/1") == 0  # nothing left to do
    assert fill_cache(store, recogniser, "counting/2") == 40  # another engine version: all again


def test_fill_stops_between_articles_when_asked(tmp_path):
    store = Store.open(tmp_path / "a.db")
    corpus(store, 10)
    recogniser = CountingRecogniser()
    done = []
    assert fill_cache(store, recogniser, "counting/1", should_stop=lambda: len(done) >= 3, progress=done.append) == 3
    assert store.db.execute("SELECT count(*) FROM entity_cache").fetchone()[0] == 3


def test_a_lazy_recogniser_is_built_once_whichever_thread_asks_first():
    built = []

    def build():
        built.append(1)
        return build_recogniser()

    lazy = LazyRecogniser("builtin", "v", build)
    assert not lazy.ready
    threads = [threading.Thread(target=lazy.get) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert built == [1] and lazy.ready
    assert [s.label for s in lazy.recognise("Talks in Kenya.")] == ["GPE"]


async def test_the_app_fills_the_cache_in_the_background(config, monkeypatch, tmp_path):
    from reader.tui.app import ReaderApp

    store = Store.open(tmp_path / "corpus.db")
    store.articles.add(make_article("Talks resume in Geneva", ARTICLE, "2025-03-03", "geneva.txt"))
    corpus(store, 5)
    monkeypatch.setattr(ReaderApp, "FILL_ENTITY_CACHE", True)
    app = ReaderApp(config, store)
    engine = engine_key(app.workspace.recogniser, config.entities.gazetteer)
    async with app.run_test() as pilot:
        for _ in range(200):
            await pilot.pause(0.02)
            if store.db.execute("SELECT count(*) FROM entity_cache WHERE engine = ?", [engine]).fetchone()[0] == 6:
                break
        cached = store.db.execute("SELECT count(*) FROM entity_cache WHERE engine = ?", [engine]).fetchone()[0]
    assert cached == 6
    sha = store.db.execute("SELECT sha256 FROM articles WHERE title = 'Talks resume in Geneva'").fetchone()[0]
    labels = {span.label for span in store.entities.cached(sha, engine)}
    assert {"PERSON", "GPE", "DATE"} <= labels
