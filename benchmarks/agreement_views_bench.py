"""Time `reader agreement` and the agreement screen on 100,000 articles and 200,000 annotations (goal: 300 ms).

It never modifies the benchmark corpus of benchmarks/run.py: it works on a copy, and asserts nothing.
"""

#     python benchmarks/agreement_views_bench.py             # builds the database once, then times
#     python benchmarks/agreement_views_bench.py --rebuild   # builds it again
#
# 1. The database: a consistent copy (SQLite's backup API, read-only source) of
#    benchmarks/out/ws/reader-bench-100000-seed1/annotations.db (100,003 articles, 100,000
#    annotations by "bench", made by `python benchmarks/run.py --keep --workdir benchmarks/out/ws`),
#    to which a second annotator "colleague" adds 100,000 annotations with controlled overlap:
#    for each of bench's, 65% the same passage and tag, 15% the boundaries moved by up to 10
#    characters, 10% the other tag, 10% left out, then random sentences until 100,000. A third,
#    "checker", re-does bench's annotations on one article in five (80% same, 10% moved, 10%
#    left out), for the three-annotator measures: 200,000 annotations by the two, about 220,000 in all.
# 2. The command's computation (`agreement_report`) for bench and colleague, char and token
#    level, and for all three; and `reader agreement` end to end in a subprocess.
# 3. The screen, headless: from `push_screen(AgreementScreen)` to the first frame with the table
#    (the "computing…" row), to the span counts, to every number, to the disagreement list;
#    then the same screen opened again (the in-session cache).

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from reader.core.anchoring import selector_for  # noqa: E402
from reader.core.segment import sentence_spans  # noqa: E402
from reader.core.model import Annotation, now_utc
from reader.store import Store
from bench_db import copy_database  # noqa: E402

