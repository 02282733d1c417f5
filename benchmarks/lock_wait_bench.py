"""How long a key press in an open reader waits while `reader import-annotations` merges 100,000
annotations into the same database, and how many presses are refused ("locked").

    python benchmarks/lock_wait_bench.py [--annotations 100000] [--articles 20000] [--reader-root PATH]
                                         [--second-import]

A "tagger" process opens the database through the store and tags a passage every 100 ms (what a
tag key does), timing each; meanwhile the real command imports a YAML file of `--annotations`
annotations (on `--articles` articles the database already has: a colleague's work). It prints
the import's time, the tagger's presses, refusals, median and longest wait. `--reader-root` runs
both with another checkout of reader (e.g. a worktree of an older commit, to measure "before");
the file is written in format 2, which every version reads. `--second-import` starts a second
import of the same file a second after the first and says whether it succeeded.

Texts are made up here (templated, like generate_corpus.py); everything lives in a temporary
folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PLACES = ["Geneva", "Halden", "Porto", "Tallinn", "Accra", "Quito", "Osaka", "Lyon", "Tromsø", "Dakar"]
BODIES = ["council", "port authority", "teachers' union", "health ministry", "water board", "rail operator"]
VERBS = ["approved", "delayed", "rejected", "questioned", "welcomed", "revised"]
THINGS = ["the harbour plan", "a fare rise", "the school budget", "new bus lanes", "the flood barrier", "a hiring freeze"]

TAGGER = r"""
import json, sys, time
from reader.store import Store, StoreWriteError
store = Store.open(sys.argv[1])
article = int(sys.argv[2])
waits, refused = [], []
print("ready", flush=True)
stop_at = None
import select
while True:
    if select.select([sys.stdin], [], [], 0)[0] and sys.stdin.readline() == "":
        break
    started = time.perf_counter()
    try:
        store.annotations.add(article, 0, 5, ["pressed"], "tagger")
    except StoreWriteError as error:
        refused.append(str(error))
    waited = time.perf_counter() - started
    waits.append(waited)
    time.sleep(max(0.0, 0.1 - waited))
print(json.dumps({"waits": waits, "refused": refused}), flush=True)
"""


def article_text(rng: random.Random, index: int) -> str:
    place = rng.choice(PLACES)
    sentences = [
        f"{place} {rng.choice(BODIES)} {rng.choice(VERBS)} {rng.choice(THINGS)} on day {index % 28 + 1}."
        for _ in range(rng.randint(6, 12))
    ]
    return f"Update {index} from {place}\n\n" + " ".join(sentences[:4]) + "\n\n" + " ".join(sentences[4:])


def build(folder: Path, articles: int, annotations: int) -> tuple[Path, Path]:
    """A YAML file (format 2) of `annotations` annotations on `articles` articles, and a database
    holding those articles and none of the annotations."""
    sys.path.insert(0, str(ROOT))
    from reader.core.anchoring import selector_for
    from reader.services.export import write_yaml
    from reader.core.model import now_utc, sha256_text
    from reader.store import Store

    rng = random.Random(7)
    source = Store.open(folder / "source.db")
    stamp = now_utc()
    with source.writing():
        tag_ids = [source.tags.ensure(name) for name in ("conflict", "cooperation", "framing/economy", "framing/security")]
        rows, tag_rows = [], []
        per_article = max(1, annotations // articles)
        for index in range(articles):
            text = article_text(rng, index)
            article_id = source.db["articles"].insert({
                "uid": sha256_text(text), "sha256": sha256_text(text), "title": text.split("\n")[0], "source": "Bench",
                "chars": len(text), "imported": stamp, "text": text, "path": f"{index}.txt", "locator": "",
            }).last_pk
            for number in range(per_article if index < articles - 1 else annotations - per_article * (articles - 1)):
                start = rng.randrange(0, len(text) - 40)
                end = start + rng.randint(5, 40)
                quote, prefix, suffix = selector_for(text, start, end)
                annotation_id = f"bench-{index}-{number}"
                rows.append((annotation_id, article_id, start, end, quote, prefix, suffix, None,
                             rng.choice(["alice", "bob"]), stamp, stamp))
                tag_rows.append((annotation_id, rng.choice(tag_ids)))
        source.db.conn.executemany(
            'INSERT INTO annotations (id, article_id, start, "end", quote, prefix, suffix, note, annotator, created, updated) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        source.db.conn.executemany("INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)", tag_rows)
    export = folder / "colleague.yaml"
    with open(export, "w", encoding="utf-8") as stream:
        write_yaml(source, stream)
    source.close()
    # format 2, which reader read before format 3 existed: the same articles and annotations
    text = export.read_text(encoding="utf-8")
    head, rest = text.split("articles:", 1)
    rest = rest.rsplit("pending:", 1)[0]
    export.write_text(head.split("\n")[0].replace("/3", "/2") + "\n" + head.split("\n")[1] + "\narticles:" + rest,
                      encoding="utf-8")
    target = folder / "annotations.db"
    reading, writing = sqlite3.connect(folder / "source.db"), sqlite3.connect(target)
    reading.backup(writing)
    reading.close()
    writing.execute("DELETE FROM annotation_tags")
    writing.execute("DELETE FROM annotations")
    writing.commit()
    writing.close()
    return export, target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--reader-root", type=Path, default=ROOT, help="the checkout of reader to run")
    parser.add_argument("--second-import", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lock-wait-"))
    try:
        started = time.perf_counter()
        export, target = build(folder, args.articles, args.annotations)
        print(f"built {args.annotations:,} annotations on {args.articles:,} articles "
              f"({export.stat().st_size / 1e6:.0f} MB of YAML) in {time.perf_counter() - started:.0f} s", flush=True)
        config = folder / "config.yaml"
        config.write_text(f"database: {target}\nload_samples: false\nannotator: colleague\n")
        env = dict(os.environ, PYTHONPATH=str(args.reader_root.resolve()))
        tagger = subprocess.Popen([sys.executable, "-c", TAGGER, str(target), "1"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, env=env, cwd=folder)
        assert tagger.stdout.readline().strip() == "ready"
        time.sleep(1.0)
        started = time.perf_counter()
        command = [sys.executable, "-m", "reader", "--config", str(config), "import-annotations", str(export)]
        importer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=folder)
        second = None
        if args.second_import:
            time.sleep(1.0)
            second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                      cwd=folder)
        out, err = importer.communicate()
        took = time.perf_counter() - started
        if second is not None:
            second_out, second_err = second.communicate()
        time.sleep(0.5)
        tagger.stdin.close()
        result = json.loads(tagger.stdout.readline())
        tagger.wait()
        waits = sorted(result["waits"])
        print(f"reader: {args.reader_root}")
        print(f"import: {took:.1f} s, exit {importer.returncode}: {(out.strip().splitlines() or [''])[0]}{err.strip()}")
        if second is not None:
            print(f"second import at once: exit {second.returncode}: "
                  f"{(second_out.strip().splitlines() or [''])[0]}{second_err.strip()}")
        print(f"tagger: {len(waits)} presses, {len(result['refused'])} refused, median wait {statistics.median(waits) * 1000:.0f} ms, "
              f"longest {waits[-1] * 1000:.0f} ms")
        if result["refused"]:
            print(f"  e.g. {result['refused'][0]}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
