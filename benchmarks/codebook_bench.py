"""How fast the codebook and a tag's passages open on 100,000 articles and 200,000 annotations.

Copies the database `benchmarks/run.py --keep` leaves (never changes it), spreads its articles
over 36 months and 12 sources, brings it to 200,000 annotations by three annotators over a
codebook of 20 tags (some nested), then times each query and each screen's first paint against
the 300 ms goal: a tag's pages by position, the old way (ORDER BY ... OFFSET, for comparison),
by key (after or before a passage, as paging does) and the last one (G), and the passages
screen's keys deep in the list. Usage: python benchmarks/codebook_bench.py [--source DB] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from reader.core.config import parse_config  # noqa: E402
from reader.core.model import PassageQuery
from reader.store import Store
from bench_db import copy_database  # noqa: E402

GOAL_MS = 300
DEFAULT_SOURCE = HERE / "out/ws/reader-bench-100000-seed1/annotations.db"
CODEBOOK = [
    "conflict", "cooperation", "economic", "human-interest", "responsibility", "quote",
    "framing/economy", "framing/security", "framing/morality", "framing/health",
    "actor/government", "actor/business", "actor/civil-society", "actor/expert",
    "tone/negative", "tone/positive", "tone/neutral", "claim", "evidence", "rare",
]
SOURCES = [f"Source {n:02}" for n in range(12)]


def prepare(source: Path, target: Path, annotations: int) -> None:
    """A copy of `source` with dates, sources, tags and annotators spread as described above."""
    copy_database(source, target)  # the source's write-ahead log too, which a file copy would miss
    store = Store.open(target)
    db = store.db
    random.seed(7)
    with store.writing("spreading dates and sources"):
        db.execute(
            "UPDATE articles SET published = printf('%04d-%02d-%02d', 2023 + (id % 36) / 12, 1 + (id % 36) % 12, 1 + id % 28),"
            " source = 'Source ' || printf('%02d', id % 12)"
        )
        for name in CODEBOOK:
            store.tags.ensure(name)
        tag_ids = {name: store.tags.id_of(name) for name in CODEBOOK}
        weights = [max(1, 40 - 2 * index) for index in range(len(CODEBOOK) - 1)] + [0.05]
        existing = db.execute("SELECT count(*) FROM annotations").fetchone()[0]
        # retag the existing annotations over the whole codebook
        rows = db.execute("SELECT id FROM annotations").fetchall()
        db.execute("DELETE FROM annotation_tags")
        db.conn.executemany(
            "INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)",
            ((row[0], tag_ids[random.choices(CODEBOOK, weights)[0]]) for row in rows),
        )
        db.execute("UPDATE annotations SET annotator = CASE abs(random()) % 3 WHEN 0 THEN 'alice' WHEN 1 THEN 'bob' ELSE 'chen' END")
        articles = db.execute("SELECT max(id) FROM articles").fetchone()[0]
        new = []
        for _ in range(max(0, annotations - existing)):
            article_id = random.randint(1, articles)
            new.append((str(uuid.uuid4()), article_id, random.choice(CODEBOOK[:-1])))
        db.conn.executemany(
            """INSERT INTO annotations (id, article_id, start, "end", quote, prefix, suffix, annotator, created, updated)
               SELECT ?, id, 0, min(40, chars), substr(text, 1, min(40, chars)), '', substr(text, 41, 32),
                      'dana', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00' FROM articles WHERE id = ?""",
            ((annotation_id, article_id) for annotation_id, article_id, _tag in new),
        )
        db.conn.executemany(
            "INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)",
            ((annotation_id, tag_ids[tag]) for annotation_id, _article, tag in new),
        )
    db.execute("ANALYZE")
    store.close()


def forget_count(store: Store) -> None:
    """Make the next passage count read the database, as a screen opened afresh does."""
    store.passages._passage_count_key = None


def forget_outline(store: Store) -> None:
    """Make the next jump deep into a list build the list's outline, as the first jump does."""
    store.passages._outline_key = None


