"""Show where the time goes in the issue 3 measures that miss their goal: profiles of the headless app, query plans, thread stalls.

It only reads a benchmark workspace's database (opening articles records reading state there); never point it at a real user's database.
"""

#     python benchmarks/profile_goals.py WORKSPACE/config.yaml open 10kb            # enter -> text on screen
#     python benchmarks/profile_goals.py WORKSPACE/config.yaml open 1mb-paragraphs  # idem, 1 MB
#     python benchmarks/profile_goals.py WORKSPACE/config.yaml timeline 10kb        # unprofiled: each step's start and end
#     python benchmarks/profile_goals.py WORKSPACE/config.yaml search-sql said      # the list's queries, one by one
#     python benchmarks/profile_goals.py WORKSPACE/config.yaml search-app said      # / said enter -> results frame
#     python benchmarks/profile_goals.py WORKSPACE/config.yaml contention           # recogniser thread vs. main thread
#
# WORKSPACE is one that `benchmarks/run.py --keep` left (it holds the 10 KB and 1 MB documents).
# App profiles use pyinstrument (`pip install pyinstrument`) on the main thread, started just
# before the key is sent and stopped at the first frame that shows its effect, summed over
# --repeat runs; the frame detection is app_driver.py's.

from __future__ import annotations

import argparse
import asyncio
import cProfile
import math
import pstats
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
_argv, sys.argv = sys.argv, sys.argv[:1]  # app_driver reads its T0 from argv when imported
import app_driver  # noqa: E402

sys.argv = _argv

from textual import events  # noqa: E402
from textual.widgets import Input  # noqa: E402

from reader.core.config import load_config  # noqa: E402
from reader.core.entities import build_recogniser  # noqa: E402
from reader.core.model import ListQuery
from reader.store import Store
from reader.store.listing import _ORDER_BY

DOCUMENTS = {"10kb": "benchmark-long-article", "1mb-paragraphs": "long-paragraphs.txt", "1mb-one-line": "long-one-line.txt"}


def document_id(store: Store, name: str) -> int:
    suffix = DOCUMENTS[name]
    row = store.db.execute(
        "SELECT id FROM articles WHERE path = ? OR path LIKE ? ORDER BY id DESC LIMIT 1", [suffix, f"%/{suffix}"]
    ).fetchone()
    if row is None:
        sys.exit(f"no {name} document in this workspace: run benchmarks/run.py --keep first")
    return row[0]


def profiler():
    try:
        from pyinstrument import Profiler
    except ImportError:
        sys.exit("pip install pyinstrument")
    return Profiler(interval=0.0002, async_mode="disabled")


def report(prof, title: str) -> None:
    print(f"==== {title}")
    print(prof.output_text(unicode=True, color=False, show_all=False))


async def wait_frame(app, started: float, test, timeout: float = 30.0) -> float:
    deadline = time.time() + timeout
    while (frame := app.frame_where(started, test)) is None:
        if time.time() > deadline:
            raise TimeoutError("no such frame")
        await asyncio.sleep(0.0005)
    return frame - started


async def profile_open(config_path: Path, name: str, repeat: int, until: str) -> None:
    config = load_config(config_path)
    store = Store.open(config.database)
    doc = document_id(store, name)
    app = app_driver.BenchApp(config, store, build_recogniser(config.entities.gazetteer))
    prof = profiler()
    test = (lambda s: s[0] == "article" and s[1] > 0 and s[2] > 0) if until == "entities" else (
        lambda s: s[0] == "article" and s[1] > 0)
    times = []
    try:
        async with app.run_test(size=app_driver.SIZE) as pilot:
            await pilot.pause()
            article_list = app.screen.query_one(app_driver.ArticleList)
            for _ in range(repeat):
                article_list.cursor = app_driver.list_index(store, doc)
                await pilot.pause()
                started = time.time()
                prof.start()
                app._driver.send_message(events.Key("enter", "\r"))
                times.append(await wait_frame(app, started, test))
                prof.stop()
                await wait_frame(app, started, lambda s: s[0] == "article" and s[1] > 0 and s[2] > 0)
                await pilot.press("q")
                await pilot.pause()
    finally:
        store.close()
    print(f"enter -> first frame with {until}: " + ", ".join(f"{t * 1000:.0f} ms" for t in times))
    report(prof, f"open {name}: enter -> first frame with {until}, {repeat} runs summed")


