"""Retrieval from an entity at 100,000 articles and 200,000 annotations (issue 7 goal: each view under 300 ms).

It never changes the database it starts from: it works on a copy in --workdir, and asserts nothing about timings.

    python benchmarks/entity_index_bench.py [--source DB] [--workdir DIR] [--fresh] [--repeats N]

1. Copies DB (by default the one `benchmarks/run.py --keep --workdir benchmarks/out/ws` leaves:
   100,000 articles, 100,000 annotations) with SQLite's backup API into DIR (default
   benchmarks/out/entity-index), opens it (the migrations run: timed), and tops its
   annotations up to 200,000 (sentences of random articles, as run.py does).
2. Fills the entity cache with the built-in recogniser (each text cached is indexed at once:
   the time spent indexing is measured apart), then empties the index and indexes the whole
   cache again as the background fill does for a database made before the index existed.
   With DIR already filled (filled.json there), steps 1-2 are skipped and their numbers reread
   (--reindex does the second half of step 2 again). The corpus has no publication dates, so
   the index's rows are given dates over ten years (`date_index`) for "newest first" and the
   timeline to have something to sort and group.
3. Times each query of reader/store/entity_index.py (median of N runs, after one warm-up) for a
   frequent, a middling and a rare entity, and prints them against the 300 ms goal; then opens
   the EntityScreen of each in a headless app (the list and the side panes, timed apart).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from reader.core.entities import build_recogniser, engine_key  # noqa: E402
from reader.store import entity_index  # noqa: E402
from reader.core.model import Entity  # noqa: E402
from reader.services.entity_fill import fill_cache  # noqa: E402
from reader.store import Store
from bench_db import copy_database, log  # noqa: E402

DEFAULT_SOURCE = HERE / "out" / "ws" / "reader-bench-100000-seed1" / "annotations.db"
DEFAULT_WORKDIR = HERE / "out" / "entity-index"
ANNOTATIONS = 200_000
GOAL_MS = 300.0


def prepare(args: argparse.Namespace) -> dict:
    """The filled database in the work directory, and what making it took."""
    db_path = args.workdir / "annotations.db"
    marker = args.workdir / "filled.json"
    if marker.exists() and db_path.exists() and not args.fresh:
        log(f"reusing {db_path} (delete {marker.name} or pass --fresh to rebuild)")
        made = json.loads(marker.read_text(encoding="utf-8"))
        return reindex(args, made) if args.reindex or "reindex_s" not in made else made
    if not args.source.exists():
        sys.exit(f"{args.source}: no such database (run python benchmarks/run.py --keep --workdir benchmarks/out/ws first, or give --source)")
    args.workdir.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    log(f"copying {args.source} to {db_path}")
    copy_database(args.source, db_path)
    made: dict = {}
    started = time.perf_counter()
    store = Store.open(db_path)
    made["open_with_migrations_s"] = time.perf_counter() - started
    store.close()
    import run  # benchmarks/run.py: the same annotations as its own top-up

    log(f"topping annotations up to {ANNOTATIONS:,}")
    made["annotations_added"], made["annotations_added_s"] = run.top_up_annotations(db_path, ANNOTATIONS, random.Random(7))
    store = Store.open(db_path)
    recogniser = build_recogniser()
    engine = engine_key(recogniser, {})
    made["engine"] = engine
    spent = [0.0]
    indexing = entity_index.index_text

    def timed_index(*arguments):
        begun = time.perf_counter()
        try:
            return indexing(*arguments)
        finally:
            spent[0] += time.perf_counter() - begun

    entity_index.index_text = timed_index  # Store.cache_entities looks it up at each call
    log("filling the entity cache (and the index) for every article")
    started = time.perf_counter()
    last = [started]

    def progress(done: int) -> None:
        if time.perf_counter() - last[0] > 30:
            last[0] = time.perf_counter()
            log(f"  {done:,} cached")

    try:
        made["cached"] = fill_cache(store, recogniser, engine, progress=progress)
    finally:
        entity_index.index_text = indexing
    made["fill_s"] = time.perf_counter() - started
    made["fill_indexing_s"] = spent[0]
    log(f"filled: {made['fill_s']:.0f} s, of which indexing {spent[0]:.0f} s")
    made["articles"] = store.db.execute("SELECT count(*) FROM articles").fetchone()[0]
    made["annotations"] = store.annotations.count()
    store.close()
    marker.write_text(json.dumps(made, indent=2), encoding="utf-8")
    return reindex(args, made)


def reindex(args: argparse.Namespace, made: dict) -> dict:
    """Empty the index and index the whole cache again, as the background fill does for a
    database made before the index existed; then date the index (see `date_index`)."""
    store = Store.open(args.workdir / "annotations.db")
    engine = made["engine"]
    log("emptying the index and indexing the whole cache again (a database made before m009)")
    with store.writing():
        for table in ("entity_mentions", "entity_indexed", "entity_words", "entities"):
            store.db.execute(f"DELETE FROM {table}")
    started = time.perf_counter()
    made["reindexed"] = entity_index.index_cached(store, engine)
    made["reindex_s"] = time.perf_counter() - started
    started = time.perf_counter()
    made["unindexed_after"] = len(entity_index.unindexed_articles(store, engine))
    made["unindexed_check_s"] = time.perf_counter() - started
    made["rows"] = entity_index.index_size(store)
    made["bytes"] = table_bytes(store)
    date_index(store)
    store.close()
    (args.workdir / "filled.json").write_text(json.dumps(made, indent=2), encoding="utf-8")
    return made


def date_index(store: Store) -> None:
    """The generated corpus has no publication dates, so "newest first" and the timeline would
    sort and group nothing: give the index's rows dates spread over ten years (1 in 31
    undated), as a real corpus has. The articles themselves are left alone."""
    with store.writing():
        store.db.execute(
            """UPDATE entity_indexed SET published = CASE WHEN article_id % 31 = 0 THEN NULL
                   ELSE date('2016-01-01', '+' || ((article_id * 7919) % 3650) || ' days') END"""
        )


def table_bytes(store: Store) -> dict[str, int]:
    """Bytes on disk of the index's tables and indexes (and of the whole file)."""
    names = ("entities", "idx_entities_key_label", "entity_words", "entity_mentions", "idx_entity_mentions_entity", "entity_indexed")
    sizes = {}
    try:
        for name in names:
            sizes[name] = store.db.execute("SELECT sum(pgsize) FROM dbstat WHERE name = ?", [name]).fetchone()[0] or 0
    except sqlite3.OperationalError:  # SQLite built without dbstat
        pass
    page_size = store.db.execute("PRAGMA page_size").fetchone()[0]
    sizes["whole file"] = page_size * store.db.execute("PRAGMA page_count").fetchone()[0]
    return sizes