SOURCE = HERE / "out" / "ws" / "reader-bench-100000-seed1"
WORKDIR = HERE / "out" / "agreement"
GOAL_S = 0.300
TAGS = ("conflict", "cooperation")
CONFIG = """\
annotator: bench
load_samples: false
database: annotations.db
export_file: annotations.yaml
tags:
  - name: conflict
    key: "1"
    color: "#e06c75"
  - name: cooperation
    key: "2"
    color: "#98c379"
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---- the database ----------------------------------------------------------------------------


def build_database(target: Path, seed: int) -> None:
    """Copy the benchmark corpus's database to `target` and add colleague's and checker's annotations."""
    source = SOURCE / "annotations.db"
    if not source.exists():
        raise SystemExit(f"{source} is missing: run `python benchmarks/run.py --keep --workdir benchmarks/out/ws` first")
    started = time.perf_counter()
    copy_database(source, target)
    log(f"copied {source} in {time.perf_counter() - started:.1f} s")
    rng = random.Random(seed)
    store = Store.open(target)
    try:
        bench = [a for a in store.annotations.of_annotators(["bench"])]
        lengths = store.articles.lengths(a.article_id for a in bench)
        ids = [row[0] for row in store.db.execute("SELECT id FROM articles")]
        colleague: list[tuple[int, int, int, tuple[str, ...]]] = []
        for annotation in bench:
            roll = rng.random()
            if roll < 0.65:
                colleague.append((annotation.article_id, annotation.start, annotation.end, annotation.tags))
            elif roll < 0.80:
                colleague.append(_moved(annotation, lengths[annotation.article_id], rng))
            elif roll < 0.90:
                other = tuple(tag for tag in TAGS if tag not in annotation.tags) or annotation.tags
                colleague.append((annotation.article_id, annotation.start, annotation.end, other))
        while len(colleague) < 100_000:
            colleague.extend(_random_sentences(store, ids, min(5_000, 100_000 - len(colleague)), rng))
        checker = []
        for annotation in bench:
            if annotation.article_id % 5:
                continue
            roll = rng.random()
            if roll < 0.80:
                checker.append((annotation.article_id, annotation.start, annotation.end, annotation.tags))
            elif roll < 0.90:
                checker.append(_moved(annotation, lengths[annotation.article_id], rng))
        for name, rows in (("colleague", colleague), ("checker", checker)):
            started = time.perf_counter()
            _insert(store, name, rows, rng)
            log(f"added {len(rows):,} annotations by {name} in {time.perf_counter() - started:.1f} s")
    finally:
        store.close()
    (target.parent / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (target.parent / "built").write_text(f"seed {seed}\n", encoding="utf-8")


def _moved(annotation: Annotation, length: int, rng: random.Random) -> tuple[int, int, int, tuple[str, ...]]:
    start = min(length - 1, max(0, annotation.start + rng.randint(-10, 10)))
    end = min(length, max(start + 1, annotation.end + rng.randint(-10, 10)))
    return annotation.article_id, start, end, annotation.tags


def _random_sentences(store: Store, ids: list[int], count: int, rng: random.Random):
    batch = [rng.choice(ids) for _ in range(count)]
    texts = store.articles.texts(batch)
    for article_id in batch:
        sentences = sentence_spans(texts[article_id])
        if sentences:
            start, end = rng.choice(sentences)
            yield article_id, start, end, (rng.choice(TAGS),)


def _insert(store: Store, annotator: str, rows, rng: random.Random) -> None:
    stamp = now_utc()
    with store.writing(f"annotations of {annotator}"):
        for offset in range(0, len(rows), 5_000):
            chunk = rows[offset : offset + 5_000]
            texts = store.articles.texts(row[0] for row in chunk)
            for article_id, start, end, tags in chunk:
                quote, prefix, suffix = selector_for(texts[article_id], start, end)
                store.annotations.insert(Annotation(
                    str(uuid.UUID(int=rng.getrandbits(128), version=4)), article_id, start, end, quote, prefix,
                    suffix, None, annotator, stamp, stamp, tags,
                ))


# ---- timing -----------------------------------------------------------------------------------


def forget_sums(database: Path) -> None:
    """Drop every kept agreement sum: the next comparison counts every article (the first one
    on a database, or the first after an import changed every article)."""
    store = Store.open(database)
    try:
        with store.writing():
            for table in ("agreement_scopes", "agreement_articles", "agreement_counts", "agreement_alpha"):
                store.db.execute(f"DELETE FROM {table}")
    finally:
        store.close()


def touch_articles(database: Path, annotator: str, count: int, rng: random.Random) -> list[str]:
    """A passage added by `annotator` to each of `count` articles they annotated: what a session
    of corrections changes. Returns the new ids (to take them away again)."""
    store = Store.open(database)
    try:
        ids = [row[0] for row in store.db.execute(
            "SELECT DISTINCT article_id FROM annotations WHERE annotator = ?", [annotator])]
        added = []
        for article in rng.sample(ids, count):
            added.append(store.annotations.add(article, 0, 5, [rng.choice(TAGS)], annotator).id)
        return added
    finally:
        store.close()


def remove_annotations(database: Path, ids: list[str]) -> None:
    store = Store.open(database)
    try:
        for annotation_id in ids:
            store.annotations.delete(annotation_id)
    finally:
        store.close()


def time_computation(database: Path, annotators: list[str], level: str, repeats: int, mode: str) -> dict:
    """The command's computation (what `reader agreement` does between opening and printing):
    the median over `repeats` runs of the time each stage is done, from the start. `mode`:
    "cold" (no kept sums), "kept" (sums kept, nothing changed) or "changed" (sums kept, then
    ten articles changed)."""
    from reader.commands.agreement import AgreementJob, paused_collection

    ends: dict[str, list[float]] = {}
    rng = random.Random(5)
    counted = 0
    for _ in range(repeats):
        if mode == "cold":
            forget_sums(database)
        added = touch_articles(database, annotators[1], 10, rng) if mode == "changed" else []
        store = Store.open(database)
        try:
            with paused_collection():
                started = time.perf_counter()
                job = AgreementJob(annotators, None, level)
                report = job.load(store)
                counted = report.progress[1]
                ends.setdefault("loaded", []).append(time.perf_counter() - started)
                for report in job.stages():
                    for stage in ("counted", "listed", "left_out"):
                        if stage in report.done and len(ends.get(stage, [])) < len(ends["loaded"]):
                            ends.setdefault(stage, []).append(time.perf_counter() - started)
                ends.setdefault("saved", []).append(time.perf_counter() - started)
                found = job.disagreements(0)
                ends.setdefault("disagreements", []).append(time.perf_counter() - started)
        finally:
            store.close()
        remove_annotations(database, added)
    overall = report.pairs[0].rows[-1]
    return {"ends": {stage: statistics.median(times) for stage, times in ends.items()},
            "f1_exact": overall.exact.f1, "kappa": overall.kappa, "alpha": report.alpha.get(None),
            "disagreements": len(found), "articles": report.pairs[0].articles, "counted": counted}


def time_command(workdir: Path, args: list[str]) -> tuple[float, str]:
    """`reader agreement ARGS` in a fresh process (registered by importing its module, as cli.py will)."""
    code = "import reader.commands.agreement; from reader.cli import main; main()"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, "--config", str(workdir / "config.yaml"), "agreement", *args],
                          cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return elapsed, done.stdout