async def profile_search_app(config_path: Path, term: str, repeat: int) -> None:
    config = load_config(config_path)
    store = Store.open(config.database)
    app = app_driver.BenchApp(config, store, build_recogniser(config.entities.gazetteer))
    prof = profiler()
    times = []
    try:
        async with app.run_test(size=app_driver.SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            for _ in range(repeat):
                await pilot.press("slash")
                await pilot.pause()
                screen.query_one("#search", Input).value = term
                await pilot.pause()
                started = time.time()
                prof.start()
                app._driver.send_message(events.Key("enter", "\r"))
                times.append(await wait_frame(app, started, lambda s: s[0] == "list" and s[4] == term and (s[1] or s[2] == 0)))
                prof.stop()
                await pilot.press("c")
                await pilot.pause()
    finally:
        store.close()
    print(f"/ {term} enter -> results frame: " + ", ".join(f"{t * 1000:.0f} ms" for t in times))
    report(prof, f"search “{term}” in the app, {repeat} runs summed")


TIMELINE_TARGETS = [
    ("reader.tui.screens.article_list", "ArticleListScreen", "on_article_list_opened"),
    ("reader.tui.screens.article", "ArticleScreen", "__init__"),
    ("reader.tui.screens.article", "ArticleScreen", "compose"),
    ("reader.tui.screens.article", "ArticleScreen", "on_mount"),
    ("reader.tui.screens.article", "ArticleScreen", "_recognise"),
    ("reader.tui.screens.article", "ArticleScreen", "_show_entities"),
    ("reader.tui.screens.article", "ArticleScreen", "_show_annotations"),
    ("reader.tui.screens.article", "ArticleScreen", "_update_status"),
    ("reader.tui.widgets.article_view", "ArticleView", "__init__"),
    ("reader.tui.widgets.article_view", "ArticleView", "on_resize"),
    ("reader.tui.widgets.article_view", "ArticleView", "render_line"),
    ("reader.tui.wrap", "WrappedText", "wrap"),
    ("reader.store.articles", "Articles", "get"),
    ("reader.store.annotations", "Annotations", "of_article"),
    ("reader.store.articles", "Articles", "mark_read"),
    ("reader.store.articles", "Articles", "position"),
    ("reader.store.articles", "Articles", "save_position"),
    ("textual.screen", "Screen", "_refresh_layout"),
    ("textual._compositor", "Compositor", "render_update"),
    ("textual._compositor", "Compositor", "render_full"),
    ("textual._compositor", "Compositor", "render_partial_update"),
]


def instrument(records: list[tuple[str, float, float]]) -> None:
    """Wrap TIMELINE_TARGETS so each call appends (name, start, end) to `records` (nested
    calls included: a wrapped function's time includes the wrapped functions it calls)."""
    import functools
    import importlib

    import reader.tui.widgets.article_view as article_view

    def wrap(name, function):
        @functools.wraps(function)
        def timed_call(*args, **kwargs):
            started = time.time()
            try:
                return function(*args, **kwargs)
            finally:
                records.append((name, started, time.time()))

        return timed_call

    for module_name, class_name, method in TIMELINE_TARGETS:
        owner = getattr(importlib.import_module(module_name), class_name)
        function = owner.__dict__.get(method)
        if function is None:
            continue
        if isinstance(function, classmethod):
            setattr(owner, method, classmethod(wrap(f"{class_name}.{method}", function.__func__)))
        else:
            setattr(owner, method, wrap(f"{class_name}.{method}", function))
    article_view.display_text = wrap("display_text", article_view.display_text)
    segments_of = article_view.Segments.of.__func__
    article_view.Segments.of = classmethod(wrap("Segments.of", segments_of))


async def timeline_open(config_path: Path, name: str, repeat: int) -> None:
    """Unprofiled: when each step of opening a document starts and ends, from the enter key to
    the frame with entities, for the run with the median time to text."""
    records: list[tuple[str, float, float]] = []
    instrument(records)
    config = load_config(config_path)
    store = Store.open(config.database)
    doc = document_id(store, name)
    app = app_driver.BenchApp(config, store, build_recogniser(config.entities.gazetteer))
    runs = []
    try:
        async with app.run_test(size=app_driver.SIZE) as pilot:
            await pilot.pause()
            article_list = app.screen.query_one(app_driver.ArticleList)
            for _ in range(repeat):
                article_list.cursor = app_driver.list_index(store, doc)
                await pilot.pause()
                records.clear()
                frames_before = len(app.frames)
                started = time.time()
                app._driver.send_message(events.Key("enter", "\r"))
                text = await wait_frame(app, started, lambda s: s[0] == "article" and s[1] > 0)
                entities = await wait_frame(app, started, lambda s: s[0] == "article" and s[1] > 0 and s[2] > 0)
                await asyncio.sleep(0.3)
                frames = [(t, state) for (t, _kind), state in zip(app.frames[frames_before:], app.states[frames_before:])]
                runs.append((text, entities, started, list(records), frames))
                await pilot.press("q")
                await pilot.pause()
    finally:
        store.close()
    runs.sort(key=lambda run: run[0])
    text, entities, started, spans, frames = runs[len(runs) // 2]
    print(f"open {name}: enter -> text {', '.join(f'{r[0] * 1000:.0f}' for r in runs)} ms; "
          f"showing the median run (text {text * 1000:.1f} ms, entities {entities * 1000:.1f} ms)")
    events_ = [(s - started, e - started, n) for n, s, e in spans if s - started < entities + 0.05]
    renders: dict[int, list[float]] = {}
    frame_times = [t - started for t, _ in frames]
    for begin, end, label in events_:
        if label == "ArticleView.render_line":
            index = next((i for i, t in enumerate(frame_times) if t >= end), len(frame_times))
            renders.setdefault(index, []).append(end - begin)
    rows = [(begin, end, label) for begin, end, label in events_ if label != "ArticleView.render_line"]
    rows += [(t, t, f"FRAME {state}") for t, state in zip(frame_times, (state for _, state in frames))
             if t < entities + 0.05]
    rows += [(frame_times[i] if i < len(frame_times) else float("nan"), float("nan"),
              f"  ArticleView.render_line x{len(v)} before this frame: {sum(v) * 1000:.1f} ms") for i, v in renders.items()]
    for begin, end, label in sorted(rows, key=lambda row: (row[0], 0 if row[2].startswith("FRAME") else 1)):
        if label.startswith("  ArticleView.render_line"):
            print(f"{'':>17}  {label}")
        elif math.isnan(end) or end == begin:
            print(f"{begin * 1000:8.1f} ms        {label}")
        else:
            print(f"{begin * 1000:8.1f} ms {(end - begin) * 1000:6.1f} ms  {label}")


def timed(function, repeat: int) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - started)
    return best, value


def search_sql(config_path: Path, term: str, repeat: int) -> None:
    """The statements behind article_count + list_articles for a search, timed one by one (best of `repeat`)."""
    config = load_config(config_path)
    store = Store.open(config.database)
    db = store.db
    query = ListQuery(search=term)
    where, params = store._where(query)
    match = db.quote_fts(term)
    list_sql = f"""
        SELECT a.id, a.title, a.source, a.published,
               (SELECT count(*) FROM annotations n WHERE n.article_id = a.id) AS annotation_count,
               (SELECT read_at IS NOT NULL FROM reading r WHERE r.article_id = a.id) AS read
        FROM articles a {where} ORDER BY {_ORDER_BY[query.sort]} LIMIT 100 OFFSET 0"""
    rows = db.execute(list_sql, params).fetchall()
    ids = [row[0] for row in rows]
    steps = [
        ("FTS alone: SELECT count(*) FROM articles_fts WHERE MATCH",
         lambda: db.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", [match]).fetchone()),
        ("Store.article_count(query) (the WHERE of Store._where)", lambda: store.listing.count(query)),
        ("  the same with only the articles_fts half of the OR",
         lambda: db.execute("SELECT count(*) FROM articles a WHERE a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)",
                            [match]).fetchone()),
        ("list_articles' main SELECT (ORDER BY + LIMIT 100)", lambda: db.execute(list_sql, params).fetchall()),
        ("  the same without ORDER BY",
         lambda: db.execute(list_sql.replace(f"ORDER BY {_ORDER_BY[query.sort]}", ""), params).fetchall()),
        ("  the same without the two correlated sub-selects",
         lambda: db.execute(list_sql.replace("(SELECT count(*) FROM annotations n WHERE n.article_id = a.id)", "0")
                            .replace("(SELECT read_at IS NOT NULL FROM reading r WHERE r.article_id = a.id)", "0"), params).fetchall()),
        ("Store._article_tag_map(100 ids)", lambda: store.articles.tag_map(ids)),
        ("Store._snippets(100 ids)", lambda: store.listing._snippets(ids, term)),
        ("Store.list_articles(0, 100, query) in all", lambda: store.listing.page(0, 100, query)),
    ]
    print(f"search “{term}”: {store.listing.count(query):,} matches; first page holds "
          f"{sum(1 for i in ids if db.execute('SELECT chars FROM articles WHERE id = ?', [i]).fetchone()[0] > 100_000)} "
          f"documents over 100,000 characters")
    for label, function in steps:
        seconds, _ = timed(function, repeat)
        print(f"  {seconds * 1000:8.1f} ms  {label}")
    big = [i for i in ids if db.execute("SELECT chars FROM articles WHERE id = ?", [i]).fetchone()[0] > 100_000]
    if big:
        seconds, _ = timed(lambda: store.listing._snippets(big, term), repeat)
        print(f"  {seconds * 1000:8.1f} ms  Store._snippets of just the {len(big)} long document(s) among them")
    print("query plan of the count:")
    for row in db.execute(f"EXPLAIN QUERY PLAN SELECT count(*) FROM articles a {where}", params):
        print("   ", row[1], row[3])
    print("query plan of the page:")
    for row in db.execute("EXPLAIN QUERY PLAN " + list_sql, params):
        print("   ", row[1], row[3])
    store.close()


def contention(config_path: Path, name: str) -> None:
    """How the recogniser thread slows the main thread: the longest stalls of a 1 ms sleep loop
    while it runs, and the calls in recognise() that run longest without returning to Python."""
    config = load_config(config_path)
    store = Store.open(config.database)
    text = store.articles.get(document_id(store, name)).text
    store.close()
    recogniser = build_recogniser(config.entities.gazetteer)
    alone, _ = timed(lambda: recogniser.recognise(text), 1)

    done = threading.Event()
    thread = threading.Thread(target=lambda: (recogniser.recognise(text), done.set()))
    gaps = []
    started = time.perf_counter()
    thread.start()
    while not done.is_set():
        before = time.perf_counter()
        time.sleep(0.001)
        gaps.append(time.perf_counter() - before - 0.001)
    in_thread = time.perf_counter() - started
    gaps.sort()
    print(f"recognise() on {name} ({len(text):,} characters): {alone * 1000:.0f} ms alone, {in_thread * 1000:.0f} ms in a thread "
          f"beside a 1 ms sleep loop; switch interval {sys.getswitchinterval() * 1000:.0f} ms")
    print(f"main-thread stalls (wake-up later than asked) over {len(gaps)} sleeps: median {gaps[len(gaps) // 2] * 1000:.1f} ms, "
          f"p95 {gaps[int(len(gaps) * 0.95)] * 1000:.1f} ms, max {gaps[-1] * 1000:.1f} ms; "
          f"{sum(1 for g in gaps if g > 0.010)} over 10 ms, total stalled {sum(gaps) * 1000:.0f} ms")
    profile = cProfile.Profile()
    profile.runcall(recogniser.recognise, text)
    stats = pstats.Stats(profile)
    print("recognise() under cProfile, by own time (C calls hold the GIL for their whole duration):")
    stats.sort_stats("tottime").print_stats(14)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path, help="config.yaml of a workspace benchmarks/run.py --keep left")
    parser.add_argument("scenario", choices=["open", "timeline", "search-app", "search-sql", "contention"])
    parser.add_argument("what", nargs="?", default="", help="open/contention: 10kb, 1mb-paragraphs, 1mb-one-line; search: the query")
    parser.add_argument("--until", choices=["text", "entities"], default="text", help="open: stop at the first frame with text, or with entities")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.scenario == "open":
        asyncio.run(profile_open(args.config, args.what or "10kb", args.repeat, args.until))
    elif args.scenario == "timeline":
        asyncio.run(timeline_open(args.config, args.what or "10kb", args.repeat))
    elif args.scenario == "search-app":
        asyncio.run(profile_search_app(args.config, args.what or "said", args.repeat))
    elif args.scenario == "search-sql":
        search_sql(args.config, args.what or "said", args.repeat)
    else:
        contention(args.config, args.what or "1mb-paragraphs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