def median_ms(work, repeats: int) -> tuple[float, object]:
    result = work()  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def pick_entities(store: Store) -> dict[str, Entity]:
    db = store.db
    columns = "id, key, label, name, articles, mentions"
    frequent = db.execute(f"SELECT {columns} FROM entities ORDER BY articles DESC LIMIT 1").fetchone()
    top_org = db.execute(f"SELECT {columns} FROM entities WHERE label = 'ORG' ORDER BY articles DESC LIMIT 1").fetchone()
    top_place = db.execute(f"SELECT {columns} FROM entities WHERE label = 'GPE' ORDER BY articles DESC LIMIT 1").fetchone()
    person = db.execute(
        f"SELECT {columns} FROM entities WHERE label = 'PERSON' AND articles BETWEEN 100 AND 400 ORDER BY articles DESC, id LIMIT 1"
    ).fetchone()
    rare = db.execute(f"SELECT {columns} FROM entities WHERE label = 'PERSON' AND articles = 1 ORDER BY id LIMIT 1").fetchone()
    found = {
        "most frequent": frequent,
        "frequent ORG": top_org,
        "frequent GPE": top_place,
        "middling PERSON": person,
        "rare PERSON": rare,
    }
    return {name: Entity(*row) for name, row in found.items() if row}


def time_queries(db_path: Path, repeats: int) -> list[tuple[str, str, float, str]]:
    store = Store.open(db_path)
    rows: list[tuple[str, str, float, str]] = []
    try:
        for typed in ("", "a", "un", "lim", "ana li", "zzq"):
            ms, found = median_ms(lambda typed=typed: entity_index.entities_matching(store, typed), repeats)
            rows.append(("entities matching", repr(typed), ms, f"{len(found)} shown, first {found[0].name if found else '-'}"))
        chosen = pick_entities(store)
        for name, entity in chosen.items():
            what = f"{name}: {entity.name} ({entity.label}, {entity.articles:,} articles, {entity.mentions:,} mentions)"
            log(what)
            queries = {
                "header (mentions, articles)": lambda e=entity: entity_index.entity_totals(store, e),
                "articles, first page": lambda e=entity: entity_index.articles_mentioning(store, e, 0, 50),
                "articles, last page": lambda e=entity: entity_index.articles_mentioning(store, e, max(e.articles - 50, 0), 50),
                "mentions in context, first page": lambda e=entity: entity_index.mentions_of(store, e, 0, 50),
                "mentions in context, last page": lambda e=entity: entity_index.mentions_of(store, e, max(e.mentions - 50, 0), 50),
                "co-occurring (sentence and article)": lambda e=entity: entity_index.co_occurring(store, e),
                "tags on passages mentioning it": lambda e=entity: entity_index.tags_on_mentions(store, e),
                "mentions per month": lambda e=entity: entity_index.mentions_per_month(store, [e]),
            }
            for query, work in queries.items():
                ms, result = median_ms(work, repeats)
                rows.append((query, what, ms, summary(result)))
        three = list(chosen.values())[:3]
        ms, _ = median_ms(lambda: entity_index.mentions_per_month(store, three), repeats)
        rows.append(("mentions per month", "three frequent entities at once", ms, ""))
    finally:
        store.close()
    return rows