async def time_screen(workdir: Path, annotators: list[str] | None, key_test: bool = True) -> dict:
    """The screen in a headless app: from push_screen to the table drawn (first "…" frame), to
    the first numbers, to every number, to the disagreement list; a key's round trip while it
    computes; and opening it again with nothing changed (the report kept in the session)."""
    from textual import events
    from textual.widgets import DataTable

    from reader.core.config import load_config
    from reader.tui.app import ReaderApp
    from reader.tui.screens.agreement import AgreementScreen
    from reader.tui.widgets.paged_list import PagedList

    config = load_config(workdir / "config.yaml")
    store = Store.open(config.database)
    ReaderApp.FILL_ENTITY_CACHE = False
    app = ReaderApp(config, store)
    times: dict[str, float] = {}
    try:
        async with app.run_test(size=(130, 40)) as pilot:
            await pilot.pause()

            async def wait_for(name: str, started: float, ready) -> None:
                while not ready():
                    await asyncio.sleep(0.002)
                times[name] = time.perf_counter() - started

            async def drawn() -> None:
                """Until the app has refreshed the screen once more (a frame is composed)."""
                done = asyncio.Event()
                app.call_after_refresh(done.set)
                await done.wait()

            for attempt in ("first", "again"):
                started = time.perf_counter()
                screen = AgreementScreen(app.workspace, annotators)
                app.push_screen(screen)
                table = lambda: screen.query_one(DataTable)  # noqa: E731
                await wait_for(f"{attempt}:table", started,
                               lambda: screen.is_mounted and screen.is_current and table().row_count > 0)
                await drawn()
                times[f"{attempt}:table_drawn"] = time.perf_counter() - started
                if attempt == "first" and key_test and screen.computing:
                    # tab: the focus moves from the table to the list (the rows are not known yet)
                    key_started = time.perf_counter()
                    app.post_message(events.Key("tab", None))
                    await wait_for("key_while_computing", key_started, lambda: not table().has_focus)
                    await drawn()
                    times["key_while_computing_drawn"] = time.perf_counter() - key_started
                    app.post_message(events.Key("tab", None))
                await wait_for(f"{attempt}:all_numbers", started, lambda: screen.report is not None and screen.report.complete)
                await wait_for(f"{attempt}:list", started, lambda: screen.query_one(PagedList).count > 0)
                await wait_for(f"{attempt}:done", started, lambda: not screen.computing)
                app.pop_screen()
                await pilot.pause()
    finally:
        store.close()
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def verdict(seconds: float) -> str:
    return f"{seconds / GOAL_S:5.1f}x the goal" if seconds > GOAL_S else "within the goal"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="Build the database again.")
    parser.add_argument("--repeats", type=int, default=3, help="Runs of each computation (the median is shown).")
    parser.add_argument("--parts", default="computation,command,screen", help="Which timings, comma-separated.")
    args = parser.parse_args()
    database = WORKDIR / "annotations.db"
    marker = WORKDIR / "built"
    if args.rebuild or not database.exists() or not marker.exists() or marker.read_text() != f"seed {args.seed}\n":
        log("building the database (a copy of the benchmark corpus, about 30 s)")
        build_database(database, args.seed)
    store = Store.open(database)  # brings the schema up to date (the kept agreement sums)
    counts = dict(store.db.execute("SELECT annotator, count(*) FROM annotations GROUP BY annotator").fetchall())
    articles = store.listing.count()
    store.close()
    print(f"database: {database} · {articles:,} articles · "
          + " · ".join(f"{name} {count:,}" for name, count in sorted(counts.items(), key=lambda item: -item[1]))
          + f" annotations ({sum(counts.values()):,} in all)")
    print(f"goal: each view opens in under {ms(GOAL_S)}\n")

    parts = set(args.parts.split(","))
    if "computation" in parts:
        time_computations(database, args.repeats)
    if "command" in parts:
        time_commands()
    if "screen" in parts:
        time_screens()


