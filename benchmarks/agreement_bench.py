"""Agreement measures on 200,000 annotations over 100,000 articles (goal: a few seconds each).

    python benchmarks/agreement_bench.py [--seed N] [--articles N] [--annotations N]

Generates two annotators' units (A, and B derived from A: most spans kept, some with moved boundaries,
some with another tag, some dropped, some added), half the annotations each, on articles of 500-3,000
characters whose texts come from a small pool of generated paragraphs. Times span agreement (exact and
overlap), the disagreement list, Cohen's kappa at character and token level and Krippendorff's alpha
for two and three annotators. For comparison it times a naive per-character kappa on a sample of
articles, extrapolates it to the whole corpus, and checks that both give the same table on the sample.
Numbers only; nothing passes or fails.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.core.agreement import (  # noqa: E402
    BinaryTable,
    Unit,
    agreement_table,
    cohens_kappa,
    disagreements,
    krippendorff_alpha,
    span_agreement,
)

TAGS = ["conflict", "cooperation", "economy", "health", "quote"]
WORDS = ("the minister said on tuesday that talks with officials from the united nations would resume "
         "after a week of strikes in the port where dockers demanded higher wages and markets fell").split()


def generate(seed: int, articles: int, annotations: int):
    rng = random.Random(seed)
    pool = []
    for _ in range(40):
        words = [rng.choice(WORDS) for _ in range(rng.randint(80, 500))]
        pool.append(" ".join(words)[: rng.randint(500, 3000)])
    texts = {article: pool[article % len(pool)] for article in range(articles)}

    def random_unit(annotator: str) -> Unit:
        article = rng.randrange(articles)
        length = len(texts[article])
        start = rng.randrange(length - 1)
        return Unit(article, start, min(length, start + rng.randint(5, 200)), rng.choice(TAGS), annotator)

    a = [random_unit("A") for _ in range(annotations // 2)]
    b = []
    for unit in a:
        roll = rng.random()
        if roll < 0.65:
            b.append(Unit(unit.article, unit.start, unit.end, unit.tag, "B"))
        elif roll < 0.80:
            length = len(texts[unit.article])
            start = min(length - 1, max(0, unit.start + rng.randint(-10, 10)))
            end = min(length, max(start + 1, unit.end + rng.randint(-10, 10)))
            b.append(Unit(unit.article, start, end, unit.tag, "B"))
        elif roll < 0.90:
            b.append(Unit(unit.article, unit.start, unit.end, rng.choice(TAGS), "B"))
        # else: dropped
    while len(b) < annotations // 2:
        b.append(random_unit("B"))
    c = [Unit(unit.article, unit.start, unit.end, unit.tag, "C") for unit in b if rng.random() < 0.9]
    return texts, a, b, c


def timed(label: str, work):
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    print(f"{label:<44} {elapsed:6.2f} s   {result}", flush=True)
    return result, elapsed


def naive_table(a, b, texts, tag) -> BinaryTable:
    """Per-character loop: one list of labels per article and annotator."""
    counts = [0, 0, 0, 0]
    by_article_a, by_article_b = {}, {}
    for units, into in ((a, by_article_a), (b, by_article_b)):
        for unit in units:
            if unit.tag == tag:
                into.setdefault(unit.article, []).append(unit)
    for article, text in texts.items():
        labels_a, labels_b = [0] * len(text), [0] * len(text)
        for labels, found in ((labels_a, by_article_a), (labels_b, by_article_b)):
            for unit in found.get(article, ()):
                labels[unit.start:unit.end] = [1] * (unit.end - unit.start)
        for x, y in zip(labels_a, labels_b):
            counts[(1 - x) * 2 + (1 - y)] += 1
    return BinaryTable(*counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--annotations", type=int, default=200_000)
    args = parser.parse_args()
    started = time.perf_counter()
    texts, a, b, c = generate(args.seed, args.articles, args.annotations)
    characters = sum(len(text) for text in texts.values())
    print(f"{len(a) + len(b):,} annotations (A {len(a):,}, B {len(b):,}; C {len(c):,} for three coders) on "
          f"{len(texts):,} articles, {characters / 1e6:.0f} M characters; generated in "
          f"{time.perf_counter() - started:.1f} s")
    lengths = {article: len(text) for article, text in texts.items()}

    def f1(result):
        return f"F1 {result.overall.f1:.4f}"

    timed("span agreement, exact", lambda: f1(span_agreement(a, b, "exact")))
    timed("span agreement, overlap", lambda: f1(span_agreement(a, b, "overlap")))
    timed("disagreements, exact", lambda: f"{len(disagreements(a, b, 'exact')):,} passages")
    timed("disagreements, overlap", lambda: f"{len(disagreements(a, b, 'overlap')):,} passages")
    timed("kappa, characters, all tags", lambda: f"kappa {cohens_kappa(a, b, lengths):.4f}")
    timed("kappa, characters, one tag", lambda: f"kappa {cohens_kappa(a, b, lengths, tag='conflict'):.4f}")
    timed("kappa, tokens, all tags", lambda: f"kappa {cohens_kappa(a, b, texts, level='token'):.4f}")
    timed("alpha, characters, A B", lambda: f"alpha {krippendorff_alpha({'A': a, 'B': b}, lengths):.4f}")
    timed("alpha, characters, A B C",
          lambda: f"alpha {krippendorff_alpha({'A': a, 'B': b, 'C': c}, lengths):.4f}")

    sample_size = min(2_000, len(texts))
    sample = {article: texts[article] for article in range(sample_size)}
    sample_a = [unit for unit in a if unit.article < sample_size]
    sample_b = [unit for unit in b if unit.article < sample_size]
    naive, naive_time = timed(f"naive per-character table, {sample_size:,} articles",
                              lambda: naive_table(sample_a, sample_b, sample, "conflict"))
    fast, fast_time = timed(f"interval table, same {sample_size:,} articles",
                            lambda: agreement_table(sample_a, sample_b, sample, tag="conflict"))
    print(f"same table: {naive == fast}; naive extrapolated to all articles, one tag: "
          f"{naive_time * len(texts) / sample_size:.0f} s (x{len(TAGS)} for all tags) "
          f"vs {fast_time * len(texts) / sample_size:.2f} s")


if __name__ == "__main__":
    main()
