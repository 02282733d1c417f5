"""What ordering search results by relevance (FTS5 rank) costs against ordering them by date:
the list's count and first page for a common and a rare word, medians of several runs.

    python benchmarks/search_order_bench.py --articles 20000 --runs 7

It builds a synthetic corpus (generate_corpus.py) in a temporary database and prints one row per
word and order, in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_corpus import generate  # noqa: E402

from reader.core.ingest import Document  # noqa: E402
from reader.core.model import ListQuery  # noqa: E402
from reader.services.corpus import import_documents  # noqa: E402
from reader.store import Store  # noqa: E402

PAGE = 50


def build(store: Store, articles: int) -> None:
    documents = [
        Document(text=a.text, title=a.title, source=a.source, url=None, path=a.relpath,
                 published=a.published[:10], locator="")
        for a in generate(articles)
    ]
    import_documents(store, documents, "synthetic corpus")


def timed(store: Store, query: ListQuery, runs: int) -> tuple[float, int]:
    times = []
    count = 0
    for _ in range(runs):
        store.listing.forget_search()  # each run searches afresh, as a new `/` does
        started = time.perf_counter()
        count = store.listing.count(query)
        store.listing.page(0, PAGE, query)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--words", nargs="*", default=["said", "minister", "Nakamura"])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "bench.db")
        try:
            started = time.perf_counter()
            build(store, args.articles)
            print(f"{args.articles} articles built in {time.perf_counter() - started:.1f} s")
            print(f"{'word':<12} {'hits':>7} {'by date ms':>11} {'by relevance ms':>16} {'ratio':>6}")
            for word in args.words:
                by_date, hits = timed(store, ListQuery(search=word, sort="published"), args.runs)
                by_rank, _ = timed(store, ListQuery(search=word, sort="relevance"), args.runs)
                print(f"{word:<12} {hits:>7} {by_date:>11.1f} {by_rank:>16.1f} {by_rank / by_date:>6.2f}")
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
