"""Benchmark reader end to end at several corpus sizes and print side-by-side tables of numbers, ratios and goals.

It must never assert on timings or touch the user's config and database: every size gets a fresh temporary workspace.
"""

#     python benchmarks/run.py                      # sizes 100 and 100,000
#     python benchmarks/run.py --sizes 100,10000 --keep --jsonl
#     python benchmarks/run.py --keep --workdir benchmarks/out/ws --markdown   # again: reuses the corpus
#
# 1. For each size N: generate a synthetic corpus (benchmarks/generate_corpus.py; with --keep a
#    corpus already generated for the same N, seed and generator is reused) and `reader import`
#    it (the real CLI in a subprocess; --reuse-db copies the database a --keep run imported).
# 2. Launch the app headless in fresh processes (benchmarks/app_driver.py), LAUNCH_REPEATS times
#    per size after one warm-up each, alternating sizes so that drift in the machine's speed
#    falls on both alike.
# 3. For each size: list moves, opening articles and tag keys (app_driver.py --full); `reader
#    import` of a 1 MB document with paragraphs and a 1 MB one-line document; the issue 3 measures
#    in the app (app_driver.py --goals: sorts, search, opening the 10 KB and 1 MB documents,
#    scrolling, memory); `Store.add_annotation`; the list's queries called directly (search,
#    filters, sorts); `reader export` with 1,000 annotations (and 100,000 for N >= 100,000, after
#    which the list's queries are timed again).
# Progress goes to stderr, the tables to stdout, every raw number to benchmarks/out/results-*.json.

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
from reader.store import Store

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
LAUNCH_REPEATS = 9
ADD_CALLS = 200
EXPORT_SMALL = 1_000
EXPORT_BIG = 100_000
BIG_EXPORT_FROM_N = 100_000
LONG_DOCUMENT_BYTES = 1_000_000
QUERY_REPEATS = 5
#: The searches timed, by kind. The synthetic corpus has a small vocabulary (1,765 terms at
#: N=100,000), so its rarest words are the navigation lines' (about 1% of articles).
SEARCHES = {
    "rare": "advertisement",
    "common": "said",
    "two words": "fisheries deal",
    "name": "Nakamura",
    "in no article": "zzqx",
}
#: The spec the app driver gets for --goals (document ids are added per size).
GOALS_SPEC = {
    "searches": list(SEARCHES.values()),
    "scroll_documents": ["1mb-paragraphs", "1mb-one-line"],
    "sort_cycles": 3,
    "search_rounds": 3,
    "open_rounds": 5,
    "pagedowns": 30,
    "held_keys": 50,
    "ends": 5,
}


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
    """What a timed child process left: its output, and its own peak RSS."""

    def __init__(self, stdout: str, stderr: str, returncode: int, max_rss_mb: float):
        self.stdout, self.stderr, self.returncode, self.max_rss_mb = stdout, stderr, returncode, max_rss_mb


