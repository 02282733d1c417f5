"""Durability under SIGKILL: a process makes random changes through the store (add, tag, note,
delete) and journals each one only after the store returned; it is killed at random moments and
restarted, again and again. After each kill: every change journaled as done is in the database,
no annotation is half-written (without its tags), and `PRAGMA integrity_check` is ok.

    python benchmarks/kill_test.py [--kills 200] [--seed 1]

Prints the numbers; the test suite runs the same check with fewer kills (tests/test_durability.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORKER = r"""
import json, os, random, sys, uuid
from reader.store import Store
db, journal, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(seed)
store = Store.open(db)
log = open(journal, "a", encoding="utf-8")
def note(entry):
    log.write(json.dumps(entry) + "\n"); log.flush(); os.fsync(log.fileno())
ids = [row[0] for row in store.db.execute("SELECT id FROM annotations")]
while True:
    kind = rng.choice(["add", "add", "add", "note", "tag", "delete"]) if ids else "add"
    if kind == "add":
        start = rng.randrange(0, 40)
        note({"intent": "add"})
        made = store.annotations.add(1, start, start + rng.randrange(1, 10), ["conflict", "quote"], "killer")
        ids.append(made.id)
        note({"done": "add", "id": made.id})
    elif kind == "note":
        target, text = rng.choice(ids), uuid.uuid4().hex
        note({"intent": "note", "id": target, "note": text})
        store.annotations.set_note(target, text)
        note({"done": "note", "id": target, "note": text})
    elif kind == "tag":
        target, tag = rng.choice(ids), rng.choice(["economic", "responsibility"])
        note({"intent": "tag", "id": target, "tag": tag})
        store.annotations.tag(target, tag)
        note({"done": "tag", "id": target, "tag": tag})
    else:
        target = ids.pop(rng.randrange(len(ids)))
        note({"intent": "delete", "id": target})
        store.annotations.delete(target)
        note({"done": "delete", "id": target})
"""


def prepare(folder: Path) -> Path:
    from reader.core.ingest import Document
    from reader.store import Store

    db = folder / "killed.db"
    store = Store.open(db)
    store.articles.add(Document(text="Talks resume in Geneva after a long pause; the ministry said so.", title="Talks",
                                source=None, url=None, path="t.txt", published=None, locator=""))
    store.close()
    return db


def check(db: Path, journal: Path) -> list[str]:
    """What is wrong with the database against the journal (empty when nothing is)."""
    from reader.store import Store

    problems: list[str] = []
    store = Store.open(db)
    try:
        if store.db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("integrity_check is not ok")
        bare = store.db.execute(
            "SELECT count(*) FROM annotations n WHERE NOT EXISTS (SELECT 1 FROM annotation_tags t WHERE t.annotation_id = n.id)"
        ).fetchone()[0]
        if bare:
            problems.append(f"{bare} annotations without tags (half-written)")
        present = {row[0]: row[1] for row in store.db.execute("SELECT id, note FROM annotations")}
        tags = {}
        for annotation_id, name in store.db.execute(
            "SELECT nt.annotation_id, t.name FROM annotation_tags nt JOIN tags t ON t.id = nt.tag_id"
        ):
            tags.setdefault(annotation_id, set()).add(name)
        expected: dict[str, dict] = {}
        deleted: set[str] = set()
        entries = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines() if line.strip()]
        for entry in entries:
            done = entry.get("done")
            if done == "add":
                expected[entry["id"]] = {"note": None, "tags": {"conflict", "quote"}}
            elif done == "note" and entry["id"] in expected:
                expected[entry["id"]]["note"] = entry["note"]
            elif done == "tag" and entry["id"] in expected:
                expected[entry["id"]]["tags"].add(entry["tag"])
            elif done == "delete":
                expected.pop(entry["id"], None)
                deleted.add(entry["id"])
        # a change the store made just before the kill may not be journaled: only the last intent
        last = entries[-1] if entries and "intent" in entries[-1] else None
        for annotation_id, want in expected.items():
            if annotation_id not in present:
                if not (last and last["intent"] == "delete" and last["id"] == annotation_id):
                    problems.append(f"annotation {annotation_id} reported done is missing")
                continue
            if present[annotation_id] != want["note"] and not (last and last.get("id") == annotation_id):
                problems.append(f"annotation {annotation_id}: note {present[annotation_id]!r}, expected {want['note']!r}")
            if not want["tags"] <= tags.get(annotation_id, set()):
                problems.append(f"annotation {annotation_id}: tags {tags.get(annotation_id)} lack {want['tags']}")
        for annotation_id in deleted & present.keys():
            problems.append(f"annotation {annotation_id} reported deleted is still there")
        extra = set(present) - set(expected) - deleted
        if len(extra) > 1 or (extra and not (last and last["intent"] == "add")):
            problems.append(f"{len(extra)} annotations nobody reported adding")
        if last and not problems:
            # the killed change either happened or not: write down which, for the next round
            settled = _settle(last, present, tags, extra)
            if settled:
                with journal.open("a", encoding="utf-8") as log:
                    log.write(json.dumps(settled) + "\n")
    finally:
        store.close()
    return problems


def _settle(last: dict, present: dict, tags: dict, extra: set) -> dict | None:
    """The killed change as done, if the database shows it was made."""
    kind, target = last["intent"], last.get("id")
    if kind == "add" and extra:
        return {"done": "add", "id": next(iter(extra))}
    if kind == "delete" and target not in present:
        return {"done": "delete", "id": target}
    if kind == "note" and present.get(target) == last["note"]:
        return {"done": "note", "id": target, "note": last["note"]}
    if kind == "tag" and last["tag"] in tags.get(target, set()):
        return {"done": "tag", "id": target, "tag": last["tag"]}
    return None


def run(kills: int, seed: int, folder: Path) -> dict:
    rng = random.Random(seed)
    db = prepare(folder)
    journal = folder / "journal.jsonl"
    journal.touch()
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    problems: list[str] = []
    started = time.perf_counter()
    mid_stream = 0
    for kill in range(kills):
        lines_before = _lines(journal)
        worker = subprocess.Popen([sys.executable, "-c", WORKER, str(db), str(journal), str(seed * 100_003 + kill)], env=env)
        # Kill only once the worker is changing things (its start-up takes 0.2 s, far more on a
        # busy machine), then at a random moment of the stream.
        deadline = time.monotonic() + 30
        while _lines(journal) == lines_before and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.35))
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        mid_stream += _lines(journal) > lines_before
        found = check(db, journal)
        if found:
            problems.extend(f"after kill {kill + 1}: {problem}" for problem in found)
            break
    done = sum(1 for line in journal.read_text(encoding="utf-8").splitlines() if '"done"' in line)
    return {"kills": kills, "mid_stream": mid_stream, "changes_done": done, "problems": problems,
            "seconds": time.perf_counter() - started}


def _lines(journal: Path) -> int:
    with journal.open("rb") as lines:
        return sum(1 for _ in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = run(args.kills, args.seed, Path(folder))
    print(f"kills: {result['kills']}, changes reported done: {result['changes_done']}, "
          f"problems: {len(result['problems'])}, {result['seconds']:.0f} s")
    for problem in result["problems"]:
        print("  " + problem)


if __name__ == "__main__":
    main()
