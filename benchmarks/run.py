"""Benchmark reader end to end at several corpus sizes and print a side-by-side table of numbers and ratios.

It must never assert on timings or touch the user's config and database: every size gets a fresh temporary workspace.
"""

#     python benchmarks/run.py                      # sizes 100 and 100,000
#     python benchmarks/run.py --sizes 100,10000 --keep --jsonl
#
# For each size N: generate a synthetic corpus (benchmarks/generate_corpus.py), `reader import`
# it (the real CLI in a subprocess), start the app headless in fresh processes
# (benchmarks/app_driver.py) to time launch, list moves, opening articles and tag keys, time
# `Store.add_annotation`, then `reader export` with 1,000 annotations (and 100,000 for N >= 100,000).
# Progress goes to stderr, the table to stdout, every raw number to benchmarks/out/results-*.json.

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate_corpus  # noqa: E402

from reader.core.segment import sentence_spans  # noqa: E402
from reader.core.store import Store  # noqa: E402

PYTHON = sys.executable
OUT = HERE / "out"
CONFIG = """\
annotator: bench
load_samples: false
database: annotations.db
export_file: annotations.yaml
tags:
  - name: conflict
    key: "1"
    color: "#e06c75"
    description: Disagreement or confrontation between actors.
  - name: cooperation
    key: "2"
    color: "#98c379"
    description: Actors working together.
"""
LAUNCH_REPEATS = 3
ADD_CALLS = 200
EXPORT_SMALL = 1_000
EXPORT_BIG = 100_000
BIG_EXPORT_FROM_N = 100_000
SEARCH_TERMS = ("Nakamura", "fisheries deal", "zzqx-not-there")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    values = [v for v in values if not math.isnan(v)]
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    values = sorted(v for v in values if not math.isnan(v))
    if not values:
        return float("nan")
    return values[min(len(values) - 1, math.ceil(0.95 * len(values)) - 1)]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("READER_CONFIG", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Finished:
    """What a timed child process left: its output, and its own peak RSS (from wait4)."""

    def __init__(self, stdout: str, stderr: str, returncode: int, max_rss_mb: float):
        self.stdout, self.stderr, self.returncode, self.max_rss_mb = stdout, stderr, returncode, max_rss_mb


def run_timed(args: list[str], cwd: Path) -> tuple[float, Finished]:
    """Run `args`, returning (wall seconds, Finished); raises if it fails."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, env=child_env(), stdout=out, stderr=err, text=True)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        done = Finished(out.read(), err.read(), process.returncode, usage.ru_maxrss / 1024)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed, done


def git_state() -> str:
    """The commit measured, and whether the working tree had uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=HERE,
                               capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head}{' + uncommitted changes' if dirty else ''}" if head else "unknown"


def bare_imports(repeats: int) -> dict[str, float]:
    """Start-up cost of a bare interpreter and of importing Textual, for comparison."""
    results = {}
    for name, code in (("python_bare_s", "pass"), ("import_textual_app_s", "import textual.app"),
                       ("import_reader_tui_s", "import reader.tui.app")):
        times = [run_timed([PYTHON, "-c", code], HERE)[0] for _ in range(repeats + 1)][1:]
        results[name] = median(times)
    return results


