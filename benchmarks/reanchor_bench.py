"""Re-anchoring benchmark: 1,000 annotations on a ~50 KB article that is then edited.

    python benchmarks/reanchor_bench.py [--seed N] [--annotations N] [--bytes N]

Builds a generated news article (generate_corpus.long_document), places annotations on random
sentences (and parts of sentences), then edits the text: new paragraphs inserted, a few
paragraphs deleted, small edits inside ~10% of the quotes (typos, a changed word or number,
never the first or last word), and some paragraphs re-wrapped (line breaks, CRLF line breaks,
double spaces). Every edit is also applied to each annotation's span, which gives the ground
truth: where the annotated passage is in the new text, or that it was deleted. Then times
`reanchor_all` and prints counts per status, how many landed exactly on the ground truth, and a
sweep of the fuzzy acceptance cut-off. Numbers only; nothing passes or fails.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate_corpus import long_document  # noqa: E402

from reader.core import anchoring  # noqa: E402
from reader.core.anchoring import Selector, reanchor_all  # noqa: E402

SENTENCE = re.compile(r"[^\s][^\n]*?[.!?][\u201d\"]?(?=\s|$)")
REPLACEMENT_WORDS = ["officials", "quietly", "regional", "senior", "several", "new", "former", "local",
                     "key", "largest", "urgent", "annual", "draft", "final", "joint"]


Span = tuple[int, int] | None


class Edits:
    """Non-overlapping edits planned against the old text, applied from the end backwards."""

    def __init__(self) -> None:
        self.ops: list[tuple[int, int, str, str]] = []  # (position, deleted length, inserted, kind)
        self.taken: list[tuple[int, int]] = []

    def add(self, position: int, length: int, inserted: str, kind: str) -> bool:
        a, b = position, position + max(length, 1)
        if any(a < y and x < b for x, y in self.taken):
            return False
        self.taken.append((a, b))
        self.ops.append((position, length, inserted, kind))
        return True

    def apply(self, text: str, spans: list[Span]) -> tuple[str, list[Span], set[int]]:
        """The edited text, each span's ground truth (None: deleted), and the spans whose truth
        is unclear (left out of the accuracy count): an edit cut across one of its ends, or
        changed its first or last character (a word replaced at the edge of a quote may fairly
        be left out of the new span)."""
        spans = list(spans)
        ambiguous: set[int] = set()
        for position, length, inserted, _kind in sorted(self.ops, key=lambda op: op[0], reverse=True):
            text = text[:position] + inserted + text[position + length :]
            delta = len(inserted) - length
            stop = position + length
            for i, span in enumerate(spans):
                if span is None:
                    continue
                s, e = span
                if length == 0:
                    if position <= s:
                        spans[i] = (s + delta, e + delta)
                    elif position < e:
                        spans[i] = (s, e + delta)
                elif stop <= s:
                    spans[i] = (s + delta, e + delta)
                elif position >= e:
                    pass
                elif position <= s and stop >= e:
                    spans[i] = None
                elif s <= position and stop <= e:
                    spans[i] = (s, e + delta)
                    if position == s or stop == e:
                        ambiguous.add(i)
                else:
                    ambiguous.add(i)
        return text, spans, ambiguous


def word_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(start + m.start(), start + m.end()) for m in re.finditer(r"\S+", text[start:end])]


def build(seed: int, count: int, size: int):
    rng = random.Random(seed)
    old = long_document(size, seed=3)
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", old)]
    sentences = [(m.start(), m.end()) for m in SENTENCE.finditer(old) if m.end() - m.start() >= 20]

    spans: list[tuple[int, int]] = []
    for _ in range(count):
        s, e = rng.choice(sentences)
        words = word_spans(old, s, e)
        if len(words) >= 6 and rng.random() < 0.3:  # part of a sentence, 3+ words
            i = rng.randrange(len(words) - 3)
            j = rng.randrange(i + 3, len(words) + 1)
            s, e = words[i][0], words[j - 1][1]
        spans.append((s, e))

    edits = Edits()
    counts: Counter[str] = Counter()
    middle = paragraphs[2:-1]
    for ps, pe in rng.sample(middle, 3):  # delete three paragraphs (with the break after them)
        counts["paragraph deleted"] += edits.add(ps, pe - ps + 2, "", "delete")
    extra = [p for p in long_document(8_000, seed=99).split("\n\n")[2:] if len(p) > 80]
    for ps, _pe in rng.sample(middle, 6):
        counts["paragraph inserted"] += edits.add(ps, 0, rng.choice(extra) + "\n\n", "insert")
    for i in rng.sample(range(count), count // 10):  # small edits inside 10% of the quotes
        s, e = spans[i]
        words = word_spans(old, s, e)
        if len(words) < 3:
            continue
        ws, we = rng.choice(words[1:-1])
        word = old[ws:we]
        letters = [k for k, c in enumerate(word) if c.isalpha()]
        digits = [k for k, c in enumerate(word) if c.isdigit()]
        roll = rng.random()
        if digits and roll < 0.5:
            k = rng.choice(digits)
            done = edits.add(ws + k, 1, str((int(word[k]) + 1) % 10), "quote edit")
        elif len(letters) >= 4 and roll < 0.4:
            k = rng.choice(letters[1:])
            done = edits.add(ws + k, 1, "", "quote edit")  # a letter dropped
        elif len(letters) >= 4 and roll < 0.7:
            k = rng.choice(letters[:-1])
            done = edits.add(ws + k, 2, word[k + 1] + word[k], "quote edit")  # two letters swapped
        else:
            done = edits.add(ws, we - ws, rng.choice(REPLACEMENT_WORDS), "quote edit")  # a word replaced
        counts["quote edited"] += done
    for ps, pe in rng.sample(middle, len(middle) // 10):  # re-wrap ~10% of the paragraphs
        crlf = rng.random() < 0.5
        column = ps
        for m in re.finditer(" ", old[ps:pe]):
            p = ps + m.start()
            if p - column >= rng.randint(55, 80):
                edits.add(p, 1, "\r\n" if crlf else "\n", "reflow")
                column = p
            elif old[p - 1] == "." and rng.random() < 0.5:
                edits.add(p, 1, "  ", "reflow")
        if crlf and old[pe : pe + 2] == "\n\n":
            edits.add(pe, 2, "\r\n\r\n", "reflow")
        counts["paragraph re-wrapped"] += 1
    counts["edits in all"] = len(edits.ops)
    new, truth, ambiguous = edits.apply(old, list(spans))
    selectors = [Selector.at(old, s, e) for s, e in spans]
    return old, new, selectors, truth, ambiguous, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--annotations", type=int, default=1000)
    parser.add_argument("--bytes", type=int, default=50_000)
    args = parser.parse_args()

    old, new, selectors, truth, ambiguous, counts = build(args.seed, args.annotations, args.bytes)
    print(f"article: {len(old.encode())} bytes, {len(old)} chars -> {len(new)} chars after editing")
    print("edits: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    deleted = sum(t is None for t in truth)
    print(f"annotations: {len(selectors)} ({deleted} in deleted text, {len(ambiguous)} with an edit at or across "
          "an end: truth unclear)")

    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        results = reanchor_all(new, selectors, len(old))
        times.append(time.perf_counter() - t0)
    print(f"reanchor_all: {times[0]:.3f} s first run, {sorted(times)[2]:.3f} s median of 5")

    statuses = Counter(r.status for r in results)
    print("status: " + ", ".join(f"{k} {statuses[k]}" for k in ("exact", "moved", "fuzzy", "orphan")))
    table: Counter[tuple[str, str]] = Counter()
    for i, (result, expected) in enumerate(zip(results, truth)):
        table[(result.status, verdict(result, expected, i in ambiguous))] += 1
    right = sum(v for (status, what), v in table.items() if what == "right")
    judged = len(selectors) - len(ambiguous)
    print(f"placed as the ground truth says: {right} of {judged} "
          "(right span, or orphan for deleted text; unclear ones left out)")
    print("  status  right  off-by-<=3  wrong-place  should-be-orphan  wrongly-orphaned  unclear")
    for status in ("exact", "moved", "fuzzy", "orphan"):
        cells = [table[(status, w)] for w in ("right", "near", "wrong", "deleted", "lost", "cut")]
        print(f"  {status:<7} " + "  ".join(f"{c:>{w}}" for c, w in zip(cells, (5, 10, 11, 16, 16, 7))))
    unclear = Counter(verdict(r, truth[i], False) for i, r in enumerate(results) if i in ambiguous)
    print("  unclear ones against the edit-tracked span: " + ", ".join(f"{k} {v}" for k, v in sorted(unclear.items())))

    # the fuzzy cut-off: re-run with none and see what each cut-off would keep
    saved = anchoring.MIN_FUZZY_SCORE
    anchoring.MIN_FUZZY_SCORE = 0.0
    try:
        loose = reanchor_all(new, selectors, len(old))
    finally:
        anchoring.MIN_FUZZY_SCORE = saved
    fuzzy = [(r.score, verdict(r, truth[i], i in ambiguous)) for i, r in enumerate(loose) if r.status == "fuzzy"]
    print(f"fuzzy cut-off sweep ({len(fuzzy)} fuzzy candidates with quote similarity >= "
          f"{anchoring.MIN_QUOTE_SIMILARITY}; now {saved}):")
    print("  cut-off  right kept  right lost  wrong kept (deleted text / other)")
    for cut in (0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85):
        kept = [v for score, v in fuzzy if score >= cut]
        lost = [v for score, v in fuzzy if score < cut]
        good = ("right", "near")
        print(f"  {cut:.2f}     {sum(v in good for v in kept):>10}  {sum(v in good for v in lost):>10}  "
              f"{sum(v == 'deleted' for v in kept):>10} / {sum(v == 'wrong' for v in kept)}")


def verdict(result, expected, cut: bool) -> str:
    if cut:
        return "cut"
    if expected is None:
        return "right" if result.status == "orphan" else "deleted"
    if result.status == "orphan":
        return "lost"
    if (result.start, result.end) == expected:
        return "right"
    if abs(result.start - expected[0]) <= 3 and abs(result.end - expected[1]) <= 3:
        return "near"
    return "wrong"


if __name__ == "__main__":
    main()
