"""Time the figures of reader/store/figures.py and the Charts screen's first paint at 100,000 articles and 200,000 annotations (goal: each view under 300 ms), before and after store migration m013.

It never changes the database it starts from (it works on a copy in --workdir) and asserts nothing about timings.

    python benchmarks/insight_bench.py [--source DB] [--workdir DIR] [--fresh] [--repeats N] [--rounds N] [--plans]

1. Copies DB with SQLite's backup API into DIR (default benchmarks/out/insight). The default
   source is the database benchmarks/entity_index_bench.py leaves (100,000 articles, 200,000
   annotations, the entity index filled) when it exists, else the one `benchmarks/run.py
   --keep --workdir benchmarks/out/ws` leaves (then the annotations are topped up to 200,000
   as run.py does, and, the entity index being empty, it is filled with synthetic mentions).
   The copy's pending migrations are applied one at a time and timed (m013 back-fills each
   tagging's month and source and the entity index's counts per month): recorded in
   prepared.json and printed. A copy prepared before m013 existed is migrated (and timed) at
   the next run.
2. Gives the copy a realistic spread: 14 sources (Zipf-like, 2% without), dates over 84 months
   (more recent months busier, 3% undated), 14 tags (some nested) drawn per annotation with
   preferences per source and trends per month, 1-3 tags per annotation, five annotators,
   8,000 whole-article tags. The sqlite_stat1 an earlier ANALYZE left is dropped: reader never
   runs ANALYZE, so query plans are those a user's database gets.
   With DIR already prepared (prepared.json there), steps 1-2 are skipped.
3. Times each figure (median of N runs after a warm-up) twice: "before", counting from the
   rows as reader did before m013 (`insight.READ_SUMMARIES = False`: the per-key GROUP BYs, the
   mentions joined to their articles' dates), and "after", as it does now; says whether both
   gave the same numbers. Then the Charts screen in a headless app, both ways: from the key
   to the first frame showing each view's numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
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

from reader.store import figures as insight  # noqa: E402
from reader.store import Store
from bench_db import copy_database, log  # noqa: E402

WS_SOURCE = HERE / "out" / "ws" / "reader-bench-100000-seed1" / "annotations.db"
INDEXED_SOURCE = HERE / "out" / "entity-index" / "annotations.db"
DEFAULT_WORKDIR = HERE / "out" / "insight"
ANNOTATIONS = 200_000
GOAL_MS = 300.0

SOURCES = [
    "Wirefeed", "The Daily Ledger", "Coastal Herald", "Metro Post", "Global Wire Service", "Valley Tribune",
    "Harbor Gazette", "Capital Times", "Northern Courier", "Evening Dispatch", "Riverside Journal",
    "Plains Observer", "Island Chronicle", "Summit Review",
]
TAGS = [
    ("conflict", "#e06c75"), ("cooperation", "#98c379"), ("economy", "#e5c07b"), ("framing/economy", "#d19a66"),
    ("framing/security", "#be5046"), ("framing/human-interest", "#c678dd"), ("framing/responsibility", "#56b6c2"),
    ("actor/government", "#61afef"), ("actor/civil-society", "#7ec699"), ("actor/business", "#abb2bf"),
    ("quote/official", "#528bff"), ("quote/witness", "#ff79c6"), ("uncertainty", "#8be9fd"), ("casualties", "#ff5555"),
]
ANNOTATORS = [("alice", 40), ("bob", 25), ("chen", 20), ("dana", 10), ("emre", 5)]
FIRST_YEAR, MONTHS = 2019, 84


def default_source() -> Path:
    if (INDEXED_SOURCE.parent / "filled.json").exists() and INDEXED_SOURCE.exists():
        return INDEXED_SOURCE
    return WS_SOURCE


# ---- preparing the copy ----------------------------------------------------------------------


def prepare(args: argparse.Namespace) -> dict:
    db_path = args.workdir / "annotations.db"
    marker = args.workdir / "prepared.json"
    if marker.exists() and db_path.exists() and not args.fresh:
        log(f"reusing {db_path} (delete {marker.name} or pass --fresh to prepare again)")
        return json.loads(marker.read_text(encoding="utf-8"))
    if not args.source.exists():
        sys.exit(f"{args.source}: no such database (run python benchmarks/run.py --keep --workdir benchmarks/out/ws first, or give --source)")
    args.workdir.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    log(f"copying {args.source} to {db_path}")
    copy_database(args.source, db_path)
    migrated = migrate(db_path)
    rng = random.Random(11)
    store = Store.open(db_path)
    try:
        if store.annotations.count() < ANNOTATIONS:
            store.close()
            import run  # benchmarks/run.py: the same annotations as its own top-up

            log(f"topping annotations up to {ANNOTATIONS:,}")
            run.top_up_annotations(db_path, ANNOTATIONS, random.Random(7))
            store = Store.open(db_path)
        spread(store, rng)
        if not insight.entity_index_ready(store):
            synthetic_entity_index(store, rng)
        store.db.execute("DROP TABLE IF EXISTS sqlite_stat1")
        made = {
            "source": str(args.source),
            "articles": store.listing.count(),
            "annotations": store.annotations.count(),
            "annotation_tags": store.db.execute("SELECT count(*) FROM annotation_tags").fetchone()[0],
            "article_tags": store.db.execute("SELECT count(*) FROM article_tags").fetchone()[0],
            "entity_mentions": store.db.execute("SELECT count(*) FROM entity_mentions").fetchone()[0],
            "migrations_s": migrated,
        }
    finally:
        store.close()
    marker.write_text(json.dumps(made, indent=2), encoding="utf-8")
    return made


def migrate(db_path: Path) -> dict[str, float]:
    """Apply the copy's pending migrations one at a time, as Store.open would; seconds each."""
    from sqlite_utils import Database

    from reader.store.schema import migrations

    db = Database(sqlite3.connect(str(db_path)))
    times = {}
    try:
        db.execute("PRAGMA foreign_keys = ON")
        pending = [migration.name for migration in migrations.pending(db)]
        for position, name in enumerate(pending):
            log(f"applying migration {name}")
            started = time.perf_counter()
            migrations.apply(db, stop_before=pending[position + 1 :])
            times[name] = time.perf_counter() - started
    finally:
        db.close()
    return times


