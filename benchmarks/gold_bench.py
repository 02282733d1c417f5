"""Agreement of each coder against the gold layer (issue 17, adjudication): 100,000 annotations in
one database (two coders and gold), timed as `reader agreement --against gold` computes it, first
from nothing and then again with the sums it kept; and accepting every agreed passage into gold.

    python benchmarks/gold_bench.py [--annotations N] [--per-article K]

Builds the database itself (synthetic texts written here) in a temporary folder: alice codes
every sentence; bob agrees on 80%, moves a boundary on 10%, takes another tag on 5%, skips 5%;
gold is adjudicated by the service (agreed passages in bulk, then B's version of the rest).
Numbers only; nothing passes or fails.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.core.anchoring import selector_for  # noqa: E402
from reader.core.ingest import Document  # noqa: E402
from reader.services import adjudication  # noqa: E402
from reader.services.agreement import AgreementJob  # noqa: E402
from reader.services.history import History  # noqa: E402
from reader.store import Store  # noqa: E402

WORDS = ("harbour council union rota ferry quay tender budget vote ward pier crane shift strike talks "
         "minister port dock levy toll grain barge wharf").split()
STAMP = "2026-03-01T09:00:00+00:00"


def build(path: Path, sentences_total: int, per_article: int) -> Store:
    rng = random.Random(17)
    store = Store.open(path)
    tags = [store.tags.ensure(name) for name in ("conflict", "cooperation")]
    rows, tag_rows = [], []

    def add(article_id: int, text: str, start: int, end: int, who: str, tag: int) -> None:
        quote, prefix, suffix = selector_for(text, start, end)
        note_id = str(uuid.UUID(int=rng.getrandbits(128)))
        rows.append((note_id, article_id, start, end, quote, prefix, suffix, None, who, STAMP, STAMP))
        tag_rows.append((note_id, tag))

    for number in range(sentences_total // per_article):
        sentences = [f"Item {n}: the " + " ".join(rng.choice(WORDS) for _ in range(9)) + "." for n in range(per_article)]
        text = f"Port report {number}\n\n" + " ".join(sentences)
        article_id = store.articles.add(Document(text=text, title=f"Port report {number}", source="Bench", url=None,
                                                 path=f"gold-{number}.txt", published="2026-02-01", locator="")).article_id
        for item in sentences:
            start = text.index(item)
            end = start + len(item)
            tag = rng.choice(tags)
            add(article_id, text, start, end, "alice", tag)
            roll = rng.random()
            if roll < 0.80:
                add(article_id, text, start, end, "bob", tag)
            elif roll < 0.90:
                add(article_id, text, start, end - 5, "bob", tag)
            elif roll < 0.95:
                add(article_id, text, start, end, "bob", tags[1 - tags.index(tag)])
    with store.writing():
        store.annotations.insert_many(rows, tag_rows)
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=100_000, help="about this many in all (coders and gold)")
    parser.add_argument("--per-article", type=int, default=50)
    args = parser.parse_args()
    sentences = args.annotations * 10 // 28  # alice 1, bob 0.95, gold about 0.85 per sentence
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        store = build(Path(folder) / "gold.db", sentences, args.per_article)
        print(f"built: {store.annotations.count():,} coder annotations in {time.perf_counter() - started:.1f} s")
        history = History(store)
        started = time.perf_counter()
        agreed = adjudication.agreed_versions(store, "alice", "bob", "gold")
        changes = list(adjudication.accept_agreements(history, agreed, "gold", "curator"))
        print(f"accept agreed: {len(agreed):,} passages into gold in {time.perf_counter() - started:.2f} s "
              f"({len(changes)} transactions of up to {adjudication.CHUNK})")
        started = time.perf_counter()
        found = adjudication.walk(store, "alice", "bob")
        print(f"the walk: {len(found):,} disagreements listed in {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        decided = 0
        for disagreement in found:
            sides = adjudication.sides_of(store, disagreement)
            if disagreement.b is not None:
                try:
                    adjudication.adopt(history, sides, "b", "gold", "curator")
                    decided += 1
                except adjudication.AdjudicationError:
                    pass
        seconds = time.perf_counter() - started
        print(f"adopt B's: {decided:,} decisions in {seconds:.1f} s ({1000 * seconds / max(decided, 1):.1f} ms each)")
        total = store.annotations.count()
        print(f"annotations now: {total:,} (gold {sum(1 for _ in store.annotations.of_annotators(['gold'])):,})")
        for run in ("from nothing", "with the kept sums"):
            started = time.perf_counter()
            report = AgreementJob(["alice", "bob"], None, "char", against="gold").compute(store)
            seconds = time.perf_counter() - started
            overall = {pair.b: pair.rows[-1] for pair in report.pairs}
            shown = ", ".join(f"{name} F1 {row.exact.f1:.3f} kappa {row.kappa:.3f}" for name, row in overall.items())
            print(f"agreement against gold, {run}: {seconds:.2f} s ({shown})")
        store.close()


if __name__ == "__main__":
    main()