def drive_app(workspace: Path, config: Path, full: bool, tag: str) -> dict:
    result_path = workspace / f"driver-{tag}.json"
    args = [PYTHON, str(HERE / "app_driver.py"), repr(time.time()), str(config), str(result_path)]
    args[2] = repr(time.time())  # as late as possible before the spawn
    if full:
        args.append("--full")
    done = subprocess.run(args, cwd=workspace, env=child_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"app driver failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(result_path.read_text(encoding="utf-8"))


def random_spans(store: Store, count: int, rng: random.Random) -> list[tuple[int, int, int]]:
    """`count` (article_id, start, end) sentences from random articles."""
    ids = [row[0] for row in store.db.execute("SELECT id FROM articles")]
    spans = []
    while len(spans) < count:
        batch = [rng.choice(ids) for _ in range(min(count - len(spans), 5000))]
        marks = ",".join("?" * len(set(batch)))
        texts = dict(store.db.execute(f"SELECT id, text FROM articles WHERE id IN ({marks})", list(set(batch))))
        for article_id in batch:
            sentences = sentence_spans(texts[article_id])
            if sentences:
                start, end = rng.choice(sentences)
                spans.append((article_id, start, end))
    return spans


def time_add_annotation(db_path: Path, rng: random.Random) -> dict:
    """ADD_CALLS separate add_annotation calls (each its own transaction, as a tag key is)."""
    store = Store.open(db_path)
    try:
        spans = random_spans(store, ADD_CALLS, rng)
        times = []
        for article_id, start, end in spans:
            started = time.perf_counter()
            store.add_annotation(article_id, start, end, [rng.choice(("conflict", "cooperation"))], annotator="bench")
            times.append(time.perf_counter() - started)
        synchronous = store.db.execute("PRAGMA synchronous").fetchone()[0]
        journal = store.db.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        store.close()
    return {"add_annotation_s": times, "synchronous": synchronous, "journal_mode": journal}


def top_up_annotations(db_path: Path, total: int, rng: random.Random) -> tuple[int, float]:
    """Add annotations in one transaction until the store holds `total`; returns (added, seconds)."""
    store = Store.open(db_path)
    try:
        missing = total - store.annotation_count()
        if missing <= 0:
            return 0, 0.0
        spans = random_spans(store, missing, rng)
        started = time.perf_counter()
        with store.writing():
            for article_id, start, end in spans:
                store.add_annotation(article_id, start, end, [rng.choice(("conflict", "cooperation"))], annotator="bench")
        return missing, time.perf_counter() - started
    finally:
        store.close()


def time_export(workspace: Path, config: Path, name: str) -> dict:
    output = workspace / name
    elapsed, done = run_timed([PYTHON, "-m", "reader", "--config", str(config), "export", "--output", str(output)], workspace)
    return {"seconds": elapsed, "bytes": output.stat().st_size, "message": done.stderr.strip(), "max_rss_mb": done.max_rss_mb}


def time_search(db_path: Path) -> dict:
    """A substring scan of every text (what search costs with no FTS index yet)."""
    store = Store.open(db_path)
    try:
        times = {}
        for term in SEARCH_TERMS:
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                store.db.execute("SELECT count(*) FROM articles WHERE text LIKE ?", [f"%{term}%"]).fetchone()
                runs.append(time.perf_counter() - started)
            times[term] = median(runs)
        return times
    finally:
        store.close()


def bench_size(n: int, args: argparse.Namespace, base: Path) -> dict:
    rng = random.Random(args.seed)
    workspace = Path(tempfile.mkdtemp(prefix=f"reader-bench-{n}-", dir=base))
    log(f"N={n:,}: workspace {workspace}")
    result: dict = {"n": n, "workspace": str(workspace)}
    config = workspace / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    db_path = workspace / "annotations.db"
    try:
        corpus = workspace / "corpus"
        log(f"N={n:,}: generating {n:,} .txt articles")
        started = time.perf_counter()
        files, size = generate_corpus.write_txt(n, corpus, args.seed)
        result["generate_s"] = time.perf_counter() - started
        result["corpus_bytes"] = size

        log(f"N={n:,}: reader import")
        elapsed, done = run_timed([PYTHON, "-m", "reader", "--config", str(config), "import", str(corpus)], workspace)
        result["import_s"] = elapsed
        result["import_rss_mb"] = done.max_rss_mb
        result["import_summary"] = done.stdout.strip().splitlines()[0]
        log(f"N={n:,}: import took {elapsed:.1f} s: {result['import_summary']}")
        log(f"N={n:,}: reader import again (everything unchanged)")
        result["reimport_s"], done = run_timed([PYTHON, "-m", "reader", "--config", str(config), "import", str(corpus)], workspace)
        result["reimport_summary"] = done.stdout.strip().splitlines()[0]
        result["db_bytes"] = db_path.stat().st_size
        if not args.keep:
            shutil.rmtree(corpus)

        if args.jsonl:
            shards = workspace / "jsonl"
            log(f"N={n:,}: generating the same articles as .jsonl shards and importing them into a second database")
            generate_corpus.write_jsonl(n, shards, args.seed)
            jsonl_config = workspace / "jsonl-config.yaml"
            jsonl_config.write_text(CONFIG.replace("annotations.db", "jsonl.db"), encoding="utf-8")
            elapsed, done = run_timed([PYTHON, "-m", "reader", "--config", str(jsonl_config), "import", str(shards)], workspace)
            result["import_jsonl_s"] = elapsed
            result["import_jsonl_rss_mb"] = done.max_rss_mb
            result["import_jsonl_summary"] = done.stdout.strip().splitlines()[0]
            if not args.keep:
                shutil.rmtree(shards)
                for leftover in workspace.glob("jsonl.db*"):
                    leftover.unlink()

        log(f"N={n:,}: launch to first frame, 1 warm-up + {LAUNCH_REPEATS} runs")
        drive_app(workspace, config, full=False, tag="warmup")
        launches = [drive_app(workspace, config, full=False, tag=f"launch{i}") for i in range(LAUNCH_REPEATS)]
        result["launches"] = launches

        log(f"N={n:,}: list, open and tag keys in the headless app (about 30 s)")
        result["app"] = drive_app(workspace, config, full=True, tag="full")

        log(f"N={n:,}: {ADD_CALLS} x Store.add_annotation")
        result.update(time_add_annotation(db_path, rng))

        log(f"N={n:,}: substring search without FTS")
        result["search_s"] = time_search(db_path)

        added, seconds = top_up_annotations(db_path, EXPORT_SMALL, rng)
        log(f"N={n:,}: reader export with {EXPORT_SMALL:,} annotations")
        result["export_small"] = time_export(workspace, config, "export-small.yaml")
        if n >= BIG_EXPORT_FROM_N:
            log(f"N={n:,}: adding annotations up to {EXPORT_BIG:,} in one transaction")
            added, seconds = top_up_annotations(db_path, EXPORT_BIG, rng)
            result["bulk_add"] = {"added": added, "seconds": seconds}
            log(f"N={n:,}: added {added:,} in {seconds:.1f} s; reader export with {EXPORT_BIG:,} annotations")
            result["export_big"] = time_export(workspace, config, "export-big.yaml")
        log(f"N={n:,}: done")
    finally:
        if not args.keep:
            shutil.rmtree(workspace, ignore_errors=True)
    return result


# ---- the table ---------------------------------------------------------------------------------


def rows_for(result: dict) -> dict[str, float]:
    """Flat metric -> value (seconds, counts or MB) for one size."""
    launches = result["launches"]
    app = result["app"]
    rows: dict[str, float] = {}
    rows["import_s"] = result["import_s"]
    rows["import_rate"] = result["n"] / result["import_s"]
    if "import_jsonl_s" in result:
        rows["import_jsonl_s"] = result["import_jsonl_s"]
        rows["import_jsonl_rate"] = result["n"] / result["import_jsonl_s"]
        rows["import_jsonl_rss"] = result["import_jsonl_rss_mb"]
    rows["reimport_s"] = result["reimport_s"]
    rows["db_mb"] = result["db_bytes"] / 1e6
    rows["import_rss"] = result["import_rss_mb"]
    rows["launch_pilot"] = median([l["marks"]["first_frame_pilot"] for l in launches])
    rows["launch_frame"] = median([l["marks"]["first_frame_composed"] for l in launches])
    for mark in ("python_started", "core_imported", "tui_imported", "store_opened", "recogniser_built", "app_built"):
        rows[f"mark_{mark}"] = median([l["marks"][mark] for l in launches])
    rows["rss_list_mb"] = median([l["rss_list_mb"] for l in launches])
    rows["rss_end_mb"] = app["rss_end_mb"]
    rows["list_down_frame"] = median(app["list_down"]["frame"])
    rows["list_down_pilot"] = median(app["list_down"]["pilot"])
    rows["list_end_frame"] = median(app["list_jump_end"]["frame"])
    rows["open_pilot"] = median(app["open"]["pilot"])
    rows["open_frame"] = median(app["open"]["frame"])
    rows["open_settled"] = median(app["open"]["settled"])
    rows["open_kb"] = median(app["open_bytes"]) / 1000
    rows["recognise"] = median(app["recognise_s"])
    rows["open_10kb_frame"] = median(app["open_10kb"]["frame"])
    rows["open_10kb_pilot"] = median(app["open_10kb"]["pilot"])
    rows["recognise_10kb"] = median(app["recognise_10kb_s"])
    rows["back_frame"] = median(app["back_to_list"]["frame"])
    rows["add_median"] = median(result["add_annotation_s"])
    rows["add_p95"] = p95(result["add_annotation_s"])
    rows["tag_commit"] = median(app["tag_key_to_commit_s"])
    rows["tag_frame"] = median(app["tag_key_to_frame_s"])
    rows["s_tag_pilot"] = median(app["s_and_tag_key"]["pilot"])
    rows["move_pilot"] = median(app["move_keys"]["pilot"])
    for term, seconds in result["search_s"].items():
        rows[f"search:{term}"] = seconds
    rows["export_small"] = result["export_small"]["seconds"]
    rows["export_small_rss"] = result["export_small"]["max_rss_mb"]
    if "export_big" in result:
        rows["export_big"] = result["export_big"]["seconds"]
        rows["export_big_rss"] = result["export_big"]["max_rss_mb"]
        rows["export_big_mb"] = result["export_big"]["bytes"] / 1e6
        rows["bulk_add"] = result["bulk_add"]["seconds"]
    return rows


# (key, label, unit, next issue's goal) -- unit "s" is shown in s or ms, "ms" always in ms.
TABLE = [
    ("import_s", "import: `reader import` (subprocess)", "s", ""),
    ("import_rate", "import: articles per second", "rate", ""),
    ("import_jsonl_s", "import of the same articles as .jsonl shards", "s", ""),
    ("import_jsonl_rate", "import (.jsonl): articles per second", "rate", ""),
    ("reimport_s", "import again, everything unchanged", "s", ""),
    ("db_mb", "annotations.db size after import", "MB", ""),
    ("launch_pilot", "launch to list's first frame (spawn -> pilot.pause + render_line), median of 3", "s", "< 0.8 s and <= 1.2x N=100"),
    ("launch_frame", "launch to list's first composed frame (spawn -> first frame), median of 3", "s", "< 0.8 s and <= 1.2x N=100"),
    ("mark_python_started", "  of which: interpreter up", "s", ""),
    ("mark_core_imported", "  of which: reader.core imported (cumulative)", "s", ""),
    ("mark_tui_imported", "  of which: reader.tui + textual imported (cumulative)", "s", ""),
    ("mark_store_opened", "  of which: Store opened (cumulative)", "s", ""),
    ("mark_recogniser_built", "  of which: recogniser built (cumulative)", "s", ""),
    ("mark_app_built", "  of which: ReaderApp built (cumulative)", "s", ""),
    ("list_down_frame", "list: `j` key to frame, median of 9", "ms", ""),
    ("list_end_frame", "list: `G` (jump to last row) key to frame", "ms", ""),
    ("open_frame", "open article: enter -> first ArticleScreen frame, median of 5", "ms", "10 KB article < 50 ms"),
    ("open_settled", "open article: enter -> last frame before pilot returned", "ms", ""),
    ("open_pilot", "open article: around pilot.press('enter') + pause", "ms", ""),
    ("open_kb", "  size of the 5 opened articles (median, KB)", "KB", ""),
    ("recognise", "  recogniser alone on those articles, median", "ms", ""),
    ("open_10kb_frame", "open a 10 KB article: enter -> first frame, median of 3", "ms", "< 50 ms"),
    ("open_10kb_pilot", "open a 10 KB article: around pilot.press + pause", "ms", ""),
    ("recognise_10kb", "  recogniser alone on the 10 KB article", "ms", ""),
    ("back_frame", "`q` back to the list -> first list frame", "ms", ""),
    ("add_median", "Store.add_annotation, median of 200 (own transaction each)", "ms", "tag key to commit < 10 ms median"),
    ("add_p95", "Store.add_annotation, p95 of 200", "ms", ""),
    ("tag_commit", "tag key in the app -> add_annotation returned, median of 20", "ms", "< 10 ms median"),
    ("tag_frame", "tag key in the app -> next frame, median of 20", "ms", ""),
    ("s_tag_pilot", "pilot.press('s', '1'), median of 20", "ms", ""),
    ("move_pilot", "pilot.press('h', 'l') for comparison (the Pilot's own waiting)", "ms", ""),
    (f"search:{SEARCH_TERMS[0]}", f"substring search LIKE '%{SEARCH_TERMS[0]}%' (no FTS yet)", "ms", "FTS search < 100 ms"),
    (f"search:{SEARCH_TERMS[2]}", "substring search, a term in no article (no FTS yet)", "ms", "FTS search < 100 ms"),
    ("export_small", f"`reader export --output` with {EXPORT_SMALL:,} annotations", "s", ""),
    ("bulk_add", f"adding up to {EXPORT_BIG:,} annotations in one transaction", "s", ""),
    ("export_big", f"`reader export --output` with {EXPORT_BIG:,} annotations", "s", ""),
    ("export_big_mb", f"  export file size with {EXPORT_BIG:,} annotations", "MB", ""),
    ("rss_list_mb", "peak RSS, list open (median of 3)", "MB", "< 200 MB"),
    ("rss_end_mb", "peak RSS after opening 6 articles and 40 tags", "MB", "< 200 MB"),
    ("import_rss", "peak RSS of `reader import`", "MB", ""),
    ("import_jsonl_rss", "peak RSS of `reader import` (.jsonl shards)", "MB", ""),
    ("export_small_rss", f"peak RSS of `reader export`, {EXPORT_SMALL:,} annotations", "MB", ""),
    ("export_big_rss", f"peak RSS of `reader export`, {EXPORT_BIG:,} annotations", "MB", ""),
]


def show(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if math.isnan(value):
        return "n/a"
    if unit == "s":
        return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.0f} ms"
    if unit == "ms":
        if value < 0.001:
            return f"{value * 1000:.2f} ms"
        return f"{value * 1000:.1f} ms" if value < 0.1 else f"{value * 1000:.0f} ms"
    if unit == "rate":
        return f"{value:,.0f}/s"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit == "KB":
        return f"{value:.1f} KB"
    return f"{value:g}"


def table(results: list[dict], markdown: bool) -> str:
    sizes = [r["n"] for r in results]
    all_rows = [rows_for(r) for r in results]
    header = ["measure"] + [f"N={n:,}" for n in sizes]
    if len(sizes) >= 2:
        header.append(f"ratio {sizes[-1]:,}/{sizes[0]:,}")
    header.append("next issue's goal (not a pass/fail here)")
    lines = []
    for key, label, unit, goal in TABLE:
        values = [rows.get(key) for rows in all_rows]
        if all(v is None for v in values):
            continue
        cells = [label] + [show(v, unit) for v in values]
        if len(sizes) >= 2:
            first, last = values[0], values[-1]
            cells.append(f"{last / first:.2f}x" if first and last and not math.isnan(first) and not math.isnan(last) else "—")
        cells.append(goal)
        lines.append(cells)
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 2) + ["---"]) + "|"]
        out += ["| " + " | ".join(cells) + " |" for cells in lines]
        return "\n".join(out)
    widths = [max(len(str(row[i])) for row in [header, *lines]) for i in range(len(header))]
    text = [" | ".join(str(cell).ljust(widths[i]) if i in (0, len(header) - 1) else str(cell).rjust(widths[i])
                       for i, cell in enumerate(row)) for row in [header, *lines]]
    text.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,100000", help="comma-separated corpus sizes (default 100,100000)")
    parser.add_argument("--keep", action="store_true", help="keep the workspaces (corpus, database, exports) and print where")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jsonl", action="store_true", help="also time importing the same corpus as .jsonl shards")
    parser.add_argument("--workdir", type=Path, default=None, help="where workspaces go (default: the system temp dir)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    base = (args.workdir or Path(tempfile.gettempdir())).resolve()
    base.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    log("bare start-up costs (python -c ...)")
    environment = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "sqlite": __import__("sqlite3").sqlite_version,
        "git": git_state(),
        **bare_imports(LAUNCH_REPEATS),
    }
    results = [bench_size(n, args, base) for n in sizes]
    total = time.perf_counter() - started

    OUT.mkdir(exist_ok=True)
    raw = OUT / f"results-{time.strftime('%Y%m%d-%H%M%S')}.json"
    raw.write_text(json.dumps({"environment": environment, "results": results, "total_s": total}, indent=1), encoding="utf-8")

    print(f"Python {environment['python']} on {environment['platform']}, {environment['cpus']} CPUs, "
          f"SQLite {environment['sqlite']}; reader at {environment['git']}")
    print(f"bare `python -c pass`: {show(environment['python_bare_s'], 's')}; "
          f"`python -c 'import textual.app'`: {show(environment['import_textual_app_s'], 's')}; "
          f"`python -c 'import reader.tui.app'`: {show(environment['import_reader_tui_s'], 's')} (medians of {LAUNCH_REPEATS})")
    for result in results:
        print(f"N={result['n']:,}: corpus {result['corpus_bytes'] / 1e6:.1f} MB generated in {result['generate_s']:.1f} s; "
              f"import: {result['import_summary']}; again: {result['reimport_summary']}")
    print()
    print(table(results, args.markdown))
    print()
    print(f"total {total / 60:.1f} min; raw numbers in {raw}")
    if args.keep:
        for result in results:
            print(f"kept N={result['n']:,} workspace: {result['workspace']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
