"""Merging a colleague's later export (issue 17): a file of 100,000 annotations, 10% edited and
5% deleted since, into a database holding the older copies: time, peak memory, and the check
that the result is the colleague's database.

    python benchmarks/merge_bench.py [--annotations N] [--per-article K]

Builds both databases itself (synthetic texts written here), in a temporary folder. The merge
runs in a child process, so its peak resident memory (VmHWM) is its own.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.core.anchoring import selector_for  # noqa: E402
from reader.core.ingest import Document  # noqa: E402
from reader.services.export import write_export  # noqa: E402
from reader.services.import_yaml import import_annotations  # noqa: E402
from reader.store import Store  # noqa: E402

WORDS = ("harbour council union rota ferry quay tender budget vote ward pier crane shift strike talks "
         "minister port dock levy toll grain barge wharf").split()
OLD, NEW = "2026-03-01T09:00:00+00:00", "2026-03-02T09:00:00+00:00"


def sentence(rng: random.Random, number: int) -> str:
    return f"Item {number}: the " + " ".join(rng.choice(WORDS) for _ in range(9)) + "."


def build(path: Path, annotations: int, per_article: int) -> Store:
    rng = random.Random(17)
    store = Store.open(path)
    conflict, framing = store.tags.ensure("conflict"), store.tags.ensure("framing")
    rows, tag_rows = [], []
    for number in range(annotations // per_article):
        sentences = [sentence(rng, n) for n in range(per_article)]
        text = f"Port report {number}\n\n" + " ".join(sentences)
        article_id = store.articles.add(Document(text=text, title=f"Port report {number}", source="Bench", url=None,
                                                 path=f"bench-{number}.txt", published="2026-02-01", locator="")).article_id
        for item in sentences:
            start = text.index(item)
            quote, prefix, suffix = selector_for(text, start, start + len(item))
            note_id = str(uuid.UUID(int=rng.getrandbits(128)))
            rows.append((note_id, article_id, start, start + len(item), quote, prefix, suffix, None, "alice", OLD, OLD))
            tag_rows.append((note_id, rng.choice((conflict, framing))))
    with store.writing():
        store.annotations.insert_many(rows, tag_rows)
    return store


def merge_child(file: Path, db: Path) -> None:
    store = Store.open(db)
    started = time.perf_counter()
    summary = import_annotations(store, file)
    seconds = time.perf_counter() - started
    with open("/proc/self/status", encoding="ascii") as status:
        peak = next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:"))
    print(f"merge: {seconds:.2f} s, peak {peak:.0f} MB, {summary.transactions} transactions")
    for line in summary.lines():
        print(f"  {line}")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--per-article", type=int, default=50)
    parser.add_argument("--merge", nargs=2, type=Path, help=argparse.SUPPRESS)  # the child
    args = parser.parse_args()
    if args.merge:
        return merge_child(*args.merge)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        started = time.perf_counter()
        colleague = build(work / "colleague.db", args.annotations, args.per_article)
        colleague.close()
        (work / "mine.db").write_bytes((work / "colleague.db").read_bytes())  # the older copies
        colleague = Store.open(work / "colleague.db")
        ids = [row[0] for row in colleague.db.execute("SELECT id FROM annotations ORDER BY id")]
        rng = random.Random(3)
        rng.shuffle(ids)
        edited, deleted = ids[: len(ids) // 10], ids[len(ids) // 10 : len(ids) // 10 + len(ids) // 20]
        quote = colleague.tags.ensure("quote")
        with colleague.writing():
            colleague.db.conn.executemany("UPDATE annotations SET updated = ?, note = 'checked' WHERE id = ?",
                                          [(NEW, note_id) for note_id in edited])
            colleague.db.conn.executemany("INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)",
                                          [(note_id, quote) for note_id in edited])
            colleague.db.conn.executemany("DELETE FROM annotation_tags WHERE annotation_id = ?", [(i,) for i in deleted])
            colleague.db.conn.executemany("DELETE FROM annotations WHERE id = ?", [(i,) for i in deleted])
            for note_id in deleted:
                colleague.annotations.bury(note_id, "alice", NEW)
        print(f"built: {len(ids):,} annotations, {len(edited):,} edited, {len(deleted):,} deleted "
              f"({time.perf_counter() - started:.1f} s)")
        file = work / "colleague.yaml"
        started = time.perf_counter()
        write_export(colleague, file)
        print(f"export: {time.perf_counter() - started:.2f} s, {file.stat().st_size / 1e6:.0f} MB")
        subprocess.run([sys.executable, __file__, "--merge", str(file), str(work / "mine.db")], check=True)
        mine = Store.open(work / "mine.db")
        query = ("SELECT n.id, n.note, n.updated, group_concat(t.name) FROM annotations n JOIN annotation_tags nt "
                 "ON nt.annotation_id = n.id JOIN tags t ON t.id = nt.tag_id GROUP BY n.id ORDER BY n.id")
        same = mine.db.execute(query).fetchall() == colleague.db.execute(query).fetchall()
        print(f"the merged database holds the colleague's annotations: {'yes' if same else 'NO'}"
              f" ({mine.annotations.count():,})")
        mine.close()
        colleague.close()


if __name__ == "__main__":
    main()