def run_timed(args: list[str], cwd: Path) -> tuple[float, Finished]:
    """Run `args`, returning (wall seconds, Finished); raises if it fails.

    The peak RSS of `python -m MODULE ...` comes from benchmarks/peak_rss.py, which runs the
    module in the same process and reads VmHWM at exit: on Linux, wait4's `ru_maxrss` for a
    child is at least this (parent) process's own peak, because exec records the memory map it
    replaces, so it cannot be trusted once run.py has grown. Other commands get `ru_maxrss`."""
    peak_file = None
    if len(args) > 2 and args[0] == PYTHON and args[1] == "-m":
        handle, name = tempfile.mkstemp(prefix="peak-", suffix=".txt")
        os.close(handle)
        peak_file = Path(name)
        args = [PYTHON, str(HERE / "peak_rss.py"), str(peak_file), *args[1:]]
    try:
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            started = time.perf_counter()
            process = subprocess.Popen(args, cwd=cwd, env=child_env(), stdout=out, stderr=err, text=True)
            _pid, status, usage = os.wait4(process.pid, 0)
            elapsed = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            peak = usage.ru_maxrss / 1024
            if peak_file is not None:
                text = peak_file.read_text(encoding="ascii").strip()
                peak = float(text) if text else float("nan")
            done = Finished(out.read(), err.read(), process.returncode, peak)
    finally:
        if peak_file is not None:
            peak_file.unlink(missing_ok=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed, done


def cpu_snapshot() -> tuple[float, float, float]:
    """(wall clock, CPU seconds every process on the machine used, CPU seconds this process and
    its waited-for children used), to tell afterwards how busy the rest of the machine was."""
    busy = float("nan")
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        busy = (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    own = os.times()
    return time.time(), busy, own.user + own.system + own.children_user + own.children_system


def others_cpu(before: tuple[float, float, float], after: tuple[float, float, float]) -> float:
    """CPUs (on average) that other processes kept busy between two snapshots."""
    wall = after[0] - before[0]
    return max(0.0, ((after[1] - before[1]) - (after[2] - before[2])) / wall) if wall > 0 else float("nan")


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


def drive_app(workspace: Path, config: Path, full: bool, tag: str, goals: dict | None = None) -> dict:
    result_path = workspace / f"driver-{tag}.json"
    args = [PYTHON, str(HERE / "app_driver.py"), repr(time.time()), str(config), str(result_path)]
    if full:
        args.append("--full")
    if goals is not None:
        spec = workspace / f"driver-{tag}-spec.json"
        spec.write_text(json.dumps(goals), encoding="utf-8")
        args += ["--goals", str(spec)]
    args[2] = repr(time.time())  # as late as possible before the spawn
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
            store.annotations.add(article_id, start, end, [rng.choice(("conflict", "cooperation"))], annotator="bench")
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
        missing = total - store.annotations.count()
        if missing <= 0:
            return 0, 0.0
        spans = random_spans(store, missing, rng)
        started = time.perf_counter()
        with store.writing():
            for article_id, start, end in spans:
                store.annotations.add(article_id, start, end, [rng.choice(("conflict", "cooperation"))], annotator="bench")
        return missing, time.perf_counter() - started
    finally:
        store.close()


def time_export(workspace: Path, config: Path, name: str) -> dict:
    output = workspace / name
    elapsed, done = run_timed([PYTHON, "-m", "reader", "--config", str(config), "export", "--output", str(output)], workspace)
    return {"seconds": elapsed, "bytes": output.stat().st_size, "message": done.stderr.strip(), "max_rss_mb": done.max_rss_mb}


def time_queries(db_path: Path, searches: dict[str, str]) -> dict:
    """The list's queries called directly, as the list calls them: `article_count(query)` (on
    enter, and for the title) and `list_articles(offset, 100, query)` (the first page, and for
    G the last). Each QUERY_REPEATS times; every sample is kept."""
    from reader.core.model import ListQuery, SORT_KEYS

    store = Store.open(db_path)
    try:
        def sample(query: ListQuery, last_page: bool = False) -> dict:
            counts, firsts, lasts = [], [], []
            for _ in range(QUERY_REPEATS):
                started = time.perf_counter()
                count = store.listing.count(query)
                counted = time.perf_counter()
                rows = store.listing.page(0, 100, query)
                listed = time.perf_counter()
                counts.append(counted - started)
                firsts.append(listed - counted)
                if last_page:
                    started = time.perf_counter()
                    store.listing.page(max(0, count - 100), 100, query)
                    lasts.append(time.perf_counter() - started)
            return {"count_s": counts, "first_page_s": firsts, "last_page_s": lasts, "matches": count, "rows": len(rows)}

        queries: dict[str, dict] = {}
        for kind, text in searches.items():
            queries[f"search:{kind}"] = {"text": text, **sample(ListQuery(search=text))}
        tag = store.db.execute(
            "SELECT t.name FROM tags t JOIN annotation_tags nt ON nt.tag_id = t.id GROUP BY t.id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        queries["filter:tag"] = {"text": tag[0] if tag else "conflict", **sample(ListQuery(tag=tag[0] if tag else "conflict"))}
        source = store.db.execute("SELECT source FROM articles WHERE source IS NOT NULL GROUP BY source ORDER BY count(*) DESC LIMIT 1").fetchone()
        queries["filter:source"] = {"text": source[0], **sample(ListQuery(source=source[0]))}
        queries["filter:read"] = {"text": "read", **sample(ListQuery(read="read"))}
        queries["filter:unread"] = {"text": "unread", **sample(ListQuery(read="unread"))}
        for sort in SORT_KEYS:
            queries[f"sort:{sort}"] = {"text": sort, **sample(ListQuery(sort=sort), last_page=True)}
        queries["annotations"] = store.annotations.count()
        return queries
    finally:
        store.close()


def generator_fingerprint() -> str:
    """What a kept corpus must have been made by to be reused: this generator's source."""
    import hashlib

    return hashlib.sha256((HERE / "generate_corpus.py").read_bytes()).hexdigest()[:16]


def prepare_size(n: int, args: argparse.Namespace, base: Path) -> dict:
    """A workspace with a config and an imported corpus of `n` articles (imports timed)."""
    if args.keep:
        workspace = base / f"reader-bench-{n}-seed{args.seed}"
        workspace.mkdir(parents=True, exist_ok=True)
    else:
        workspace = Path(tempfile.mkdtemp(prefix=f"reader-bench-{n}-", dir=base))
    log(f"N={n:,}: workspace {workspace}")
    result: dict = {"n": n, "workspace": str(workspace)}
    config = workspace / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    db_path = workspace / "annotations.db"
    for old in [*workspace.glob("annotations.db*"), *workspace.glob("jsonl.db*")]:
        old.unlink()
    corpus = workspace / "corpus"
    marker = corpus / ".complete"
    wanted = {"n": n, "seed": args.seed, "generator": generator_fingerprint()}
    if args.keep and marker.exists() and json.loads(marker.read_text(encoding="utf-8")) == wanted:
        log(f"N={n:,}: reusing the corpus in {corpus}")
        result["corpus_reused"] = True
        result["generate_s"] = float("nan")
        result["corpus_bytes"] = sum(path.stat().st_size for path in corpus.rglob("*.txt"))
    else:
        shutil.rmtree(corpus, ignore_errors=True)
        log(f"N={n:,}: generating {n:,} .txt articles")
        started = time.perf_counter()
        _files, size = generate_corpus.write_txt(n, corpus, args.seed)
        result["generate_s"] = time.perf_counter() - started
        result["corpus_bytes"] = size
        marker.write_text(json.dumps(wanted), encoding="utf-8")
    long_dir = workspace / "long"
    shutil.rmtree(long_dir, ignore_errors=True)
    generate_corpus.write_long_documents(long_dir, LONG_DOCUMENT_BYTES, args.seed)

    imported = workspace / "imported.db"
    if args.reuse_db and imported.exists():
        log(f"N={n:,}: copying the database imported by an earlier run ({imported})")
        shutil.copyfile(imported, db_path)
        result["import_reused"] = True
    else:
        log(f"N={n:,}: reader import")
        elapsed, done = run_timed([PYTHON, "-m", "reader", "--config", str(config), "import", str(corpus)], workspace)
        result["import_s"] = elapsed
        result["import_rss_mb"] = done.max_rss_mb
        result["import_summary"] = done.stdout.strip().splitlines()[0]
        log(f"N={n:,}: import took {elapsed:.1f} s: {result['import_summary']}")
        log(f"N={n:,}: reader import again (everything unchanged)")
        result["reimport_s"], done = run_timed([PYTHON, "-m", "reader", "--config", str(config), "import", str(corpus)], workspace)
        result["reimport_summary"] = done.stdout.strip().splitlines()[0]
        if args.keep:
            shutil.copyfile(db_path, imported)
    result["db_bytes"] = db_path.stat().st_size
    if not args.keep:
        shutil.rmtree(corpus)

    if args.jsonl:
        shards = workspace / "jsonl"
        shutil.rmtree(shards, ignore_errors=True)
        log(f"N={n:,}: generating the same articles as .jsonl shards and importing them into a second database")
        generate_corpus.write_jsonl(n, shards, args.seed)
        jsonl_config = workspace / "jsonl-config.yaml"
        jsonl_config.write_text(CONFIG.replace("annotations.db", "jsonl.db"), encoding="utf-8")
        elapsed, done = run_timed([PYTHON, "-m", "reader", "--config", str(jsonl_config), "import", str(shards)], workspace)
        result["import_jsonl_s"] = elapsed
        result["import_jsonl_rss_mb"] = done.max_rss_mb
        result["import_jsonl_summary"] = done.stdout.strip().splitlines()[0]
        shutil.rmtree(shards)
        for leftover in workspace.glob("jsonl.db*"):
            leftover.unlink()
    return result


def launch_all(results: list[dict]) -> None:
    """LAUNCH_REPEATS launches per size after one warm-up each, sizes alternating (and which
    size goes first alternating too), so a slow spell of the machine hits every size."""
    log(f"launch to first frame: 1 warm-up + {LAUNCH_REPEATS} runs per size, sizes alternating")
    for result in results:
        result["launches"] = []
        workspace = Path(result["workspace"])
        drive_app(workspace, workspace / "config.yaml", full=False, tag="warmup")
    for repeat in range(LAUNCH_REPEATS):
        order = results if repeat % 2 == 0 else list(reversed(results))
        for result in order:
            workspace = Path(result["workspace"])
            result["launches"].append(drive_app(workspace, workspace / "config.yaml", full=False, tag=f"launch{repeat}"))


def article_id_by_path(db_path: Path, suffix: str) -> int:
    store = Store.open(db_path)
    try:
        row = store.db.execute(
            "SELECT id FROM articles WHERE path = ? OR path LIKE ? ORDER BY id DESC LIMIT 1", [suffix, f"%/{suffix}"]
        ).fetchone()
        if row is None:
            raise RuntimeError(f"no article imported from {suffix}")
        return row[0]
    finally:
        store.close()


def measure_size(result: dict, args: argparse.Namespace) -> None:
    """Everything after launch, for one size (in the order the module comment gives)."""
    n = result["n"]
    rng = random.Random(args.seed)
    workspace = Path(result["workspace"])
    config = workspace / "config.yaml"
    db_path = workspace / "annotations.db"

    log(f"N={n:,}: list, open and tag keys in the headless app (about 30 s)")
    result["app"] = drive_app(workspace, config, full=True, tag="full")

    log(f"N={n:,}: reader import of a 1 MB document with paragraphs and a 1 MB one-line document")
    elapsed, done = run_timed([PYTHON, "-m", "reader", "--config", str(config), "import", str(workspace / "long")], workspace)
    result["long_import_s"] = elapsed
    result["long_import_summary"] = done.stdout.strip().splitlines()[0]
    documents = {
        "10kb": article_id_by_path(db_path, "benchmark-long-article"),
        "1mb-paragraphs": article_id_by_path(db_path, "long-paragraphs.txt"),
        "1mb-one-line": article_id_by_path(db_path, "long-one-line.txt"),
    }
    log(f"N={n:,}: issue 3 measures in the app: sorts, search, 1 MB documents, scrolling, memory (1-2 min)")
    result["goals_app"] = drive_app(workspace, config, full=False, tag="goals", goals={**GOALS_SPEC, "documents": documents})

    log(f"N={n:,}: {ADD_CALLS} x Store.add_annotation")
    result.update(time_add_annotation(db_path, rng))

    top_up_annotations(db_path, EXPORT_SMALL, rng)
    log(f"N={n:,}: the list's queries called directly ({EXPORT_SMALL:,} annotations)")
    result["queries"] = time_queries(db_path, SEARCHES)
    log(f"N={n:,}: reader export with {EXPORT_SMALL:,} annotations")
    result["export_small"] = time_export(workspace, config, "export-small.yaml")
    if n >= BIG_EXPORT_FROM_N:
        log(f"N={n:,}: adding annotations up to {EXPORT_BIG:,} in one transaction")
        added, seconds = top_up_annotations(db_path, EXPORT_BIG, rng)
        result["bulk_add"] = {"added": added, "seconds": seconds}
        log(f"N={n:,}: added {added:,} in {seconds:.1f} s; reader export with {EXPORT_BIG:,} annotations")
        result["export_big"] = time_export(workspace, config, "export-big.yaml")
        log(f"N={n:,}: the list's queries again, with {EXPORT_BIG:,} annotations")
        result["queries_big"] = time_queries(db_path, SEARCHES)
    log(f"N={n:,}: done")


# ---- the tables ----------------------------------------------------------------------------------


def _query_total(queries: dict, key: str, page: str = "first_page_s") -> float:
    """Median over the repeats of count + one page (what the list does on enter / on G)."""
    entry = queries[key]
    if page == "last_page_s":
        return median([c + p for c, p in zip(entry["count_s"], entry["last_page_s"])])
    return median([c + p for c, p in zip(entry["count_s"], entry[page])])


def rows_for(result: dict) -> dict[str, float]:
    """Flat metric -> value (seconds, counts or MB) for one size."""
    launches = result["launches"]
    app = result["app"]
    rows: dict[str, float] = {}
    for key in ("import_s", "reimport_s", "import_rss_mb", "long_import_s"):
        if key in result:
            rows[key] = result[key]
    if "import_s" in result:
        rows["import_rate"] = result["n"] / result["import_s"]
    if "import_jsonl_s" in result:
        rows["import_jsonl_s"] = result["import_jsonl_s"]
        rows["import_jsonl_rate"] = result["n"] / result["import_jsonl_s"]
        rows["import_jsonl_rss"] = result["import_jsonl_rss_mb"]
    rows["db_mb"] = result["db_bytes"] / 1e6

    # goal 1: launch
    with_rows = [l["marks"]["first_frame_rows"] for l in launches]
    rows["launch_rows"] = median(with_rows)
    rows["launch_rows_min"] = min(with_rows)
    rows["launch_rows_max"] = max(with_rows)
    rows["launch_frame"] = median([l["marks"]["first_frame_composed"] for l in launches])
    rows["launch_pilot"] = median([l["marks"]["first_frame_pilot"] for l in launches])
    for mark in ("python_started", "core_imported", "tui_imported", "store_opened", "recogniser_built", "app_built"):
        rows[f"mark_{mark}"] = median([l["marks"][mark] for l in launches])
    rows["rss_list_mb"] = median([l["rss_list_mb"] for l in launches])

    # the earlier measures (app_driver.py --full)
    rows["rss_end_mb"] = app["rss_end_mb"]
    rows["list_down_frame"] = median(app["list_down"]["frame"])
    rows["list_end_frame"] = median(app["list_jump_end"]["frame"])
    rows["open_frame"] = median(app["open"]["frame"])
    rows["open_text"] = median(app["open"]["text"])
    rows["open_kb"] = median(app["open_bytes"]) / 1000
    rows["recognise"] = median(app["recognise_s"])
    rows["recognise_10kb"] = median(app["recognise_10kb_s"])
    rows["back_frame"] = median(app["back_to_list"]["frame"])
    rows["add_median"] = median(result["add_annotation_s"])
    rows["add_p95"] = p95(result["add_annotation_s"])
    rows["tag_commit"] = median(app["tag_key_to_commit_s"])
    rows["tag_frame"] = median(app["tag_key_to_frame_s"])
    rows["move_pilot"] = median(app["move_keys"]["pilot"])

    # goals 2, 3, 5 and 6 in the app (app_driver.py --goals)
    goals = result["goals_app"]["goals"]
    for name, opens in goals["open"].items():
        for moment in ("first_frame", "text_frame", "entities_frame", "first_pagedown"):
            rows[f"open:{name}:{moment}"] = median([o.get(moment, float("nan")) for o in opens])
        rows[f"open:{name}:entities_max"] = max(o["entities_frame"] for o in opens)
    for name, record in goals["scroll"].items():
        for motion in ("pagedown", "j_held", "G", "pagedown_during_recognition"):
            rows[f"scroll:{name}:{motion}:median"] = median(record[motion])
            rows[f"scroll:{name}:{motion}:p95"] = p95(record[motion])
            rows[f"scroll:{name}:{motion}:max"] = max(record[motion])
        rows[f"scroll:{name}:entities_after_open"] = record["entities_frame_after_open"]
    for kind, text in SEARCHES.items():
        rows[f"app_search:{kind}"] = median(goals["search_frame"][text])
        rows[f"matches:{kind}"] = goals["search_count"][text]
    for sort, frames in goals["sort_key_frame"].items():
        rows[f"app_sort:{sort}"] = median(frames)
    for sort, frames in goals["list_end_frame"].items():
        rows[f"app_end:{sort}"] = median(frames)
    rows["rss_after_search_mb"] = goals["rss_after_search_mb"]
    rows["rss_after_long_mb"] = goals["rss_after_long_mb"]

    # the list's queries, called directly
    for label, queries in (("", result["queries"]), ("big:", result.get("queries_big"))):
        if not queries:
            continue
        for key in queries:
            if key == "annotations":
                continue
            rows[f"{label}q:{key}"] = _query_total(queries, key)
            rows[f"{label}q:{key}:count"] = median(queries[key]["count_s"])
            rows[f"{label}q:{key}:page"] = median(queries[key]["first_page_s"])
            if queries[key]["last_page_s"]:
                rows[f"{label}q:{key}:last"] = _query_total(queries, key, "last_page_s")

    rows["export_small"] = result["export_small"]["seconds"]
    rows["export_small_rss"] = result["export_small"]["max_rss_mb"]
    if "export_big" in result:
        rows["export_big"] = result["export_big"]["seconds"]
        rows["export_big_rss"] = result["export_big"]["max_rss_mb"]
        rows["export_big_mb"] = result["export_big"]["bytes"] / 1e6
        rows["bulk_add"] = result["bulk_add"]["seconds"]
    return rows


# ---- goal checks: each gets the values per size (smallest N first) and says met or not -------------


def _judge(values: list[float | None], ok) -> str:
    """'met' / 'not met' for the largest N; names the sizes that differ."""
    known = [(i, v) for i, v in enumerate(values) if v is not None and not math.isnan(v)]
    if not known:
        return ""
    verdicts = {i: ok(v) for i, v in known}
    last = known[-1][0]
    word = "met" if verdicts[last] else "**not met**"
    others = [i for i, _ in known if verdicts[i] != verdicts[last]]
    return word if not others else f"{word} (not at the smaller N)" if verdicts[last] else f"{word} (met at the smaller N)"


def under(limit: float):
    return lambda values: _judge(values, lambda v: v < limit)


def launch_goal(values: list[float | None]) -> str:
    """< 0.8 s, and within 1.2x of the smallest N."""
    if len(values) < 2 or values[0] is None or values[-1] is None:
        return under(0.8)(values)
    small, large = values[0], values[-1]
    ratio_ok, time_ok = large <= 1.2 * small, large < 0.8
    if ratio_ok and time_ok:
        return f"met ({large / small:.2f}x)"
    reasons = [] if time_ok else ["over 0.8 s"]
    if not ratio_ok:
        reasons.append(f"{large / small:.2f}x")
    return "**not met** (" + ", ".join(reasons) + ")"


# (key, label, unit, goal text, check or None)
GOAL_TABLE = [
    ("launch_rows", f"1. launch → first list frame with rows, median of {LAUNCH_REPEATS}", "s", "< 0.8 s and ≤ 1.2× N=100", launch_goal),
    ("launch_rows_min", f"1. launch → first list frame with rows, min of {LAUNCH_REPEATS}", "s", "< 0.8 s and ≤ 1.2× N=100", launch_goal),
    ("launch_rows_max", f"   launch, max of {LAUNCH_REPEATS}", "s", "", None),
    ("open:10kb:entities_frame", "2. open the 10 KB article: enter → first frame with text and entities, median of 5", "ms", "< 50 ms", under(0.05)),
    ("open:10kb:first_frame", "   enter → first article-screen frame (text not laid out yet)", "ms", "", None),
    ("open:1mb-paragraphs:text_frame", "2. open the 1 MB document (paragraphs): enter → first frame with text, median of 5", "ms", "< 150 ms", under(0.15)),
    ("open:1mb-paragraphs:entities_frame", "2. open the 1 MB document (paragraphs): enter → frame with entities (background thread)", "ms", "< 150 ms (to highlighted text)", under(0.15)),
    ("open:1mb-paragraphs:first_frame", "   enter → first article-screen frame (text not laid out yet)", "ms", "", None),
    ("open:1mb-one-line:text_frame", "2. open the 1 MB one-line document: enter → first frame with text, median of 5", "ms", "< 150 ms", under(0.15)),
    ("open:1mb-one-line:entities_frame", "2. open the 1 MB one-line document: enter → frame with entities (background thread)", "ms", "< 150 ms (to highlighted text)", under(0.15)),
    ("open:1mb-one-line:first_frame", "   enter → first article-screen frame (text not laid out yet)", "ms", "", None),
]
for _name, _title in (("10kb", "10 KB"), ("1mb-paragraphs", "1 MB with paragraphs"), ("1mb-one-line", "1 MB one-line")):
    GOAL_TABLE.append((f"open:{_name}:first_pagedown", f"3. {_title}: the first `pagedown` after opening (entities shown) → frame, median of 5",
                       "ms", "< 100 ms" if _name != "10kb" else "", under(0.1) if _name != "10kb" else None))
for _name, _title in (("1mb-paragraphs", "1 MB with paragraphs"), ("1mb-one-line", "1 MB one-line")):
    GOAL_TABLE += [
        (f"scroll:{_name}:pagedown:median", f"3. {_title}: `pagedown` → frame, median of 30", "ms", "median < 50 ms", under(0.05)),
        (f"scroll:{_name}:pagedown:p95", f"3. {_title}: `pagedown` → frame, p95 of 30", "ms", "p95 < 100 ms", under(0.1)),
        (f"scroll:{_name}:j_held:median", f"3. {_title}: `j` held (50 keys at 30/s) → frame showing that key's line, median", "ms", "median < 50 ms", under(0.05)),
        (f"scroll:{_name}:j_held:p95", f"3. {_title}: `j` held → frame, p95", "ms", "p95 < 100 ms", under(0.1)),
        (f"scroll:{_name}:G:median", f"3. {_title}: `G` (end of the document) → frame, median of 5", "ms", "median < 50 ms", under(0.05)),
        (f"scroll:{_name}:pagedown_during_recognition:median", f"3. {_title}: `pagedown` while entities are being recognised (5 keys, 100 ms apart), median", "ms", "median < 50 ms", under(0.05)),
        (f"scroll:{_name}:pagedown_during_recognition:max", "   the same, slowest of 5", "ms", "", None),
    ]
GOAL_TABLE += [
    ("tag_commit", "4. tag key in the app → annotation committed, median of 20", "ms", "< 10 ms median", under(0.01)),
]
for _kind, _text in SEARCHES.items():
    GOAL_TABLE.append((f"q:search:{_kind}", f"5. search “{_text}” ({_kind}): `article_count` + `list_articles(0, 100)`, median of {QUERY_REPEATS}", "ms", "< 100 ms", under(0.1)))
for _kind, _text in SEARCHES.items():
    GOAL_TABLE.append((f"app_search:{_kind}", f"5. in the app: `/` “{_text}” enter → first frame of results, median of 3", "ms", "< 100 ms", under(0.1)))
for _kind, _text in SEARCHES.items():
    GOAL_TABLE.append((f"matches:{_kind}", f"   articles matching “{_text}”", "count", "", None))
GOAL_TABLE += [
    ("rss_list_mb", f"6. peak RSS, app with the list open, median of {LAUNCH_REPEATS}", "MB", "< 200 MB", under(200)),
    ("rss_after_search_mb", "6. peak RSS, after sorts and 15 searches in the app", "MB", "< 200 MB", under(200)),
    ("rss_after_long_mb", "6. peak RSS, after also opening and scrolling both 1 MB documents", "MB", "< 200 MB", under(200)),
]

# The other measures at N=100,000 the issue asks for (no goal), and the earlier ones.
OTHER_TABLE = [
    *[(f"app_sort:{s}", f"list: `o` → first frame sorted by {s}, median of 3", "ms", "") for s in ("title", "source", "annotations", "published")],
    *[(f"app_end:{s}", f"list: `G` → frame of the last row, sorted by {s}, median of 3", "ms", "") for s in ("published", "title", "source", "annotations")],
    *[(f"q:sort:{s}", f"`article_count` + `list_articles(0, 100)`, sorted by {s}", "ms", "") for s in ("published", "title", "source", "annotations")],
    *[(f"q:sort:{s}:last", f"`article_count` + the last page (G), sorted by {s}", "ms", "") for s in ("published", "title", "source", "annotations")],
    ("q:filter:tag", "tag filter: `article_count` + `list_articles(0, 100)`", "ms", ""),
    ("q:filter:source", "source filter (the largest source, 1/6 of articles)", "ms", ""),
    ("q:filter:read", "read filter: read", "ms", ""),
    ("q:filter:unread", "read filter: unread", "ms", ""),
    ("big:q:filter:tag", f"tag filter, with {EXPORT_BIG:,} annotations", "ms", ""),
    ("big:q:sort:annotations", f"sorted by annotations, with {EXPORT_BIG:,} annotations", "ms", ""),
    ("big:q:sort:annotations:last", f"sorted by annotations, last page, with {EXPORT_BIG:,} annotations", "ms", ""),
    ("big:q:search:common", f"search “{SEARCHES['common']}”, with {EXPORT_BIG:,} annotations", "ms", ""),
    ("import_s", "`reader import` (subprocess)", "s", ""),
    ("import_rate", "import: articles per second", "rate", ""),
    ("import_jsonl_s", "import of the same articles as .jsonl shards", "s", ""),
    ("reimport_s", "import again, everything unchanged", "s", ""),
    ("db_mb", "annotations.db size after import", "MB", ""),
    ("long_import_s", "`reader import` of the two 1 MB documents", "s", ""),
    ("launch_frame", f"launch → first list frame composed (rows or not), median of {LAUNCH_REPEATS}", "s", ""),
    ("launch_pilot", f"launch → first `pilot.pause()` with the list (earlier method), median of {LAUNCH_REPEATS}", "s", ""),
    ("mark_core_imported", "  of which: reader.core imported (cumulative)", "s", ""),
    ("mark_tui_imported", "  of which: reader.tui + textual imported (cumulative)", "s", ""),
    ("mark_store_opened", "  of which: Store opened (cumulative)", "s", ""),
    ("mark_recogniser_built", "  of which: recogniser built (cumulative)", "s", ""),
    ("list_down_frame", "list: `j` → frame, median of 9", "ms", ""),
    ("list_end_frame", "list: `G` → frame", "ms", ""),
    ("open_text", "open 5 short articles: enter → first frame with text, median", "ms", ""),
    ("open_frame", "open 5 short articles: enter → first article-screen frame, median", "ms", ""),
    ("recognise", "  recogniser alone on those articles, median", "ms", ""),
    ("recognise_10kb", "  recogniser alone on the 10 KB article", "ms", ""),
    ("back_frame", "`q` back to the list → first list frame", "ms", ""),
    ("add_median", f"Store.add_annotation, median of {ADD_CALLS}", "ms", ""),
    ("add_p95", f"Store.add_annotation, p95 of {ADD_CALLS}", "ms", ""),
    ("tag_frame", "tag key in the app → next frame, median of 20", "ms", ""),
    ("move_pilot", "`pilot.press('h', 'l')`: the Pilot's own waiting", "ms", ""),
    ("export_small", f"`reader export --output`, {EXPORT_SMALL:,} annotations", "s", ""),
    ("bulk_add", f"adding up to {EXPORT_BIG:,} annotations in one transaction", "s", ""),
    ("export_big", f"`reader export --output`, {EXPORT_BIG:,} annotations", "s", ""),
    ("rss_end_mb", "peak RSS after opening 6 articles and 40 tags", "MB", ""),
    ("import_rss_mb", "peak RSS of `reader import`", "MB", ""),
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
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:g}"


def render(header: list[str], lines: list[list[str]], markdown: bool, text_columns: int) -> str:
    """A table whose first column and last `text_columns` columns are text, the rest numbers."""
    left = {0, *range(len(header) - text_columns, len(header))}
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i in left else "---:" for i in range(len(header))) + "|"]
        out += ["| " + " | ".join(cells) + " |" for cells in lines]
        return "\n".join(out)
    widths = [max(len(str(row[i])) for row in [header, *lines]) for i in range(len(header))]
    text = [" | ".join(str(cell).ljust(widths[i]) if i in left else str(cell).rjust(widths[i])
                       for i, cell in enumerate(row)) for row in [header, *lines]]
    text.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(text)


def goal_table(results: list[dict], markdown: bool) -> str:
    sizes = [r["n"] for r in results]
    all_rows = [rows_for(r) for r in results]
    header = ["measure", *[f"N={n:,}" for n in sizes], "goal", "met?"]
    lines = []
    for key, label, unit, goal, check in GOAL_TABLE:
        values = [rows.get(key) for rows in all_rows]
        if all(v is None for v in values):
            continue
        lines.append([label, *[show(v, unit) for v in values], goal, check(values) if check else ""])
    return render(header, lines, markdown, text_columns=2)


def other_table(results: list[dict], markdown: bool) -> str:
    sizes = [r["n"] for r in results]
    all_rows = [rows_for(r) for r in results]
    header = ["measure", *[f"N={n:,}" for n in sizes], *([f"ratio {sizes[-1]:,}/{sizes[0]:,}"] if len(sizes) > 1 else [])]
    lines = []
    for key, label, unit, _goal in OTHER_TABLE:
        values = [rows.get(key) for rows in all_rows]
        if all(v is None for v in values):
            continue
        first, last = values[0], values[-1]
        ratio = (f"{last / first:.2f}x" if len(values) > 1 and first and last and not math.isnan(first) and not math.isnan(last)
                 and unit not in ("rate",) else "")
        lines.append([label, *[show(v, unit) for v in values], *([ratio] if len(sizes) > 1 else [])])
    return render(header, lines, markdown, text_columns=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,100000", help="comma-separated corpus sizes (default 100,100000)")
    parser.add_argument("--keep", action="store_true",
                        help="keep each workspace (corpus, database, exports) at WORKDIR/reader-bench-N-seedS, and reuse its corpus next time")
    parser.add_argument("--reuse-db", action="store_true",
                        help="with --keep: skip the import and copy the database an earlier --keep run imported (imports are not timed)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jsonl", action="store_true", help="also time importing the same corpus as .jsonl shards")
    parser.add_argument("--workdir", type=Path, default=None, help="where workspaces go (default: the system temp dir)")
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    args = parser.parse_args()
    if args.reuse_db and not args.keep:
        parser.error("--reuse-db needs --keep")
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
        **bare_imports(3),
    }
    results = []
    load: dict[str, float] = {}
    try:
        snapshot = cpu_snapshot()
        results = [prepare_size(n, args, base) for n in sizes]
        before_launch = cpu_snapshot()
        load["prepare"] = others_cpu(snapshot, before_launch)
        launch_all(results)
        snapshot = cpu_snapshot()
        load["launch"] = others_cpu(before_launch, snapshot)
        for result in results:
            measure_size(result, args)
            after = cpu_snapshot()
            load[f"N={result['n']:,}"] = others_cpu(snapshot, after)
            snapshot = after
    finally:
        if not args.keep:
            for result in results:
                shutil.rmtree(result["workspace"], ignore_errors=True)
    total = time.perf_counter() - started

    OUT.mkdir(exist_ok=True)
    raw = OUT / f"results-{time.strftime('%Y%m%d-%H%M%S')}.json"
    environment["others_cpu"] = load
    raw.write_text(json.dumps({"environment": environment, "results": results, "total_s": total}, indent=1), encoding="utf-8")

    print(f"Python {environment['python']} on {environment['platform']}, {environment['cpus']} CPUs, "
          f"SQLite {environment['sqlite']}; reader at {environment['git']}")
    print(f"bare `python -c pass`: {show(environment['python_bare_s'], 's')}; "
          f"`python -c 'import textual.app'`: {show(environment['import_textual_app_s'], 's')}; "
          f"`python -c 'import reader.tui.app'`: {show(environment['import_reader_tui_s'], 's')} (medians of 3)")
    print("CPUs other processes kept busy meanwhile (of " + f"{environment['cpus']}): "
          + ", ".join(f"{phase} {cpus:.2f}" for phase, cpus in load.items()))
    for result in results:
        corpus = "reused" if result.get("corpus_reused") else f"generated in {result['generate_s']:.1f} s"
        imported = "database copied from an earlier run" if result.get("import_reused") else (
            f"import: {result['import_summary']}; again: {result['reimport_summary']}")
        print(f"N={result['n']:,}: corpus {result['corpus_bytes'] / 1e6:.1f} MB {corpus}; {imported}; "
              f"1 MB documents: {result['long_import_summary']}")
    print()
    print("Issue 3 goals")
    print()
    print(goal_table(results, args.markdown))
    print()
    print("Other measures")
    print()
    print(other_table(results, args.markdown))
    print()
    print(f"total {total / 60:.1f} min; raw numbers in {raw}")
    if args.keep:
        for result in results:
            print(f"kept N={result['n']:,} workspace: {result['workspace']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
