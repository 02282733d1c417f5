"""What ordering search results by relevance (FTS5 rank) costs against ordering them by date:
the list's count and first page for a common and a rare word, medians of several runs; and the
list's attribute filters (`--where`, F) and attribute columns, each article having a `category`
(one of 6) and a `desk` (one of 200) like a dataset's extra fields.

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


CATEGORIES = ("politics", "business", "sport", "culture", "science", "world")


def build(store: Store, articles: int) -> None:
    documents = [
        Document(text=a.text, title=a.title, source=a.source, url=None, path=a.relpath,
                 published=a.published[:10], locator="",
                 attributes=(("category", CATEGORIES[number % 6]), ("desk", f"desk {number % 200}")))
        for number, a in enumerate(generate(articles))
    ]
    import_documents(store, documents, "synthetic corpus")


def timed(store: Store, query: ListQuery, runs: int, columns: tuple[str, ...] = (), last: bool = False) -> tuple[float, int]:
    """Median ms of the list's count and its first page (`last`: its last page) of `query`, with
    the attribute `columns`."""
    times = []
    count = 0
    for _ in range(runs):
        store.listing.forget_search()  # each run searches afresh, as a new `/` does
        started = time.perf_counter()
        count = store.listing.count(query)
        store.listing.page(max(count - PAGE, 0) if last else 0, PAGE, query, attributes=columns)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), count


def attribute_rows(store: Store, runs: int) -> None:
    """The list with attribute filters and columns: count + a page, in ms."""
    print(f"{'list':<58} {'articles':>8} {'ms':>7}")
    cases = [
        ("all, by date (no attribute)", ListQuery(), (), False),
        ("all, by date, category and desk columns", ListQuery(), ("category", "desk"), False),
        ("all, by date, the two columns, last page", ListQuery(), ("category", "desk"), True),
        ("category=sport (1/6), by date", ListQuery(where=(("category", "sport"),)), (), False),
        ("category=sport, by date, last page", ListQuery(where=(("category", "sport"),)), (), True),
        ("category=sport, by title", ListQuery(sort="title", where=(("category", "sport"),)), (), False),
        ("category=sport, by source", ListQuery(sort="source", where=(("category", "sport"),)), (), False),
        ("all, sorted by category (o), with the column", ListQuery(sort="attribute", sort_attribute="category"),
         ("category",), False),
        ("all, sorted by category, last page", ListQuery(sort="attribute", sort_attribute="category"), ("category",), True),
        ("category=sport, sorted by desk", ListQuery(sort="attribute", sort_attribute="desk",
                                                     where=(("category", "sport"),)), ("desk",), False),
        ("desk=desk 7 (1/200), by date", ListQuery(where=(("desk", "desk 7"),)), (), False),
        ("category=sport and desk=desk 2, by date", ListQuery(where=(("category", "sport"), ("desk", "desk 2"))), (), False),
        ("category=sport and search “said”, by date", ListQuery(search="said", where=(("category", "sport"),)), (), False),
    ]
    for name, query, columns, last in cases:
        ms, count = timed(store, query, runs, columns, last)
        print(f"{name:<58} {count:>8} {ms:>7.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--words", nargs="*", default=["said", "minister", "Nakamura"])
    parser.add_argument("--database", type=Path, help="keep the corpus in this database (built when it does not exist)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = args.database or Path(folder) / "bench.db"
        fresh = not path.exists()
        store = Store.open(path)
        try:
            if fresh:
                started = time.perf_counter()
                build(store, args.articles)
                print(f"{args.articles} articles built in {time.perf_counter() - started:.1f} s")
            print(f"{'word':<12} {'hits':>7} {'by date ms':>11} {'by relevance ms':>16} {'ratio':>6}")
            for word in args.words:
                by_date, hits = timed(store, ListQuery(search=word, sort="published"), args.runs)
                by_rank, _ = timed(store, ListQuery(search=word, sort="relevance"), args.runs)
                print(f"{word:<12} {hits:>7} {by_date:>11.1f} {by_rank:>16.1f} {by_rank / by_date:>6.2f}")
            print()
            attribute_rows(store, args.runs)
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