def offset_page(store: Store, query: PassageQuery, offset: int, limit: int = 100) -> list:
    """A page as `Store.passages` read it before keyset paging: every passage sorted by date
    (ORDER BY ... LIMIT ? OFFSET ?), for the before/after comparison."""
    tag_ids = store.passages._tag_ids(query)
    where, params = store.passages._filters(query)
    return store.db.execute(
        f"""SELECT {store.passages._COLUMNS} FROM annotations n JOIN articles a ON a.id = n.article_id
            WHERE n.id IN (SELECT annotation_id FROM annotation_tags WHERE tag_id IN ({", ".join("?" * len(tag_ids)) or "NULL"}))
            {"".join(f" AND {term}" for term in where)}
            ORDER BY a.published DESC, a.id DESC, n.start, n.id LIMIT ? OFFSET ?""",
        [*tag_ids, *params, limit, offset],
    ).fetchall()


def timed(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def passages_keys_ms(store: Store, config_path: Path, tag: str, runs: int) -> dict[str, float]:
    """Median times, in a headless app, of the passages screen's keys deep in the list: G (to
    the last page); the slowest of 15 pageups from there (they read the pages before it); a
    jump to the middle with no page near it cached, as a scrollbar drag does (the list's
    outline built afresh); the slowest of 15 pagedowns from there."""
    from reader.tui.app import ReaderApp
    from reader.tui.screens.tags import TagPassagesScreen
    from reader.tui.widgets.paged_list import PagedList

    async def press(pilot, key: str) -> float:
        started = time.perf_counter()
        await pilot.press(key)
        await pilot.pause()
        return (time.perf_counter() - started) * 1000

    config = parse_config(f"database: {store.path}\nload_samples: false\n", config_path)
    times: dict[str, list[float]] = {"G": [], "pageup": [], "jump": [], "pagedown": []}
    ReaderApp.FILL_ENTITY_CACHE = False
    app = ReaderApp(config, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for _ in range(runs):
            await app.push_screen(TagPassagesScreen(app.workspace, tag))
            await pilot.pause()
            rows = app.screen.query_one(PagedList)
            times["G"].append(await press(pilot, "G"))
            times["pageup"].append(max([await press(pilot, "pageup") for _ in range(15)]))
            forget_outline(store)
            started = time.perf_counter()
            rows.cursor = rows.count // 2
            await pilot.pause()
            times["jump"].append((time.perf_counter() - started) * 1000)
            times["pagedown"].append(max([await press(pilot, "pagedown") for _ in range(15)]))
            app.pop_screen()
            await pilot.pause()
    return {name: statistics.median(values) for name, values in times.items()}


async def screen_open_ms(store: Store, config_path: Path, make_screen, runs: int) -> float:
    """Median time from pushing the screen to its first paint, in a headless app."""
    from reader.tui.app import ReaderApp

    config = parse_config(f"database: {store.path}\nload_samples: false\n", config_path)
    times = []
    ReaderApp.FILL_ENTITY_CACHE = False
    app = ReaderApp(config, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for _ in range(runs):
            started = time.perf_counter()
            await app.push_screen(make_screen(app.workspace))
            await pilot.pause()
            times.append((time.perf_counter() - started) * 1000)
            app.pop_screen()
            await pilot.pause()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--workdir", type=Path, default=HERE / "out/codebook")
    parser.add_argument("--annotations", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="use the prepared copy from an earlier run")
    args = parser.parse_args()
    target = args.workdir / "annotations.db"
    if not (args.reuse and target.exists()):
        if not args.source.exists():
            sys.exit(f"{args.source}: no such database; run `python benchmarks/run.py --keep --workdir benchmarks/out/ws` first")
        started = time.perf_counter()
        prepare(args.source, target, args.annotations)
        print(f"prepared {target} in {time.perf_counter() - started:.1f} s")
    store = Store.open(target)
    print(f"{store.listing.count():,} articles, {store.annotations.count():,} annotations, {len(store.tags.names())} tags")
    frequent, nested, rare = PassageQuery("conflict"), PassageQuery("framing"), PassageQuery("rare")
    filtered = PassageQuery("conflict", source="Source 03", since="2024-01", until="2024-06", annotator="bob")
    results = [
        ("codebook: every tag with passage and article counts", timed(store.tags.summary, args.runs)),
    ]
    for label, query in (("frequent tag", frequent), ("nested parent (4 tags)", nested), ("rare tag", rare),
                         ("frequent tag, source + 6 months + annotator", filtered)):
        count = store.passages.count(query)
        results.append((f"passages, {label} ({count:,}): count + first page",
                        timed(lambda q=query: (forget_count(store), store.passages.count(q), store.passages.page(q, 0, 100)), args.runs)))
        middle = store.passages.page(query, max(0, count // 2), 100)
        last = count - (count - 1) // 100 * 100 if count else 0
        results.append((f"passages, {label}: a page deep in the list, before (ORDER BY ... OFFSET)",
                        timed(lambda q=query, c=count: offset_page(store, q, max(0, c // 2)), args.runs)))
        results.append((f"passages, {label}: a page deep in the list, by position (outline built)",
                        timed(lambda q=query, c=count: (forget_outline(store), store.passages.page(q, max(0, c // 2), 100)), args.runs)))
        results.append((f"passages, {label}: a page deep in the list, by position (outline kept)",
                        timed(lambda q=query, c=count: store.passages.page(q, max(0, c // 2) + 100, 100), args.runs)))
        results.append((f"passages, {label}: G, the last page, before (ORDER BY ... OFFSET)",
                        timed(lambda q=query, c=count, n=last: offset_page(store, q, c - n, n), args.runs)))
        results.append((f"passages, {label}: G, the last page, by key (from the end)",
                        timed(lambda q=query, n=last: store.passages.before(q, None, n), args.runs)))
        if middle:
            results.append((f"passages, {label}: page down from the middle, by key",
                            timed(lambda q=query, m=middle: store.passages.after(q, m[-1], 100), args.runs)))
            results.append((f"passages, {label}: page up from the middle, by key",
                            timed(lambda q=query, m=middle: store.passages.before(q, m[0], 100), args.runs)))
    from reader.tui.screens.tags import TagPassagesScreen, TagsScreen

    config_path = args.workdir / "config.yaml"
    from textual.screen import Screen
    from textual.widgets import Footer, Static

    class EmptyScreen(Screen):
        def compose(self):
            yield Static("nothing")
            yield Footer()

    results.append(("for comparison: an empty screen with a footer, push to first paint",
                    asyncio.run(screen_open_ms(store, config_path, lambda _w: EmptyScreen(), args.runs))))
    results.append(("Tags screen: push to first paint",
                    asyncio.run(screen_open_ms(store, config_path, TagsScreen, args.runs))))
    results.append(("passages screen (frequent tag): push to first paint",
                    asyncio.run(screen_open_ms(store, config_path, lambda w: TagPassagesScreen(w, "conflict"), args.runs))))
    keys = asyncio.run(passages_keys_ms(store, config_path, "framing", args.runs))
    results.append(("passages screen (nested parent): G, to paint", keys["G"]))
    results.append(("passages screen (nested parent): slowest of 15 pageups after G", keys["pageup"]))
    results.append(("passages screen (nested parent): jump to the middle, nothing near cached", keys["jump"]))
    results.append(("passages screen (nested parent): slowest of 15 pagedowns after it", keys["pagedown"]))
    store.close()
    width = max(len(label) for label, _ in results)
    for label, ms in results:
        verdict = "met" if ms < GOAL_MS else "MISSED"
        print(f"{label:<{width}}  {ms:8.1f} ms   goal < {GOAL_MS} ms: {verdict}")


if __name__ == "__main__":
    main()