def time_computations(database: Path, repeats: int) -> None:
    print("the command's computation (median of %d runs; time from the start at which each stage is done)" % repeats)
    stages = ("loaded", "counted", "listed", "left_out", "saved", "disagreements")
    print(f"  {'annotators, level, sums':<44}{'counted':>9}" + "".join(f"{stage:>15}" for stage in stages))
    for names, level in ((["bench", "colleague"], "char"), (["bench", "colleague"], "token"),
                         (["bench", "colleague", "checker"], "char")):
        for mode in ("cold", "kept", "changed"):
            result = time_computation(database, names, level, repeats, mode)
            ends = result["ends"]
            label = f"{', '.join(names)} · {level} · {mode}"
            print(f"  {label:<44}{result['counted']:>9,}" + "".join(f"{ms(ends[stage]):>15}" for stage in stages)
                  + f"   {verdict(ends['counted'])}")
        print(f"  {'':<44}F1 exact {result['f1_exact']:.3f} · kappa {result['kappa']:.3f} · alpha {result['alpha']:.3f}"
              f" · {result['disagreements']:,} disagreements over {result['articles']:,} articles")
    print("  (counted: articles whose sums were computed, then when every number is known; listed: the disagreement"
          " list's counts by article; left_out: when what"
          " each pair left out is counted; saved: the new sums kept in the database;\n   cold: no sums kept;"
          " kept: every sum kept, nothing changed; changed: ten articles changed since)")


def time_commands() -> None:
    print("\n`reader agreement` end to end (a fresh process: start-up, config, database, computation, output)")
    for extra in ([], ["--format", "json"], ["--disagreements"]):
        elapsed, output = time_command(WORKDIR, extra)
        print(f"  agreement {' '.join(extra):<20} {ms(elapsed):>10}   {len(output.splitlines()):,} lines  {verdict(elapsed)}")


def time_screens() -> None:
    from reader.tui.screens import agreement as screen_module

    print("\nthe screen (headless app; from push_screen)")
    for names in (None, ["bench", "colleague", "checker"]):
        who = "the two with most annotations" if names is None else ", ".join(names)
        for sums in ("none kept", "kept"):
            if sums == "none kept":
                forget_sums(WORKDIR / "annotations.db")
            screen_module._REPORTS.clear()  # a new session
            times = asyncio.run(time_screen(WORKDIR, names, key_test=sums == "none kept"))  # keys slow the thread
            for thread in threading.enumerate():  # the last screen's thread may still be saving the sums
                if thread is not threading.current_thread() and not thread.daemon:
                    thread.join(timeout=60)
            print(f"  {who}, sums {sums} (a new session):")
            for key, label in (("first:table", "table shown (\"computing…\" row)"),
                               ("first:table_drawn", "  ... and drawn"),
                               ("first:all_numbers", "every number"),
                               ("first:list", "disagreement list"),
                               ("first:done", "everything (every pair's list)"),
                               ("key_while_computing", "a key (tab) while it computes: the focus moved"),
                               ("key_while_computing_drawn", "  ... and drawn"),
                               ("again:table_drawn", "opened again in the session: drawn with every number"),
                               ("again:list", "  ... and the list")):
                if key in times:
                    print(f"    {label:<54} {ms(times[key]):>10}   {verdict(times[key])}")


if __name__ == "__main__":
    main()