def time_screens(db_path: Path, repeats: int) -> list[tuple[str, float, float]]:
    """(entity, ms until the EntityScreen shows its header and first mentions, ms until its side
    panes are filled too), median of `repeats` openings in a headless app."""
    import asyncio

    from reader.core.config import parse_config
    from reader.tui.app import ReaderApp

    config_path = db_path.parent / "config.yaml"
    text = f"annotator: bench\nload_samples: false\ndatabase: {db_path.name}\n"
    config_path.write_text(text, encoding="utf-8")
    config = parse_config(text, config_path)
    store = Store.open(db_path)
    chosen = pick_entities(store)
    ReaderApp.FILL_ENTITY_CACHE = False
    app = ReaderApp(config, store)
    results = []

    from reader.tui.widgets.paged_list import PagedList

    drawn: dict[int, float] = {}
    render_line = PagedList.render_line

    def timed_render_line(rows, y):  # when a list first draws a line: the screen shows its rows
        drawn.setdefault(id(rows), time.perf_counter())
        return render_line(rows, y)

    PagedList.render_line = timed_render_line

    async def measure() -> None:
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            for name, entity in chosen.items():
                shown, filled = [], []
                for _ in range(repeats + 1):
                    started = time.perf_counter()
                    screen = app.open_entity(entity.name, entity.label)
                    while not screen.is_mounted or id(screen.panes[0]) not in drawn:
                        await asyncio.sleep(0.001)
                    shown.append((drawn[id(screen.panes[0])] - started) * 1000)
                    while screen.tags is None or screen.together is None:
                        await asyncio.sleep(0.001)
                    filled.append((time.perf_counter() - started) * 1000)
                    await pilot.press("q")
                    await pilot.pause()
                results.append((f"{name}: {entity.name}", statistics.median(shown[1:]), statistics.median(filled[1:])))

    try:
        asyncio.run(measure())
    finally:
        PagedList.render_line = render_line
        store.close()
    return results


def summary(result: object) -> str:
    if isinstance(result, entity_index.CoOccurrence):
        first = result.rows[0] if result.rows else None
        where = "all" if result.complete else f"newest {result.considered:,} of {result.total:,}"
        top = f"; top {first.entity.name} ({first.sentences} sentences, {first.articles} articles)" if first else ""
        return f"over {where} articles{top}"
    if isinstance(result, list):
        return f"{len(result)} rows"
    if isinstance(result, dict):
        return f"{sum(len(v) for v in result.values())} months"
    return str(result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--fresh", action="store_true", help="copy and fill again even if the work directory is filled")
    parser.add_argument("--reindex", action="store_true", help="with a filled work directory: index its cache again (timed)")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    made = prepare(args)
    print(f"\n## Building ({made['articles']:,} articles, {made['annotations']:,} annotations)\n")
    print(f"opening the copied database, migrations included: {made['open_with_migrations_s'] * 1000:.0f} ms")
    print(f"filling the entity cache: {made['fill_s']:.0f} s for {made['cached']:,} texts, "
          f"of which indexing {made['fill_indexing_s']:.0f} s ({made['fill_indexing_s'] / max(made['cached'], 1) * 1000:.2f} ms a text, "
          f"{made['fill_indexing_s'] / max(made['fill_s'] - made['fill_indexing_s'], 1e-9) * 100:.0f}% on top of recognising and caching)")
    print(f"indexing a cache made before the index (background fill): {made['reindex_s']:.0f} s for {made['reindexed']:,} articles "
          f"({made['reindex_s'] / max(made['reindexed'], 1) * 1000:.2f} ms each)")
    print(f"finding what is left to index, with nothing left: {made['unindexed_check_s'] * 1000:.0f} ms")
    print("rows: " + ", ".join(f"{name} {count:,}" for name, count in made["rows"].items()))
    print("bytes: " + ", ".join(f"{name} {size / 1e6:.0f} MB" for name, size in made["bytes"].items()))
    rows = time_queries(args.workdir / "annotations.db", args.repeats)
    print(f"\n## Queries (median of {args.repeats}, goal {GOAL_MS:.0f} ms each)\n")
    print("| query | entity | ms | goal | result |\n|---|---|---:|---|---|")
    for query, what, ms, result in rows:
        verdict = "met" if ms < GOAL_MS else "MISSED"
        print(f"| {query} | {what} | {ms:.1f} | {verdict} | {result} |")
    screens = time_screens(args.workdir / "annotations.db", args.repeats)
    print(f"\n## The entity screen in a headless app (median of {args.repeats} openings)\n")
    print("| entity | header and first mentions shown | side panes filled too | goal |\n|---|---:|---:|---|")
    for what, shown, filled in screens:
        print(f"| {what} | {shown:.0f} ms | {filled:.0f} ms | {'met' if filled < GOAL_MS else 'MISSED'} |")


if __name__ == "__main__":
    main()