def migrate_prepared(args: argparse.Namespace, made: dict) -> dict:
    """A prepared copy made before a migration existed gets it now (timed, recorded)."""
    times = migrate(args.workdir / "annotations.db")
    if times:
        made.setdefault("migrations_s", {}).update(times)
        (args.workdir / "prepared.json").write_text(json.dumps(made, indent=2), encoding="utf-8")
    return made


def _without_update_triggers(store: Store):
    """The FTS update triggers of articles and annotations, dropped for the reshaping (only
    sources, dates and annotators change, never an indexed text) and their SQL to restore."""
    rows = store.db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ('articles_au', 'annotations_au')"
    ).fetchall()
    for name, _sql in rows:
        store.db.execute(f'DROP TRIGGER "{name}"')
    return rows


def spread(store: Store, rng: random.Random) -> None:
    """Sources, dates, tags and annotators with a realistic spread (see the docstring)."""
    log("spreading sources, dates, tags and annotators")
    db = store.db
    source_weights = [1 / (rank + 1) ** 0.9 for rank in range(len(SOURCES))]
    month_weights = [1 + 2 * month / (MONTHS - 1) for month in range(MONTHS)]
    article_ids = [row[0] for row in db.execute("SELECT id FROM articles ORDER BY id")]
    placed: dict[int, tuple[int | None, int | None]] = {}
    rows = []
    for article_id in article_ids:
        source = None if rng.random() < 0.02 else rng.choices(range(len(SOURCES)), source_weights)[0]
        month = None if rng.random() < 0.03 else rng.choices(range(MONTHS), month_weights)[0]
        placed[article_id] = (source, month)
        published = None
        if month is not None:
            year, index = divmod(month, 12)
            published = f"{FIRST_YEAR + year:04d}-{index + 1:02d}-{rng.randint(1, 28):02d}"
        rows.append((None if source is None else SOURCES[source], published, article_id))
    tag_base = [1 / (rank + 1) ** 0.8 for rank in range(len(TAGS))]
    preference = [[math.exp(rng.gauss(0, 0.6)) for _ in TAGS] for _ in range(len(SOURCES) + 1)]
    trend = [rng.uniform(-1.5, 1.5) for _ in TAGS]
    weights_for: dict[tuple[int, int], list[float]] = {}

    def tag_weights(source: int | None, month: int | None) -> list[float]:
        key = (len(SOURCES) if source is None else source, MONTHS // 2 if month is None else month)
        if key not in weights_for:
            where = key[1] / (MONTHS - 1) - 0.5
            weights_for[key] = [tag_base[t] * preference[key[0]][t] * math.exp(trend[t] * where) for t in range(len(TAGS))]
        return weights_for[key]

    with store.writing():
        triggers = _without_update_triggers(store)
        db.conn.executemany("UPDATE articles SET source = ?, published = ? WHERE id = ?", rows)
        with suspended_month_counts(db):  # then counted once, not per article
            db.execute("UPDATE entity_indexed SET published = (SELECT a.published FROM articles a WHERE a.id = entity_indexed.article_id)")
        for name, color in TAGS:
            db.execute("INSERT OR IGNORE INTO tags (name, color) VALUES (?, ?)", [name, color])
        tag_ids = [db.execute("SELECT id FROM tags WHERE name = ?", [name]).fetchone()[0] for name, _ in TAGS]
        db.execute("DELETE FROM annotation_tags")
        db.execute("DELETE FROM article_tags")
        names = [name for name, _ in ANNOTATORS]
        shares = [share for _, share in ANNOTATORS]
        annotation_rows, tag_rows = [], []
        for annotation_id, article_id in db.execute("SELECT id, article_id FROM annotations").fetchall():
            weights = tag_weights(*placed[article_id])
            count = rng.choices((1, 2, 3), (70, 25, 5))[0]
            chosen: set[int] = set()
            while len(chosen) < count:
                chosen.add(rng.choices(range(len(TAGS)), weights)[0])
            tag_rows += [(annotation_id, tag_ids[t]) for t in chosen]
            annotation_rows.append((rng.choices(names, shares)[0], annotation_id))
        db.conn.executemany("UPDATE annotations SET annotator = ? WHERE id = ?", annotation_rows)
        db.conn.executemany("INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)", tag_rows)
        whole = set()
        while len(whole) < 8_000:
            article_id = rng.choice(article_ids)
            whole.add((article_id, tag_ids[rng.choices(range(len(TAGS)), tag_weights(*placed[article_id]))[0]]))
        db.conn.executemany(
            "INSERT INTO article_tags (article_id, tag_id, annotator, created) VALUES (?, ?, ?, '2025-01-01T00:00:00+00:00')",
            [(article_id, tag_id, rng.choices(names, shares)[0]) for article_id, tag_id in sorted(whole)],
        )
        for _name, sql in triggers:
            db.execute(sql)


def suspended_month_counts(db):
    """`entity_index.month_counts_suspended` when the copy has entity_months (m013), else nothing."""
    import contextlib

    from reader.store import entity_index

    if "entity_months" in db.table_names():
        return entity_index.month_counts_suspended(db)
    return contextlib.nullcontext()


def synthetic_entity_index(store: Store, rng: random.Random) -> None:
    """An entity index of synthetic mentions (used only when the copy has none): 5,000
    entities drawn Zipf-like, 20-40 mentions in each article."""
    log("the entity index is empty: filling it with synthetic mentions")
    db = store.db
    labels = ["PERSON", "ORG", "GPE", "NORP", "DATE"]
    with store.writing(), suspended_month_counts(db):
        entity_rows = [(index + 1, f"entity {index}", labels[index % len(labels)], f"Entity {index}") for index in range(5_000)]
        db.conn.executemany("INSERT INTO entities (id, key, label, name) VALUES (?, ?, ?, ?)", entity_rows)
        weights = [1 / (rank + 1) for rank in range(5_000)]
        articles = db.execute("SELECT id, sha256, published FROM articles").fetchall()
        for article_id, sha256, published in articles:
            count = rng.randint(20, 40)
            chosen = rng.choices(range(1, 5_001), weights, k=count)
            db.conn.executemany(
                'INSERT INTO entity_mentions (article_id, sentence, start, "end", entity_id, via) VALUES (?, ?, ?, ?, ?, NULL)',
                [(article_id, position // 3, position * 10, position * 10 + 5, entity) for position, entity in enumerate(chosen)],
            )
            db.execute(
                "INSERT OR REPLACE INTO entity_indexed (article_id, sha256, engine, published, indexed) VALUES (?, ?, 'synthetic', ?, '2025-01-01')",
                [article_id, sha256, published],
            )
        db.execute(
            """UPDATE entities SET mentions = (SELECT count(*) FROM entity_mentions m WHERE m.entity_id = entities.id),
                                   articles = (SELECT count(DISTINCT article_id) FROM entity_mentions m WHERE m.entity_id = entities.id)"""
        )


# ---- timing ----------------------------------------------------------------------------------


def before_and_after(work, repeats: int) -> tuple[float, float, object, object]:
    """Median ms of `work` counted from the rows as before m013 and as now (runs alternated, so
    that the machine's other load weighs on both alike), and both results."""
    results, times = {}, {False: [], True: []}
    for kept in (False, True):  # warm-up
        insight.READ_SUMMARIES = kept
        results[kept] = work()
    try:
        for _ in range(repeats):
            for kept in (False, True):
                insight.READ_SUMMARIES = kept
                started = time.perf_counter()
                results[kept] = work()
                times[kept].append((time.perf_counter() - started) * 1000)
    finally:
        insight.READ_SUMMARIES = True
    return statistics.median(times[False]), statistics.median(times[True]), results[False], results[True]


def top_entities(store: Store, count: int):
    from reader.store import entity_index

    return entity_index.entities_matching(store, "", limit=count)


def default_entities(store: Store):
    """What the entity view shows first: the PERSON, the ORG and the GPE in most articles."""
    from reader.store import entity_index

    return [entity for label in ("PERSON", "ORG", "GPE") for entity in entity_index.entities_matching(store, "", label=label, limit=1)]


def figures(store: Store) -> dict:
    """name -> a call computing one figure as the screen and `reader stats` do."""
    entities = top_entities(store, 5)
    busiest = store.db.execute(
        "SELECT annotator FROM annotations GROUP BY annotator ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    rare = store.db.execute(
        "SELECT annotator FROM annotations GROUP BY annotator ORDER BY count(*) LIMIT 1"
    ).fetchone()[0]
    calls = {
        "corpus totals": lambda: insight.corpus_totals(store),
        "tags × source, passages": lambda: insight.tag_counts(store, "source"),
        "tags × source, articles": lambda: insight.tag_counts(store, "source", "articles"),
        "tags × month, passages": lambda: insight.tag_counts(store, "month"),
        "tags × month, articles": lambda: insight.tag_counts(store, "month", "articles"),
        f"tags × source, passages, annotator {busiest} (most)": lambda: insight.tag_counts(store, "source", annotator=busiest),
        f"tags × month, passages, annotator {rare} (fewest)": lambda: insight.tag_counts(store, "month", annotator=rare),
        "tags × month, passages, one tag": lambda: insight.tag_counts(store, "month", tags=["conflict"]),
        "co-occurrence, same passage": lambda: insight.tag_co_occurrence(store, "passage"),
        "co-occurrence, same article": lambda: insight.tag_co_occurrence(store, "article"),
        f"co-occurrence, same passage, annotator {busiest}": lambda: insight.tag_co_occurrence(store, "passage", busiest),
        "change signature (tags), every 2 s": lambda: insight.tag_signature(store),
        "change signature (entities), every 2 s": lambda: insight.entity_signature(store),
    }
    if entities:
        calls[f"entity months, 1 entity ({entities[0].name}, {entities[0].mentions:,} mentions)"] = (
            lambda: insight.entity_months(store, entities[:1]))
        first = default_entities(store)
        named = ", ".join(f"{entity.name} {entity.mentions:,}" for entity in first)
        calls[f"entity months, the view's default ({named} mentions)"] = lambda: insight.entity_months(store, first)
        calls["entity months, the 5 most frequent entities"] = lambda: insight.entity_months(store, entities)
        calls["entity picker (entities matching '')"] = lambda: top_entities(store, 200)
    return calls


def time_figures(db_path: Path, repeats: int) -> list[tuple[str, float, float, str]]:
    """(figure, ms before, ms after, what it shows and whether both ways agree)."""
    store = Store.open(db_path, read_only=True)
    insight.prepare_reading(store)  # as the Charts screen's reading connection is
    rows = []
    try:
        for name, work in figures(store).items():
            before_ms, after_ms, before, after = before_and_after(work, repeats)
            same = "same numbers" if before == after else "NUMBERS DIFFER"
            rows.append((name, before_ms, after_ms, f"{describe(after)}; {same}"))
    finally:
        store.close()
    return rows


def describe(result: object) -> str:
    if isinstance(result, insight.Matrix):
        return f"{len(result.rows)} rows × {len(result.columns)} columns, total {result.total:,}"
    if isinstance(result, insight.Totals):
        return f"{result.articles:,} articles, {result.annotations:,} annotations, {result.sources} sources"
    if isinstance(result, list):
        return f"{len(result)} rows"
    return ""


def query_plans(db_path: Path) -> str:
    """EXPLAIN QUERY PLAN of the passage and article figures' main statements, for the record."""
    store = Store.open(db_path, read_only=True)
    lines = []
    captured: list[tuple[str, list]] = []
    real = store.db.execute

    def capture(sql, params=None):
        captured.append((sql, list(params or [])))
        return real(sql, params or [])

    store.db.execute = capture  # type: ignore[method-assign]
    try:
        insight.tag_counts(store, "source")
        insight.tag_counts(store, "month", "articles")
        insight.tag_co_occurrence(store, "passage")
        insight.tag_co_occurrence(store, "article")
        insight.entity_months(store, top_entities(store, 5))
        store.db.execute = real  # type: ignore[method-assign]
        for sql, params in captured:
            if "count(" not in sql and "sum(" not in sql and "entity_months" not in sql:
                continue
            lines.append(" ".join(sql.split())[:140] + " …")
            for row in real("EXPLAIN QUERY PLAN " + sql, params).fetchall():
                lines.append(f"    {row[-1]}")
    finally:
        store.db.execute = real  # type: ignore[method-assign]
        store.close()
    return "\n".join(lines)


# ---- the screen ------------------------------------------------------------------------------


def time_screen(workdir: Path, rounds: int) -> list[tuple[str, float, str]]:
    """Open the Charts screen in a headless app and time, from the key (or the push) to the
    first frame that shows a view's numbers: each view counted cold (nothing cached, no
    counting ahead), the views after the screen counted the others ahead, and reopening."""
    from reader.core.config import parse_config
    from reader.tui.app import ReaderApp
    from reader.tui.screens import charts
    from reader.tui.screens.charts import ChartsScreen

    text = f"annotator: bench\nload_samples: false\ndatabase: {workdir / 'annotations.db'}\n"
    config = parse_config(text, workdir / "config.yaml")
    ReaderApp.FILL_ENTITY_CACHE = False
    results: dict[str, list[float]] = {}
    notes: dict[str, str] = {}
    views = ((2, "2", "tags per month"), (4, "4", "co-occurrence (same passage)"),
             (3, "3", "entity mentions, the default PERSON, ORG and GPE"), (1, "1", "tags per source"))

    async def drive() -> None:
        store = Store.open(config.database)
        app = ReaderApp(config, store)
        entities = default_entities(store)
        try:
            async with app.run_test(size=(140, 40)) as pilot:
                await pilot.pause()
                for _round in range(rounds):
                    # 1. cold: nothing cached, nothing counted ahead
                    ChartsScreen.PREFETCH = False
                    charts.FIGURES.clear()
                    started = time.perf_counter()
                    screen = ChartsScreen(app.workspace)
                    app.push_screen(screen)
                    await wait_painted(screen, 1, started)
                    results.setdefault("cold: open the screen (view 1, tags per source)", []).append(screen.painted_at[1] - started)
                    screen.state.entities = entities
                    for view, key, name in views:
                        charts.FIGURES.clear()
                        await press_and_time(pilot, screen, view, key, f"cold: key {key}, {name}", results, notes)
                    await pilot.press("q")
                    await pilot.pause()
                    # 2. as a user meets it: the other tag views counted ahead after the first
                    ChartsScreen.PREFETCH = True
                    charts.FIGURES.clear()
                    screen = ChartsScreen(app.workspace)
                    app.push_screen(screen)
                    await wait_painted(screen, 1, time.perf_counter())
                    await app.workers.wait_for_complete()
                    screen.state.entities = entities
                    for view, key, name in views:
                        await press_and_time(pilot, screen, view, key, f"counted ahead: key {key}, {name}", results, notes)
                    await pilot.press("q")
                    await pilot.pause()
                    # 3. opening the screen again, nothing changed
                    started = time.perf_counter()
                    screen = ChartsScreen(app.workspace)
                    app.push_screen(screen)
                    await wait_painted(screen, 1, started)
                    results.setdefault("reopen the screen (figures kept, data unchanged)", []).append(screen.painted_at[1] - started)
                    await app.workers.wait_for_complete()
                    await pilot.press("q")
                    await pilot.pause()
        finally:
            store.close()

    asyncio.run(drive())
    return [(name, statistics.median(times) * 1000, notes.get(name, "")) for name, times in results.items()]


async def press_and_time(pilot, screen, view: int, key: str, name: str, results: dict, notes: dict) -> None:
    screen.painted_at.pop(view, None)
    started = time.perf_counter()
    await pilot.press(key)
    await wait_painted(screen, view, started)
    results.setdefault(name, []).append(screen.painted_at[view] - started)
    notes[name] = " ".join(str(screen.query_one("#charts-title").render()).split())


async def wait_painted(screen, view: int, started: float, limit: float = 30.0) -> None:
    while view not in screen.painted_at:
        if time.perf_counter() - started > limit:
            raise TimeoutError(f"view {view} was not painted in {limit} s")
        await asyncio.sleep(0.002)


# ---- main --------------------------------------------------------------------------------------


def comparison(title: str, rows: list[tuple[str, float, float, str]]) -> str:
    lines = [f"\n## {title}\n", "| measure | before ms | after ms | × faster | goal 300 ms | result |",
             "|---|---:|---:|---:|---|---|"]
    for name, before, after, note in rows:
        lines.append(f"| {name} | {before:.1f} | {after:.1f} | {before / max(after, 0.001):.1f} | "
                     f"{'met' if after < GOAL_MS else 'MISSED'} | {note} |")
    return "\n".join(lines)


def screen_both_ways(workdir: Path, rounds: int) -> list[tuple[str, float, float, str]]:
    """The screen timed counting from the rows (before m013), then as now."""
    insight.READ_SUMMARIES = False
    try:
        before = time_screen(workdir, rounds)
    finally:
        insight.READ_SUMMARIES = True
    after = {name: (ms, note) for name, ms, note in time_screen(workdir, rounds)}
    return [(name, ms, after[name][0], after[name][1]) for name, ms, _note in before]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=None)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--fresh", action="store_true", help="copy and prepare again even if the work directory is prepared")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5, help="times the screen is opened (each way)")
    parser.add_argument("--plans", action="store_true", help="print the query plans")
    parser.add_argument("--no-screen", action="store_true")
    args = parser.parse_args()
    args.source = args.source or default_source()
    made = migrate_prepared(args, prepare(args))
    db_path = args.workdir / "annotations.db"
    print(f"# Insight at {made['articles']:,} articles, {made['annotations']:,} annotations "
          f"({made['annotation_tags']:,} passage tags, {made['article_tags']:,} article tags, "
          f"{made['entity_mentions']:,} entity mentions); {sys.executable}")
    if made.get("migrations_s"):
        print("\nMigrations of the copy (when it was migrated): " + ", ".join(
            f"{name} {seconds:.1f} s" for name, seconds in made["migrations_s"].items()))
    print(comparison(f"Figures, counted from the rows as before m013 and as now (median of {args.repeats})",
                     time_figures(db_path, args.repeats)))
    if args.plans:
        print("\n## Query plans\n\n```\n" + query_plans(db_path) + "\n```")
    if not args.no_screen:
        print(comparison(f"Charts screen, key to first frame with the numbers, before and after (median of {args.rounds})",
                         screen_both_ways(args.workdir, args.rounds)))


if __name__ == "__main__":
    main()
